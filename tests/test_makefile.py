"""The Makefile hands CORPUS, OUT, ANNOTATIONS and SIZES to Python without any shell or make
evaluating them (issue #16): real `make` runs with hostile values and a marker file that must
not appear."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAMP = ROOT / ".venv" / ".installed-stamp"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def hostile(marker: Path, stem: str) -> str:
    """A path that runs `touch marker...` if any shell or make function evaluates it."""
    return (f"{stem}/a`touch {marker}1`$(touch {marker}2)$(shell touch {marker}3)"
            f"${{IFS}}x'q\"$$HOME;touch {marker}4,b")


def make(target: str, bin_dir: Path | None = None, **variables: str) -> subprocess.CompletedProcess:
    args = ["make", "--no-print-directory", "-C", str(ROOT), "-o", str(STAMP.relative_to(ROOT)), target]
    if bin_dir is not None:
        args.append(f"BIN={bin_dir}")
    args += [f"{k}={v}" for k, v in variables.items()]
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


@pytest.fixture
def argv_recorder(tmp_path):
    """A stand-in for .venv/bin/python that records the arguments it is given."""
    bin_dir, record = tmp_path / "bin", tmp_path / "argv.json"
    bin_dir.mkdir()
    script = bin_dir / "python"
    script.write_text(f"#!{sys.executable}\nimport json, sys\n"
                      f"json.dump(sys.argv[1:], open({str(record)!r}, 'w'))\n")
    script.chmod(0o755)
    return bin_dir, record


def test_run_passes_hostile_paths_verbatim(tmp_path, argv_recorder):
    bin_dir, record = argv_recorder
    marker = tmp_path / "MARK"
    corpus, out = hostile(marker, "/data"), "-results/o'ut \"x\""
    annotations = hostile(marker, "/codes")
    done = make("run", bin_dir, CORPUS=corpus, OUT=out, ANNOTATIONS=annotations)
    assert done.returncode == 0, done.stderr
    assert json.loads(record.read_text()) == [
        "-m", "analysis.runner", f"--corpus={corpus}", f"--out={out}", f"--annotations={annotations}"]
    assert not list(tmp_path.glob("MARK*"))


def test_empty_variables_pass_nothing(argv_recorder):
    bin_dir, record = argv_recorder
    assert make("run", bin_dir).returncode == 0
    assert json.loads(record.read_text()) == ["-m", "analysis.runner"]
    assert make("report", bin_dir, OUT="r'1").returncode == 0
    assert json.loads(record.read_text()) == ["-m", "analysis.report", "--out=r'1"]
    assert make("bench", bin_dir, SIZES="10 20").returncode == 0
    assert json.loads(record.read_text()) == ["benchmarks/run.py", "--sizes", "10", "20"]
    assert make("bench-dask", bin_dir, DASK_ARTICLES="5000").returncode == 0
    assert json.loads(record.read_text()) == ["benchmarks/dask_bench.py", "--articles=5000"]
    assert make("bench-user", bin_dir, USER_SIZES="50").returncode == 0
    assert json.loads(record.read_text()) == ["benchmarks/run.py", "--parts", "user",
                                              "--user-sizes", "50"]


@pytest.mark.skipif(not STAMP.exists(), reason="needs the .venv that `make setup` builds")
def test_real_runner_and_report_see_the_exact_path(tmp_path):
    """The real entry points: the missing corpus and the empty OUT are named exactly as given."""
    marker = tmp_path / "MARK"
    corpus = hostile(marker, str(tmp_path / "missing"))
    done = make("run", CORPUS=corpus, OUT=str(tmp_path / "out'1"))
    assert done.returncode != 0 and repr(corpus) in done.stderr, done.stderr
    out = str(tmp_path / "o'ut`touch MARK5`")
    done = make("report", OUT=out)
    assert done.returncode != 0 and f"{out}/notebooks" in done.stderr, done.stderr
    assert not list(tmp_path.glob("MARK*")) and not (ROOT / "MARK5").exists()


@pytest.mark.parametrize(("force", "expected"), [("1", ["--force"]), ("", []), ("yes", [])])
def test_force_1_passes_force(argv_recorder, force, expected):
    """FORCE=1 lets `make run` write into an OUT that holds other files (issue #16); nothing else does."""
    bin_dir, record = argv_recorder
    done = make("run", bin_dir, CORPUS="c.csv", OUT="o", FORCE=force)
    assert done.returncode == 0, done.stderr
    assert json.loads(record.read_text()) == ["-m", "analysis.runner", "--corpus=c.csv", "--out=o", *expected]
