"""Independent units (near-duplicate groups count once), cluster summaries and the cluster bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._checks import check_one_of
from .._kernels import block_map
from ..config import MIN_CLUSTERS, N_BOOT, RANDOM_STATE

_WEIGHTINGS = ("cluster", "unit")
#: ``interval_kind`` values.
RANGE = "range of articles"
NO_INTERVAL = "none (one article)"
NO_INTERVAL_PAIR = "none (one article per group)"


class ComparisonError(ValueError):
    """Raised when data cannot support the comparison asked for.

    For example a corpus with a single outlet group, or a group without any
    article. The message says what is missing; notebooks print it instead of a
    comparison.
    """


# --------------------------------------------------------------------------- helpers


def _check_columns(df: pd.DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"stats: column(s) {missing} not in the data frame (it has "
                       f"{list(df.columns)}); name the value, cluster and group columns")


def _percentile_ci(draws: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval along axis 0, NaN-aware (all-NaN columns give NaN)."""
    alpha = (1.0 - ci) / 2.0
    draws = np.asarray(draws, dtype=float)
    if draws.ndim == 1:
        draws = draws[:, None]
    low = np.full(draws.shape[1], np.nan)
    high = np.full(draws.shape[1], np.nan)
    ok = np.isfinite(draws).any(axis=0)
    if ok.any():
        low[ok] = np.nanquantile(draws[:, ok], alpha, axis=0)
        high[ok] = np.nanquantile(draws[:, ok], 1.0 - alpha, axis=0)
    return low, high


def _bootstrap_kind(ci: float) -> str:
    return f"{ci:.0%} bootstrap"


def independent_units(
    articles: pd.DataFrame,
    *,
    id_column: str = "article_id",
    duplicate_column: str = "duplicate_of",
) -> pd.DataFrame:
    """Map every article to its independent unit: the first article of its near-duplicate group.

    ``duplicate_of`` points from an article to the earliest article it near-duplicates
    (:func:`analysis.corpus.flag_duplicates`); chains (c copies b, b copies a) are followed
    to their root, so a group of copies shares one ``unit_id``.

    Parameters
    ----------
    articles : pandas.DataFrame
        One row per article (``Corpus.articles``) with ``id_column`` and, optionally,
        ``duplicate_column`` (without it every article is its own unit).
    id_column, duplicate_column : str

    Returns
    -------
    pandas.DataFrame
        ``article_id`` (named ``id_column``), ``unit_id`` (str) and ``n_copies`` (articles
        in the unit, itself included), sorted by article id. Pass it as ``units=`` to the
        functions of this module and of :mod:`analysis.tone`.

    Raises
    ------
    KeyError
        If ``id_column`` is missing.

    Examples
    --------
    >>> arts = pd.DataFrame({"article_id": ["a", "b", "c", "d"],
    ...                      "duplicate_of": [None, "a", "b", None]})
    >>> independent_units(arts)
      article_id unit_id  n_copies
    0          a       a         3
    1          b       a         3
    2          c       a         3
    3          d       d         1
    """
    if id_column not in articles.columns:
        raise KeyError(f"independent_units: no {id_column!r} column in the articles "
                       f"({list(articles.columns)}); pass id_column=")
    ids = articles[id_column].astype(str).to_numpy()
    parent = pd.Series(ids, index=ids)
    if duplicate_column in articles.columns:
        dup = articles[duplicate_column].astype("string").to_numpy()
        known = pd.notna(dup)
        parent.iloc[np.flatnonzero(known)] = np.asarray(dup[known], dtype=object)
        parent = parent.where(parent.isin(ids), parent.index.to_series())  # unknown targets: self
    for _ in range(len(parent)):  # follow chains to the root (cycles end at the bound)
        nxt = parent.map(parent)
        if nxt.equals(parent):
            break
        parent = nxt
    out = pd.DataFrame({id_column: ids, "unit_id": parent.to_numpy().astype(str)})
    out["n_copies"] = out.groupby("unit_id")[id_column].transform("size").astype("int64")
    return out.sort_values(id_column, kind="stable").reset_index(drop=True)


