"""Beyond one machine: the per-article stages on Dask partitions, clustering chunk by chunk.

The corpus is a folder of Parquet shards (one row per article: ``article_id``, ``text`` and
any metadata columns :func:`analysis.corpus.load_corpus` recognises), read lazily with
:func:`dask.dataframe.read_parquet`: local disk, shared storage or object storage
(``"s3://bucket/corpus/"`` with ``s3fs`` installed) alike. Nothing here re-implements a
stage:

* every partition goes through :func:`analysis.corpus.from_frame` (clean, segment, quotes,
  near-duplicates) and :func:`analysis.tone.score_sentences` /
  :func:`analysis.tone.sentence_table`, the exact functions of the pandas path
  (:func:`partition_tables`). One partition's results are computed once and shared by the
  ``articles``, ``paragraphs``, ``sentences`` and ``quotes`` collections
  (:func:`corpus_tables`), whose ``meta`` is explicit: the tables of a one-article sample run
  through the same functions, so every partition is checked against it;
* the paragraph topics are the codebook topics of the notebooks:
  :func:`analysis.topics.assign_topics` with the committed parameters
  (``analysis/data/models/codebook_topics.json``), on the workers partition by partition
  (:func:`assign_paragraph_topics`); an article's paragraphs are always in one partition, so
  its context features are those of the pandas path;
* optionally, exploratory clusters from :func:`analysis.topics.fit_minibatch` (stateless
  ``HashingVectorizer``, ``MiniBatchKMeans.partial_fit``) fed partition by partition, then
  assigned with ``map_partitions`` on the workers (:func:`cluster_paragraphs`).

:func:`run` is the whole path with nothing held in memory: the seven tables are written to
Parquet as the partitions are computed, then the paragraphs are read back from that Parquet for
the topics.

Differences from the pandas path, by design: near-duplicates are flagged within a partition
only (shard a corpus by story or by date to keep republished copies together), and the
minibatch clusters are not the LSA + k-means of the notebooks (see :mod:`analysis.topics`).

On a real cluster the code is the same; only the client changes, and every worker needs this
package (:func:`install_wheel`: the project's wheel, pip-installed on every worker, into an
environment that has the locked dependencies)::

    from distributed import Client
    from analysis import dask_path as dpath

    client = Client("tcp://scheduler:8786")          # or LocalCluster() on one machine
    dpath.install_wheel(client, "https://host/china_us_news_analysis-0.1.0-py3-none-any.whl")
    dpath.run("s3://bucket/corpus/", "s3://bucket/results/")   # one Parquet folder per table

or from the shell: ``python -m analysis.dask_path SHARDS OUT --scheduler tcp://host:8786
--wheel WHEEL``.
"""

from __future__ import annotations

import argparse
import operator
import sys
import warnings
from collections.abc import Iterable
from functools import partial
from pathlib import Path

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask.dataframe.utils import meta_nonempty

from . import corpus, readers, tone, topics

__all__ = [
    "TABLES",
    "assign_paragraph_topics",
    "cluster_paragraphs",
    "corpus_tables",
    "install_wheel",
    "partition_tables",
    "read_articles",
    "run",
    "write_corpus_tables",
    "write_tables",
]

#: The tables :func:`corpus_tables` returns, in this order.
TABLES = ("articles", "paragraphs", "sentences", "quotes", "removed", "skipped", "conflicts")

#: The article used to derive ``meta`` (it has a quote, a speaker and a heading).
_SAMPLE_TEXT = (
    "Leaders agree to keep talking\n\n"
    "Steering ties\n\n"
    "China and the United States agreed on Monday to keep talking. “Both sides should meet "
    "each other halfway and build mutual trust,” said Wang Yi. The U.S. side did not comment."
)


