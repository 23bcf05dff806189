"""The course map (course.toml) and the files that come with it (curriculum sources, notebooks).

The course folder is `tito/course/` in the package, written by `python -m curriculum.generate`.
Tests point elsewhere with `Course(root)` or the TITO_COURSE environment variable.

A class's settings (the instructor's class.toml, see `class_settings`) reach tito as JSON in the
TINYTORCH_CLASS environment variable: the site build sets it in the browser's kernel.
"""

import datetime
import json
import os
import tomllib
from pathlib import Path

PACKAGED = Path(__file__).parent / "course"
NO_CLASS = {"unlock_all": False, "opens": {}}


class TitoError(Exception):
    """A problem the learner can fix; the message says what is wrong and what to do."""


class Course:
    def __init__(self, root=None):
        self.root = Path(root or os.environ.get("TITO_COURSE") or PACKAGED)
        toml = self.root / "course.toml"
        if not toml.is_file():
            raise TitoError(f"no course.toml in {self.root}: run `python -m curriculum.generate` (or reinstall tito)")
        data = tomllib.loads(toml.read_text(encoding="utf-8"))
        self.modules = data["modules"]  # id -> {name, title, source?}; no source means "coming soon"
        self.milestones = data["milestones"]
        self.order = [mid for tier in data["tier"] for mid in tier["modules"]]
        try:
            self.class_settings = json.loads(os.environ.get("TINYTORCH_CLASS") or json.dumps(NO_CLASS))
        except ValueError:
            raise TitoError("TINYTORCH_CLASS is not JSON: it holds a class's settings, as `python -m lite build --class` writes them") from None

    def written(self):
        """Ids of the modules that have a curriculum file, in course order."""
        return [mid for mid in self.order if "source" in self.modules[mid]]

    def module(self, mid):
        """The module's id ("1" and "01" both mean "01") and its course.toml entry; a clear error if it does not exist."""
        mid = str(mid).zfill(2)
        if mid not in self.modules:
            written = self.written()
            raise TitoError(f"there is no module {mid}: this course has modules {written[0]} to {written[-1]} (see `tito module list`)")
        info = self.modules[mid]
        if "source" not in info:
            raise TitoError(f"module {mid} ({info['title']}) is not written yet: it is coming soon")
        return mid, info

    def milestone(self, mid):
        mid = str(mid).zfill(2)
        if mid not in self.milestones or "source" not in self.milestones[mid]:
            ready = [m for m, info in self.milestones.items() if "source" in info]
            raise TitoError(f"there is no milestone {mid} to run: the milestones are {', '.join(ready)} (see `tito milestone list`)")
        return mid, self.milestones[mid]

    def previous(self, mid):
        """The module that must be completed before `mid` (the written one before it), or None for the first one."""
        written = self.written()
        index = written.index(mid)
        return written[index - 1] if index else None

    def source_text(self, mid):
        return (self.root / self.modules[mid]["source"]).read_text(encoding="utf-8")

    def notebook_name(self, mid):
        return Path(self.modules[mid]["source"]).stem + ".ipynb"  # e.g. "01_tensor.ipynb"

    def notebook(self, mid, instructor=False):
        """The shipped notebook of a module: the learner's (stubs) or the instructor's (solutions)."""
        return self.root / "notebooks" / ("instructor" if instructor else "learner") / self.notebook_name(mid)


def class_settings(text, course):
    """A class.toml's settings as {"unlock_all": bool, "opens": {module id: "YYYY-MM-DD"}}, or a
    TitoError saying what is wrong. The file:

        unlock_all = true          # every module open from the start
        [opens]                    # or a schedule: a module opens on its date, whatever is completed
        "05" = 2026-03-10
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TitoError(f"the class file is not valid TOML ({error})") from None
    unknown = sorted(set(data) - set(NO_CLASS))
    if unknown:
        raise TitoError(f"the class file has an unknown setting {unknown[0]!r}: it may set unlock_all and [opens]")
    unlock_all, opens = data.get("unlock_all", False), data.get("opens", {})
    if not isinstance(unlock_all, bool):
        raise TitoError(f"the class file's unlock_all is {unlock_all!r}: write true or false")
    if not isinstance(opens, dict):
        raise TitoError("the class file's opens is not a table: write [opens] and one line per module, e.g. \"05\" = 2026-03-10")
    if unlock_all and opens:
        raise TitoError("the class file sets both unlock_all and [opens]: every module open, or a schedule, not both")
    for mid, day in opens.items():
        if mid not in course.modules or "source" not in course.modules[mid]:
            raise TitoError(f"the class file's [opens] names module {mid!r}, which this course does not have "
                            f"(its modules are {', '.join(course.written())})")
        if type(day) is not datetime.date:
            raise TitoError(f"the class file's [opens] gives module {mid} {day!r}: write a date without quotes, e.g. 2026-03-10")
    return {"unlock_all": unlock_all, "opens": {mid: day.isoformat() for mid, day in sorted(opens.items())}}
