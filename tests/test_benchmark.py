"""benchmarks/run.py runs end to end on tiny corpora and writes the table the issue asks for.

Nothing here is timed: the budgets are measured by ``make bench``, not by tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, str(RUN), "--sizes", "20", "40", "--baseline-max", "20", "--out", str(out),
         "--clusters", "3"],
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
