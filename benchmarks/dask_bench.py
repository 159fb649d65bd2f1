"""Benchmark of the Dask path (:mod:`analysis.dask_path`) on up to 1,000,000 synthetic articles.

Usage (from the project root)::

    make bench-dask                             # 1,000,000 articles
    make bench-dask DASK_ARTICLES=100000
    .venv/bin/python benchmarks/dask_bench.py --articles 100000 --shard-size 5000 --workers 2

1. The corpus is written as Parquet shards of ``--shard-size`` articles (not timed in the
   budget; its time is recorded as ``generate_s``), one shard at a time, so the client never
   holds more than one shard: shard ``i`` is :func:`analysis.synthetic.make_synthetic_corpus`
   of ``shard_size`` articles with ``random_state = seed + i``, its ids renumbered to follow
   the previous shards, and ``vocabulary`` as given by ``--vocabulary``: ``heaps`` (the
   default, as in ``make bench``: replacement words from an English frequency list plus
   names and places, so the vocabulary grows with the corpus as real coverage's does) or
   ``bundled`` (the bundled articles' own vocabulary, a few thousand types: the generator
   of the runs before December 2026's Heaps option). The shards are kept in ``--workdir``
   and reused when the same corpus is asked for again.
2. ``python -m analysis.dask_path SHARDS OUT --workers W --memory-limit M`` runs in a fresh
   process exactly as a user runs it (a LocalCluster of W one-thread worker processes): the
   seven tables written to Parquet, the paragraphs read back and their codebook topics (the
   committed parameters) written too. Its wall time is ``seconds``; ``peak_mib`` is the
   largest sum of the resident sets of that process and all its descendants (scheduler,
   nannies, workers), sampled every 0.2 s with psutil (shared pages counted in every
   process: an upper bound); ``cpu_s`` is their user + system CPU time (each process's last
   sample).
3. The same per-sentence results as the pandas path, on a sample: for ``--check-shards``
   shards (first, last and evenly spaced between), :func:`analysis.corpus.from_frame`,
   :func:`analysis.tone.score_sentences` and :func:`analysis.tone.sentence_table` (the pandas
   path) and :func:`analysis.topics.assign_topics` (the notebooks' codebook topics) run in
   this process and are compared with the Dask output rows of those articles: keys, text,
   quote share, voice, voice speaker and every measure (to 1e-9), topic and probabilities.

Appends one row to ``benchmarks/dask_results.csv`` (columns :data:`COLUMNS`), with the budget
verdicts of issue 18 (<= 30 min, <= 12 GiB across all processes; the time budget pro-rated
below 1M articles) and the machine's load.

``--time-limit MINUTES`` stops the run at that time: the row has ``complete=False``, the
partitions written by then (``partitions_done``) and ``estimate_s``, an extrapolation (the
write step at the measured rate, times the ratio of total to write time of the last complete
run), not a measurement; the sample check then uses written shards and skips the topics.
``--topics-only`` then times the topics step alone on the paragraphs that run wrote (a row
with ``step=topics``), so the extrapolation can use a measured topics rate instead.
``write_s`` is when the last partition's tables were written; the rest is the topics step.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pyarrow.parquet as pq

from analysis import corpus, synthetic, tone, topics

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "dask_results.csv"
BUDGET_S = 30 * 60
BUDGET_MIB = 12 * 1024
COLUMNS = ["date", "step", "articles", "shards", "workers", "memory_limit", "paragraphs", "sentences",
           "generate_s", "seconds", "write_s", "partitions_done", "complete", "estimate_s",
           "cpu_s", "peak_mib", "load_before", "load_after",
           "check_articles", "check_sentences", "same_as_pandas", "time_ok", "memory_ok",
           "generator", "note"]


def write_shards(dest: Path, n_articles: int, *, shard_size: int, seed: int = 0,
                 distinct: int | None = None, vocabulary: str = "heaps") -> list[Path]:
    """Write ``n_articles`` synthetic articles as Parquet shards, one shard in memory at a time.

    Shard ``i`` is ``make_synthetic_corpus(shard_size, random_state=seed + i,
    vocabulary=vocabulary)`` with its ids
    renumbered to follow the previous shards. With ``distinct``, only the first
    ``distinct // shard_size`` shards are generated and every later shard is a copy of one of
    them (``i`` modulo that number) under new ids: partitions are processed independently, so
    a copy costs what a new shard costs, and the corpus is written in seconds.
    """
    n_shards = -(-n_articles // shard_size)
    n_made = n_shards if distinct is None else max(1, min(n_shards, distinct // shard_size))
    stamp = dest / f"_corpus-{n_articles}-{shard_size}-{seed}-{n_made}-{vocabulary}"
    paths = [dest / f"part-{i:05d}.parquet" for i in range(n_shards)]
    if stamp.exists() and all(p.exists() for p in paths):
        return paths
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for i, path in enumerate(paths):
        size = min(shard_size, n_articles - i * shard_size)
        if i < n_made:
            frame = synthetic.make_synthetic_corpus(size, random_state=seed + i,
                                                    vocabulary=vocabulary)
        else:
            frame = pd.read_parquet(paths[i % n_made]).iloc[:size]
        ids = np.arange(i * shard_size, i * shard_size + size)
        frame["article_id"] = pd.Series([f"syn{k:07d}" for k in ids], dtype="str")
        frame.to_parquet(path, index=False)
    stamp.touch()
    return paths


def run_measured(cmd: list[str], *, out: Path, n_shards: int, time_limit: float | None = None,
                 interval: float = 0.2) -> dict:
    """Run ``cmd``; wall time, peak summed RSS and CPU time of its process tree, and progress.

    Progress is the number of partitions whose tables are written (files in
    ``out/sentences``): ``write_s`` is when the last one appeared, the rest of the run is the
    topics step. With ``time_limit`` the run is stopped at that many seconds (its process tree
    terminated) and ``done`` says how many partitions were written by then.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    root = psutil.Process(proc.pid)
    peak = 0
    cpu: dict[int, float] = {}
    write_s = None
    done = 0
    stopped = False
    while proc.poll() is None:
        rss = 0
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for p in tree:
            try:
                rss += p.memory_info().rss
                t = p.cpu_times()
                cpu[p.pid] = t.user + t.system
            except psutil.NoSuchProcess:
                pass
        peak = max(peak, rss)
        done = len(list((out / "sentences").glob("*.parquet")))
        elapsed = time.perf_counter() - start
        if write_s is None and done == n_shards:
            write_s = elapsed
        if time_limit is not None and elapsed > time_limit:
            stopped = True
            for p in reversed(tree):
                try:
                    p.terminate()
                except psutil.NoSuchProcess:
                    pass
            psutil.wait_procs(tree, timeout=30)
            break
        time.sleep(interval)
    if not stopped and proc.wait() != 0:
        raise SystemExit(f"dask_bench: {' '.join(cmd)} failed (exit {proc.returncode})")
    done = len(list((out / "sentences").glob("*.parquet")))
    return {"seconds": time.perf_counter() - start, "peak_mib": peak / 2**20,
            "cpu_s": sum(cpu.values()), "write_s": write_s, "done": done, "stopped": stopped}


