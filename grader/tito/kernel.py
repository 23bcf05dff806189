"""What the site's Pyodide kernel loads at its start (tito/ipython/profile_default/ipython_config.py):
`%tito`, without the banner of `%load_ext tito`, and the kernel's half of Interrupt.

Interrupt: Pyodide stops running Python code (KeyboardInterrupt) when a shared Int32Array it
was given holds 2 (SIGINT). The page (site/notebook-page.js) must reach that array while the
kernel is busy, so the kernel posts it to the page (the kernel runs in a web worker), tagged
with the session of the page's kernel connection (every message header carries it). A
SharedArrayBuffer exists only in a cross-origin isolated page (the site's service worker makes
it one, see site/service-worker.js); where it is not, `interrupt_problem()` says what to do.
"""

import sys

# The site's kernel (JupyterLite's Pyodide kernel), as notebooks name it: a notebook that names
# another kernel is changed (so marked modified, "Leave site?") the moment it opens there.
KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
# ... and its language_info, exactly as the kernel reports it: JupyterLab writes the kernel's into
# the notebook when it starts, which marks a notebook with any other modified too.
LANGUAGE_INFO = {"codemirror_mode": {"name": "python", "version": 3}, "file_extension": ".py", "mimetype": "text/x-python",
                 "name": "python", "nbconvert_exporter": "python", "pygments_lexer": "ipython3", "version": "3.8"}


def load_ipython_extension(ip):
    from . import magic

    magic.register(ip)
    if sys.platform == "emscripten":
        ip.events.register("pre_run_cell", _Announcer(ip))


def interrupt_problem():
    """None when Interrupt works in this kernel; else what the learner should know."""
    if sys.platform != "emscripten":
        return None
    import js

    if getattr(js, "crossOriginIsolated", False):
        return None
    return ("Interrupt (the stop button) cannot stop a cell in this page (it is not cross-origin isolated, "
            "e.g. embedded in another site): to stop an endless loop use Kernel > Restart Kernel; your "
            "notebook is kept, the variables defined so far are lost. Opening the notebook from the "
            "course's own page makes Interrupt work.")


class _Announcer:
    """Before each cell: hand this kernel's interrupt buffer to the page, once per page session.
    The buffer is made before the first cell, not when the kernel loads this: the site's kernel is
    loaded at build time, into the memory snapshot it starts from (lite/snapshot.py), which cannot
    hold one; and it is made only where Interrupt can work (interrupt_problem)."""

    def __init__(self, ip):
        self.ip, self.sessions, self.buffer = ip, set(), None

    def __call__(self, info=None):
        import js

        if self.buffer is None:
            if interrupt_problem():
                return
            import pyodide_js

            self.buffer = js.Int32Array.new(js.SharedArrayBuffer.new(4))
            pyodide_js.setInterruptBuffer(self.buffer)
        parent = self.ip.kernel.get_parent() or {}
        session = (parent.get("header") or {}).get("session")
        if session and session not in self.sessions:
            self.sessions.add(session)
            message = js.Object.new()
            message.tinytorchInterrupt, message.buffer = session, self.buffer
            js.postMessage(message)  # to the page: the worker's own channel, where a SharedArrayBuffer may go
