"""`%tito` in a notebook (IPython extension): the commands of tito/commands.py with HTML output.

Here the learner's code is what they ran in this kernel (IPython's `In` history), not the
notebook file on disk, so unsaved work counts and the browser and a local Jupyter behave alike.
"""

import html
import shlex
import sys
from pathlib import Path

from . import __version__, commands
from .cli import TextOut
from .kernel import interrupt_problem

COLOURS = {"ok": "#1a7f37", "fail": "#cf222e", "warn": "#9a6700", "bold": "inherit"}


class HtmlOut:
    def line(self, text="", kind=""):
        weight = "bold" if kind == "bold" else "normal"
        self._show(f'<div style="color:{COLOURS.get(kind, "inherit")};font-weight:{weight};white-space:pre-wrap">{html.escape(text)}</div>')

    def result(self, result, title):
        """A compact table of the checks (✅/❌, name, visible/hidden, why it failed) and the summary line."""
        parts = [f"<b>{html.escape(title)}</b>"]
        if result.stubs:
            parts.append(f'<div style="color:{COLOURS["warn"]}">still to write: {html.escape(", ".join(result.stubs))}</div>')
        if result.problem:
            parts.append(f'<pre style="color:{COLOURS["fail"]};white-space:pre-wrap">{html.escape(result.problem)}</pre>')
        rows = "".join(
            f"<tr><td>{'✅' if check.passed else '❌'}</td><td><code>{check.name}</code></td><td>{check.group}</td>"
            f'<td style="text-align:left"><pre style="margin:0;white-space:pre-wrap">'
            f"{html.escape(check.message if not result.problem else '')}</pre></td></tr>"
            for check in result.checks)
        parts.append(f'<table style="font-size:90%">{rows}</table>')
        parts.append(f'<b style="color:{COLOURS["ok" if result.ok else "fail"]}">{result.summary()}</b>')
        self._show("".join(parts))

    def _show(self, markup):
        from IPython.display import HTML, display

        display(HTML(markup))


def run_here(argv):
    """Run a tito command line from Python: in a kernel with HTML output and the kernel's history
    as the learner's code, elsewhere like the terminal command. Returns the exit code."""
    ip = _ipython()
    if ip is None:
        return commands.run(argv, TextOut())
    return commands.run(argv, HtmlOut(), history=ip.user_ns.get("In", []), prefix="%tito")


def magic(line):
    """%tito module complete 01 | module status | milestone run 01 | ... (see `%tito --help`)"""
    try:
        argv = shlex.split(line)
    except ValueError as error:  # an unclosed quote
        print(f"%tito could not read that line ({error}): try %tito --help")
        return
    run_here(argv)


def register(ip):
    """`%tito` in this IPython, silently (the site's kernel does it at its start: tito/kernel.py)."""
    ip.register_magic_function(magic, "line", "tito")


def load(ip):
    """`%load_ext tito`: `%tito`, and a line saying what this kernel has."""
    register(ip)
    where = ("this browser (IndexedDB)" if sys.platform == "emscripten"
             else str(Path.cwd() / ".tito" / "progress.json"))
    print(f"tito {__version__} | {commands.numpy_status()} | progress: {where} | try %tito module status")
    problem = interrupt_problem()
    if problem:
        print(problem)


def _ipython():
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    return get_ipython()