def unit_of(units, cluster: str) -> pd.Series:
    """``units`` (frame from :func:`independent_units` or a Series id -> unit) as a Series."""
    if isinstance(units, pd.DataFrame):
        key = cluster if cluster in units.columns else "article_id"
        if key not in units.columns or "unit_id" not in units.columns:
            raise KeyError(f"stats: units needs columns {cluster!r} (or 'article_id') and "
                           f"'unit_id', it has {list(units.columns)}; build it with "
                           "stats.independent_units(corpus.articles)")
        return pd.Series(units["unit_id"].astype(str).to_numpy(), index=units[key].astype(str))
    return pd.Series(units).astype(str).set_axis(pd.Index(pd.Series(units).index.astype(str)))


def cluster_summary(
    df: pd.DataFrame,
    value: str,
    *,
    cluster: str = "article_id",
    group: str | None = None,
    units=None,
) -> pd.DataFrame:
    """Reduce unit-level rows to one row per cluster (or per independent unit).

    Rows whose ``value`` is missing are dropped first.

    Parameters
    ----------
    df : pandas.DataFrame
        Unit-level data (e.g. one row per sentence).
    value : str
        Numeric column to summarise.
    cluster : str, default "article_id"
        Cluster identifier column.
    group : str, optional
        Group column; every cluster must belong to exactly one group.
    units : pandas.DataFrame or pandas.Series, optional
        From :func:`independent_units` (or a Series cluster id -> unit id). Clusters of one
        unit (copies of one story) in the same group become one row: ``mean`` is the mean
        of the copies' means, ``n_units`` and ``sum`` the copies' averages (so a unit weighs
        as one copy), ``n_copies`` the number of copies. Clusters missing from ``units`` are
        their own unit.

    Returns
    -------
    pandas.DataFrame
        Columns ``cluster`` (named as in ``df``; the unit id when ``units`` is given),
        ``group`` (if given), ``n_copies``, ``n_rows`` (rows over all copies), ``n_units``,
        ``sum`` and ``mean``, sorted by group then cluster, with a RangeIndex.

    Raises
    ------
    ValueError
        If a cluster carries more than one group label.
    """
    return _to_units(_per_cluster(df, value, cluster, group), cluster, group, units)


def _per_cluster(df: pd.DataFrame, value: str, cluster: str, group: str | None) -> pd.DataFrame:
    """:func:`cluster_summary` without ``units``: one row per cluster."""
    cols = [cluster, value] + ([group] if group else [])
    _check_columns(df, cols)
    data = df[cols].dropna(subset=[value])
    keys = [cluster]
    if group:
        labels = data.groupby(cluster, sort=True)[group].nunique(dropna=False)
        bad = labels[labels > 1]
        if len(bad):
            raise ValueError(
                f"stats: cluster(s) {list(bad.index[:5])} carry more than one {group!r} label; "
                f"a cluster must sit in one group (check the {group!r} column)"
            )
        keys = [group, cluster]
    out = (
        data.groupby(keys, sort=True, dropna=False)[value]
        .agg(n_units="size", sum="sum")
        .reset_index()
    )
    out["n_units"] = out["n_units"].astype(float)
    out["sum"] = out["sum"].astype(float)
    out["mean"] = out["sum"] / out["n_units"]
    out["n_rows"] = out["n_units"].astype("int64")
    out["n_copies"] = 1
    return out


def _to_units(out: pd.DataFrame, cluster: str, group: str | None, units) -> pd.DataFrame:
    """The rows of :func:`_per_cluster` (or some of them) merged into independent units."""
    keys = ([group] if group else []) + [cluster]
    if units is not None:
        ids = out[cluster].astype(str)
        out = out.assign(_unit=ids.map(unit_of(units, cluster)).fillna(ids))
        out = (
            out.groupby(([group] if group else []) + ["_unit"], sort=True, dropna=False)
            .agg(n_copies=(cluster, "size"), n_rows=("n_rows", "sum"), n_units=("n_units", "mean"),
                 sum=("sum", "mean"), mean=("mean", "mean"))
            .reset_index()
            .rename(columns={"_unit": cluster})
        )
    out = out.assign(n_copies=out["n_copies"].astype("int64"))
    return out[keys + ["n_copies", "n_rows", "n_units", "sum", "mean"]].reset_index(drop=True)


