"""Benchmark of the suite on synthetic corpora of 1k to 100k articles: its stages, and the
user's path (the notebooks end to end), each beside the obvious stack.

Usage (from the project root)::

    make bench                          # stages at 1k 10k 100k; user's path at 10k 100k
    make bench SIZES="1000 10000" USER_SIZES="10000"
    make bench-user                     # only the user's path (and the baseline beside it)
    .venv/bin/python benchmarks/run.py --parts stages --sizes 1000 10000 --baseline-max 10000

Corpora. For every size, a synthetic corpus (:func:`analysis.synthetic.make_synthetic_corpus`,
~600 words per article, ``vocabulary="heaps"`` by default: replacement words from an English
frequency list plus names and places, so the vocabulary grows with the corpus as real text's
does) is written to a temporary folder as one Parquet file (not timed). Every measurement at
a size reads that same file. ``corpora.csv`` records each size's articles, paragraphs,
sentences, distinct word types (``len(Tokens.vocabulary)``) and document-feature matrix
columns (``tokens.dfm``, stopwords removed).

Stages. ONE fresh Python process per (size, implementation) runs the stage chain and reports
each stage's wall time, CPU time and peak memory:

* ``suite``: ``analysis.load_corpus`` exactly as a user calls it, with its stage functions
  timed as load (reading, metadata, assembling), clean, segment, quotes and duplicates
  (near-duplicate flags); then features (``Tokens.from_corpus`` + ``dfm``), clustering
  (``topics.fit_minibatch`` + ``predict`` over the paragraphs in chunks: the scalable path)
  and tone (``tone.score_sentences`` with all its measures, VADER, framing and assertiveness,
  as notebook 04 calls it). Nothing is re-implemented here;
* ``baseline``: the obvious stack (:mod:`baseline`): load -> segment (pysbd) -> tone (VADER
  per sentence) -> clustering (TfidfVectorizer + KMeans), only up to ``--baseline-max``
  articles; larger sizes are extrapolated linearly from the largest measured size and
  flagged ``extrapolated=True``.

The user's path (``--user-sizes``, default 10k and 100k): ``python -m analysis.runner --corpus
F --out D`` (what ``make run CORPUS=F OUT=D`` runs) on the same file, measured from outside
(:func:`run_user_path`): wall seconds end to end, each notebook's seconds (``OUT/run.json``),
the peak of the summed resident sets of the runner and all its descendants (the kernels are
child processes; psutil, sampled every 0.25 s), their CPU seconds (``RUSAGE_CHILDREN``) and
the executed notebooks' sizes. The baseline's total at the same size, measured in the same
run, is the comparison. A run over ``--user-timeout`` seconds is stopped and marked.

Peak memory of a stage: before each stage the worker resets the kernel's resident-set
high-water mark (``/proc/self/clear_refs`` = 5) and reads ``VmHWM`` from
``/proc/self/status`` after it, so ``peak_mb`` is the largest resident set of the process
*during* that stage (it includes the data earlier stages left in memory). Where the reset is
not allowed, ``ru_maxrss`` of ``resource.getrusage`` is used (the peak since the process
started). The ``total`` row holds the sum of the stage times and the largest stage peak.
Imports are not timed.

``cpu_seconds`` of a stage is ``time.process_time()`` over the stage: user + system CPU of
every thread of the worker process (VADER and the dictionaries run in two threads, k-means
in OpenMP threads, so it can exceed wall time). It is not a load-independent measure of
work: on a shared machine, contention for caches, memory bandwidth and the second hardware
thread of a core, and OpenMP threads spinning while they wait for a descheduled peer, change
it by tens of percent between runs, in either direction. Read it beside ``load_avg`` (the
machine's 1-minute load average when the stage ended; the benchmark itself counts for about
1). It does not include child processes, which is why the user's path reports the CPU of
its whole process tree instead.

Writes ``benchmarks/results.csv`` (``size, stage, impl, seconds, peak_mb, articles_per_s,
extrapolated, cpu_seconds, load_avg``), ``user_path.csv`` (``size, notebook, status, seconds,
cpu_seconds, peak_mb, notebook_mb, baseline_seconds, load_avg``; one row per notebook and a
``total``), ``corpora.csv``, ``benchmarks/scaling.png`` and the results sections of
``benchmarks/README.md`` and of the project README's Scale section (between their markers),
and prints the figures against the budgets (stages at 100k: <= 180 s, <= 6 GiB, >= 10x the
baseline; user's path: :data:`USER_BUDGETS`). Every table is written again after each size,
so a long run leaves what it measured. ``--replot`` redoes the figure and the README
sections from the CSV files.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

DEFAULT_SIZES = (1000, 10000, 100000)
SUITE_STAGES = (
    "load", "clean", "segment", "quotes", "duplicates", "features", "clustering", "tone",
)
#: Paragraphs per chunk fed to the minibatch clustering.
CLUSTER_CHUNK = 50_000
BASELINE_STAGES = ("load", "segment", "tone", "clustering")
BUDGET_SIZE = 100_000
BUDGET_SECONDS = 180.0
BUDGET_PEAK_MB = 6 * 1024.0
BUDGET_SPEEDUP = 10.0
COLUMNS = ["size", "stage", "impl", "seconds", "peak_mb", "articles_per_s", "extrapolated",
           "cpu_seconds", "load_avg"]
#: The user's path (issue #18): ``make run CORPUS=F OUT=D`` at these sizes by default.
DEFAULT_USER_SIZES = (10000, 100000)
#: Budgets of the user's path, per size: wall seconds end to end, speed-up over the obvious
#: stack (baseline total measured on the same file in the same run), peak MiB of the whole
#: process tree, largest executed notebook in MB (10**6 bytes).
USER_BUDGETS = {
    10000: {"seconds": 50.0, "speedup": 3.0},
    100000: {"seconds": 360.0, "peak_mb": 8 * 1024.0, "notebook_mb": 2.0},
}
USER_COLUMNS = ["size", "notebook", "status", "seconds", "cpu_seconds", "peak_mb", "notebook_mb",
                "baseline_seconds", "load_avg"]
CORPUS_COLUMNS = ["size", "vocabulary", "articles", "paragraphs", "sentences", "word_types",
                  "dfm_columns", "seconds_to_generate"]


# ---------------------------------------------------------------------------------------
# Measuring one process
# ---------------------------------------------------------------------------------------
def reset_peak() -> bool:
    """Reset this process's resident-set high-water mark (Linux); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_mb() -> float:
    """Peak resident set of this process in MiB since start or the last :func:`reset_peak`."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    # ru_maxrss is in KiB on Linux, in bytes on macOS
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


class Meter:
    """Wall time, CPU time and peak memory per stage, for nested and repeated stages.

    A stage entered inside another one pauses the outer stage: each second and each
    resident-set peak is attributed to exactly one stage (the innermost one running).
    """

    def __init__(self) -> None:
        self.stats: dict[str, dict[str, float]] = {}
        self.info: dict[str, int] = {}
        self._stack: list[list] = []
        self.resettable = reset_peak()

    def _account(self, entry: list) -> None:
        name, wall, cpu = entry
        stat = self.stats.setdefault(
            name, {"seconds": 0.0, "cpu_seconds": 0.0, "peak_mb": 0.0, "load_avg": 0.0}
        )
        stat["seconds"] += time.perf_counter() - wall
        stat["cpu_seconds"] += time.process_time() - cpu
        stat["peak_mb"] = max(stat["peak_mb"], peak_mb())
        stat["load_avg"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    @contextmanager
    def stage(self, name: str):
        if self._stack:
            self._account(self._stack[-1])
        else:
            gc.collect()
        reset_peak()
        self._stack.append([name, time.perf_counter(), time.process_time()])
        try:
            yield
        finally:
            self._account(self._stack.pop())
            reset_peak()
            if self._stack:
                self._stack[-1][1:] = [time.perf_counter(), time.process_time()]

    def instrument(self, module, attribute: str, stage: str) -> None:
        """Replace ``module.attribute`` by a wrapper that runs it as ``stage``."""
        original = getattr(module, attribute)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            with self.stage(stage):
                return original(*args, **kwargs)

        setattr(module, attribute, timed)

    @property
    def rows(self) -> list[dict]:
        return [{"stage": name, **stat} for name, stat in self.stats.items()]


# ---------------------------------------------------------------------------------------
# The two stage chains (run in a worker process)
# ---------------------------------------------------------------------------------------
#: Stage functions that ``load_corpus`` calls, and the stage each one is timed as.
LOADER_STAGES = (
    ("corpus", "read_table", "load"),
    ("corpus", "read_folder", "load"),
    ("clean", "clean_texts", "clean"),
    ("clean", "extract_metadata", "clean"),
    ("segment", "paragraphs", "segment"),
    ("segment", "sentences", "segment"),
    ("quotes", "find_quotes", "quotes"),
    ("quotes", "quote_share", "quotes"),
    ("quotes", "article_char_share", "quotes"),
    ("voice", "sentence_voice", "quotes"),
    ("corpus", "flag_duplicates", "duplicates"),
)


def run_suite(source: Path, meter: Meter, n_clusters: int, random_state: int) -> None:
    """The suite as a user runs it: ``load_corpus``, then features, clustering and tone.

    ``load_corpus`` runs unchanged; its stage functions are wrapped (:data:`LOADER_STAGES`)
    so that their time is attributed to clean, segment, quotes and duplicates, and the rest
    of ``load_corpus`` (reading, metadata, assembling the articles table) to load.
    """
    import analysis
    from analysis import corpus, tokens, tone, topics

    for module, attribute, stage in LOADER_STAGES:
        meter.instrument(getattr(analysis, module), attribute, stage)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", corpus.CorpusWarning)
        with meter.stage("load"):
            corp = corpus.load_corpus(source)
    with meter.stage("features"):
        toks = tokens.Tokens.from_corpus(corp, level="sentence")
        features = tokens.dfm(toks)
    with meter.stage("clustering"):
        # Reuse the tokens made once: paragraph counts from the same sentence matrix.
        paragraph_counts = tokens.dfm(toks, level="paragraph")
        chunks = topics.matrix_chunks(paragraph_counts, size=CLUSTER_CHUNK)
        model = topics.fit_minibatch(chunks, n_clusters=n_clusters, random_state=random_state)
        labels = np.concatenate([np.empty(0, dtype=int), *model.predict(chunks)])
        del paragraph_counts, chunks
    with meter.stage("tone"):
        texts = corp.sentences.sort_values(["article_id", "paragraph", "sentence"])["text"]
        scored = tone.score_sentences(toks, measures=tone.MEASURES, texts=texts.reset_index(drop=True))
    meter.info.update(
        articles=len(corp.articles), paragraphs=len(corp.paragraphs),
        sentences=len(corp.sentences), quotes=len(corp.quotes),
        duplicates=int(corp.articles["duplicate_of"].notna().sum()),
        loader_warnings=len(caught), word_types=len(toks.vocabulary),
        features=int(features.shape[1]),
        clustered=int((labels >= 0).sum()), scored=len(scored),
    )


def run_baseline(source: Path, meter: Meter, n_clusters: int, random_state: int) -> None:
    """The obvious stack: pysbd, VADER per sentence, TfidfVectorizer + KMeans."""
    import baseline

    with meter.stage("load"):
        articles = baseline.load(source)
    with meter.stage("segment"):
        sentences = baseline.segment(articles)
    with meter.stage("tone"):
        scored = baseline.tone(sentences)
    with meter.stage("clustering"):
        topics = baseline.clustering(articles, n_clusters=n_clusters, random_state=random_state)
    meter.info.update(
        articles=len(articles), sentences=len(sentences), paragraphs=len(topics),
        scored=len(scored),
    )


CHAINS: dict[str, Callable] = {"suite": run_suite, "baseline": run_baseline}


def worker(args: argparse.Namespace) -> None:
    """Run one chain on one corpus and write its measurements as JSON."""
    meter = Meter()
    CHAINS[args.worker](Path(args.source), meter, args.clusters, args.seed)
    Path(args.result).write_text(
        json.dumps({"rows": meter.rows, "info": meter.info, "resettable": meter.resettable})
    )


# ---------------------------------------------------------------------------------------
# Progress
# ---------------------------------------------------------------------------------------
def _progress(total: int):
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not sys.stderr.isatty(), unit="run", leave=False)


# ---------------------------------------------------------------------------------------
# The user's path: the notebook runner end to end, as `make run CORPUS=F OUT=D` runs it
# ---------------------------------------------------------------------------------------
def tree_rss_mb(proc) -> float:
    """Resident set of ``proc`` and all its descendants (psutil.Process), summed, in MiB."""
    import psutil

    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total / 2**20


def run_user_path(source: Path, out: Path, *, timeout: float, interval: float = 0.25,
                  command: list[str] | None = None) -> dict:
    """Run the notebook runner on ``source`` into ``out`` and measure it from outside.

    Returns a dict with ``status`` ("ok", "failed" or "timeout"), ``seconds`` (wall clock
    from start to exit), ``cpu_seconds`` (user + system CPU of the runner and every process
    it started and reaped, the kernels included: ``RUSAGE_CHILDREN`` before and after),
    ``peak_mb`` (largest sum of the resident sets of the runner and its descendants, sampled
    every ``interval`` s; shared pages count once per process, so it is an upper bound; for a
    stopped run, ``cpu_seconds`` is the sum of the last sampled CPU times of the tree's
    processes, since killed kernels are never reaped by the runner),
    ``load_avg`` (largest 1-minute load average seen), and ``notebooks``: one dict per
    notebook the runner started (``seconds`` from ``OUT/run.json``, or from the runner's
    ``executing`` lines when it was stopped; ``peak_mb`` while it was the notebook started
    last, which beside another notebook includes that one's memory; ``notebook_mb``, the size
    of the executed notebook).
    """
    import threading

    import psutil

    command = command or [sys.executable, "-m", "analysis.runner", "--corpus", str(source),
                          "--out", str(out)]
    lines: list[tuple[float, str]] = []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = psutil.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        text=True)

    def read() -> None:
        for line in proc.stdout:
            lines.append((time.perf_counter() - started, line.rstrip("\n")))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    peaks: dict[str, float] = {}
    cpu_seen: dict[int, float] = {}  # CPU seconds of every process of the tree, last sample
    peak, load, status = 0.0, 0.0, None
    while proc.poll() is None:
        current = next((line.split()[1] for _, line in reversed(lines)
                        if line.startswith("executing ")), "")
        for p in [proc, *proc.children(recursive=True)]:
            try:
                times = p.cpu_times()
                cpu_seen[p.pid] = times.user + times.system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        rss = tree_rss_mb(proc)
        peak = max(peak, rss)
        peaks[current] = max(peaks.get(current, 0.0), rss)
        load = max(load, os.getloadavg()[0])
        if time.perf_counter() - started > timeout:
            for child in [*proc.children(recursive=True), proc]:
                try:
                    child.kill()
                except psutil.NoSuchProcess:
                    pass
            proc.wait()
            status = "timeout"
            break
        time.sleep(interval)
    seconds = time.perf_counter() - started
    reader.join(timeout=5)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if status == "timeout":
        # Killed kernels are not reaped by the runner, so RUSAGE_CHILDREN misses them: the
        # last samples of the tree instead (up to one interval short per process).
        cpu = max(cpu, sum(cpu_seen.values()))
    status = status or ("ok" if proc.returncode == 0 else "failed")
    try:
        recorded = json.loads((out / "run.json").read_text()).get("seconds", {})
    except (OSError, ValueError):
        recorded = {}
    # "executing NAME" or "executing NAME (beside OTHER, ...)" when notebooks run side by side
    marks = [(at, line.split()[1]) for at, line in lines if line.startswith("executing ")]
    failed = {line.split()[1].rstrip(":") for _, line in lines if line.lstrip().startswith("FAILED ")}
    notebooks = []
    for i, (at, name) in enumerate(marks):
        until = marks[i + 1][0] if i + 1 < len(marks) else seconds
        path = out / "notebooks" / name
        done = status != "timeout" or i + 1 < len(marks)
        notebooks.append({
            "notebook": name, "seconds": float(recorded.get(name, until - at)),
            "peak_mb": peaks.get(name, np.nan),
            "notebook_mb": path.stat().st_size / 1e6 if path.exists() and done else np.nan,
            "status": "failed" if name in failed else "ok" if done else "timeout",
        })
    if status == "failed":
        tail = "\n".join(line for _, line in lines[-20:])
        print(f"user path on {source}: the runner failed:\n{tail}", file=sys.stderr)
    return {"status": status, "seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak,
            "load_avg": load, "notebooks": notebooks}


def user_rows(size: int, result: dict, baseline_seconds: float) -> list[dict]:
    """Rows of ``user_path.csv`` for one run: one per notebook, then the ``total``."""
    rows = [{"size": size, **nb, "cpu_seconds": np.nan, "baseline_seconds": np.nan,
             "load_avg": np.nan} for nb in result["notebooks"]]
    sizes = [nb["notebook_mb"] for nb in result["notebooks"]]
    rows.append({
        "size": size, "notebook": "total", "status": result["status"],
        "seconds": result["seconds"], "cpu_seconds": result["cpu_seconds"],
        "peak_mb": result["peak_mb"],
        "notebook_mb": max(sizes) if sizes and not np.isnan(sizes).all() else np.nan,
        "baseline_seconds": baseline_seconds, "load_avg": result["load_avg"],
    })
    return rows


def user_verdicts(user: pd.DataFrame, budgets: dict | None = None) -> list[str]:
    """The user's path against its budgets (:data:`USER_BUDGETS`), one line per budget.

    Examples
    --------
    >>> rows = pd.DataFrame({"size": [10000, 10000], "notebook": ["01_a.ipynb", "total"],
    ...                      "status": ["ok", "ok"], "seconds": [40.0, 40.0],
    ...                      "peak_mb": [900.0, 900.0], "notebook_mb": [0.5, 0.5],
    ...                      "baseline_seconds": [float("nan"), 200.0]})
    >>> for line in user_verdicts(rows):
    ...     print(line)
    User's path (make run CORPUS=... OUT=...) at 10,000 articles: 40.0 s end to end, peak 900 MiB (whole process tree), largest notebook 0.50 MB; slowest notebook 01_a.ipynb (40.0 s)
    - end to end: 40.0 s (budget 50 s): OK
    - speed-up over the obvious stack on the same file: 5.0x (200.0 s; budget >= 3x): OK
    """
    budgets = USER_BUDGETS if budgets is None else budgets
    lines = []
    for size, rows in user.groupby("size", sort=True):
        total = rows[rows["notebook"] == "total"]
        if total.empty:
            continue
        total = total.iloc[0]
        books = rows[rows["notebook"] != "total"]
        seconds, status = float(total["seconds"]), str(total["status"])
        head = (f"User's path (make run CORPUS=... OUT=...) at {int(size):,} articles: "
                f"{seconds:,.1f} s end to end" + ("" if status == "ok" else f" ({status.upper()})")
                + f", peak {float(total['peak_mb']):,.0f} MiB (whole process tree)")
        if not pd.isna(total["notebook_mb"]):
            head += f", largest notebook {float(total['notebook_mb']):.2f} MB"
        if len(books):
            slow = books.loc[books["seconds"].idxmax()]
            head += f"; slowest notebook {slow['notebook']} ({float(slow['seconds']):,.1f} s)"
        lines.append(head)
        budget = budgets.get(int(size), {})
        if "seconds" in budget:
            limit = budget["seconds"]
            verdict = "OK" if status == "ok" and seconds <= limit else (
                f"OVER by {seconds - limit:,.1f} s ({seconds / limit:.1f}x the budget)"
                if status == "ok" else f"NOT MET: the run {'was stopped' if status == 'timeout' else 'failed'} "
                f"after {seconds:,.0f} s")
            lines.append(f"- end to end: {seconds:,.1f} s (budget {limit:,.0f} s): {verdict}")
        if "speedup" in budget:
            base = float(total["baseline_seconds"])
            if np.isnan(base):
                lines.append(f"- speed-up over the obvious stack: not measured in this run "
                             f"(budget >= {budget['speedup']:.0f}x)")
            else:
                ratio = base / seconds
                verdict = "OK" if status == "ok" and ratio >= budget["speedup"] else (
                    f"UNDER by {budget['speedup'] / ratio:.1f}x" if status == "ok" else "NOT MET")
                lines.append(f"- speed-up over the obvious stack on the same file: {ratio:.1f}x "
                             f"({base:,.1f} s; budget >= {budget['speedup']:.0f}x): {verdict}")
        if "peak_mb" in budget:
            peak, limit = float(total["peak_mb"]), budget["peak_mb"]
            verdict = "OK" if peak <= limit else f"OVER by {peak - limit:,.0f} MiB"
            if status != "ok" and peak <= limit:
                verdict = "OK so far (the run did not finish)"
            lines.append(f"- peak memory: {peak:,.0f} MiB (budget {limit:,.0f} MiB): {verdict}")
        if "notebook_mb" in budget:
            limit = budget["notebook_mb"]
            over = books[books["notebook_mb"] > limit]
            missing = books["notebook_mb"].isna().sum() + (status != "ok")
            verdict = ("OK" if over.empty and not missing else
                       "OVER: " + ", ".join(f"{r.notebook} {r.notebook_mb:.1f} MB"
                                            for r in over.itertuples()) if len(over) else
                       "NOT MET: not every notebook completed")
            lines.append(f"- every executed notebook <= {limit:g} MB: {verdict}")
    return lines


# ---------------------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------------------
def measure(args: argparse.Namespace, save: Callable | None = None
            ) -> tuple[pd.DataFrame, dict, pd.DataFrame, pd.DataFrame]:
    """Generate, write and benchmark every size.

    Returns the measured stage rows, the workers' corpus info, the user-path rows and the
    corpus rows; ``save(stage_rows, info, user_rows, corpus_rows)`` is called after each
    size, so a long run leaves its results so far.
    """
    from analysis.synthetic import make_synthetic_corpus, write_corpus

    stages = "stages" in args.parts
    user_sizes = set(args.user_sizes) if "user" in args.parts else set()
    sizes = sorted((set(args.sizes) if stages else set()) | user_sizes)
    tasks = [(s, impl) for s in sizes for impl in ("suite", "baseline")
             if (impl == "suite" and stages)
             or (impl == "baseline" and s <= args.baseline_max and (stages or s in user_sizes))]
    tasks += [(s, "user") for s in sorted(user_sizes)]
    rows, info, users, corpora = [], {}, [], []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, _progress(len(tasks)) as bar:
        for size in sizes:
            bar.set_description(f"corpus {size:,}")
            began = time.perf_counter()
            frame = make_synthetic_corpus(
                size, words_per_article=args.words, n_outlets=args.outlets,
                random_state=args.seed, vocabulary=args.vocabulary,
            )
            generated = time.perf_counter() - began
            (source, *_) = write_corpus(frame, Path(tmp) / str(size), format=args.format)
            del frame
            gc.collect()
            for task_size, impl in tasks:
                if task_size != size:
                    continue
                bar.set_description(f"{impl} {size:,}")
                if impl == "user":
                    base = info.get(("baseline", size))
                    base_seconds = (sum(r["seconds"] for r in base["rows"]) if base else np.nan)
                    result = run_user_path(source, Path(tmp) / f"user-{size}",
                                           timeout=args.user_timeout)
                    users.extend(user_rows(size, result, base_seconds))
                    shutil.rmtree(Path(tmp) / f"user-{size}", ignore_errors=True)
                    bar.update()
                    continue
                result = Path(tmp) / f"{impl}-{size}.json"
                command = [sys.executable, str(Path(__file__).resolve()), "--worker", impl,
                           "--source", str(source), "--result", str(result),
                           "--clusters", str(args.clusters), "--seed", str(args.seed)]
                subprocess.run(command, check=True, cwd=ROOT)
                out = json.loads(result.read_text())
                info[(impl, size)] = out
                for row in out["rows"]:
                    rows.append({"size": size, "impl": impl, **row})
                if impl == "suite":
                    got = out["info"]
                    corpora.append({
                        "size": size, "vocabulary": args.vocabulary, "articles": got["articles"],
                        "paragraphs": got["paragraphs"], "sentences": got["sentences"],
                        "word_types": got["word_types"], "dfm_columns": got["features"],
                        "seconds_to_generate": round(generated, 2),
                    })
                bar.update()
            if save is not None:
                save(pd.DataFrame(rows), info, pd.DataFrame(users, columns=USER_COLUMNS),
                     pd.DataFrame(corpora, columns=CORPUS_COLUMNS))
    return (pd.DataFrame(rows), info, pd.DataFrame(users, columns=USER_COLUMNS),
            pd.DataFrame(corpora, columns=CORPUS_COLUMNS))


def tabulate(measured: pd.DataFrame, sizes: list[int]) -> pd.DataFrame:
    """Add extrapolated baseline rows, the ``total`` rows and articles per second."""
    measured = measured.assign(extrapolated=False)
    parts = [measured]
    base = measured[measured["impl"] == "baseline"]
    if len(base):
        largest = int(base["size"].max())
        ref = base[base["size"] == largest]
        for size in sorted(set(sizes)):
            if size > largest:
                scale = size / largest
                parts.append(ref.assign(size=size, seconds=ref["seconds"] * scale,
                                        cpu_seconds=ref["cpu_seconds"] * scale,
                                        peak_mb=np.nan, load_avg=np.nan, extrapolated=True))
    table = pd.concat(parts, ignore_index=True)
    totals = (
        table.groupby(["size", "impl"], as_index=False)
        .agg(seconds=("seconds", "sum"), peak_mb=("peak_mb", "max"),
             extrapolated=("extrapolated", "any"), cpu_seconds=("cpu_seconds", "sum"),
             load_avg=("load_avg", "max"))
        .assign(stage="total")
    )
    table = pd.concat([table, totals], ignore_index=True)
    table["articles_per_s"] = table["size"] / table["seconds"]
    order = {s: i for i, s in enumerate((*SUITE_STAGES, "total"))}
    table = table.assign(_impl=table["impl"].map({"suite": 0, "baseline": 1}),
                         _stage=table["stage"].map(order))
    table = table.sort_values(["size", "_impl", "_stage"]).drop(columns=["_impl", "_stage"])
    table["seconds"] = table["seconds"].round(3)
    table["cpu_seconds"] = table["cpu_seconds"].round(3)
    table["load_avg"] = table["load_avg"].round(2)
    table["peak_mb"] = table["peak_mb"].round(1)
    table["articles_per_s"] = table["articles_per_s"].round(1)
    return table[COLUMNS].reset_index(drop=True)


def plot(table: pd.DataFrame, path: Path, *, user: pd.DataFrame | None = None) -> Path:
    """Log-log seconds (per stage) and peak memory against corpus size; with ``user``, a
    third panel: the user's path, seconds per notebook at each size against its budget."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, NullFormatter

    from analysis.plots import save_figure, use_style

    use_style()
    with_user = user is not None and len(user) > 0
    if table.empty:  # a user-path-only run with no stage timings yet: the user panel alone
        fig, ax = plt.subplots(figsize=(6, 4.8), layout="constrained")
        if with_user:
            plot_user(ax, user)
        out = save_figure(fig, path.stem, path.parent)
        plt.close(fig)
        return out
    fig, axes = plt.subplots(1, 3 if with_user else 2, figsize=(17 if with_user else 12, 4.8),
                             layout="constrained",
                             gridspec_kw={"width_ratios": [3, 2, 2] if with_user else [3, 2]})
    ax, mem = axes[0], axes[1]
    if with_user:
        plot_user(axes[2], user)
    sizes = sorted(table["size"].unique())
    suite = table[table["impl"] == "suite"]
    colours = plt.get_cmap("tab10")
    for i, stage in enumerate(SUITE_STAGES):
        rows = suite[suite["stage"] == stage]
        if rows.empty:
            continue
        ax.plot(rows["size"], rows["seconds"], marker="o", ms=4, lw=1.2, color=colours(i),
                label=stage)
    total = suite[suite["stage"] == "total"]
    ax.plot(total["size"], total["seconds"], marker="o", lw=2.5, color="black", label="suite total")
    base = table[(table["impl"] == "baseline") & (table["stage"] == "total")]
    if len(base):
        ax.plot(base["size"], base["seconds"], ls="--", lw=1.5, color="grey")
        real, extra = base[~base["extrapolated"]], base[base["extrapolated"]]
        ax.plot(real["size"], real["seconds"], "s", color="grey", label="baseline total")
        if len(extra):
            ax.plot(extra["size"], extra["seconds"], "s", mfc="white", color="grey",
                    label="baseline total\n(extrapolated)")
    if len(total):
        s0, t0 = float(total["size"].iloc[0]), float(total["seconds"].iloc[0])
        xs = np.array([sizes[0], sizes[-1]], dtype=float)
        ax.plot(xs, t0 * xs / s0, ls=":", color="black", lw=1, label="linear from\nsmallest size")
    ax.axhline(BUDGET_SECONDS, color="#d62728", lw=0.8, ls="-.")
    ax.annotate(f"budget: {BUDGET_SECONDS:.0f} s at {BUDGET_SIZE:,} articles",
                (1, BUDGET_SECONDS), xycoords=("axes fraction", "data"), xytext=(-4, 3),
                textcoords="offset points", ha="right", fontsize=8, color="#d62728")
    ax.set(xscale="log", yscale="log", xlabel="articles (~600 words each)",
           ylabel="seconds (wall clock)", title="Time per stage")
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)

    for impl, style in (("suite", "-o"), ("baseline", "--s")):
        rows = table[(table["impl"] == impl) & (table["stage"] == "total")
                     & table["peak_mb"].notna()]
        if len(rows):
            mem.plot(rows["size"], rows["peak_mb"], style,
                     color="black" if impl == "suite" else "grey", label=f"{impl} (measured)")
    mem.axhline(BUDGET_PEAK_MB, color="#d62728", lw=0.8, ls="-.")
    mem.annotate(f"budget: 6 GiB at {BUDGET_SIZE:,} articles", (1, BUDGET_PEAK_MB),
                 xycoords=("axes fraction", "data"), xytext=(-4, -10), textcoords="offset points",
                 ha="right", fontsize=8, color="#d62728")
    mem.set(xscale="log", yscale="log", xlabel="articles (~600 words each)",
            ylabel="peak resident set (MiB)", title="Peak memory of the largest stage")
    mem.legend(fontsize=8, loc="lower right")
    for axis in (ax, mem):
        axis.set_xticks(sizes)
        axis.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))
        axis.xaxis.set_minor_formatter(NullFormatter())
    low, high = mem.get_ylim()
    mem.set_yticks([t for t in (128, 256, 512, 1024, 2048, 4096, 6144, 8192, 16384, 32768)
                    if low <= t <= high])
    mem.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.0f}"))
    # plain numbers on the log axis (the style's math text would print "$\\mathdefault{...}$")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: f"{y:,.0f}" if y >= 1 else f"{y:g}"))
    mem.yaxis.set_minor_formatter(NullFormatter())
    out = save_figure(fig, path.stem, path.parent)
    plt.close(fig)
    return out


