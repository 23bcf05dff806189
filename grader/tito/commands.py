"""The `tito` commands, shared by the terminal (tito/cli.py) and the notebook magic (tito/magic.py).

    tito system health             (every command takes --workspace DIR, before or after it)
    tito module list | status | start NN [--with-solutions] [--force] | test NN | complete NN | reset NN --yes
    tito milestone list | run NN [--reference]
    tito progress export FILE [--force] | import FILE | unlock-all [--off]

Each command is an async function (progress storage is async in the browser) that reports
through `out`, an object with `line(text, kind="")` (kind: "ok", "fail", "warn", "bold") and
`result(grade_result, title)`: plain text in a terminal, HTML in a notebook.
"""

import argparse
import json
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

from . import __version__, backup, grade, progress, workspace
from .course import Course, TitoError
from .store import FileStore, run_async


@dataclass
class Context:
    course: Course
    workspace: Path
    store: object  # a Store (see tito/store.py)
    out: object
    history: list = None  # the kernel's `In` list when run in a notebook: the learner's code is what they ran
    prefix: str = "tito"  # how the learner types a command here: "tito" in a terminal, "%tito" in a notebook

    def exports(self, mid):
        """The learner's export cells of module `mid`: from what they ran in the kernel, or their notebook file."""
        if self.history is not None:
            found = workspace.history_exports(self.history, self.course, mid)
            if not found:
                raise TitoError(f"no `#| export` cells of module {mid} were run in this kernel: open "
                                f"{self.course.notebook_name(mid)}, run all its cells, then run `{self.prefix} module complete {mid}` there")
            return found
        return workspace.notebook_exports(self.workspace / self.course.notebook_name(mid))

    def origin(self, mid):
        return "this kernel" if self.history is not None else self.course.notebook_name(mid)


def run(argv, out, history=None, prefix="tito", store=None):
    """Run one command line; returns the exit code (0: success)."""
    try:
        args = parser(prefix).parse_args(argv)
    except SystemExit as exit:  # argparse has printed the usage or the problem
        return exit.code or 0
    try:
        course = Course()
        folder = Path(args.workspace or os.getcwd()).resolve()
        workspace.check_workspace(folder)
        store = store or default_store(folder, course, out)
    except TitoError as error:
        out.line(str(error), "fail")
        return 1

    async def command():  # reports its own errors: in a browser without JSPI it runs after we return
        try:
            return await args.command(Context(course, folder, store, out, history, prefix), args)
        except TitoError as error:
            out.line(str(error), "fail")
            return False

    ok = run_async(command())
    return 0 if ok is not False else 1  # None: still running in the browser, it reports when done


def default_store(folder, course, out):
    """IndexedDB in the browser (tito/browser.py), a JSON file in the workspace elsewhere."""
    if sys.platform == "emscripten":
        from .browser import IndexedDBStore

        return IndexedDBStore()
    return FileStore(folder, course, tell=lambda message: out.line(message, "warn"))


