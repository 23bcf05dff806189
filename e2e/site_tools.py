"""What the browser tests share: Chromium's flags, the offline/console guard, and helpers
for notebooks in JupyterLite. The fixtures built on them are in conftest.py."""

from urllib.parse import urlsplit

from curriculum.generate import INSTRUCTOR_COURSE
from tito.course import Course
from tito.workspace import notebook_exports

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Any host name but 127.0.0.1 fails to resolve: nothing can reach the internet by accident.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]


def guarded_context(browser, **options):
    """A new browser context (fresh storage) and the Guard watching it."""
    context = browser.new_context(**options)
    return context, Guard(context)


def harmless(url):
    """The 404s a correct site still logs: the browser's favicon probe; JupyterLite asking the
    server for a listing of a folder made in the browser (e.g. the learner's tinytorch/), which
    only the browser's storage has; and, on a first visit, JupyterLite's heartbeat to its service
    worker sent before the worker controls the page (it reaches the server, and the page goes on
    once the worker takes over)."""
    path = urlsplit(url).path  # the site may be under a subpath
    return (path == "/favicon.ico" or ("/api/contents/" in path and path.endswith("/all.json"))
            or path.endswith("/api/service-worker-heartbeat"))


class Guard:
    """Records requests beyond 127.0.0.1 and console errors of every page in a context."""

    def __init__(self, context):
        self.offsite, self.errors = [], []
        context.on("request", self.request)  # pages, their workers and the service worker
        context.on("page", self.watch)
        for page in context.pages:
            self.watch(page)

    def watch(self, page):
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def request(self, request):
        url = urlsplit(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname != "127.0.0.1":
            self.offsite.append(request.url)

    def console(self, message):
        where = message.location.get("url", "")
        if message.type == "error" and not harmless(where):
            self.errors.append(f"{message.text} ({where})")

    def check(self):
        assert not self.offsite, f"requests beyond 127.0.0.1: {sorted(set(self.offsite))}"
        assert not self.errors, f"console errors: {self.errors}"


# ---- notebooks in JupyterLite -------------------------------------------------------------------

KERNEL_START = 300_000  # ms; 5-10 s on a quiet machine, over 100 s when its two cores are busy
# The notebook on show. JupyterLab reopens the notebooks of the last visit too, in hidden tabs.
SHOWN_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"


# The shown notebook's kernel, as JupyterLite's app (window.jupyterapp) knows it: it exists, its
# connection is up and it said "idle" (it is "unknown" while Pyodide starts), in JupyterLab and in
# Jupyter Notebook alike. Not the toolbar's execution indicator: that one reads idle from the
# moment the notebook is shown, before a kernel even exists.
KERNEL_IDLE = """() => {
    const kernel = window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel;
    return !!kernel && kernel.status === "idle" && kernel.connectionStatus === "connected";
}"""


def wait_for_kernel(page, timeout=KERNEL_START):
    """Wait until the open notebook's kernel has started and is idle (a missing start-up file leaves
    it starting forever)."""
    page.wait_for_function(KERNEL_IDLE, timeout=timeout)


def notebook_url(notebook):
    """Where the dashboard opens `notebook`: Jupyter Notebook's one-document page (site/dashboard.js)."""
    return f"notebooks/index.html?path={notebook}"


def open_from_dashboard(page, site_url, title, notebook):
    """Follow the link of the dashboard's card `title`, which must open `notebook`; wait for its kernel."""
    page.goto(site_url)
    page.locator(".card", has_text=title).get_by_role("link").click()
    page.wait_for_url(f"**/{notebook_url(notebook)}")
    wait_for_kernel(page)


def type_cell(page, code):
    """Add a cell at the end of the open notebook and type `code` into it, without running it;
    returns the cell (an element handle)."""
    page.locator(f"{SHOWN_NOTEBOOK} .jp-Cell .jp-InputPrompt").last.click()  # select the last cell
    page.keyboard.press("Escape")  # command mode
    page.keyboard.press("b")  # a new cell below it, now the active one
    cell = page.locator(f"{SHOWN_NOTEBOOK} .jp-Cell.jp-mod-active").element_handle()
    cell.query_selector(".cm-content").click()
    page.keyboard.insert_text(code)  # as typed text, without the editor's auto-indent
    return cell


def run_cell(page, code, timeout=60_000):
    """Add a cell at the end of the open notebook, run `code` in it, return its output's text."""
    return run_active_cell(page, type_cell(page, code), timeout)


def run_notebook_cell(page, index, timeout=60_000):
    """Run the open notebook's own cell number `index` (from 0, not run yet), return its output's text."""
    cell = page.locator(f"{SHOWN_NOTEBOOK} .jp-Cell").nth(index).element_handle()
    cell.query_selector(".jp-InputPrompt").click()  # selects it
    return run_active_cell(page, cell, timeout)


def run_active_cell(page, cell, timeout):
    """Run the selected cell, wait until it has run (its prompt shows a number), return its output's text."""
    page.keyboard.press("Shift+Enter")
    page.wait_for_function("cell => /\\[\\d+\\]/.test(cell.querySelector('.jp-InputPrompt').textContent)",
                           arg=cell, timeout=timeout)
    return cell.query_selector(".jp-OutputArea").inner_text()


def complete_module(page, mid, timeout=60_000):
    """Type module `mid`'s solutions (the export cells of its instructor notebook) into the open
    notebook as the learner would, run them, then `%tito module complete mid`; returns its output.
    `timeout`: ms for each cell, as run_cell's."""
    course = Course(INSTRUCTOR_COURSE)
    for label, code in notebook_exports(course.notebook(mid, instructor=True)):
        output = run_cell(page, code, timeout)
        assert "Traceback" not in output, f"module {mid}'s solution ({label}) failed:\n{output}"
    return run_cell(page, f"%tito module complete {mid}", timeout)


def read_progress(page):
    """The records in IndexedDB "tinytorch" / "progress" of the page's origin, by id."""
    records = page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open("tinytorch");
        open.onupgradeneeded = () => open.result.createObjectStore("progress", { keyPath: "id" });
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
            const all = open.result.transaction("progress").objectStore("progress").getAll();
            all.onsuccess = () => { open.result.close(); resolve(all.result); };
            all.onerror = () => reject(all.error);
        };
    })""")
    return {record["id"]: record for record in records}