def plot_user(ax, user: pd.DataFrame) -> None:
    """Stacked seconds per notebook for each size, the budget, and the obvious stack."""
    import matplotlib.pyplot as plt

    sizes = sorted(user["size"].unique())
    names = [n for n in user["notebook"].drop_duplicates() if n != "total"]
    colours = plt.get_cmap("tab10")
    for x, size in enumerate(sizes):
        rows = user[user["size"] == size].set_index("notebook")
        bottom = 0.0
        for i, name in enumerate(names):
            if name in rows.index:
                value = float(rows.loc[name, "seconds"])
                ax.bar(x, value, bottom=bottom, color=colours(i), width=0.6,
                       label=name if x == 0 else None)
                bottom += value
        total = rows.loc["total"] if "total" in rows.index else None
        if total is not None:
            note = "" if total["status"] == "ok" else f"\n({total['status']})"
            ax.annotate(f"{float(total['seconds']):,.0f} s{note}", (x, bottom), ha="center",
                        va="bottom", fontsize=8, xytext=(0, 2), textcoords="offset points")
            if not pd.isna(total["baseline_seconds"]):
                ax.plot([x + 0.35], [float(total["baseline_seconds"])], "s", color="grey",
                        label="obvious stack\n(same file)")
        budget = USER_BUDGETS.get(int(size), {}).get("seconds")
        if budget:
            ax.plot([x - 0.4, x + 0.4], [budget, budget], color="#d62728", lw=1.2, ls="-.",
                    label="budget" if x == 0 else None)
    ax.set_xticks(range(len(sizes)), [f"{int(s):,}" for s in sizes])
    ax.set_ylim(0, ax.get_ylim()[1] * 1.12)  # room for the totals' labels
    ax.set(xlabel="articles", ylabel="seconds (wall clock)",
           title="The user's path: make run, per notebook")
    ax.legend(fontsize=7, loc="upper left", frameon=False)


