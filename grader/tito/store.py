"""Where progress is kept. One small async interface, because the browser's storage (IndexedDB,
tito/browser.py) is asynchronous:

    class Store:
        async def get_all(self) -> dict[id, record]
        async def update(self, id, fn) -> record   # transactional read-modify-write: fn(old or None) -> new

`FileStore` keeps a workspace's progress in <workspace>/.tito/progress.json (the export file
format), `MemoryStore` keeps it in a dict (tests). `run_async` is the one place that turns a
Store coroutine into a result for synchronous callers (the CLI, the notebook magic).
"""

import asyncio
import json
import os
import sys
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from . import progress
from .course import TitoError

try:
    import fcntl
except ImportError:  # Windows and the browser have no fcntl: one writer at a time is assumed there
    fcntl = None


class MemoryStore:
    def __init__(self, records=None):
        self.records = dict(records or {})

    async def get_all(self):
        return dict(self.records)

    async def update(self, id, fn):
        self.records[id] = fn(self.records.get(id))
        return self.records[id]


class FileStore:
    """Progress in <workspace>/.tito/progress.json.

    Every read and write holds an exclusive lock on .tito/lock, so two `tito module complete`
    runs at once lose nothing (a workspace tito may not write to is read without it: nobody can
    be writing there). A write goes to a temporary file that is flushed to disk and then renamed
    over progress.json: a crash leaves either the old file or the new one, never half.

    Nothing is ever deleted, and the learner is always told: a file that cannot be used at all
    (corrupt, hostile, or from a newer tito) is moved aside to progress.json.corrupt-<time> /
    .newer-<time> and a fresh one is started; records that cannot be used (say, a milestone
    this course does not have) are set aside on their own in progress.json.rejected-<time>,
    and the rest are kept.
    """

    def __init__(self, workspace, course, tell=lambda message: print(message, file=sys.stderr)):
        self.folder = Path(workspace) / ".tito"
        self.path = self.folder / "progress.json"
        self.course, self.tell = course, tell

    async def get_all(self):
        if not self.path.exists():  # nothing saved yet: do not create .tito/ just to read
            return {}
        with self._locked(writing=False):
            return self._read()

    async def update(self, id, fn):
        try:
            with self._locked():
                records = self._read()
                records[id] = fn(records.get(id))
                self._write(records)
                return records[id]
        except OSError as error:
            raise TitoError(f"your progress could not be saved in {self.folder} ({error.strerror or error}): "
                            f"is the folder read-only, or the disk full?") from None

    @contextmanager
    def _locked(self, writing=True):
        try:
            if writing:
                self.folder.mkdir(parents=True, exist_ok=True)
            lock = open(self.folder / "lock", "a")
        except OSError:
            if writing:
                raise
            yield  # a read-only workspace: read without the lock
            return
        with lock:
            if fcntl:
                fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
            yield

    def _read(self):
        if not self.path.exists():
            return {}
        try:
            with open(self.path, "rb") as file:
                data = progress.parse(file.read(progress.MAX_BYTES + 1))  # never more than a progress file can be
            good, bad = progress.sort_records(data, self.course)
        except progress.ProgressError as error:
            kind = "newer" if isinstance(error, progress.NewerVersionError) else "corrupt"
            aside = self._aside(kind)
            try:
                os.replace(self.path, aside)
            except OSError as failure:
                self.tell(f"tito: your progress file could not be used ({error}), nor moved aside "
                          f"({failure.strerror}); it is left as it is, and ignored.")
                return {}
            self.tell(f"tito: your progress file could not be used ({error}). It is kept as {aside} "
                      f"and a fresh one is started; `tito progress import {aside}` restores it once it is fixed.")
            return {}
        records = {r["id"]: r for r in good}
        if bad:
            whys = "; ".join(why for _, why in bad[:3]) + ("; ..." if len(bad) > 3 else "")
            try:
                aside = self._aside("rejected")
                with open(aside, "x", encoding="utf-8") as file:
                    json.dump({**data, "records": [record for record, _ in bad]}, file, indent=1)
                self._write(records)
            except OSError as failure:
                self.tell(f"tito: {len(bad)} record(s) of your progress file cannot be used ({whys}), nor set aside "
                          f"({failure.strerror}); they are ignored, and the rest of your progress is used.")
                return records
            self.tell(f"tito: {len(bad)} record(s) of your progress file could not be used ({whys}). They are kept in "
                      f"{aside}; the rest of your progress is kept as it was.")
        return records

    def _aside(self, kind):
        return self.path.with_name(f"{self.path.name}.{kind}-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%fZ}")

    def _write(self, records):
        for stale in self.folder.glob("progress.json.tmp-*"):  # left by a crash mid-write; we hold the lock
            stale.unlink()
        temp = self.folder / f"progress.json.tmp-{os.getpid()}"
        with open(temp, "w", encoding="utf-8") as file:
            json.dump(progress.document(records, progress.now()), file, indent=1)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, self.path)  # atomic: readers see the old file or the new one


def run_async(coro):
    """Run a Store coroutine to completion from synchronous code and return its result.

    Plain Python: asyncio.run. Inside a running event loop (a local Jupyter kernel): in a worker
    thread with its own loop. In the browser (Pyodide, no threads): pyodide.ffi.run_sync, which
    needs a browser with JavaScript promise integration; without it the coroutine is scheduled on
    the kernel's loop and None is returned (its output appears when it is done).
    """
    if sys.platform == "emscripten":
        from pyodide.ffi import can_run_sync, run_sync

        if can_run_sync():
            # run_sync shows a coroutine's exception as a traceback even when it is caught (Pyodide
            # 314), so the coroutine hands it back as a value and it is raised here instead.
            ok, value = run_sync(_outcome(coro))
            if not ok:
                raise value
            return value
        asyncio.ensure_future(coro)
        return None
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        # Not asyncio.run: its Ctrl-C handler only cancels the command at its next await, so a
        # Ctrl-C during a grading was swallowed; here it raises KeyboardInterrupt at once.
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(coro)
        finally:
            loop.close()
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _outcome(coro):
    try:
        return True, await coro
    except BaseException as error:
        return False, error
