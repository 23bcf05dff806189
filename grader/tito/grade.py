"""Grade a module: run the LEARNER's exported code, then the module's checks against it.

The learner's code arrives as a list of (label, source) export cells, from their notebook file
(workspace.notebook_exports) or from what they ran in the kernel (workspace.history_exports);
the label names the cell in messages, e.g. "01_tensor.ipynb, cell 5". The checks are the
module's `#| test` (visible) and `#| hidden` cells from the curriculum.

The code runs in a fresh module, `tinytorch.core.<name>`, in which `import tinytorch` means the
learner's own package in their workspace: never a reference tinytorch installed on the machine.
"""

import ast
import contextlib
import importlib
import importlib.machinery
import io
import re
import sys
import time
import traceback
import types
from pathlib import Path
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field

from . import source

# Seconds a check (or the learner's export code) may run before it is stopped. The checks take
# at most ~0.3 s on CPython; NumPy in the browser (no BLAS, no threads) is 50-100x slower, and
# a learner's laptop may be busy: there a 10 s budget stopped correct code (module 14 did).
BUDGET = 30.0 if sys.platform == "emscripten" else 10.0
GROUPS = {"test": "visible", "hidden": "hidden", "reflect": "reflect"}  # cell kind -> check group
# The stub the learner notebook has in place of each solution (see source.strip_solutions).
STUB = re.compile(r"raise NotImplementedError\(\s*[\"']Module \w+: implement ([\w.]+)")


@dataclass
class Check:
    name: str  # the test function, e.g. "test_unit_matmul"
    group: str  # "visible", "hidden" or "reflect" (the Reflect answers)
    passed: bool = False
    message: str = ""  # why it failed


@dataclass
class Result:
    module: str
    checks: list
    problem: str = ""  # why the learner's code could not run at all ("" when it ran)
    stubs: list = field(default_factory=list)  # functions still `raise NotImplementedError`

    @property
    def passed(self):
        return sum(check.passed for check in self.checks)

    @property
    def total(self):
        return len(self.checks)

    @property
    def ok(self):
        return not self.problem and self.passed == self.total

    def summary(self):
        return f"{self.passed}/{self.total} checks passed"


class CheckTimeout(BaseException):
    """A check (or export cell) ran out of time. Not an Exception, so a learner's retry loop with
    `except Exception:` cannot swallow it."""


def grade(course, mid, exports, workspace, budget=BUDGET):
    """Run the learner's export cells, then every check of module `mid`; returns a Result.

    On CPython this happens in a child process (tito/isolated.py), which the learner's code cannot
    hang, crash or end, and which cannot touch their files. The browser has no processes: there
    it happens here (grade_here), under time_limit; see time_limit for what that cannot stop.
    """
    # Here too: an embedded Python with none to start, and Windows (no sessions or inherited pipes).
    if sys.platform in ("emscripten", "win32") or not sys.executable:
        return grade_here(course, mid, exports, workspace, budget)
    from .isolated import grade_in_child

    return grade_in_child(course, mid, exports, workspace, budget)


def outline(course, mid, exports):
    """The Result of module `mid` before anything ran (every check not passed yet), and its check cells."""
    mid, info = course.module(mid)
    cells = check_cells(course, mid)
    result = Result(mid, [Check(name, group) for _, group, _, _, names in cells for name in names],
                    stubs=[name for _, text in exports for name in STUB.findall(text)])
    return result, cells


def grade_here(course, mid, exports, workspace, budget=BUDGET, tell=lambda *event: None):
    """grade() in this process; budget None: no time limit (the child process has its own alarm).
    `tell(*event)` hears each step as it happens (see tito/isolated.py), so a parent process knows
    how far its child got."""
    result, cells = outline(course, mid, exports)
    info = course.modules[result.module]
    files = dict(exports) | {label: text for label, _, text, _, _ in cells}  # file name -> text, for messages
    learner = {label for label, _ in exports}

    def failure(error):
        return explain(error, files, learner, budget)

    # The package's __init__ is not run: it imports every completed module, later ones too, and
    # those would import the module being graded before it exists (re-testing 02 after 06).
    # The learner's `#| answers` cells (the Reflect block) run after their code, apart from it:
    # a mistake there fails only the reflect checks. `answers` stays None when there are none.
    answers = [(label, text) for label, text in exports if source.cell_kind(text) == "answers"]
    exports = [(label, text) for label, text in exports if source.cell_kind(text) != "answers"]
    with learner_package(workspace, f"tinytorch.core.{info['name']}", run_init=False) as namespace, quiet():
        result.problem = run_exports(exports, namespace, budget, failure, tell)
        if answers and not result.problem:
            tell("running", "your answers")
        unanswered = "" if result.problem else run_answers(answers, namespace, budget, failure)
        tell("running", "the checks' setup")
        for label, _, _, code, _ in cells:
            if not result.problem:
                try:
                    exec(code, namespace)
                except Exception as error:
                    result.problem = "the checks could not be set up: " + failure(error)
        if result.problem:
            tell("problem", result.problem)
        stopped = ""  # once a check runs out of time or is interrupted, the rest are not run
        for index, check in enumerate(result.checks):
            if result.problem:
                check.message = "not run: your code did not run (see above)"
            elif stopped:
                check.message = stopped
            elif unanswered and check.group == "reflect":
                check.message = unanswered
            else:
                tell("running", check.name)
                try:
                    with time_limit(budget):
                        namespace[check.name]()
                    check.passed = True
                except (CheckTimeout, KeyboardInterrupt) as error:
                    check.message = failure(error)
                    stopped = f"not run: grading stopped at {check.name} (see above)"
                except BaseException as error:  # SystemExit too: the check fails, the grading goes on
                    check.message = failure(error)
            tell("check", index, check.passed, check.message)
    return result


