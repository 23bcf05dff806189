"""tito: grades a TinyTorch learner's own code, keeps their progress, runs milestones.

In a notebook: `%load_ext tito`, then `%tito module complete 01`, or call `tito.complete("01")`,
`tito.test("01")`, `tito.status()`. In a terminal: `tito --help`.

Importing tito needs only the standard library; NumPy is needed only by the code it grades.
"""

__version__ = "0.1.0"


def load_ipython_extension(ip):
    """`%load_ext tito`: register the %tito magic and print one status line."""
    from .magic import load

    load(ip)


def complete(module):
    """Grade module `module` (e.g. "01") and record it; True when every check passes."""
    return _run("module", "complete", str(module))


def test(module):
    """Grade module `module` without recording anything; True when every check passes."""
    return _run("module", "test", str(module))


def status():
    """Show your progress and what to do next."""
    return _run("module", "status")


def _run(*argv):
    from .magic import run_here

    return run_here(list(argv)) == 0
