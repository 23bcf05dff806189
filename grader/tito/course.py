"""The course map (course.toml) and the files that come with it (curriculum sources, notebooks).

The course folder is `tito/course/` in the package, written by `python -m curriculum.generate`.
Tests point elsewhere with `Course(root)` or the TITO_COURSE environment variable.
"""

import os
import tomllib
from pathlib import Path

PACKAGED = Path(__file__).parent / "course"


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
