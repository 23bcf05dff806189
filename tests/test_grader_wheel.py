"""The grader wheel: built with the one command in grader/README.md, it installs into a plain
venv (no system packages), imports without NumPy, and grades a module from its own course data."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from curriculum.generate import INSTRUCTOR_COURSE
from tito.course import PACKAGED

GRADER = Path(__file__).resolve().parent.parent / "grader"

pytestmark = pytest.mark.skipif(not (PACKAGED / "notebooks" / "learner" / "01_tensor.ipynb").is_file(),
                                reason="the course is not generated: run python -m curriculum.generate")


def run(*argv, cwd=None):
    done = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"{argv} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_wheel_works_in_a_plain_venv(tmp_path):
    source = tmp_path / "grader"  # a copy, so building leaves the repository alone
    shutil.copytree(GRADER, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "./grader", "-w", "dist/", cwd=tmp_path)
    [wheel] = (tmp_path / "dist").glob("tinytorch_grader-*-py3-none-any.whl")

    run(sys.executable, "-m", "venv", tmp_path / "venv")
    python, tito = tmp_path / "venv" / "bin" / "python", tmp_path / "venv" / "bin" / "tito"
    run(python, "-m", "pip", "install", "-q", wheel)
    out = run(python, "-c", "import sys, tito, tito.cli, tito.grade, tito.store; print('numpy' in sys.modules)")
    assert out == "False\n"

    ws = tmp_path / "ws"
    refused = subprocess.run([tito, "--workspace", ws, "module", "start", "00", "--with-solutions"], capture_output=True, text=True)
    assert refused.returncode and "this course has no solutions" in refused.stdout + refused.stderr, refused
    # The solutions, as the learner would write them, graded with the wheel's course (no solutions in it).
    ws.mkdir(exist_ok=True)
    shutil.copy(INSTRUCTOR_COURSE / "notebooks" / "instructor" / "00_welcome.ipynb", ws)
    assert "module 00 completed" in run(tito, "--workspace", ws, "module", "complete", "00")  # module 00 needs no NumPy

    run(python, "-m", "pip", "install", "-q", "numpy==2.4.3")
    shutil.copy(INSTRUCTOR_COURSE / "notebooks" / "instructor" / "01_tensor.ipynb", ws)
    assert "module 01 completed" in run(tito, "--workspace", ws, "module", "complete", "01")