def verdicts(table: pd.DataFrame) -> list[str]:
    """The figures of the largest size the suite was timed at against the budgets, one line each."""
    if not (table["impl"] == "suite").any():
        return []
    size = int(table.loc[table["impl"] == "suite", "size"].max())
    at = table[(table["size"] == size) & (table["stage"] == "total")]
    suite, base = at[at["impl"] == "suite"], at[at["impl"] == "baseline"]
    if suite.empty:
        return []
    seconds, cpu = float(suite["seconds"].iloc[0]), float(suite["cpu_seconds"].iloc[0])
    peak, load = float(suite["peak_mb"].iloc[0]), float(suite["load_avg"].iloc[0])
    note = "" if size == BUDGET_SIZE else f" (the budgets are for {BUDGET_SIZE:,})"
    lines = [
        f"Budgets at {size:,} articles{note}, on {os.cpu_count()} cores:",
        f"- whole pipeline: {seconds:,.1f} s wall clock, {cpu:,.1f} s CPU "
        f"(budget {BUDGET_SECONDS:.0f} s): {'OK' if seconds <= BUDGET_SECONDS else 'OVER'}"
        + ("" if np.isnan(load) else f"; 1-minute load average up to {load:.1f} during the run"),
        f"- peak memory: {peak:,.0f} MiB (budget {BUDGET_PEAK_MB:,.0f} MiB): "
        f"{'OK' if peak <= BUDGET_PEAK_MB else 'OVER'}",
    ]
    if len(base):
        ratio = float(base["seconds"].iloc[0]) / seconds
        ratio_cpu = float(base["cpu_seconds"].iloc[0]) / cpu
        how = "extrapolated linearly" if bool(base["extrapolated"].iloc[0]) else "measured"
        lines.append(
            f"- speed-up over the obvious stack: {ratio:.1f}x wall clock, {ratio_cpu:.1f}x CPU "
            f"(baseline {how}; budget >= {BUDGET_SPEEDUP:.0f}x): "
            f"{'OK' if ratio >= BUDGET_SPEEDUP else 'UNDER'}"
        )
    stages = table[(table["impl"] == "suite") & (table["size"] == size)
                   & (table["stage"] != "total")]
    slowest = stages.nlargest(1, "seconds").iloc[0]
    lines.append(f"- slowest suite stage: {slowest['stage']} ({slowest['seconds']:,.1f} s wall, "
                 f"{slowest['cpu_seconds']:,.1f} s CPU)")
    return lines


