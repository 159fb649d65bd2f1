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
* clustering uses :func:`analysis.topics.fit_minibatch` (stateless ``HashingVectorizer``,
  ``MiniBatchKMeans.partial_fit``) fed partition by partition, then assigns topics with
  ``map_partitions`` on the workers (:func:`cluster_paragraphs`).

Differences from the pandas path, by design: near-duplicates are flagged within a partition
only (shard a corpus by story or by date to keep republished copies together), and the
minibatch clustering is not the LSA + k-means of the notebooks (see :mod:`analysis.topics`).

On a real cluster the code is the same; only the client changes::

    from distributed import Client
    from analysis import dask_path as dist

    client = Client("tcp://scheduler:8786")          # or LocalCluster() on one machine
    articles = dist.read_articles("s3://bucket/corpus/*.parquet")
    tables = dist.corpus_tables(articles)
    dist.write_tables(tables, "s3://bucket/results/")   # one Parquet folder per table

or from the shell: ``python -m analysis.dask_path SHARDS OUT --scheduler tcp://host:8786``.
"""

from __future__ import annotations

import argparse
import operator
import warnings
from collections.abc import Iterable
from pathlib import Path

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask.dataframe.utils import meta_nonempty

from . import corpus, readers, tone, topics

__all__ = [
    "TABLES",
    "cluster_paragraphs",
    "corpus_tables",
    "partition_tables",
    "read_articles",
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


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m analysis.dask_path SHARDS OUT [--scheduler ADDRESS]``."""
    parser = argparse.ArgumentParser(description="Run the per-article stages and the "
                                     "minibatch clustering on a Dask cluster.")
    parser.add_argument("shards", help="Parquet shards of articles (folder, glob or URL)")
    parser.add_argument("out", help="output folder or URL (one Parquet folder per table)")
    parser.add_argument("--scheduler", help="scheduler address, e.g. tcp://scheduler:8786 "
                        "(default: a LocalCluster on this machine)")
    parser.add_argument("--clusters", type=int, default=10, help="topics (default 10)")
    parser.add_argument("--measures", nargs="+", default=list(tone.MEASURES),
                        help=f"tone measures (default: {' '.join(tone.MEASURES)})")
    args = parser.parse_args(argv)

    from distributed import Client, LocalCluster

    cluster = None if args.scheduler else LocalCluster(dashboard_address=None)
    with Client(args.scheduler or cluster) as client:
        tables = corpus_tables(read_articles(args.shards), measures=tuple(args.measures))
        tables = dict(zip(tables, client.persist(list(tables.values())), strict=True))
        _, labels = cluster_paragraphs(tables["paragraphs"], n_clusters=args.clusters)
        write_tables({**tables, "topics": labels}, args.out)
    if cluster is not None:
        cluster.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
