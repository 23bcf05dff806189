"""The grader wheel: built with the one command in grader/README.md, it installs into a plain
venv (no system packages), imports without NumPy, and grades a module from its own course data."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
    run(tito, "--workspace", ws, "module", "start", "00", "--with-solutions")
    assert "module 00 completed" in run(tito, "--workspace", ws, "module", "complete", "00")  # module 00 needs no NumPy

    run(python, "-m", "pip", "install", "-q", "numpy==2.4.3")
    run(tito, "--workspace", ws, "module", "start", "01", "--with-solutions")
    assert "module 01 completed" in run(tito, "--workspace", ws, "module", "complete", "01")