def summary(table: pd.DataFrame, info: dict) -> str:
    """Human-readable table and budget verdicts for the largest size."""
    lines = []
    cells = table.assign(
        cell=[f"{sec:,.2f}{' (extrapolated)' if ext else ''}"
              for sec, ext in zip(table["seconds"], table["extrapolated"], strict=True)]
    )
    wide = cells.pivot(index=["impl", "stage"], columns="size", values="cell").fillna("")
    wide = wide.reindex(cells[["impl", "stage"]].drop_duplicates().itertuples(index=False))
    lines.append("Seconds per stage (wall clock):")
    lines.append(wide.to_string())
    for (impl, size), out in sorted(info.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        lines.append(f"{impl} {size:,}: " + ", ".join(f"{k}={v:,}" for k, v in out["info"].items()))
    lines.append("")
    lines.extend(verdicts(table))
    return "\n".join(lines)


README_START = "<!-- results:start (written by benchmarks/run.py) -->"
README_END = "<!-- results:end -->"


def markdown(table: pd.DataFrame) -> str:
    """The results section of benchmarks/README.md: verdicts and one table per implementation."""
    parts = ["\n".join(verdicts(table)), ""]
    for impl in ("suite", "baseline"):
        rows = table[table["impl"] == impl]
        if rows.empty:
            continue
        header = ["stage"]
        sizes = sorted(rows["size"].unique())
        for size in sizes:
            header += [f"{size:,}: s", "CPU s", "MiB"]
        body = []
        for stage in rows["stage"].drop_duplicates():
            cells = [f"**{stage}**" if stage == "total" else stage]
            for size in sizes:
                row = rows[(rows["stage"] == stage) & (rows["size"] == size)]
                if row.empty:
                    cells += ["", "", ""]
                    continue
                r = row.iloc[0]
                mark = "*" if r["extrapolated"] else ""
                peak = "" if pd.isna(r["peak_mb"]) else f"{r['peak_mb']:,.0f}"
                cells += [f"{r['seconds']:,.1f}{mark}", f"{r['cpu_seconds']:,.1f}{mark}", peak]
            body.append(cells)
        title = {"suite": "The suite", "baseline": "The obvious stack (baseline)"}[impl]
        parts.append(f"{title}, seconds (wall clock), CPU seconds and peak MiB per stage:")
        parts.append("")
        parts.append("| " + " | ".join(header) + " |")
        parts.append("|" + "---|" * len(header))
        parts.extend("| " + " | ".join(c) + " |" for c in body)
        parts.append("")
    if table["extrapolated"].any():
        parts.append("\\* extrapolated linearly from the largest measured size, not measured.")
    return "\n".join(parts).rstrip() + "\n"


SCALE_START = "<!-- bench:start (written by benchmarks/run.py) -->"
SCALE_END = "<!-- bench:end -->"


def corpora_markdown(corpora: pd.DataFrame) -> str:
    """The corpora table: word types and document-feature matrix columns per size."""
    if corpora is None or corpora.empty:
        return ""
    lines = ["| articles | sentences | word types | DFM columns | vocabulary |", "|---|---|---|---|---|"]
    for r in corpora.sort_values("size").itertuples():
        lines.append(f"| {r.articles:,} | {r.sentences:,} | {r.word_types:,} | "
                     f"{r.dfm_columns:,} | {r.vocabulary} |")
    return "\n".join(lines) + "\n"


def user_markdown(user: pd.DataFrame) -> str:
    """The user's path: seconds, peak MiB and executed size per notebook, per size."""
    if user is None or user.empty:
        return ""
    sizes = sorted(user["size"].unique())
    header = ["notebook"] + [h for s in sizes for h in (f"{int(s):,}: s", "peak MiB", "MB")]
    names = [n for n in user["notebook"].drop_duplicates() if n != "total"] + ["total"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name in names:
        cells = [f"**{name}**" if name == "total" else name]
        for s in sizes:
            row = user[(user["size"] == s) & (user["notebook"] == name)]
            if row.empty:
                cells += ["", "", ""]
                continue
            r = row.iloc[0]
            mark = "" if r["status"] == "ok" else f" ({r['status']})"
            cells += [f"{r['seconds']:,.1f}{mark}",
                      "" if pd.isna(r["peak_mb"]) else f"{r['peak_mb']:,.0f}",
                      "" if pd.isna(r["notebook_mb"]) else f"{r['notebook_mb']:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def results_markdown(table: pd.DataFrame, user: pd.DataFrame | None = None,
                     corpora: pd.DataFrame | None = None) -> str:
    """benchmarks/README.md's results section: the user's path, the corpora, the stages."""
    parts = []
    if user is not None and len(user):
        parts += ["\n".join(user_verdicts(user)), "",
                  "The user's path (`python -m analysis.runner --corpus F --out D`), wall seconds, "
                  "peak MiB of the whole process tree and executed notebook size (MB) per "
                  "notebook:", "", user_markdown(user)]
    if corpora is not None and len(corpora):
        parts += ["The benchmark corpora (word types: distinct normalised tokens; DFM columns: "
                  "`tokens.dfm` features, stopwords removed):", "", corpora_markdown(corpora)]
    parts.append(markdown(table))
    return "\n".join(parts)


def scale_summary(table: pd.DataFrame, user: pd.DataFrame | None = None,
                  corpora: pd.DataFrame | None = None) -> str:
    """The project README's Scale summary: the user's path verdicts and the corpora."""
    parts = []
    if user is not None and len(user):
        parts += ["\n".join(user_verdicts(user)), ""]
    if corpora is not None and len(corpora):
        parts += [corpora_markdown(corpora)]
    parts.append("\n".join(verdicts(table)))
    return "\n".join(parts).rstrip() + "\n"


def update_readme(table: pd.DataFrame, readme: Path, *, user: pd.DataFrame | None = None,
                  corpora: pd.DataFrame | None = None,
                  markers: tuple[str, str] = (README_START, README_END),
                  render: Callable = results_markdown) -> bool:
    """Replace the section of ``readme`` between ``markers`` by ``render(table, user, corpora)``;
    False if the file or the markers are absent."""
    start, end = markers
    if not readme.exists():
        return False
    text = readme.read_text(encoding="utf-8")
    if start not in text or end not in text:
        return False
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{render(table, user, corpora)}{end}{tail}",
                      encoding="utf-8")
    return True


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES),
                        help="corpus sizes of the stage timings (default: 1000 10000 100000)")
    parser.add_argument("--user-sizes", type=int, nargs="*", default=list(DEFAULT_USER_SIZES),
                        help="corpus sizes of the user's path, the notebook runner end to end "
                             "(default: 10000 100000)")
    parser.add_argument("--parts", nargs="+", choices=["stages", "user"],
                        default=["stages", "user"],
                        help="what to run: the stage timings, the user's path, or both "
                             "(default); the baseline runs beside either, up to --baseline-max")
    parser.add_argument("--user-timeout", type=float, default=1800.0,
                        help="stop a user-path run after this many seconds (default 1800)")
    parser.add_argument("--vocabulary", default="heaps", choices=["heaps", "bundled"],
                        help="replacement words of the synthetic corpora (default heaps: the "
                             "vocabulary grows as in real text; bundled: the old corpora)")
    parser.add_argument("--baseline-max", type=int, default=10_000,
                        help="largest size at which the baseline is measured (default 10000); "
                             "larger sizes are extrapolated linearly")
    parser.add_argument("--format", default="parquet", choices=["parquet", "txt", "csv", "jsonl"],
                        help="on-disk form of the synthetic corpus that the load stage reads")
    parser.add_argument("--words", type=int, default=600, help="words per article (default 600)")
    parser.add_argument("--outlets", type=int, default=12, help="outlets (default 12)")
    parser.add_argument("--clusters", type=int, default=10, help="topics k (default 10)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE,
                        help="folder for results.csv and scaling.png (default benchmarks/)")
    parser.add_argument("--replot", action="store_true",
                        help="only redraw scaling.png and the README results from results.csv")
    parser.add_argument("--worker", choices=sorted(CHAINS), help=argparse.SUPPRESS)
    parser.add_argument("--source", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def save_tables(out: Path, stages: pd.DataFrame | None, user: pd.DataFrame | None,
                corpora: pd.DataFrame | None) -> list[Path]:
    """Write results.csv, user_path.csv and corpora.csv (those given and not empty)."""
    from analysis.outputs import write_table

    wrote = []
    for table, name in ((stages, "results.csv"), (user, "user_path.csv"),
                        (corpora, "corpora.csv")):
        if table is not None and len(table):
            write_table(table, out / name, float_decimals=3, spreadsheet=False)
            wrote.append(out / name)
    return wrote


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    return pd.read_csv(path) if path.exists() else pd.DataFrame(columns=columns)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    started = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    info: dict = {}
    if args.replot:
        table = pd.read_csv(args.out / "results.csv")
        if "load_avg" not in table:
            table["load_avg"] = np.nan
        user = _read(args.out / "user_path.csv", USER_COLUMNS)
        corpora = _read(args.out / "corpora.csv", CORPUS_COLUMNS)
    else:
        stages = "stages" in args.parts

        def save(measured, _info, user_part, corpora_part):
            sizes = sorted(set(measured["size"])) if len(measured) else []
            table = tabulate(measured, sizes) if stages and len(measured) else None
            save_tables(args.out, table, user_part, corpora_part if stages else None)

        measured, info, user, corpora = measure(args, save)
        # A user-path-only run (make bench-user) keeps the committed stage timings and corpora.
        table = (tabulate(measured, args.sizes) if stages
                 else _read(args.out / "results.csv", COLUMNS))
        if not stages:
            corpora = _read(args.out / "corpora.csv", CORPUS_COLUMNS)
        if "user" not in args.parts:
            user = _read(args.out / "user_path.csv", USER_COLUMNS)
        save_tables(args.out, table if stages else None, user, corpora if stages else None)
    figure = plot(table, args.out / "scaling.png", user=user)
    readme = update_readme(table, args.out / "README.md", user=user, corpora=corpora)
    # The project README's Scale section reads the committed results only.
    top = args.out.resolve() == HERE and update_readme(
        table, ROOT / "README.md", user=user, corpora=corpora, markers=(SCALE_START, SCALE_END),
        render=scale_summary)
    print(summary(table, info))
    if len(user):
        print("\n".join(["", *user_verdicts(user)]))
    if info and not all(out["resettable"] for out in info.values()):
        print("note: peak memory is the process peak (ru_maxrss): /proc/self/clear_refs refused")
    elapsed = time.perf_counter() - started
    wrote = [str(args.out / "results.csv"), str(figure)] + (
        [str(args.out / "README.md")] if readme else []) + (["README.md"] if top else [])
    print(f"\nwrote {', '.join(wrote)} in {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