def parser(prog="tito"):
    main = argparse.ArgumentParser(prog=prog, description="Grade your TinyTorch modules, run milestones, keep your progress.")
    where = {"metavar": "DIR", "help": "where your notebooks and your tinytorch package are (default: here)"}
    main.add_argument("--workspace", **where)
    anywhere = argparse.ArgumentParser(add_help=False)  # --workspace after the command too (not overriding one before it)
    anywhere.add_argument("--workspace", default=argparse.SUPPRESS, **where)
    groups = main.add_subparsers(dest="group", required=True, metavar="{system,module,milestone,progress}")

    def command(group, name, function, help, *arguments):
        sub = group.add_parser(name, help=help, description=help, parents=[anywhere])
        for flags, options in arguments:
            sub.add_argument(*flags, **options)
        sub.set_defaults(command=function)

    module_id = (["module"], {"help": "module number, e.g. 01"})
    system = groups.add_parser("system", help="check this installation").add_subparsers(required=True, metavar="{health}")
    command(system, "health", system_health, "show versions, the course, and where progress is kept")

    module = groups.add_parser("module", help="start, test and complete modules").add_subparsers(required=True, metavar="COMMAND")
    command(module, "list", module_list, "every module and its status")
    command(module, "status", module_status, "your progress and what to do next")
    command(module, "start", module_start, "copy a module's notebook here and start it", module_id,
            (["--with-solutions"], {"action": "store_true", "help": "the instructor notebook, with solutions and hidden tests (only in the instructor course: TITO_COURSE=build/instructor)"}),
            (["--force"], {"action": "store_true", "help": "replace an existing notebook (a backup is kept)"}))
    command(module, "test", module_test, "grade your code without recording anything", module_id)
    command(module, "complete", module_complete, "grade your code; on success it joins your tinytorch package", module_id)
    command(module, "reset", module_reset, "replace your notebook with a fresh one (a backup is kept)", module_id,
            (["--yes"], {"action": "store_true", "help": "really replace it"}))

    milestone = groups.add_parser("milestone", help="replay history with your framework").add_subparsers(required=True, metavar="COMMAND")
    command(milestone, "list", milestone_list, "every milestone and its status")
    command(milestone, "run", milestone_run, "train a milestone's model with your tinytorch", (["milestone"], {"help": "milestone number, e.g. 01"}),
            (["--reference"], {"action": "store_true", "help": "use the reference tinytorch instead of yours"}))

    saved = groups.add_parser("progress", help="export or import your progress").add_subparsers(required=True, metavar="COMMAND")
    command(saved, "export", progress_export, "write your progress, notebooks and tinytorch package to one file", (["file"], {}),
            (["--force"], {"action": "store_true", "help": "replace FILE even if it is not a progress file (never a notebook)"}))
    command(saved, "import", progress_import, "merge a progress file into yours (the newer record wins; a file you have in another version is kept)", (["file"], {}))
    command(saved, "unlock-all", progress_unlock_all, "instructors: open every module, whatever is completed",
            (["--off"], {"action": "store_true", "help": "back to unlocking modules in order"}))
    return main


# --- system --------------------------------------------------------------------------------------

async def system_health(ctx, args):
    ctx.out.line(f"tito {__version__}, Python {platform.python_version()} ({sys.platform})", "bold")
    ctx.out.line(numpy_status())
    ctx.out.line(f"course: {len(ctx.course.written())} modules in {ctx.course.root}")
    ctx.out.line(f"workspace: {ctx.workspace}")
    records = await ctx.store.get_all()
    ctx.out.line(f"progress: {len(records)} records in {where(ctx.store)}", "ok")
    return True


def numpy_status():
    try:
        import numpy
    except ImportError:
        if sys.platform == "emscripten":
            from .browser import explain_missing_numpy

            return explain_missing_numpy()
        return "NumPy is not available (install it with `pip install numpy`); modules 01 and later need it"
    return f"NumPy {numpy.__version__}"


def where(store):
    return getattr(store, "path", None) or getattr(store, "where", None) or type(store).__name__


# --- modules -------------------------------------------------------------------------------------

KIND = {"completed": "ok", "passed": "ok", "started": "warn", "not passed": "warn", "available": "bold"}  # status -> colour


async def module_list(ctx, args):
    statuses = progress.module_statuses(ctx.course, await ctx.store.get_all())
    for mid, status in statuses.items():
        ctx.out.line(f"{mid}  {ctx.course.modules[mid]['title']:<28} {status}", KIND.get(status, ""))
    return True


async def module_status(ctx, args):
    records = await ctx.store.get_all()
    statuses = progress.module_statuses(ctx.course, records)
    written = ctx.course.written()
    done = [mid for mid in written if statuses[mid] == "completed"]
    ctx.out.line(f"{len(done)} of {len(written)} modules completed ({where(ctx.store)})", "bold")
    for mid in written:
        record = records.get(f"module:{mid}")
        if record:
            last = record["last_result"]
            tried = f", last {last['passed']}/{last['total']} checks" if last else ""
            ctx.out.line(f"{mid}  {ctx.course.modules[mid]['title']:<28} {record['status']} ({record['attempts']} attempts{tried})",
                         KIND[record["status"]])
    todo = next((mid for mid in written if statuses[mid] in ("started", "available")), None)
    if todo:
        verb = "complete" if statuses[todo] == "started" else "start"
        ctx.out.line(f"next: {ctx.prefix} module {verb} {todo}")
    return True


async def module_start(ctx, args):
    mid, info = ctx.course.module(args.module)
    await unlocked(ctx, mid)
    path, backup = workspace.start_notebook(ctx.workspace, ctx.course, mid, instructor=args.with_solutions, force=args.force)
    await ctx.store.update(f"module:{mid}", lambda old: progress.module_started(old, mid, progress.now()))
    if backup:
        ctx.out.line(f"your previous notebook is saved as {backup.name}", "warn")
    ctx.out.line(f"wrote {path}: open it, fill in the TODOs, then run `{ctx.prefix} module complete {mid}`", "ok")
    return True