def _rows(folder: Path, ids: list[str]) -> pd.DataFrame:
    return pd.read_parquet(folder, filters=[("article_id", "in", ids)])


def check_sample(shards: list[Path], out: Path, *, n_check: int, topics_written: bool) -> dict:
    """Compare the Dask output with the pandas path on ``n_check`` shards; raise if they differ.

    Only shards whose tables were written are picked (all of them after a complete run).
    """
    written = sorted(int(p.stem.split(".")[1]) for p in (out / "sentences").glob("*.parquet"))
    picks = [written[k] for k in
             sorted(set(np.linspace(0, len(written) - 1, n_check).round().astype(int)))]
    keys = ["article_id", "paragraph", "sentence"]
    n_articles = n_sentences = 0
    for i in picks:
        raw = pd.read_parquet(shards[i])
        built = corpus.from_frame(raw)
        expected = tone.sentence_table(built, tone.score_sentences(built))
        ids = built.articles["article_id"].tolist()
        got = _rows(out / "sentences", ids).sort_values(keys).reset_index(drop=True)
        assert len(got) == len(expected), (len(got), len(expected))
        for column in [*keys, "text", "voice", "voice_speaker", "speaker", "outlet"]:
            assert got[column].astype(object).tolist() == expected[column].astype(object).tolist(), column
        for column in ["quote_share", *tone.MEASURES]:
            np.testing.assert_allclose(got[column], expected[column], rtol=0, atol=1e-9,
                                       err_msg=column)
        if topics_written:
            assigned = topics.assign_topics(built)
            got_t = _rows(out / "topics", ids).sort_values(keys[:2]).reset_index(drop=True)
            assert got_t["topic"].tolist() == assigned["topic"].tolist()
            np.testing.assert_allclose(got_t.filter(like="p_"), assigned.filter(like="p_"),
                                       rtol=0, atol=1e-9)
        n_articles += len(ids)
        n_sentences += len(got)
    return {"check_articles": n_articles, "check_sentences": n_sentences}