def _sums_counts(part: pd.DataFrame, weighting: str) -> tuple[np.ndarray, np.ndarray]:
    """Numerator and denominator per cluster: the group estimate is sum(num) / sum(den)."""
    if weighting == "cluster":
        means = part["mean"].to_numpy(dtype=float)
        return means, np.ones_like(means)
    return part["sum"].to_numpy(dtype=float), part["n_units"].to_numpy(dtype=float)


def _estimate(sums: np.ndarray, counts: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Group estimate for each row of cluster-index array ``idx`` (last axis = clusters).

    With every count 1 (``weighting="cluster"``) the denominator is the number of clusters
    drawn, the same float the summed ones give, without gathering them.
    """
    den = float(idx.shape[-1]) if (counts == 1).all() else counts[idx].sum(axis=-1)
    return sums[idx].sum(axis=-1) / den


#: From this many resampled cells (replicates x clusters) on, the independent resamplings of
#: one comparison (each with its own generator) run in two threads: numpy releases the GIL in
#: the draws, gathers and sums, and each result is the one a single thread gives.
_THREADED_CELLS = 1 << 21


def _concurrently(tasks, *, threads: bool, random_state=None) -> list:
    """The results of the callables ``tasks``, in order; two at a time when ``threads``
    (:func:`analysis._kernels.block_map`).

    Each task must use only its own random generator, made from ``random_state``, so that its
    result does not depend on which thread runs it or when. A numpy ``Generator`` passed as
    ``random_state`` would be shared by the tasks: they then run one after the other.
    """
    if threads and not isinstance(random_state, np.random.Generator):
        return block_map(lambda task: task(), tasks)
    return [task() for task in tasks]


def _draw(rng: np.random.Generator, k: int, n_boot: int) -> np.ndarray:
    return rng.integers(0, k, size=(n_boot, k))


#: Cells (replicates x clusters) drawn at once by :func:`_boot_estimates`: small enough to stay
#: in the processor's cache between the draw, the gather and the sum.
_BOOT_BLOCK = 1 << 18


def _boot_estimates(rng: np.random.Generator, sums: np.ndarray, counts: np.ndarray,
                    n_boot: int) -> np.ndarray:
    """:func:`_estimate` of ``n_boot`` bootstrap draws of the ``k`` clusters, drawn in blocks.

    The blocks take consecutive values of one stream, so the draws (and the estimates, summed
    row by row as before) are those of one ``_draw(rng, k, n_boot)``.
    """
    k = len(sums)
    step = max(1, _BOOT_BLOCK // max(k, 1))
    out = np.empty(n_boot)
    for start in range(0, n_boot, step):
        stop = min(start + step, n_boot)
        out[start:stop] = _estimate(sums, counts, _draw(rng, k, stop - start))
    return out


# --------------------------------------------------------------------------- bootstrap


def cluster_bootstrap(
    df: pd.DataFrame,
    value: str,
    *,
    cluster: str = "article_id",
    group: str | None = None,
    units=None,
    n_boot: int = N_BOOT,
    random_state: int | None = RANDOM_STATE,
    ci: float = 0.95,
    weighting: str = "cluster",
    min_clusters: int = MIN_CLUSTERS,
) -> pd.DataFrame:
    """Mean of ``value`` per group with a cluster-bootstrap percentile interval.

    Clusters (articles, or independent units with ``units``) are resampled with
    replacement within each group; sentences are never resampled on their own. A group
    with fewer than ``min_clusters`` clusters gets no bootstrap interval: ``ci_low`` and
    ``ci_high`` are the lowest and highest cluster mean ("range of articles"), and with a
    single cluster they are NaN (not a zero-width interval that would look like certainty).

    Parameters
    ----------
    df : pandas.DataFrame
        Unit-level data (one row per sentence).
    value : str
        Numeric column.
    cluster : str, default "article_id"
        Resampling unit.
    group : str, optional
        Column defining the groups (e.g. ``"outlet"``); None treats all rows as
        one group named ``"all"``.
    units : pandas.DataFrame, optional
        From :func:`independent_units`: copies of one story count once.
    n_boot : int, default 2000
        Bootstrap replicates.
    random_state : int, optional
        Seed of :func:`numpy.random.default_rng`.
    ci : float, default 0.95
        Coverage of the percentile interval.
    weighting : {"cluster", "unit"}
        See the module docstring.
    min_clusters : int, default :data:`analysis.config.MIN_CLUSTERS` (5)
        Fewest clusters for a bootstrap interval.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``group`` (the group column's name, or "group"),
        ``n_clusters`` (independent articles), ``n_articles`` (articles they stand for),
        ``n_units`` (sentences), ``estimate``, ``ci_low``, ``ci_high``, ``interval_kind``
        (``"95% bootstrap"``, ``"range of articles"`` or ``"none (one article)"``).
    """
    check_one_of("weighting", weighting, _WEIGHTINGS, func="cluster_bootstrap")
    summ = cluster_summary(df, value, cluster=cluster, group=group, units=units)
    gcol = group or "group"
    if group is None:
        summ[gcol] = "all"
    rng = np.random.default_rng(random_state)
    rows = []
    for name, part in summ.groupby(gcol, sort=True, dropna=False):
        sums, counts = _sums_counts(part, weighting)
        k = len(part)
        est = float(_estimate(sums, counts, np.arange(k)))
        if k >= max(min_clusters, 2):
            lo, hi = _percentile_ci(_boot_estimates(rng, sums, counts, n_boot), ci)
            lo, hi, kind = float(lo[0]), float(hi[0]), _bootstrap_kind(ci)
        elif k >= 2:
            per = sums / counts
            lo, hi, kind = float(per.min()), float(per.max()), RANGE
        else:
            lo, hi, kind = math.nan, math.nan, NO_INTERVAL
        rows.append(
            {gcol: name, "n_clusters": k, "n_articles": int(part["n_copies"].sum()),
             "n_units": int(part["n_rows"].sum()), "estimate": est, "ci_low": lo, "ci_high": hi,
             "interval_kind": kind}
        )
    return pd.DataFrame(rows, columns=[gcol, "n_clusters", "n_articles", "n_units", "estimate",
                                       "ci_low", "ci_high", "interval_kind"])




# --------------------------------------------------------------------------- shares


def unit_weights(ids, units=None, *, cluster: str = "article_id") -> pd.DataFrame:
    """Weight and independent unit of each article, for counts and shares that count copies once.

    An article of a near-duplicate group of ``c`` copies weighs ``1 / c``, so the group's
    copies together count as one article wherever they are pooled (the shares of topics,
    sources and actors take ``units=`` and use this).

    Parameters
    ----------
    ids : array-like
        Article ids (any repetition: one per paragraph, quote, mention ...).
    units : pandas.DataFrame or pandas.Series, optional
        From :func:`independent_units`; None: every article is its own unit (weight 1).
    cluster : str, default "article_id"

    Returns
    -------
    pandas.DataFrame
        ``unit_id`` (str; the article's own id when it is absent from ``units``) and
        ``weight`` (float), one row per element of ``ids`` (RangeIndex).

    Examples
    --------
    >>> units = independent_units(pd.DataFrame({"article_id": ["a", "b", "c"],
    ...                                         "duplicate_of": [None, "a", None]}))
    >>> unit_weights(["a", "a", "b", "c"], units)
      unit_id  weight
    0       a     0.5
    1       a     0.5
    2       a     0.5
    3       c     1.0
    """
    ids = pd.Series(np.asarray(ids, dtype=object)).astype(str)
    if units is None:
        return pd.DataFrame({"unit_id": ids.to_numpy(), "weight": np.ones(len(ids))})
    mapping = unit_of(units, cluster)
    copies = mapping.map(mapping.value_counts())
    unit = ids.map(mapping).fillna(ids)
    weight = 1.0 / ids.map(copies).fillna(1).to_numpy(dtype=float)
    return pd.DataFrame({"unit_id": unit.to_numpy(), "weight": weight})


def as_counts(values):
    """Weighted counts as int64 when every value is whole (no copies), else float rounded to 6."""
    arr = np.asarray(values, dtype=float)
    if np.all(np.isfinite(arr)) and np.allclose(arr, np.round(arr), atol=1e-9):
        out = np.round(arr).astype("int64")
    else:
        out = np.round(arr, 6)
    return pd.Series(out, index=values.index) if isinstance(values, pd.Series) else out