async def unlocked(ctx, mid):
    """Raise a TitoError when module `mid` is locked, naming the module to complete first."""
    statuses = progress.module_statuses(ctx.course, await ctx.store.get_all())
    if statuses[mid] == "locked" and mid in ctx.course.class_settings["opens"]:
        raise TitoError(f"module {mid} ({ctx.course.modules[mid]['title']}) opens on {ctx.course.class_settings['opens'][mid]} "
                        "for your class: your instructor has scheduled it")
    if statuses[mid] == "locked":
        before = ctx.course.previous(mid)
        raise TitoError(f"module {mid} ({ctx.course.modules[mid]['title']}) is locked: complete module {before} "
                        f"({ctx.course.modules[before]['title']}) first, with `{ctx.prefix} module complete {before}`")
    return statuses


async def module_test(ctx, args):
    mid, info = ctx.course.module(args.module)
    exports = ctx.exports(mid)
    result = grade.grade(ctx.course, mid, exports, ctx.workspace)
    ctx.out.result(result, f"Module {mid} ({info['title']}): testing your code from {ctx.origin(mid)}")
    return result.ok


async def module_complete(ctx, args):
    mid, info = ctx.course.module(args.module)
    before = await unlocked(ctx, mid)
    exports = ctx.exports(mid)
    result = grade.grade(ctx.course, mid, exports, ctx.workspace)
    ctx.out.result(result, f"Module {mid} ({info['title']}): grading your code from {ctx.origin(mid)}")
    if result.ok:  # the code joins the package first: "completed" is never recorded without it
        path = workspace.write_package(ctx.workspace, ctx.course, mid, exports)
    at = progress.now()
    await ctx.store.update(f"module:{mid}", lambda old: progress.module_attempt(old, mid, result.passed, result.total, at))
    if not result.ok:
        ctx.out.line(f"module {mid} is not complete yet: fix what failed above, run your cells again, "
                     f"then `{ctx.prefix} module complete {mid}`", "fail")
        return False
    ctx.out.line(f"module {mid} completed: your code is now tinytorch.core.{info['name']} ({path})", "ok")
    records = await ctx.store.get_all()
    after = progress.module_statuses(ctx.course, records)
    for other, status in after.items():
        if before[other] == "locked" and status == "available":
            ctx.out.line(f"next: module {other} ({ctx.course.modules[other]['title']}) is unlocked: {how_to_open(ctx, other)}")
    for other, milestone in ctx.course.milestones.items():
        if "source" in milestone and progress.milestone_status(ctx.course, other, records, before) == "locked" \
                and progress.milestone_status(ctx.course, other, records, after) == "available":
            ctx.out.line(f"milestone {other} ({milestone['title']}, {milestone['year']}) is unlocked: `{ctx.prefix} milestone run {other}`")
    return True


def how_to_open(ctx, mid):
    """How the learner gets to module `mid`'s notebook from here: open it where it already is (the
    site ships every notebook), else start it."""
    notebook = ctx.course.notebook_name(mid)
    if not (ctx.workspace / notebook).is_file():
        return f"`{ctx.prefix} module start {mid}`"
    return f"open {notebook} from the course page" if sys.platform == "emscripten" else f"open {notebook}"


async def module_reset(ctx, args):
    mid, info = ctx.course.module(args.module)
    name = ctx.course.notebook_name(mid)
    if not args.yes:
        ctx.out.line(f"this replaces {name} with a fresh notebook (your current one is kept as a backup): "
                     f"run `{ctx.prefix} module reset {mid} --yes`", "warn")
        return False
    path, backup = workspace.start_notebook(ctx.workspace, ctx.course, mid, force=True)
    if backup:
        ctx.out.line(f"your previous notebook is saved as {backup.name}", "warn")
    ctx.out.line(f"wrote a fresh {path}; your progress is unchanged", "ok")
    return True


# --- milestones ----------------------------------------------------------------------------------

async def milestone_list(ctx, args):
    records = await ctx.store.get_all()
    statuses = progress.module_statuses(ctx.course, records)
    for mid, info in ctx.course.milestones.items():
        status = progress.milestone_status(ctx.course, mid, records, statuses)
        ctx.out.line(f"{mid}  {info['year']}  {info['title']:<34} {status}", KIND.get(status, ""))
    return True


