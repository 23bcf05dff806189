"""Grading in a child process (CPython): the learner's code cannot hang, crash or end `tito`.

tito.grade.grade() comes here everywhere but in the browser (Pyodide has no processes; there the
grading runs in the kernel, see grade.grade_here). The child is this same Python, running
grade_here on a copy of the learner's package in a fresh temporary folder, so their code cannot
touch their notebooks or .tito/ (an export cell that deletes files deletes copies). It runs in
its own session, so Ctrl-C reaches `tito` only, and `tito` stops it.

The child tells the parent each step as it goes, one JSON message per step on a pipe of its own
(its stdout and stderr are not read: the learner's prints cannot pass for a message):

    ["running", what]                 before each step: an export cell, the checks' setup, a check
    ["problem", text]                 the learner's code could not run
    ["check", index, passed, message] a check's outcome
    ["done"]

A step may take `budget` seconds: then the child's faulthandler writes where it was and ends it
(this works even in a loop that catches every exception, or inside a long NumPy call). A child
that ends early (os._exit, a crash such as a segfault from C-level recursion) fails the step it
was running. Either way the checks after it are "not run": one runaway check costs one budget,
not one per check.
"""

import faulthandler
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from multiprocessing.connection import Connection
from pathlib import Path

from . import grade
from .course import Course

GRACE = 5.0  # seconds beyond the budget before tito kills a child whose own alarm did not fire
STARTUP = 60.0  # seconds for the child's Python to start and say its first word (a busy machine is slow)
FRAME = re.compile(r'^\s*File "(.*)", line (\d+) in ', re.M)  # a line of a faulthandler traceback


def grade_in_child(course, mid, exports, workspace, budget=grade.BUDGET):
    """grade.grade() in a child process; returns the Result, also when the child misbehaves."""
    result, cells = grade.outline(course, mid, exports)
    files = dict(exports) | {label: text for label, _, text, _, _ in cells}
    with tempfile.TemporaryDirectory(prefix="tito-grade-", ignore_cleanup_errors=True) as folder:
        folder = Path(folder)
        copy = folder / "workspace"
        copy.mkdir()
        if (Path(workspace) / "tinytorch").is_dir():
            shutil.copytree(Path(workspace) / "tinytorch", copy / "tinytorch", ignore=shutil.ignore_patterns("__pycache__"))
        job = {"course": str(course.root), "module": result.module, "exports": exports, "budget": budget}
        (folder / "job.json").write_text(json.dumps(job), encoding="utf-8")
        stopped = _run_child(folder, budget, result, files, {label for label, _ in exports})
    if stopped:
        _stop_at(result, *stopped)
    return result


def _run_child(folder, budget, result, files, learner):
    """Start the child and follow its messages into `result`. Returns None when it finished, or
    (step, why) when it was stopped or ended while running `step`."""
    read, write = os.pipe()
    tito_root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [tito_root, os.environ.get("PYTHONPATH")])))
    with open(folder / "stderr.txt", "wb") as stderr:
        child = subprocess.Popen([sys.executable, "-m", "tito.isolated", str(folder), str(write)],
                                 cwd=folder / "workspace", env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=stderr, pass_fds=[write], start_new_session=True)
    os.close(write)
    channel = Connection(read, writable=False)
    running = None  # the step the child is on
    try:
        while True:
            if not channel.poll(budget + GRACE if running else STARTUP):
                return running, _timed_out(budget if running else STARTUP, running, "")
            try:
                event = json.loads(channel.recv_bytes())
            except EOFError:  # the child ended without saying "done"
                child.wait()
                return running, _ended(child.returncode, budget, running, folder, files, learner)
            if event[0] == "running":
                running = event[1]
            elif event[0] == "problem":
                result.problem = event[1]
            elif event[0] == "check":
                check = result.checks[event[1]]
                check.passed, check.message = event[2], event[3]
            elif event[0] == "done":
                return None
    except KeyboardInterrupt:  # Ctrl-C: the learner wants tito back now
        return running, f"interrupted (Ctrl-C) while running {_step(running)}"
    finally:
        channel.close()
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)  # the child and anything it started (its session)
            child.wait()


def _step(running):
    return running or "tito's setup (Python was starting)"


def _timed_out(budget, running, where):
    return f"stopped after {budget:g} s while running {_step(running)}: the code may loop forever{where}"


def _ended(code, budget, running, folder, files, learner):
    """Why the child ended early, from its exit code and what faulthandler wrote."""
    faults = (folder / "faults.txt").read_text(errors="replace") if (folder / "faults.txt").exists() else ""
    where = ""
    for label, line in FRAME.findall(faults):  # most recent call first: the innermost learner line
        if label in learner:
            lines = files[label].split("\n")
            where = f"; it was at {label}, line {line}: {lines[int(line) - 1].strip() if int(line) <= len(lines) else ''}"
            break
    if faults.startswith("Timeout"):
        return _timed_out(budget, running, where)
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return (f"Python crashed ({name}) while running {_step(running)}{where}. A segmentation fault is often "
                f"a recursion too deep for the C stack (check your recursion ends, and leave sys.setrecursionlimit alone)")
    if running is None:
        said = (folder / "stderr.txt").read_text(errors="replace").strip().split("\n")[-1]
        return f"tito could not start Python to grade your code (exit code {code}): {said}"
    return (f"Python ended (exit code {code}) while running {_step(running)}{where}: code being graded must not "
            f"end its process (os._exit, os.kill); raise an exception instead")


def _stop_at(result, running, why):
    """The child stopped while running `running`: that step fails with `why`, and what had not
    run yet is "not run"."""
    names = [check.name for check in result.checks]
    if running in names:
        index = names.index(running)
        result.checks[index].passed, result.checks[index].message = False, why
        for check in result.checks[index + 1:]:
            check.passed, check.message = False, f"not run: grading stopped at {running} (see above)"
    else:  # the learner's code or the checks' setup: nothing could be checked
        result.problem = why
        for check in result.checks:
            check.passed, check.message = False, "not run: your code did not run (see above)"


def child():
    """The child's side: grade the job in <folder>/job.json, telling the parent on the pipe."""
    folder, channel = Path(sys.argv[1]), Connection(int(sys.argv[2]), readable=False)
    job = json.loads((folder / "job.json").read_text(encoding="utf-8"))
    faults = open(folder / "faults.txt", "w")
    faulthandler.enable(faults)  # a crash writes where it happened

    def tell(*event):
        if event[0] == "running":  # each step gets its own alarm
            faulthandler.dump_traceback_later(job["budget"], exit=True, file=faults)
        channel.send_bytes(json.dumps(event).encode())

    try:
        grade.grade_here(Course(job["course"]), job["module"], [tuple(e) for e in job["exports"]], Path.cwd(),
                         budget=None, tell=tell)
    except BaseException as error:  # grading itself failed: say so rather than a bare exit code
        tell("problem", f"grading stopped: {type(error).__name__}: {error}")
    faulthandler.cancel_dump_traceback_later()
    tell("done")
    os._exit(0)  # now, even if the learner's code started threads that are still running


if __name__ == "__main__":
    child()