def read_articles(path: str | Path, **kwargs) -> dd.DataFrame:
    """Read a folder (or glob, or URL) of Parquet shards of articles as a Dask DataFrame.

    Parameters
    ----------
    path : str or pathlib.Path
        Anything :func:`dask.dataframe.read_parquet` accepts: a folder, a glob, a list of
        files, ``"s3://..."``.
    **kwargs
        Passed to :func:`dask.dataframe.read_parquet` (e.g. ``storage_options``, ``columns``).

    Returns
    -------
    dask.dataframe.DataFrame
        One row per article; partitions follow the shards (or row groups).
    """
    return dd.read_parquet(str(path) if isinstance(path, Path) else path, **kwargs)


def partition_tables(
    frame: pd.DataFrame,
    *,
    measures: tuple[str, ...] = tone.MEASURES,
    meta: dict[str, pd.DataFrame] | None = None,
) -> dict[str, pd.DataFrame]:
    """Run the per-article stages on one partition of articles.

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw articles (``article_id``, ``text``, metadata), as :func:`analysis.corpus.from_frame`
        takes them.
    measures : tuple of str, default all of :data:`analysis.tone.MEASURES`
        Tone measures of :func:`analysis.tone.score_sentences`.
    meta : dict, optional
        Empty tables with the expected columns and dtypes; an empty partition (or one where
        nothing is loadable) returns them, and every table is cast to their dtypes.

    Returns
    -------
    dict of pandas.DataFrame
        ``articles``, ``paragraphs``, ``quotes``, ``removed``, ``skipped``, ``conflicts`` as
        in the Corpus, and ``sentences`` = :func:`analysis.tone.sentence_table` (keys, text,
        quote share, speaker, voice, outlet metadata and one column per measure). A partition
        with nothing loadable gives empty tables and one ``skipped`` row saying why.
    """
    if len(frame) == 0 and meta is not None:
        return {name: table.copy() for name, table in meta.items()}
    try:
        built = corpus.from_frame(frame.reset_index(drop=True))
    except corpus.CorpusError as error:
        if meta is None:
            raise
        out = {name: table.copy() for name, table in meta.items()}
        ids = frame["article_id"] if "article_id" in frame else pd.Series(range(len(frame)))
        skipped = pd.DataFrame({"source": [f"partition with articles {', '.join(map(str, ids))}"],
                                "reason": [str(error)]})
        out["skipped"] = _conform(skipped, meta["skipped"])
        return out
    scores = tone.score_sentences(built, measures=measures)
    out = {
        "articles": built.articles,
        "paragraphs": built.paragraphs,
        "sentences": tone.sentence_table(built, scores),
        "quotes": built.quotes,
        "removed": built.removed,
        "skipped": built.skipped,
        "conflicts": built.conflicts,
    }
    if meta is not None:
        out = {name: _conform(out[name], meta[name]) for name in TABLES}
    return out


