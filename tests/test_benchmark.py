"""benchmarks/run.py runs end to end on tiny corpora and writes the table the issue asks for.

Nothing here is timed: the budgets are measured by ``make bench``, not by tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, str(RUN), "--sizes", "20", "40", "--baseline-max", "20", "--out", str(out),
         "--clusters", "3", "--parts", "stages"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return out, done.stdout


def test_results_table_has_every_stage_and_a_total(bench):
    out, _ = bench
    table = pd.read_csv(out / "results.csv")
    assert list(table.columns[:5]) == ["size", "stage", "impl", "seconds", "peak_mb"]
    suite = table[table["impl"] == "suite"]
    stages = {"load", "clean", "segment", "quotes", "duplicates", "features", "clustering", "tone", "total"}
    for size in (20, 40):
        assert set(suite.loc[suite["size"] == size, "stage"]) == stages
    assert (table["seconds"] > 0).all()
    for (size, impl), rows in table.groupby(["size", "impl"]):
        total = rows.loc[rows["stage"] == "total", "seconds"].item()
        parts = rows.loc[rows["stage"] != "total", "seconds"].sum()
        assert total == pytest.approx(parts, abs=0.01), (size, impl)


def test_baseline_measured_then_extrapolated(bench):
    out, _ = bench
    table = pd.read_csv(out / "results.csv")
    base = table[table["impl"] == "baseline"]
    assert not base.loc[base["size"] == 20, "extrapolated"].any()
    assert base.loc[base["size"] == 40, "extrapolated"].all()
    assert base.loc[base["size"] == 40, "peak_mb"].isna().all()


def test_figure_and_budget_summary_are_written(bench):
    out, stdout = bench
    assert (out / "scaling.png").stat().st_size > 10_000
    assert "whole pipeline" in stdout and "peak memory" in stdout


def test_corpora_table_counts_types_and_columns(bench):
    out, _ = bench
    corpora = pd.read_csv(out / "corpora.csv")
    assert list(corpora["size"]) == [20, 40] and set(corpora["vocabulary"]) == {"heaps"}
    # more text, more word types; the DFM (stopwords removed) has fewer columns than types
    assert corpora["word_types"].is_monotonic_increasing
    assert (corpora["dfm_columns"] < corpora["word_types"]).all()
    assert (corpora["dfm_columns"] > 0.5 * corpora["word_types"]).all()
    assert not (out / "user_path.csv").exists()


# ---- the user's path, measured from outside the runner ---------------------------------------
FAKE_RUNNER = r"""
import json, pathlib, subprocess, sys, time
out = pathlib.Path(sys.argv[1]); wait = float(sys.argv[2])
(out / "notebooks").mkdir(parents=True, exist_ok=True)
print("executing 01_a.ipynb", flush=True)
# a child process (as a kernel is) holding ~300 MB and using CPU for a while
child = subprocess.Popen([sys.executable, "-c",
    "import time; b = bytearray(300 * 2**20); b[::4096] = b'x' * len(b[::4096]); "
    "t = time.process_time(); "
    "all(iter(lambda: time.process_time() - t < 0.6, False)); time.sleep(0.6)"])
child.wait()
(out / "notebooks" / "01_a.ipynb").write_bytes(b"x" * 1500)
print("executing 02_b.ipynb", flush=True)
busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if wait > 5 else None
time.sleep(wait)
(out / "notebooks" / "02_b.ipynb").write_bytes(b"x" * 2_500_000)
(out / "run.json").write_text(json.dumps({"files": [], "seconds": {"01_a.ipynb": 1.25,
                                                                   "02_b.ipynb": 0.5}}))
