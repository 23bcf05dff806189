"""tito inside the Pyodide kernel: IndexedDB progress under concurrent writers, clear messages
when storage or NumPy is missing. One kernel for the module (it takes a few seconds to start)."""

import pytest

from lite.build import official_lock

from site_tools import guarded_context, notebook_url, read_progress, run_cell, wait_for_kernel

NUMPY_MISSING = "NumPy is not bundled with this site. Rebuild with: python -m lite build --pyodide-dist"


@pytest.fixture(scope="module")
def kernel(browser, site_url):
    context, guard = guarded_context(browser)
    page = context.new_page()
    page.goto(site_url + notebook_url("00_welcome.ipynb"))
    wait_for_kernel(page)
    page.load_output = run_cell(page, "%load_ext tito")
    yield page
    context.close()
    guard.check()


def test_concurrent_updates_lose_nothing(kernel):
    # 20 read-modify-writes at once, each in its own connection and transaction: if a read and
    # its write were not one transaction, increments would overwrite each other.
    output = run_cell(kernel, """import asyncio
from tito.browser import IndexedDBStore
bump = lambda old: {"id": "test:counter", "n": (old or {"n": 0})["n"] + 1}
await asyncio.gather(*(IndexedDBStore().update("test:counter", bump) for _ in range(20)))
print((await IndexedDBStore().get_all())["test:counter"]["n"])""")
    assert output.strip() == "20", output
    assert read_progress(kernel)["test:counter"] == {"id": "test:counter", "n": 20}


def test_missing_indexeddb_is_explained(kernel):
    output = run_cell(kernel, """import js
js.eval("Object.defineProperty(globalThis, 'indexedDB', {value: undefined, configurable: true})")
try:
    %tito module status
finally:
    js.eval("delete globalThis.indexedDB")""")
    assert "Progress could not be saved in this browser (this browser gives the page no IndexedDB)" in output, output
    assert "Your work is safe in the notebook" in output


def test_numpy_runs_in_the_browser_or_its_absence_is_explained(kernel, numpy_bundled):
    """Both ways, so neither kind of site skips it: the NumPy of Pyodide's lockfile runs, or
    `import numpy` says how to add it."""
    if numpy_bundled:
        output = run_cell(kernel, "import numpy as np\nprint(np.__version__, (np.arange(4) @ np.arange(4)))")
        assert output.strip() == f"{official_lock()['packages']['numpy']['version']} 14", output
        assert NUMPY_MISSING not in kernel.load_output
        return
    assert NUMPY_MISSING in kernel.load_output
    output = run_cell(kernel, "try:\n    import numpy\nexcept ModuleNotFoundError as error:\n    print(error)")
    assert output.strip().startswith(NUMPY_MISSING), output