def check_cells(course, mid):
    """The module's `#| test`, `#| hidden` and `#| reflect` cells: (label, group, text, code, test function names)."""
    cells = []
    for number, cell in enumerate(source.parse(course.source_text(mid)), start=1):
        if cell.kind in GROUPS:
            text = source.without_directive(cell.source)
            tree = ast.parse(text)
            # Keep the definitions; drop the bare calls at the end that run the tests inline in the notebook.
            tree.body = [node for node in tree.body if not isinstance(node, ast.Expr)]
            names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]
            label = f"<module {mid} checks, cell {number}>"
            cells.append((label, GROUPS[cell.kind], text, compile(tree, label, "exec"), names))
    return cells


def run_exports(exports, namespace, budget, failure, tell=lambda *event: None):
    """Run the learner's export cells in order; returns "" or what stopped them."""
    if not exports:
        return "no `#| export` cells were found"
    for label, text in exports:
        tell("running", label)
        if "\0" in text:  # compile() would say only "null bytes", with no line
            return f"{label}, line {text.count(chr(10), 0, text.index(chr(0))) + 1}: a NUL character (\\0) is in your code: delete it"
        try:
            with time_limit(budget):
                exec(compile(text, label, "exec"), namespace)
        except SyntaxError as error:  # IndentationError and TabError too, named as such
            return f"{label}, line {error.lineno}: {type(error).__name__}: {error.msg}\n    {(error.text or '').strip()}"
        except BaseException as error:  # sys.exit and KeyboardInterrupt too: they fail the grade, not tito
            return "your code could not run: " + failure(error)
    return ""


def run_answers(answers, namespace, budget, failure):
    """Run the learner's `#| answers` cells (they set `answers = {...}`); returns "" or what stopped them."""
    namespace["answers"] = None
    for label, text in answers:
        try:
            with time_limit(budget):
                exec(compile(text, label, "exec"), namespace)
        except SyntaxError as error:
            return f"your answers could not run: {label}, line {error.lineno}: SyntaxError: {error.msg}"
        except BaseException as error:  # sys.exit and KeyboardInterrupt too: they fail the grade, not tito
            return "your answers could not run: " + failure(error)
    return ""


