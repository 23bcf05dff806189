"""tito in the browser: progress in IndexedDB, and a plain word when NumPy is missing.

Runs in the Pyodide kernel (a web worker of the JupyterLite page). Progress lives in the
IndexedDB database "tinytorch", object store "progress" (keyPath "id"), the one the dashboard
(site/progress.js) shows, exports and imports.
"""

import asyncio
import importlib.abc
import json
import sys

import js
from pyodide.ffi import create_proxy

from .course import TitoError

DATABASE, STORE = "tinytorch", "progress"
NUMPY_MISSING = ("NumPy is not bundled with this site. Rebuild with: "
                 "python -m lite build --pyodide-dist <Pyodide 314.0.3 distribution or its NumPy wheel>")


class StorageError(TitoError):
    def __init__(self, reason):
        super().__init__(f"Progress could not be saved in this browser ({reason}). Your work is safe in the "
                         "notebook; use Export on the dashboard to keep a copy of the progress saved so far.")


class IndexedDBStore:
    """The grader's Store (tito/store.py) on IndexedDB. Each call opens the database, does its
    work in one transaction and closes it, so two tabs (or the dashboard) writing at the same
    time are put one after the other by the browser and nothing is lost."""

    where = f"this browser (IndexedDB database {DATABASE!r})"

    async def get_all(self):
        db = await _open()
        try:
            transaction = db.transaction(STORE, "readonly")
            request = transaction.objectStore(STORE).getAll()
            await _event(transaction, "complete")
            return {record["id"]: record for record in _from_js(request.result)}
        finally:
            db.close()

    async def update(self, id, fn):
        """Read the record `id`, write fn(record or None), in one readwrite transaction."""
        db = await _open()
        try:
            transaction = db.transaction(STORE, "readwrite")
            store = transaction.objectStore(STORE)
            request = store.get(id)
            new, failure = [], []

            # The put must be made inside the success event: once the event is over, a transaction
            # with nothing left to do commits, and an awaiting coroutine resumes only after that.
            def read_then_write(event):
                try:
                    new.append(fn(_from_js(request.result)))
                    store.put(_to_js(new[0]))
                except Exception as error:  # fn's own errors: undo the transaction, re-raise below
                    failure.append(error)
                    transaction.abort()

            with _listening(request, "success", read_then_write):
                try:
                    await _event(transaction, "complete")
                except StorageError:
                    if failure:
                        raise failure[0] from None
                    raise
            return new[0]
        finally:
            db.close()


async def _open():
    """The database, created (with its one object store) on first use."""
    if getattr(js, "indexedDB", None) is None:
        raise StorageError("this browser gives the page no IndexedDB")
    try:
        request = js.indexedDB.open(DATABASE)
    except Exception as error:  # e.g. SecurityError where storage is disabled
        raise StorageError(_reason(error)) from None

    def create(event):
        request.result.createObjectStore(STORE, _to_js({"keyPath": "id"}))

    with _listening(request, "upgradeneeded", create):
        await _event(request, "success")
    return request.result


async def _event(target, name):
    """Wait for an IDBRequest or IDBTransaction to fire `name`; its error or abort raises StorageError."""
    done = asyncio.get_running_loop().create_future()

    def succeeded(event):
        if not done.done():
            done.set_result(event)

    def failed(event):
        event.preventDefault()  # handled here: not also reported as an uncaught error
        if not done.done():
            done.set_exception(StorageError(_reason(target.error)))

    with _listening(target, name, succeeded), _listening(target, "error", failed), _listening(target, "abort", failed):
        return await done


class _listening:
    """`with _listening(target, "success", fn):` calls fn(event) on each such event until the block ends."""

    def __init__(self, target, name, fn):
        self.target, self.name, self.proxy = target, name, create_proxy(fn)

    def __enter__(self):
        self.target.addEventListener(self.name, self.proxy)

    def __exit__(self, *exc):
        self.target.removeEventListener(self.name, self.proxy)
        self.proxy.destroy()


# Records are JSON documents (the export file's), so JSON is the exact bridge: None <-> null.
def _to_js(value):
    return js.JSON.parse(json.dumps(value))


def _from_js(value):
    return None if value is None else json.loads(js.JSON.stringify(value))  # undefined -> None


def _reason(error):
    """What the browser said, e.g. "the browser's storage is full (QuotaExceededError: ...)"."""
    if error is None:
        return "the transaction was aborted"
    said = f"{getattr(error, 'name', type(error).__name__)}: {getattr(error, 'message', error)}"
    return f"the browser's storage is full ({said})" if "QuotaExceeded" in said else said


# ---- NumPy ------------------------------------------------------------------------------------


class _NumpyMissing(importlib.abc.MetaPathFinder):
    """Last on sys.meta_path: asked only when no real finder has NumPy, and then says why."""

    def find_spec(self, name, path=None, target=None):
        __tracebackhide__ = True  # IPython shows the learner the message, not this frame
        if name == "numpy":
            raise ModuleNotFoundError(NUMPY_MISSING, name="numpy")
        return None


def explain_missing_numpy():
    """Call when NumPy is found missing: from then on `import numpy` fails with NUMPY_MISSING
    instead of a bare "No module named 'numpy'". Returns NUMPY_MISSING."""
    if not any(isinstance(finder, _NumpyMissing) for finder in sys.meta_path):
        sys.meta_path.append(_NumpyMissing())
    return NUMPY_MISSING
