"""`tito` in a terminal: the commands of tito/commands.py with plain-text output.

Colour only when printing to a terminal and NO_COLOR is not set (https://no-color.org).
"""

import os
import sys
import textwrap

from . import commands

COLOURS = {"ok": "32", "fail": "31", "warn": "33", "bold": "1"}


class TextOut:
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.colour = self.stream.isatty() and "NO_COLOR" not in os.environ

    def line(self, text="", kind=""):
        if self.colour and kind in COLOURS:
            text = f"\033[{COLOURS[kind]}m{text}\033[0m"
        print(text, file=self.stream, flush=True)

    def result(self, result, title):
        """A grading report: the checks by group, each failure with its message, then the summary line."""
        self.line(title, "bold")
        if result.stubs:
            self.line(f"still to write (they raise NotImplementedError): {', '.join(result.stubs)}", "warn")
        if result.problem:
            self.line(result.problem, "fail")
        for group in ("visible", "hidden", "reflect"):
            checks = [check for check in result.checks if check.group == group]
            if checks:
                self.line(f"{group} checks:")
            for check in checks:
                self.line(f"  {'✓' if check.passed else '✗'} {check.name}", "ok" if check.passed else "fail")
                if check.message and not result.problem:
                    self.line(textwrap.indent(check.message, "      "))
        self.line(result.summary(), "ok" if result.ok else "fail")


def main(argv=None):
    try:
        sys.exit(commands.run(sys.argv[1:] if argv is None else argv, TextOut()))
    except BrokenPipeError:  # `tito module list | head`: the reader left; nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # as the Python docs advise
        sys.exit(0)
    except KeyboardInterrupt:  # Ctrl-C outside a grading (a grading reports its own): no traceback
        print("\ntito: interrupted", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