def _complete_runs() -> pd.DataFrame:
    if not RESULTS.exists():
        return pd.DataFrame(columns=COLUMNS)
    table = pd.read_csv(RESULTS)
    return table[table["complete"].astype(bool) & table["write_s"].notna()]


#: The topics step of analysis.dask_path.run alone, on the paragraphs already written.
_TOPICS = """
import sys
import dask.dataframe as dd
from distributed import Client, LocalCluster
from analysis import dask_path
out, workers, limit = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with LocalCluster(n_workers=workers, threads_per_worker=1, memory_limit=limit,
                  dashboard_address=None) as cluster, Client(cluster):
    paragraphs = dd.read_parquet(f"{out}/paragraphs", columns=["article_id", "paragraph", "text"])
    dask_path.write_tables({"topics": dask_path.assign_paragraph_topics(paragraphs)}, out)
"""


def _topics_only(args: argparse.Namespace, out: Path) -> int:
    """Time the topics step on the partitions a stopped run wrote; append a ``topics`` row."""
    shutil.rmtree(out / "topics", ignore_errors=True)
    done = len(list((out / "paragraphs").glob("*.parquet")))
    load_before = os.getloadavg()[0]
    measured = run_measured([sys.executable, "-c", _TOPICS, str(out), str(args.workers),
                             args.memory_limit], out=out, n_shards=-1)
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in (out / "topics").glob("*.parquet"))
    row = {"date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "step": "topics",
           "articles": args.articles, "shards": -(-args.articles // args.shard_size),
           "workers": args.workers, "memory_limit": args.memory_limit, "paragraphs": rows,
           "seconds": round(measured["seconds"], 1), "partitions_done": done,
           "complete": False, "cpu_s": round(measured["cpu_s"], 1),
           "peak_mib": round(measured["peak_mib"], 0), "load_before": round(load_before, 2),
           "load_after": round(os.getloadavg()[0], 2), "note": args.note}
    print(pd.Series(row).to_string(), flush=True)
    if not args.no_record:
        _append(row)
    return 0


def _append(row: dict) -> None:
    """Append a row to :data:`RESULTS` (rows from before the ``step`` column are ``all``)."""
    table = (pd.read_csv(RESULTS) if RESULTS.exists() else pd.DataFrame()).reindex(columns=COLUMNS)
    table["step"] = table["step"].astype(object).where(table["step"].notna(), "all")
    table = pd.concat([table, pd.DataFrame([row]).reindex(columns=COLUMNS)], ignore_index=True)
    _write(table)


def _write(table: pd.DataFrame) -> None:
    """Write the results with counts as integers (empty where a step has none)."""
    counts = ["articles", "shards", "workers", "paragraphs", "sentences", "partitions_done",
              "check_articles", "check_sentences"]
    table.astype({c: "Int64" for c in counts}).to_csv(RESULTS, index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--shard-size", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="5GiB", help="per worker")
    parser.add_argument("--check-shards", type=int, default=3)
    parser.add_argument("--distinct", type=int, help="generate this many distinct articles "
                        "and fill the rest with copies under new ids (see write_shards)")
    parser.add_argument("--vocabulary", default="heaps", choices=["heaps", "bundled"],
                        help="replacement words of the synthetic shards (default heaps, as "
                        "make bench)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp") / "dask-bench",
                        help="shards and outputs (large: about 10 KB per article)")
    parser.add_argument("--time-limit", type=float, help="minutes; stop the run then and record "
                        "the partitions written and an extrapolation (labelled as such)")
    parser.add_argument("--topics-only", action="store_true", help="measure only the topics "
                        "step on the partitions a stopped run wrote (row with step=topics)")
    parser.add_argument("--note", default="", help="free text for the results row")
    parser.add_argument("--no-record", action="store_true", help="do not append to the CSV")
    args = parser.parse_args(argv)

    shard_dir = args.workdir / f"corpus-{args.articles}"
    out = args.workdir / f"out-{args.articles}"
    if args.topics_only:
        return _topics_only(args, out)
    t0 = time.perf_counter()
    shards = write_shards(shard_dir, args.articles, shard_size=args.shard_size,
                          distinct=args.distinct, vocabulary=args.vocabulary)
    generate_s = time.perf_counter() - t0
    print(f"dask_bench: {len(shards)} shards in {shard_dir} ({generate_s:.0f} s)", flush=True)
    shutil.rmtree(out, ignore_errors=True)

    load_before = os.getloadavg()[0]
    measured = run_measured(
        [sys.executable, "-m", "analysis.dask_path", str(shard_dir), str(out),
         "--workers", str(args.workers), "--memory-limit", args.memory_limit],
        out=out, n_shards=len(shards),
        time_limit=None if args.time_limit is None else args.time_limit * 60)
    load_after = os.getloadavg()[0]
    print(f"dask_bench: {measured['seconds']:.0f} s, peak {measured['peak_mib']:.0f} MiB, "
          f"{measured['done']}/{len(shards)} partitions written", flush=True)
    stopped = measured["stopped"]
    checked = check_sample(shards, out, n_check=args.check_shards, topics_written=not stopped)
    count = {t: sum(pq.ParquetFile(f).metadata.num_rows for f in (out / t).glob("*.parquet"))
             for t in ("paragraphs", "sentences")}
    seconds = measured["seconds"]
    write_s = measured["write_s"]
    if stopped:
        # the write step at the measured rate, and the topics step in the share of the last
        # complete run's time it took there
        done_runs = _complete_runs()
        share = (1.0 if done_runs.empty else
                 float((done_runs["seconds"] / done_runs["write_s"]).iloc[-1]))
        estimate = seconds * len(shards) / max(measured["done"], 1) * share
    else:
        estimate = seconds
    budget = BUDGET_S * args.articles / 1_000_000
    row = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "step": "all",
        "articles": args.articles, "shards": len(shards), "workers": args.workers,
        "memory_limit": args.memory_limit, **count, "generate_s": round(generate_s, 1),
        "seconds": round(seconds, 1),
        "write_s": None if write_s is None else round(write_s, 1),
        "partitions_done": measured["done"], "complete": not stopped,
        "estimate_s": round(estimate, 0),
        "cpu_s": round(measured["cpu_s"], 1),
        "peak_mib": round(measured["peak_mib"], 0), "load_before": round(load_before, 2),
        "load_after": round(load_after, 2), **checked, "same_as_pandas": True,
        "time_ok": estimate <= budget, "memory_ok": measured["peak_mib"] <= BUDGET_MIB,
        "generator": f"make_synthetic_corpus (vocabulary={args.vocabulary})"
        + ("" if args.distinct is None else f"; {args.distinct} distinct articles, the rest "
           "copies under new ids"),
        "note": args.note,
    }
    print(pd.Series(row).to_string(), flush=True)
    if not args.no_record:
        _append(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