"""


@pytest.fixture
def harness(tmp_path):
    sys.path.insert(0, str(RUN.parent))
    import run

    sys.path.remove(str(RUN.parent))
    fake = tmp_path / "fake_runner.py"
    fake.write_text(FAKE_RUNNER)
    return run, fake


def test_user_path_measures_the_whole_process_tree(harness, tmp_path):
    run, fake = harness
    out = tmp_path / "out"
    result = run.run_user_path(tmp_path / "c.parquet", out, timeout=60, interval=0.05,
                               command=[sys.executable, str(fake), str(out), "0.2"])
    assert result["status"] == "ok"
    # the child's 300 MB count: RSS is summed over the runner and its descendants
    assert result["peak_mb"] > 300
    # the child's CPU counts (RUSAGE_CHILDREN once it is reaped)
    assert result["cpu_seconds"] >= 0.5
    books = {b["notebook"]: b for b in result["notebooks"]}
    assert list(books) == ["01_a.ipynb", "02_b.ipynb"]
    assert books["01_a.ipynb"]["seconds"] == 1.25  # run.json's figure wins
    assert books["01_a.ipynb"]["peak_mb"] > 300 > books["02_b.ipynb"]["peak_mb"]
    assert books["02_b.ipynb"]["notebook_mb"] == 2.5
    rows = pd.DataFrame(run.user_rows(10000, result, baseline_seconds=100.0))
    assert list(rows["notebook"]) == ["01_a.ipynb", "02_b.ipynb", "total"]
    assert rows["notebook_mb"].iloc[-1] == 2.5 and rows["baseline_seconds"].iloc[-1] == 100.0


def test_user_path_stops_a_run_over_the_timeout(harness, tmp_path):
    run, fake = harness
    out = tmp_path / "out"
    result = run.run_user_path(tmp_path / "c.parquet", out, timeout=6, interval=0.05,
                               command=[sys.executable, str(fake), str(out), "30"])
    assert result["status"] == "timeout" and result["seconds"] < 15
    books = {b["notebook"]: b for b in result["notebooks"]}
    assert books["01_a.ipynb"]["status"] == "ok" and books["02_b.ipynb"]["status"] == "timeout"
    # without run.json the seconds come from the runner's "executing" lines
    assert 1.0 < books["01_a.ipynb"]["seconds"] < 6 and books["02_b.ipynb"]["seconds"] > 0
    assert np.isnan(books["02_b.ipynb"]["notebook_mb"])
    # the killed busy child's CPU counts (sampled; RUSAGE_CHILDREN never sees it)
    assert result["cpu_seconds"] > 0.8


def _user(size, seconds, *, status="ok", peak=1000.0, mb=(0.5, 0.5), base=float("nan")):
    names = [f"0{i + 1}_x.ipynb" for i in range(len(mb))]
    per = [seconds / len(mb)] * len(mb)
    return pd.DataFrame({
        "size": size, "notebook": [*names, "total"], "status": status,
        "seconds": [*per, seconds], "peak_mb": peak, "notebook_mb": [*mb, max(mb)],
        "baseline_seconds": [*[np.nan] * len(mb), base]})


def test_user_verdicts_judge_each_budget(harness):
    run, _ = harness
    ok = run.user_verdicts(_user(10000, 40.0, base=200.0))
    assert ok[1].endswith(": OK") and ok[2].endswith(": OK") and "5.0x" in ok[2]
    slow = run.user_verdicts(_user(10000, 100.0, base=200.0))
    assert "OVER by 50.0 s (2.0x the budget)" in slow[1]
    assert "2.0x" in slow[2] and "UNDER by 1.5x" in slow[2]
    missing = run.user_verdicts(_user(10000, 40.0))
    assert "not measured in this run" in missing[2]
    big = run.user_verdicts(_user(100000, 300.0, peak=9000.0, mb=(0.5, 2.6)))
    assert big[1].endswith(": OK")  # 300 s of 360
    assert "OVER by 808 MiB" in big[2]
    assert "OVER: 02_x.ipynb 2.6 MB" in big[3]
    stopped = run.user_verdicts(_user(100000, 1500.0, status="timeout", mb=(0.5, np.nan)))
    assert "(TIMEOUT)" in stopped[0] and "NOT MET: the run was stopped after 1,500 s" in stopped[1]
    assert "OK so far" in stopped[2] and "NOT MET: not every notebook completed" in stopped[3]
    # a size without budgets gets its summary line only
    assert len(run.user_verdicts(_user(50, 10.0))) == 1


def test_user_only_run_writes_its_table_figure_and_readme_section(harness, tmp_path, monkeypatch):
    """`make bench-user` wiring: corpus written once, the runner measured, tables and README."""
    run, _ = harness
    calls = []

    def fake(source, out, *, timeout):
        calls.append((source, timeout))
        assert source.exists() and source.suffix == ".parquet"
        return {"status": "ok", "seconds": 12.0, "cpu_seconds": 20.0, "peak_mb": 900.0,
                "load_avg": 1.0, "notebooks": [
                    {"notebook": "01_a.ipynb", "seconds": 12.0, "peak_mb": 900.0,
                     "notebook_mb": 0.3, "status": "ok"}]}

    monkeypatch.setattr(run, "run_user_path", fake)
    (tmp_path / "README.md").write_text(f"x\n{run.README_START}\nold\n{run.README_END}\ny\n")
    assert run.main(["--parts", "user", "--user-sizes", "20", "--baseline-max", "0",
                     "--user-timeout", "99", "--out", str(tmp_path)]) == 0
    assert [t for _, t in calls] == [99.0]
    user = pd.read_csv(tmp_path / "user_path.csv")
    assert list(user["notebook"]) == ["01_a.ipynb", "total"]
    assert user["baseline_seconds"].isna().all()  # no baseline at 20 with --baseline-max 0
    assert not (tmp_path / "results.csv").exists()
    assert (tmp_path / "scaling.png").stat().st_size > 5_000
    readme = (tmp_path / "README.md").read_text()
    assert "User's path (make run CORPUS=... OUT=...) at 20 articles: 12.0 s" in readme
    assert "old" not in readme and readme.endswith(f"{run.README_END}\ny\n")
