"""benchmarks/dask_bench.py: shards written one at a time, and a small end-to-end run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("dask_bench", ROOT / "benchmarks" / "dask_bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["dask_bench"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("dask_bench", None)


def test_shards_have_consecutive_unique_ids_and_are_reused(bench, tmp_path):
    paths = bench.write_shards(tmp_path / "c", 7, shard_size=3)
    assert [p.name for p in paths] == ["part-00000.parquet", "part-00001.parquet",
                                       "part-00002.parquet"]
    frames = [pd.read_parquet(p) for p in paths]
    assert [len(f) for f in frames] == [3, 3, 1]
    ids = pd.concat(frames)["article_id"].tolist()
    assert ids == [f"syn{k:07d}" for k in range(7)]
    assert pd.concat(frames)["text"].nunique() == 7
    before = [p.stat().st_mtime_ns for p in paths]
    assert bench.write_shards(tmp_path / "c", 7, shard_size=3) == paths
    assert [p.stat().st_mtime_ns for p in paths] == before  # reused, not rewritten


@pytest.mark.slow
def test_small_run_records_a_checked_row(bench, tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "RESULTS", tmp_path / "dask_results.csv")
    assert bench.main(["--articles", "40", "--shard-size", "20", "--check-shards", "2",
                       "--workdir", str(tmp_path / "w"), "--memory-limit", "2GiB"]) == 0
    (row,) = pd.read_csv(tmp_path / "dask_results.csv").to_dict("records")
    assert row["articles"] == 40 and row["shards"] == 2 and row["partitions_done"] == 2
    assert row["complete"] and row["same_as_pandas"] and row["check_articles"] == 40
    assert row["sentences"] > 40 and row["peak_mib"] > 0 and row["write_s"] <= row["seconds"]


def test_distinct_shards_are_copied_under_new_ids(bench, tmp_path):
    paths = bench.write_shards(tmp_path / "c", 10, shard_size=4, distinct=4)
    frames = [pd.read_parquet(p) for p in paths]
    assert [len(f) for f in frames] == [4, 4, 2]
    assert pd.concat(frames)["article_id"].tolist() == [f"syn{k:07d}" for k in range(10)]
    assert frames[1]["text"].tolist() == frames[0]["text"].tolist()
    assert frames[2]["text"].tolist() == frames[0]["text"].tolist()[:2]