def explain(error, files, learner, budget):
    """What went wrong, in the learner's terms: their line and the exception, a stub not written
    yet, or the check's own message (expected vs got). Grader internals are never shown."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename in files]
    where = frames[-1] if frames else None
    mine = [f for f in frames if f.filename in learner]

    def at(frame):
        line = files[frame.filename].split("\n")[frame.lineno - 1].strip()
        return f"{frame.filename}, line {frame.lineno}: {line}"

    if isinstance(error, NotImplementedError):
        stub = re.search(r"implement ([\w.]+)", str(error))
        return f"not implemented yet: {stub[1]}" if stub else f"not implemented yet: {mine[-1].name if mine else ''} ({error})"
    if isinstance(error, CheckTimeout):
        return f"stopped after {budget:g} s, the code may loop forever" + (f"; it was at {at(mine[-1])}" if mine else "")
    if isinstance(error, SystemExit):
        return (f"your code called sys.exit({error.code!r}) (SystemExit): code being graded must not end the "
                f"program; raise an exception instead" + (f"\n    at {at(mine[-1])}" if mine else ""))
    if isinstance(error, KeyboardInterrupt):
        return "interrupted (KeyboardInterrupt)" + (f"\n    at {at(mine[-1])}" if mine else "")
    if isinstance(error, ModuleNotFoundError) and error.name == "numpy":
        return f"your code needs NumPy, which this Python does not have ({error})"
    text = f"{type(error).__name__}: {error}"
    if where and where.filename in learner:
        return f"{text}\n    at {at(where)}"
    if isinstance(error, AssertionError):
        # A check that names its case (tito.checks.case) wraps the learner's exception: show its line too.
        # (A cause that is itself an AssertionError is a check's message, already shown.)
        wrapped = error.__cause__ is not None and not isinstance(error.__cause__, AssertionError)
        cause = [f for f in traceback.extract_tb(error.__cause__.__traceback__) if f.filename in learner] if wrapped else []
        if cause:
            return f"{error}\n    at {at(cause[-1])}"
        return str(error) or (f"assertion failed at {at(where)}" if where else "assertion failed")
    if isinstance(error, NameError) and where:
        return f"{text}: your exported code should define {error.name!r}"
    return text + (f"\n    at {at(where)}" if where else "")


@contextmanager
def learner_package(workspace, module_name, run_init=True):
    """A fresh module to run the learner's code in, registered as `module_name`, while `import
    tinytorch` finds only the learner's package in `workspace` (without running its __init__.py
    when run_init is False, so only the modules the code imports itself are loaded). The `tinytorch*` modules imported
    before (a notebook's, a test's) are set aside and put back afterwards, so nothing leaks
    between gradings and objects made before keep working with their own classes."""
    importlib.invalidate_caches()  # files the learner's package gained since: see workspace.files_changed
    finder = _WorkspaceFinder(workspace, run_init)
    before = _purge()
    sys.meta_path.insert(0, finder)
    module = types.ModuleType(module_name)
    sys.modules[module_name] = module
    try:
        yield module.__dict__
    finally:
        sys.meta_path.remove(finder)
        _purge()
        sys.modules.update(before)


class _WorkspaceFinder:
    """Finds `tinytorch` in the workspace or nowhere. Its submodules then come from there too,
    because Python looks for them in the package's own folder."""

    def __init__(self, workspace, run_init=True):
        self.path = [str(workspace)]
        self.run_init = run_init

    def find_spec(self, name, path=None, target=None):
        if name != "tinytorch":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, self.path)
        if spec is None:
            raise ModuleNotFoundError(f"your tinytorch package is not in {self.path[0]} yet: complete module 01 first", name=name)
        if not self.run_init:  # the same folder as a package with no code of its own
            spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
            spec.submodule_search_locations = [str(Path(self.path[0]) / name)]
        return spec


def _purge():
    """Remove `tinytorch*` from sys.modules; return what was removed."""
    return {name: sys.modules.pop(name) for name in [n for n in sys.modules if n.split(".")[0] == "tinytorch"]}


@contextmanager
def quiet():
    """Keep the checks' and the learner's prints out of the report."""
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        yield


@contextmanager
def time_limit(seconds):
    """Raise CheckTimeout in the running code once `seconds` have passed.

    Python in the browser has no threads or signals to interrupt code with, so the interpreter
    itself calls us back: with sys.monitoring (Python 3.12+, the browser's 3.14) at every
    function start and every jump (each loop iteration), with sys.settrace (3.11) at every line.
    CheckTimeout is not an Exception, so `except Exception:` does not swallow it; a bare
    `except:` does, and then sys.monitoring raises again at the next jump, while sys.settrace
    (3.11) has stopped tracing and the loop runs on. What it cannot stop at all: code stuck in one
    long call that runs no Python (a huge NumPy operation, time.sleep): the kernel must be
    interrupted or restarted. `seconds` None: no limit.
    """
    if seconds is None:
        yield
        return
    deadline = time.monotonic() + seconds
    way_out = {__file__, contextlib.__file__}  # this limit's own exit (the with's __exit__, the finally below)

    def check(code, *args):
        if time.monotonic() > deadline and code.co_filename not in way_out:
            raise CheckTimeout(f"stopped after {seconds:g} s")

    if hasattr(sys, "monitoring"):
        watch = sys.monitoring
        tool = next(i for i in range(6) if watch.get_tool(i) is None)  # a free tool id
        watch.use_tool_id(tool, "tito time limit")
        for event in (watch.events.PY_START, watch.events.JUMP):
            watch.register_callback(tool, event, check)
        watch.set_events(tool, watch.events.PY_START | watch.events.JUMP)
        try:
            yield
        finally:
            watch.set_events(tool, 0)
            watch.free_tool_id(tool)
    else:
        def trace(frame, event, arg):
            check(frame.f_code)
            return trace

        previous = sys.gettrace()
        sys.settrace(trace)
        try:
            yield
        finally:
            sys.settrace(previous)