def _conform(table: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """``table`` with meta's columns, in meta's order and dtypes."""
    extra = [c for c in meta.columns if c not in table.columns]
    if extra:
        raise ValueError(f"partition_tables: a partition table lacks columns {extra} of its meta; "
                         "the stage functions' output changed, update _meta")
    table = table[list(meta.columns)]
    differ = {c: meta[c].dtype for c in meta.columns if table[c].dtype != meta[c].dtype}
    return table.astype(differ) if differ else table


def _meta(articles: dd.DataFrame, measures: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """Empty tables with the dtypes the stage functions produce for these input columns."""
    # A one-row frame of the articles' columns and dtypes, from Dask's public API only.
    empty = pd.DataFrame({c: pd.Series(dtype=t) for c, t in articles.dtypes.items()})
    sample = meta_nonempty(empty).iloc[:1].copy()
    sample = sample.reset_index(drop=True)
    id_col = "article_id" if "article_id" in sample.columns else None
    if id_col is not None:
        sample[id_col] = "meta-sample"
    text_col = next((c for c in readers.COLUMN_ALIASES["text"] if c in sample.columns), None)
    if text_col is None:
        raise corpus.CorpusError(
            f"corpus_tables: the articles have no text column (columns found: {list(sample.columns)}); "
            "name it text (or body, content)"
        )
    sample[text_col] = _SAMPLE_TEXT
    with warnings.catch_warnings():
        # the placeholder metadata ("foo" as a date) is not worth a warning
        warnings.simplefilter("ignore", corpus.CorpusWarning)
        tables = partition_tables(sample, measures=measures)
    return {name: tables[name].iloc[:0] for name in TABLES}


def corpus_tables(
    articles: dd.DataFrame, *, measures: tuple[str, ...] = tone.MEASURES
) -> dict[str, dd.DataFrame]:
    """The corpus tables of a Dask DataFrame of articles, partition by partition.

    Parameters
    ----------
    articles : dask.dataframe.DataFrame
        Raw articles, e.g. from :func:`read_articles`. Every partition is processed
        independently, so an article must not be split across partitions (it never is: one
        row per article).
    measures : tuple of str, default all of :data:`analysis.tone.MEASURES`
        Tone measures (all three by default).

    Returns
    -------
    dict of dask.dataframe.DataFrame
        Lazy ``articles``, ``paragraphs``, ``sentences`` (with tone), ``quotes``,
        ``removed``, ``skipped`` and ``conflicts``, one partition per input partition. Compute several of them in one
        ``dask.compute`` (or ``persist``) so each partition is processed once.
    """
    measures = tuple(measures)
    meta = _meta(articles, measures)
    parts = articles.to_delayed()
    run = dask.delayed(partition_tables, pure=True)
    built = [run(part, measures=measures, meta=meta) for part in parts]
    pick = dask.delayed(operator.getitem, pure=True)
    return {
        name: dd.from_delayed([pick(b, name) for b in built], meta=meta[name], verify_meta=True)
        for name in TABLES
    }


def _schema(meta: pd.DataFrame):
    """The Arrow schema of a table (columns of Python strings, empty in ``meta``: strings)."""
    import pyarrow as pa

    schema = pa.Schema.from_pandas(meta, preserve_index=False)
    for i, field in enumerate(schema):
        if pa.types.is_null(field.type):
            schema = schema.set(i, field.with_type(pa.string()))
    return schema.remove_metadata()


def _write_partition(frame: pd.DataFrame, number: int, *, dest: str, measures: tuple[str, ...],
                     meta: dict[str, pd.DataFrame], storage_options: dict | None) -> pd.DataFrame:
    """:func:`partition_tables` of one partition, each table written to its Parquet folder."""
    import fsspec
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = partition_tables(frame, measures=measures, meta=meta)
    fs, root = fsspec.core.url_to_fs(dest, **(storage_options or {}))
    rows = []
    for name, table in tables.items():
        arrow = pa.Table.from_pandas(table, schema=_schema(meta[name]), preserve_index=False)
        with fs.open(f"{root}/{name}/part.{number:05d}.parquet", "wb") as handle:
            pq.write_table(arrow, handle)
        rows.append((name, len(table)))
    return pd.DataFrame(rows, columns=["table", "rows"])


def _check_empty(dest: str, names: Iterable[str], storage_options: dict | None, *,
                 caller: str) -> None:
    """Refuse to write into table folders that already hold Parquet files (stale parts)."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(dest, **(storage_options or {}))
    full = [name for name in names if fs.glob(f"{root}/{name}/*.parquet")]
    if full:
        raise ValueError(f"{caller}: {dest} already holds the tables {full}; remove them or "
                         "choose another output folder (old parts would mix with new ones)")


def write_corpus_tables(
    articles: dd.DataFrame,
    dest: str | Path,
    *,
    measures: tuple[str, ...] = tone.MEASURES,
    storage_options: dict | None = None,
) -> pd.DataFrame:
    """Write the seven corpus tables of ``articles`` to ``dest/<table>/``, partition by partition.

    One task per partition runs :func:`partition_tables` and writes all seven tables of that
    partition (``part.<number>.parquet`` in each table's folder) before it ends, so a worker
    holds one partition's tables at a time, whatever the size of the corpus (the lazy
    collections of :func:`corpus_tables` are for computing in memory).

    Parameters
    ----------
    articles : dask.dataframe.DataFrame
        Raw articles, e.g. from :func:`read_articles`.
    dest : str or pathlib.Path
        Output folder or URL (``s3://...`` with ``storage_options``).
    measures : tuple of str, default all of :data:`analysis.tone.MEASURES`
    storage_options : dict, optional
        For fsspec, on remote storage.

    Returns
    -------
    pandas.DataFrame
        ``table`` and ``rows``: the rows written per table.

    Examples
    --------
    >>> import tempfile, dask, dask.dataframe as dd, pandas as pd
    >>> from analysis import dask_path as dpath
    >>> raw = pd.DataFrame({"article_id": ["a1", "a2"], "text": [dpath._SAMPLE_TEXT] * 2})
    >>> dest = tempfile.mkdtemp()
    >>> with dask.config.set(scheduler="sync"):
    ...     counts = dpath.write_corpus_tables(dd.from_pandas(raw, npartitions=2), dest,
    ...                                        measures=("framing",))
    >>> rows = counts.set_index("table")["rows"]
    >>> int(rows["articles"]), len(pd.read_parquet(f"{dest}/sentences")) == int(rows["sentences"])
    (2, True)
    """
    import fsspec

    measures = tuple(measures)
    dest = str(dest).rstrip("/")
    _check_empty(dest, TABLES, storage_options, caller="write_corpus_tables")
    meta = _meta(articles, measures)
    fs, root = fsspec.core.url_to_fs(dest, **(storage_options or {}))
    for name in TABLES:
        fs.makedirs(f"{root}/{name}", exist_ok=True)
    write = dask.delayed(_write_partition, pure=True)
    parts = [write(part, i, dest=dest, measures=measures, meta=meta,
                   storage_options=storage_options)
             for i, part in enumerate(articles.to_delayed())]
    counts = pd.concat(dask.compute(*parts), ignore_index=True)
    return (counts.groupby("table", sort=False)["rows"].sum()
            .reindex(list(TABLES)).reset_index())


def _predict(frame: pd.DataFrame, model: topics.MinibatchTopics) -> pd.DataFrame:
    keys = frame[["article_id", "paragraph"]].reset_index(drop=True)
    labels = next(model.predict([frame["text"]])) if len(frame) else np.empty(0, dtype=int)
    return keys.assign(topic=np.asarray(labels, dtype="int64"))


def _shared(obj):
    """``obj`` scattered once to every worker of the current client, else a delayed object.

    The model holds dense centroids over the hash space (tens of MiB): embedding it in the
    task graph would send it with every task.
    """
    try:
        from distributed import default_client

        return default_client().scatter(obj, broadcast=True, hash=False)
    except (ImportError, ValueError):
        return dask.delayed(obj, pure=True)


def _sample_paragraphs(article_id_dtype) -> pd.DataFrame:
    """The paragraphs of the meta sample article, with ``article_id`` of the given dtype."""
    sample = pd.DataFrame({"article_id": ["meta-sample"], "text": [_SAMPLE_TEXT]})
    paragraphs = partition_tables(sample, measures=("framing",))["paragraphs"]
    return paragraphs.astype({"article_id": article_id_dtype})


def _assign(frame: pd.DataFrame, model, meta: pd.DataFrame) -> pd.DataFrame:
    """Codebook topics of one partition of paragraphs (whole articles), in meta's layout."""
    if len(frame) == 0:
        return meta.copy()
    out = topics.assign_topics(frame.reset_index(drop=True), model=model)
    return _conform(out, meta)


def assign_paragraph_topics(
    paragraphs: dd.DataFrame, *, model: topics.CodebookModel | None = None
) -> dd.DataFrame:
    """Codebook topics of every paragraph, on the workers, partition by partition.

    The same function as the notebooks (:func:`analysis.topics.assign_topics`) with the same
    committed parameters (:func:`analysis.topics.load_model`). A paragraph's context features
    are computed over its article, so every article's paragraphs must be in one partition
    (they are in the ``paragraphs`` of :func:`corpus_tables`, and in that table written to
    Parquet and read back).

    Parameters
    ----------
    paragraphs : dask.dataframe.DataFrame
        ``article_id``, ``paragraph`` and ``text``, sorted by ``article_id`` and ``paragraph``
        within each partition.
    model : analysis.topics.CodebookModel, optional
        Default: the committed model. Sent to every worker once.

    Returns
    -------
    dask.dataframe.DataFrame
        One row per paragraph: ``article_id``, ``paragraph``, ``topic``, ``probability``,
        ``secondary`` and ``p_<category>`` for every category (no ``text``; it is in the
        paragraphs table).

    Examples
    --------
    >>> import dask, dask.dataframe as dd, pandas as pd
    >>> from analysis import dask_path as dpath
    >>> raw = pd.DataFrame({"article_id": ["a1"], "text": [dpath._SAMPLE_TEXT]})
    >>> paragraphs = dpath.corpus_tables(dd.from_pandas(raw, npartitions=1),
    ...                                  measures=("framing",))["paragraphs"]
    >>> with dask.config.set(scheduler="sync"):
    ...     got, expected = dask.compute(dpath.assign_paragraph_topics(paragraphs), paragraphs)
    >>> got[["article_id", "paragraph"]].equals(expected[["article_id", "paragraph"]])
    True
    >>> list(got.columns[:5])
    ['article_id', 'paragraph', 'topic', 'probability', 'secondary']
    >>> bool(got.filter(like="p_").sum(axis=1).round(9).eq(1).all())
    True
    """
    model = model or topics.load_model()
    sample = _sample_paragraphs(paragraphs["article_id"].dtype)
    out = topics.assign_topics(sample, model=model)
    meta = out.drop(columns=[c for c in ("text", "outlet", "outlet_group") if c in out]).iloc[:0]
    return paragraphs[["article_id", "paragraph", "text"]].map_partitions(
        partial(_assign, meta=meta), _shared(model), meta=meta
    )


def cluster_paragraphs(
    paragraphs: dd.DataFrame,
    n_clusters: int,
    *,
    random_state: int | None = 0,
    fit_partitions: Iterable[int] | None = None,
    **kwargs,
) -> tuple[topics.MinibatchTopics, dd.DataFrame]:
    """Cluster paragraphs with :func:`analysis.topics.fit_minibatch`, one partition at a time.

    The fit pulls one partition at a time to this process (two passes when ``idf=True``:
    document frequencies, then ``partial_fit``), so persist ``paragraphs`` first (or read them
    back from Parquet) to avoid recomputing the upstream stages on every pass. Topics are
    then assigned on the workers with ``map_partitions``.

    Parameters
    ----------
    paragraphs : dask.dataframe.DataFrame
        With ``article_id``, ``paragraph`` and ``text`` (``corpus_tables(...)["paragraphs"]``).
    n_clusters : int
    random_state : int or None, default 0
    fit_partitions : iterable of int, optional
        Partitions to fit on (default all, in order); the topics of every partition are
        predicted either way. Fitting on a subset bounds the time spent in this process.
    **kwargs
        Passed to :func:`analysis.topics.fit_minibatch` (``idf``, ``min_tokens``,
        ``batch_size``, ``n_epochs``, ``vectorizer``).

    Returns
    -------
    model : analysis.topics.MinibatchTopics
    labels : dask.dataframe.DataFrame
        ``article_id``, ``paragraph``, ``topic`` (-1 = too short to cluster).
    """
    chosen = list(range(paragraphs.npartitions) if fit_partitions is None else fit_partitions)
    texts = paragraphs[["text"]]

    def chunks():
        for i in chosen:
            yield texts.get_partition(i).compute()

    model = topics.fit_minibatch(chunks, n_clusters=n_clusters, random_state=random_state,
                                 **kwargs)
    meta = pd.DataFrame({"article_id": pd.Series(dtype=paragraphs["article_id"].dtype),
                         "paragraph": pd.Series(dtype="int64"),
                         "topic": pd.Series(dtype="int64")})
    labels = paragraphs[["article_id", "paragraph", "text"]].map_partitions(
        _predict, _shared(model), meta=meta
    )
    return model, labels


def write_tables(tables: dict[str, dd.DataFrame], dest: str | Path, **kwargs) -> None:
    """Write every table to ``dest/<name>/`` as Parquet, computing all of them together.

    Parameters
    ----------
    tables : dict of dask.dataframe.DataFrame
        E.g. :func:`corpus_tables` (plus ``"topics"`` from :func:`cluster_paragraphs`).
    dest : str or pathlib.Path
        Folder or URL.
    **kwargs
        Passed to :meth:`dask.dataframe.DataFrame.to_parquet` (e.g. ``storage_options``).
    """
    dest = str(dest).rstrip("/")
    writes = [t.to_parquet(f"{dest}/{name}", compute=False, write_index=False, **kwargs)
              for name, t in tables.items()]
    dask.compute(*writes)


def run(
    shards: str | Path,
    dest: str | Path,
    *,
    measures: tuple[str, ...] = tone.MEASURES,
    n_clusters: int | None = None,
    storage_options: dict | None = None,
) -> list[str]:
    """The whole Dask path, from Parquet shards of articles to one Parquet folder per table.

    Nothing is held in memory: the seven tables of every partition are written to
    ``dest/<table>/`` as soon as it is computed (:func:`write_corpus_tables`), then the
    paragraphs are read back from ``dest/paragraphs/`` and their codebook topics
    (:func:`assign_paragraph_topics`, the committed parameters) are written to
    ``dest/topics/``; with ``n_clusters``, the minibatch clusters of
    :func:`cluster_paragraphs` (fitted on the paragraphs read back) go to ``dest/clusters/``.
    Runs on the current ``distributed`` client (or Dask's default scheduler without one).

    Parameters
    ----------
    shards : str or pathlib.Path
        Parquet shards of articles (:func:`read_articles`).
    dest : str or pathlib.Path
        Output folder or URL.
    measures : tuple of str, default all of :data:`analysis.tone.MEASURES`
        Tone measures.
    n_clusters : int, optional
        Also fit exploratory minibatch clusters with this many clusters (off by default:
        the fit pulls every partition of paragraphs through this process).
    storage_options : dict, optional
        For remote storage (``s3://`` and the like), passed to every read and write.

    Returns
    -------
    list of str
        The tables written, in order.

    Examples
    --------
    >>> import tempfile, dask, pandas as pd
    >>> from analysis import dask_path as dpath
    >>> shards, dest = tempfile.mkdtemp(), tempfile.mkdtemp()
    >>> raw = pd.DataFrame({"article_id": ["a1"], "text": [dpath._SAMPLE_TEXT]})
    >>> raw.to_parquet(f"{shards}/part-0.parquet")
    >>> with dask.config.set(scheduler="sync"):
    ...     dpath.run(shards, dest, measures=("framing",))
    ['articles', 'paragraphs', 'sentences', 'quotes', 'removed', 'skipped', 'conflicts', 'topics']
    >>> pd.read_parquet(f"{dest}/topics")[["article_id", "paragraph"]].values.tolist()
    [['a1', 0]]
    """
    io = {} if storage_options is None else {"storage_options": storage_options}
    dest = str(dest).rstrip("/")
    _check_empty(dest, [*TABLES, "topics", "clusters"], storage_options, caller="run")
    write_corpus_tables(read_articles(shards, **io), dest, measures=tuple(measures),
                        storage_options=storage_options)
    paragraphs = dd.read_parquet(f"{dest}/paragraphs", columns=["article_id", "paragraph", "text"],
                                 **io)
    derived = {"topics": assign_paragraph_topics(paragraphs)}
    if n_clusters:
        _, derived["clusters"] = cluster_paragraphs(paragraphs, n_clusters=n_clusters)
    write_tables(derived, dest, **io)
    return [*TABLES, *derived]


def install_wheel(client, wheel: str | Path, *, pip_options: Iterable[str] = ("--no-deps",),
                  restart_workers: bool = True) -> None:
    """Install this package's wheel on every worker of ``client``, now and when workers join.

    A thin use of Dask's own :class:`distributed.PipInstall` worker plugin: each worker runs
    ``python -m pip install <pip_options> <wheel>`` in its own environment, then (by default)
    is restarted by its nanny so that it imports the installed package. Build the wheel with
    ``python -m pip wheel --no-deps .`` and put it where every worker can read it: a URL
    (``https://...``, a private index), a path on a shared filesystem, or, on one machine, a
    local path.

    The workers' environment must already have the dependencies at the locked versions
    (``pip install --require-hashes -r requirements-lock.txt``, or a container image built
    from it); ``--no-deps`` keeps pip from resolving or upgrading them on the workers. Drop it
    (``pip_options=()``) to let pip install the dependencies from the index instead.

    Parameters
    ----------
    client : distributed.Client
    wheel : str or pathlib.Path
        The wheel's URL or path, as the workers see it.
    pip_options : iterable of str, default ``("--no-deps",)``
    restart_workers : bool, default True
        Restart every worker after installing (workers need a nanny, the default of
        ``dask worker`` and ``LocalCluster``).

    Examples
    --------
    >>> from distributed import Client  # doctest: +SKIP
    >>> client = Client("tcp://scheduler:8786")  # doctest: +SKIP
    >>> install_wheel(client, "/shared/dist/china_us_news_analysis-0.1.0-py3-none-any.whl")  # doctest: +SKIP
    """
    from distributed import PipInstall

    wheel = str(wheel)
    if not wheel.endswith(".whl"):
        raise ValueError(f"install_wheel: {wheel!r} is not a wheel (.whl); build one with "
                         "python -m pip wheel --no-deps .")
    options = [*pip_options, "--force-reinstall"]  # a rebuilt wheel of the same version too
    client.register_plugin(PipInstall(packages=[wheel], pip_options=options,
                                      restart_workers=restart_workers))


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m analysis.dask_path SHARDS OUT [--scheduler ADDRESS] [--wheel WHEEL]``."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis.dask_path",
        description="Run the per-article stages, tone and the codebook paragraph topics on a "
        "Dask cluster, from Parquet shards to one Parquet folder per table.")
    parser.add_argument("shards", help="Parquet shards of articles (folder, glob or URL)")
    parser.add_argument("out", help="output folder or URL (one Parquet folder per table)")
    parser.add_argument("--scheduler", help="scheduler address, e.g. tcp://scheduler:8786 "
                        "(default: a LocalCluster on this machine)")
    parser.add_argument("--wheel", help="this package's wheel (URL or path the workers can "
                        "read), pip-installed on every worker first (see install_wheel)")
    parser.add_argument("--workers", type=int, help="LocalCluster workers (default: one per "
                        "core); ignored with --scheduler")
    parser.add_argument("--memory-limit", default="auto", help="LocalCluster memory limit per "
                        "worker, e.g. 4GiB (default: auto); ignored with --scheduler")
    parser.add_argument("--clusters", type=int, default=0, help="also fit this many exploratory "
                        "minibatch clusters (default 0: none)")
    parser.add_argument("--measures", nargs="+", default=list(tone.MEASURES),
                        help=f"tone measures (default: {' '.join(tone.MEASURES)})")
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    cluster = None
    if not args.scheduler:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1,
                               memory_limit=args.memory_limit, dashboard_address=None)
    try:
        with Client(args.scheduler or cluster) as client:
            if args.wheel:
                install_wheel(client, args.wheel)
            written = run(args.shards, args.out, measures=tuple(args.measures),
                          n_clusters=args.clusters or None)
    finally:
        if cluster is not None:
            cluster.close()
    print(f"analysis.dask_path: wrote {', '.join(written)} to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