async def milestone_run(ctx, args):
    from . import milestones

    outcome = await milestones.run(args.milestone, ctx.workspace, reference=args.reference, store=ctx.store,
                                   course=ctx.course, prefix=ctx.prefix)
    ctx.out.line(outcome.summary(), "ok" if outcome.passed else "fail")
    if ctx.history is None:  # a terminal: the pictures become files
        for path in milestones.save_pictures(outcome, ctx.workspace):
            ctx.out.line(f"saved {path}")
    else:
        milestones.show_pictures(outcome)
    return outcome.passed


# --- progress files ------------------------------------------------------------------------------

async def progress_export(ctx, args):
    target = Path(args.file)
    if target.suffix == ".ipynb":
        raise TitoError(f"{args.file} is a notebook: tito never writes progress over a notebook; "
                        f"export to a .json file, e.g. `{ctx.prefix} progress export progress.json`")
    if target.exists() and not args.force and not _progress_file(target):
        raise TitoError(f"{args.file} exists and is not a progress file tito wrote, so it is left alone: choose another "
                        f"name, or add --force to replace it")
    records = await ctx.store.get_all()
    files, skipped = backup.collect(ctx.workspace)  # a full backup: the notebooks and the package too
    try:
        target.write_text(json.dumps(progress.document(records, progress.now(), files), indent=1) + "\n", encoding="utf-8")
    except OSError as error:
        raise TitoError(f"cannot write {args.file}: {error.strerror}; your progress is unchanged") from None
    for path, why in skipped:
        ctx.out.line(f"{path} is not in the backup: {why}", "warn")
    ctx.out.line(f"exported {len(records)} records and {len(files)} files (your notebooks and tinytorch package) to {args.file}", "ok")
    return True


async def progress_unlock_all(ctx, args):
    unlock = not args.off
    await ctx.store.update("settings", lambda old: progress.settings(old, unlock, progress.now()))
    ctx.out.line("every module is open now" if unlock else "modules unlock in order again", "ok")
    return True


def _progress_file(path):
    """Is `path` a progress export (its schema says so)? Reads no more than a progress file can be."""
    try:
        with open(path, "rb") as file:
            data = progress.parse(file.read(progress.MAX_BYTES + 1))
    except (OSError, progress.ProgressError):
        return False
    return isinstance(data, dict) and data.get("schema") == progress.SCHEMA


async def progress_import(ctx, args):
    try:
        with open(args.file, "rb") as file:
            data = file.read(progress.MAX_BYTES + 1)  # a bigger file is refused without reading it all
    except OSError as error:
        raise TitoError(f"cannot read {args.file}: {error.strerror}") from None
    try:
        parsed = progress.parse(data)
        incoming = progress.check_document(parsed, ctx.course)
    except progress.ProgressError as error:
        raise type(error)(f"{args.file}: {error}; nothing was imported") from None
    await restore_files(ctx, parsed.get("files", []))  # the code first: a completion is never recorded without it
    taken = []
    for record in incoming:
        def merge(old, record=record):
            if progress.newer(record, old):
                taken.append(record["id"])
                return record
            return old
        await ctx.store.update(record["id"], merge)
    ctx.out.line(f"imported {args.file}: {len(taken)} records taken, {len(incoming) - len(taken)} of yours kept "
                 f"(newer, or a module you completed)", "ok")
    return True


async def restore_files(ctx, files):
    """Write a backup's notebooks and package files into the workspace, never over a different
    version of one (that one is kept, the imported one written beside it), and say so."""
    try:
        written, kept_both = backup.restore(ctx.workspace, files, progress.now()[:10])
    except OSError as error:
        raise TitoError(f"cannot write {error.filename}: {error.strerror}; your progress records were not imported") from None
    if any(path.startswith("tinytorch/") for path in written):
        workspace.write_init(ctx.workspace, ctx.course)  # importing every module core/ now has, theirs and the backup's
    workspace.files_changed(ctx.workspace, "tinytorch", "tinytorch.core", *(f"tinytorch.core.{Path(p).stem}" for p in written if p.endswith(".py")))
    for path, kept in kept_both:
        ctx.out.line(f"you have another version of {path}, so it is kept as it is and the imported one is {kept}", "warn")
    if files:
        ctx.out.line(f"restored {len(written) - len(kept_both)} files ({len(files) - len(written)} already here)", "ok")
