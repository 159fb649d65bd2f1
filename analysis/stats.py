"""Article-level inference: cluster bootstrap, exact permutation test, effect sizes.

Sentences of one article are not independent observations: they share an author,
an outlet's house style, a topic and a news event. Every function here therefore
treats the *cluster* (by default the article) as the unit of resampling and of
relabelling. A sentence-level data frame goes in; it is first reduced to one row
per cluster (:func:`cluster_summary`), and all randomness acts on those rows.

Copies of one story are not independent either. A wire story republished by eight
outlets is one piece of reporting, not eight: :func:`independent_units` maps every
article to its near-duplicate group (``articles.duplicate_of``, see
:func:`analysis.corpus.flag_duplicates`), and every function takes ``units=`` to count
such a group once. The copies' means are averaged into one value, ``n`` is the number of
independent articles and ``n_copies`` the articles they stand for. A story whose copies
sit in both groups compared counts once in each group (the relabelling tests then treat
the two as separate articles; the output says how many such stories there are).

Small samples are reported as what they are (:data:`analysis.config.MIN_CLUSTERS` = 5):

* with fewer than 5 independent articles in a group no interval is called 95 %: the
  columns ``ci_low``/``ci_high`` then hold the *range of the articles* (the lowest and
  highest article mean, or for a difference the lowest and highest difference between an
  article of one group and one of the other), and ``interval_kind`` says so;
  one article (or one per group) gives no interval at all;
* Hedges' g and Cliff's delta are not computed when a group has one article;
* a permutation p-value is never below the smallest p the design can attain (``min_p``);
* :func:`min_detectable_difference` says how large a difference the design could detect.

Two weightings of the clusters are offered everywhere:

``weighting="cluster"`` (default)
    The estimate for a group is the mean of its clusters' means: every article
    counts once, however long. "An outlet's tone" is then the tone of its average
    article.
``weighting="unit"``
    The estimate is the pooled mean over all units (sentences) of the group's
    clusters; long articles weigh more. Resampling is still by cluster (a ratio
    estimator).

All functions are vectorized over bootstrap replicates and relabellings (numpy
index arrays), so 10^4 clusters and 2 000 replicates take well under a second.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _sps

from ._checks import check_one_of
from .config import MIN_CLUSTERS, N_BOOT, RANDOM_STATE

__all__ = [
    "ComparisonError",
    "PermutationResult",
    "bootstrap_difference",
    "bootstrap_statistic",
    "cliffs_delta",
    "cluster_bootstrap",
    "cluster_summary",
    "compare_two_groups",
    "effect_sizes",
    "hedges_g",
    "independent_units",
    "leave_one_out",
    "min_detectable_difference",
    "permutation_test",
    "sensitivity",
    "stratified_comparison",
]

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


def _unit_map(units, cluster: str) -> pd.Series:
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
    if units is not None:
        ids = out[cluster].astype(str)
        out["_unit"] = ids.map(_unit_map(units, cluster)).fillna(ids)
        out = (
            out.groupby(([group] if group else []) + ["_unit"], sort=True, dropna=False)
            .agg(n_copies=(cluster, "size"), n_rows=("n_rows", "sum"), n_units=("n_units", "mean"),
                 sum=("sum", "mean"), mean=("mean", "mean"))
            .reset_index()
            .rename(columns={"_unit": cluster})
        )
    out["n_copies"] = out["n_copies"].astype("int64")
    return out[keys + ["n_copies", "n_rows", "n_units", "sum", "mean"]].reset_index(drop=True)


def _sums_counts(part: pd.DataFrame, weighting: str) -> tuple[np.ndarray, np.ndarray]:
    """Numerator and denominator per cluster: the group estimate is sum(num) / sum(den)."""
    if weighting == "cluster":
        means = part["mean"].to_numpy(dtype=float)
        return means, np.ones_like(means)
    return part["sum"].to_numpy(dtype=float), part["n_units"].to_numpy(dtype=float)


def _estimate(sums: np.ndarray, counts: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Group estimate for each row of cluster-index array ``idx`` (last axis = clusters)."""
    return sums[idx].sum(axis=-1) / counts[idx].sum(axis=-1)


def _draw(rng: np.random.Generator, k: int, n_boot: int) -> np.ndarray:
    return rng.integers(0, k, size=(n_boot, k))


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
            lo, hi = _percentile_ci(_estimate(sums, counts, _draw(rng, k, n_boot)), ci)
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


def _two_groups(
    df: pd.DataFrame, value: str, group: str, groups: tuple[str, str] | None, cluster: str,
    units=None,
) -> tuple[pd.DataFrame, tuple[str, str]]:
    summ = cluster_summary(df, value, cluster=cluster, group=group, units=units)
    present = list(pd.unique(summ[group].dropna()))
    if groups is None:
        if len(present) != 2:
            raise ComparisonError(
                f"a two-group comparison needs exactly two {group!r} values with data; "
                f"found {len(present)}: {sorted(map(str, present))}"
            )
        groups = tuple(sorted(present))  # type: ignore[assignment]
    missing = [g for g in groups if g not in present]
    if missing:
        raise ComparisonError(
            f"no {cluster} with {value!r} data in {group!r} = {missing}; "
            f"the data hold only {sorted(map(str, present))}, so there is nothing to compare"
        )
    return summ[summ[group].isin(groups)].reset_index(drop=True), groups  # type: ignore[return-value]


def _difference_range(x: np.ndarray, y: np.ndarray) -> tuple[float, float, str]:
    """Lowest and highest difference between an article of one group and one of the other."""
    if len(x) + len(y) <= 2:
        return math.nan, math.nan, NO_INTERVAL_PAIR
    return float(x.min() - y.max()), float(x.max() - y.min()), RANGE


def bootstrap_difference(
    df: pd.DataFrame,
    value: str,
    group: str,
    *,
    groups: tuple[str, str] | None = None,
    cluster: str = "article_id",
    units=None,
    n_boot: int = N_BOOT,
    random_state: int | None = RANDOM_STATE,
    ci: float = 0.95,
    weighting: str = "cluster",
    min_clusters: int = MIN_CLUSTERS,
) -> pd.Series:
    """Difference of group means (``groups[0]`` minus ``groups[1]``), stratified cluster bootstrap.

    Clusters are resampled with replacement separately within each group, so
    each replicate keeps the observed number of clusters per group. When either group has
    fewer than ``min_clusters`` clusters the bounds are instead the range of the
    article-pair differences (``min(a) - max(b)`` to ``max(a) - min(b)``, article means);
    with one article per group there is no interval.

    Parameters
    ----------
    df, value, group, cluster, units, n_boot, random_state, ci, weighting, min_clusters
        As in :func:`cluster_bootstrap`.
    groups : tuple of str, optional
        The two groups, in the order of the difference. Default: the two
        values of ``group``, sorted.

    Returns
    -------
    pandas.Series
        ``estimate``, ``ci_low``, ``ci_high``, ``interval_kind``, ``n_a``, ``n_b``
        (independent clusters per group), ``n_copies_a``, ``n_copies_b`` (articles they
        stand for).

    Raises
    ------
    ComparisonError
        If fewer than two groups have data.
    """
    check_one_of("weighting", weighting, _WEIGHTINGS, func="bootstrap_difference")
    summ, (a, b) = _two_groups(df, value, group, groups, cluster, units)
    rng = np.random.default_rng(random_state)
    parts = [summ[summ[group] == g] for g in (a, b)]
    ests, draws = [], []
    for part in parts:
        sums, counts = _sums_counts(part, weighting)
        k = len(part)
        ests.append(float(_estimate(sums, counts, np.arange(k))))
        draws.append(_estimate(sums, counts, _draw(rng, k, n_boot)))
    n_a, n_b = len(parts[0]), len(parts[1])
    if min(n_a, n_b) >= max(min_clusters, 2):
        lo, hi = _percentile_ci(draws[0] - draws[1], ci)
        lo, hi, kind = float(lo[0]), float(hi[0]), _bootstrap_kind(ci)
    else:
        x, y = (np.divide(*_sums_counts(p, weighting)) for p in parts)
        lo, hi, kind = _difference_range(x, y)
    return pd.Series(
        {"estimate": ests[0] - ests[1], "ci_low": lo, "ci_high": hi, "interval_kind": kind,
         "n_a": n_a, "n_b": n_b, "n_copies_a": int(parts[0]["n_copies"].sum()),
         "n_copies_b": int(parts[1]["n_copies"].sum())},
        dtype=object,
    )


def bootstrap_statistic(
    clusters,
    statistic,
    *,
    n_boot: int = N_BOOT,
    random_state: int | None = RANDOM_STATE,
    ci: float = 0.95,
) -> tuple[float, float, float]:
    """Any statistic of unit-level data, with a cluster-bootstrap percentile interval.

    Each replicate draws as many clusters as there are, with replacement, and evaluates
    ``statistic`` on the row positions of the drawn clusters (a cluster drawn twice enters
    twice). This loops over replicates in Python and suits validation samples (thousands of
    rows); the corpus-wide comparisons use the vectorized :func:`cluster_bootstrap`.

    Parameters
    ----------
    clusters : array-like
        Cluster label of each row (e.g. ``df["article_id"]``).
    statistic : callable
        ``statistic(rows) -> float`` where ``rows`` is an integer array of row positions;
        may return NaN (ignored by the interval).
    n_boot : int, default 2000
    random_state : int, optional
    ci : float, default 0.95

    Returns
    -------
    tuple of float
        ``(estimate, ci_low, ci_high)``; the interval is NaN with fewer than two clusters.
    """
    codes, uniques = pd.factorize(pd.Series(clusters), sort=True)
    est = float(statistic(np.arange(len(codes))))
    k = len(uniques)
    if k < 2:
        return est, math.nan, math.nan
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(k + 1))
    rows_of = [order[bounds[i] : bounds[i + 1]] for i in range(k)]
    rng = np.random.default_rng(random_state)
    draws = np.array([statistic(np.concatenate([rows_of[i] for i in pick])) for pick in _draw(rng, k, n_boot)])
    lo, hi = _percentile_ci(draws, ci)
    return est, float(lo[0]), float(hi[0])




# --------------------------------------------------------------------------- permutation test


@dataclass(frozen=True)
class PermutationResult:
    """Result of :func:`permutation_test`.

    Attributes
    ----------
    groups : tuple of str
        The two groups; the statistic is mean(groups[0]) - mean(groups[1]).
    n_a, n_b : int
        Independent clusters in each group.
    mean_a, mean_b : float
        Observed group means (``weighting`` as requested).
    observed : float
        Observed difference of group means, ``mean_a - mean_b``.
    p_value : float
        Two-sided p-value: share of relabellings with \\|statistic\\| >= \\|observed\\|;
        never below ``min_p``.
    n_relabelings : int
        Relabellings used (all distinct ones when ``exact``).
    exact : bool
        True when every distinct relabelling was enumerated.
    min_p : float
        Smallest p-value this design can attain (1 / number of distinct
        relabellings, doubled for equal group sizes, where a relabelling and
        its mirror image give the same \\|statistic\\|; Monte Carlo: 1 / (n + 1)).
    n_copies_a, n_copies_b : int
        Articles the clusters of each group stand for (equal to ``n_a``, ``n_b`` without
        ``units``).
    """

    groups: tuple[str, str]
    n_a: int
    n_b: int
    mean_a: float
    mean_b: float
    observed: float
    p_value: float
    n_relabelings: int
    exact: bool
    min_p: float
    n_copies_a: int = 0
    n_copies_b: int = 0


def _relabel_diffs(
    sums: np.ndarray, counts: np.ndarray, n_a: int, *, exact: bool, n_perm: int,
    rng: np.random.Generator | None,
) -> np.ndarray:
    """Difference of group means for every relabelling of ``n_a`` of the clusters as group a.

    ``exact``: all ``C(n, n_a)`` relabellings in lexicographic order; else ``n_perm`` random ones.
    """
    n = len(sums)
    if exact:
        total = math.comb(n, n_a)
        chosen = np.fromiter(
            itertools.chain.from_iterable(itertools.combinations(range(n), n_a)), dtype=np.int64
        ).reshape(total, n_a)
        labels = np.zeros((total, n), dtype=bool)
        np.put_along_axis(labels, chosen, True, axis=1)
    else:
        order = np.argsort(rng.random((n_perm, n)), axis=1)
        labels = np.zeros((n_perm, n), dtype=bool)
        np.put_along_axis(labels, order[:, :n_a], True, axis=1)
    lab = labels.astype(float)
    return lab @ sums / (lab @ counts) - (1 - lab) @ sums / ((1 - lab) @ counts)


def permutation_test(
    df: pd.DataFrame,
    value: str,
    group: str,
    *,
    groups: tuple[str, str] | None = None,
    cluster: str = "article_id",
    units=None,
    max_exact: int = 100_000,
    n_perm: int = 10_000,
    random_state: int | None = RANDOM_STATE,
    weighting: str = "cluster",
) -> PermutationResult:
    """Two-sided permutation test of a difference in group means, relabelling clusters.

    Group labels are shuffled across whole clusters (articles, or independent units with
    ``units``), never across sentences. When the number of distinct relabellings
    ``C(n_a + n_b, n_a)`` is at most ``max_exact``, all of them are enumerated (an exact
    test, no randomness); otherwise ``n_perm`` random relabellings are drawn and
    ``p = (1 + hits) / (1 + n_perm)`` (Phipson & Smyth 2010). The p-value is never
    reported below ``min_p``.

    Parameters
    ----------
    df, value, group, groups, cluster, units, weighting
        As in :func:`bootstrap_difference`.
    max_exact : int, default 100000
        Largest number of relabellings enumerated exactly.
    n_perm : int, default 10000
        Random relabellings when the exact test is too large.
    random_state : int, optional
        Seed for the Monte Carlo version.

    Returns
    -------
    PermutationResult

    Raises
    ------
    ComparisonError
        If fewer than two groups have data.
    """
    check_one_of("weighting", weighting, _WEIGHTINGS, func="permutation_test")
    summ, (a, b) = _two_groups(df, value, group, groups, cluster, units)
    is_a = (summ[group] == a).to_numpy()
    sums, counts = _sums_counts(summ, weighting)
    n, n_a = len(summ), int(is_a.sum())
    n_b = n - n_a
    total = math.comb(n, n_a)
    exact = total <= max_exact
    null = _relabel_diffs(sums, counts, n_a, exact=exact, n_perm=n_perm,
                          rng=None if exact else np.random.default_rng(random_state))
    min_p = (2.0 if n_a == n_b else 1.0) / total if exact else 1.0 / (n_perm + 1)
    mean_a = float(sums[is_a].sum() / counts[is_a].sum())
    mean_b = float(sums[~is_a].sum() / counts[~is_a].sum())
    observed = mean_a - mean_b
    tol = 1e-12 * max(1.0, abs(observed))
    hits = int(np.sum(np.abs(null) >= abs(observed) - tol))
    p = hits / total if exact else (1 + hits) / (1 + n_perm)
    return PermutationResult(
        (a, b), n_a, n_b, mean_a, mean_b, observed, float(max(p, min_p)), len(null), exact,
        float(min(min_p, 1.0)), int(summ.loc[is_a, "n_copies"].sum()),
        int(summ.loc[~is_a, "n_copies"].sum()),
    )


# --------------------------------------------------------------------------- effect sizes


def hedges_g(x: np.ndarray, y: np.ndarray, *, ci: float = 0.95) -> tuple[float, float, float]:
    """Hedges' g (bias-corrected standardized mean difference, x minus y) with an analytic interval.

    Uses the pooled standard deviation and the large-sample standard error of
    Hedges & Olkin (1985): ``se = sqrt((n1 + n2) / (n1 n2) + g^2 / (2 (n1 + n2)))``.
    With tiny samples that interval is only indicative. When either group has a single
    value its spread is unknown and g is not computed.

    Parameters
    ----------
    x, y : array-like
        Values of the two groups (e.g. one mean per article).
    ci : float, default 0.95
        Interval coverage.

    Returns
    -------
    tuple of float
        ``(g, ci_low, ci_high)``; all NaN when the pooled SD is zero or either group has
        fewer than two values.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n1, n2 = len(x), len(y)
    if min(n1, n2) < 2:
        return math.nan, math.nan, math.nan
    dof = n1 + n2 - 2
    ss = ((x - x.mean()) ** 2).sum() + ((y - y.mean()) ** 2).sum()
    sp = math.sqrt(ss / dof)
    if sp == 0:
        return math.nan, math.nan, math.nan
    j = 1.0 - 3.0 / (4.0 * (n1 + n2) - 9.0)
    g = j * (x.mean() - y.mean()) / sp
    se = math.sqrt((n1 + n2) / (n1 * n2) + g**2 / (2.0 * (n1 + n2)))
    z = float(_sps.norm.ppf(0.5 + ci / 2.0))
    return float(g), float(g - z * se), float(g + z * se)


def min_detectable_difference(
    x: np.ndarray, y: np.ndarray, *, alpha: float = 0.05, power: float = 0.8,
) -> float:
    """Smallest true difference of group means a two-sided test would detect with ``power``.

    Normal approximation with the observed between-article spread:
    ``MDD = (z_{1-alpha/2} + z_{power}) * s_p * sqrt(1/n1 + 1/n2)``, where ``s_p`` is the
    pooled standard deviation of the article means (``n1 + n2 - 2`` degrees of freedom).
    It is an optimistic figure for small n (a t quantile would be larger), and it ignores
    that a permutation test cannot reach p < ``alpha`` at all when its ``min_p`` is above
    ``alpha`` (:func:`compare_two_groups` then reports infinity).

    Parameters
    ----------
    x, y : array-like
        One value per independent article in each group.
    alpha : float, default 0.05
    power : float, default 0.8

    Returns
    -------
    float
        NaN when either group has fewer than two values (no spread to estimate).

    Examples
    --------
    >>> round(min_detectable_difference([0, 2], [1, 3]), 3)  # s_p = sqrt(2), z = 1.96 + 0.84
    3.962
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n1, n2 = len(x), len(y)
    if min(n1, n2) < 2:
        return math.nan
    sp = math.sqrt((((x - x.mean()) ** 2).sum() + ((y - y.mean()) ** 2).sum()) / (n1 + n2 - 2))
    z = float(_sps.norm.ppf(1 - alpha / 2) + _sps.norm.ppf(power))
    return float(z * sp * math.sqrt(1 / n1 + 1 / n2))


def cliffs_delta(x: np.ndarray, y: np.ndarray) -> float:
    """Cliff's delta: P(X > Y) - P(X < Y) over all pairs, in [-1, 1].

    Computed from ranks (Mann-Whitney U), so it costs O((n1 + n2) log(n1 + n2)).

    Parameters
    ----------
    x, y : array-like
        Values of the two groups.

    Returns
    -------
    float
        NaN when either group is empty.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) == 0 or len(y) == 0:
        return math.nan
    return float(_cliffs_delta_rows(x[None, :], y[None, :])[0])


def _cliffs_delta_rows(xb: np.ndarray, yb: np.ndarray) -> np.ndarray:
    """Cliff's delta for each row of two replicate matrices, vectorized via row offsets.

    Values are replaced by their ranks in the pooled values, each row's ranks are shifted into
    a band of its own, and one sorted array answers "how many y < x" and "how many y <= x"
    for every x of every row with two ``searchsorted`` calls.
    """
    pool = np.unique(np.concatenate([xb.ravel(), yb.ravel()]))
    xr, yr = np.searchsorted(pool, xb), np.searchsorted(pool, yb)
    width = len(pool) + 1
    off = np.arange(len(xb))[:, None] * width
    ys = np.sort((yr + off).ravel())
    xo = (xr + off).ravel()
    row_start = np.searchsorted(ys, (off[:, 0] - 0.5))
    less = (np.searchsorted(ys, xo, side="left").reshape(xb.shape) - row_start[:, None]).sum(axis=1)
    leq = (np.searchsorted(ys, xo, side="right").reshape(xb.shape) - row_start[:, None]).sum(axis=1)
    n_y = yb.shape[1]
    greater = n_y * xb.shape[1] - leq
    return (less - greater) / (xb.shape[1] * n_y)




def effect_sizes(
    df: pd.DataFrame,
    value: str,
    group: str,
    *,
    groups: tuple[str, str] | None = None,
    cluster: str = "article_id",
    units=None,
    n_boot: int = N_BOOT,
    random_state: int | None = RANDOM_STATE,
    ci: float = 0.95,
    weighting: str = "cluster",
    min_clusters: int = MIN_CLUSTERS,
) -> pd.DataFrame:
    """Effect sizes of ``groups[0]`` versus ``groups[1]`` at cluster level, with intervals.

    * difference in means (``weighting`` as in :func:`cluster_bootstrap`),
      stratified cluster-bootstrap percentile interval, or the range of the article-pair
      differences below ``min_clusters`` (:func:`bootstrap_difference`);
    * Hedges' g on the cluster means, analytic interval (:func:`hedges_g`);
    * Cliff's delta on the cluster means, stratified cluster-bootstrap interval.

    Hedges' g and Cliff's delta are NaN when a group has one cluster; their intervals are
    NaN when a group has fewer than ``min_clusters``.

    Parameters
    ----------
    df, value, group, groups, cluster, units, n_boot, random_state, ci, weighting, min_clusters
        As in :func:`bootstrap_difference`.

    Returns
    -------
    pandas.DataFrame
        Rows ``difference in means``, ``Hedges' g``, ``Cliff's delta``;
        columns ``effect``, ``estimate``, ``ci_low``, ``ci_high``, ``interval``
        (how the interval was obtained, or why there is none).
    """
    diff = bootstrap_difference(df, value, group, groups=groups, cluster=cluster, units=units,
                                n_boot=n_boot, random_state=random_state, ci=ci,
                                weighting=weighting, min_clusters=min_clusters)
    summ, (a, b) = _two_groups(df, value, group, groups, cluster, units)
    x = summ.loc[summ[group] == a, "mean"].to_numpy()
    y = summ.loc[summ[group] == b, "mean"].to_numpy()
    g = hedges_g(x, y, ci=ci)
    delta = cliffs_delta(x, y) if min(len(x), len(y)) >= 2 else math.nan
    enough = min(len(x), len(y)) >= max(min_clusters, 2)
    if enough:
        rng = np.random.default_rng(None if random_state is None else random_state + 1)
        xb = x[_draw(rng, len(x), n_boot)]
        yb = y[_draw(rng, len(y), n_boot)]
        lo, hi = _percentile_ci(_cliffs_delta_rows(xb, yb), ci)
        d_ci = (float(lo[0]), float(hi[0]))
        how_g, how_d = f"{ci:.0%} analytic (Hedges & Olkin)", _bootstrap_kind(ci)
    else:
        g = (g[0], math.nan, math.nan)
        d_ci = (math.nan, math.nan)
        why = ("none (a group has one article)" if min(len(x), len(y)) < 2
               else f"none (fewer than {min_clusters} articles in a group)")
        how_g = how_d = why
    return pd.DataFrame(
        [
            ["difference in means", diff["estimate"], diff["ci_low"], diff["ci_high"],
             diff["interval_kind"]],
            ["Hedges' g", g[0], g[1], g[2], how_g],
            ["Cliff's delta", delta, d_ci[0], d_ci[1], how_d],
        ],
        columns=["effect", "estimate", "ci_low", "ci_high", "interval"],
    ).astype({"estimate": float, "ci_low": float, "ci_high": float})


def compare_two_groups(
    df: pd.DataFrame,
    value: str,
    group: str,
    *,
    groups: tuple[str, str] | None = None,
    cluster: str = "article_id",
    units=None,
    n_boot: int = N_BOOT,
    random_state: int | None = RANDOM_STATE,
    ci: float = 0.95,
    weighting: str = "cluster",
    min_clusters: int = MIN_CLUSTERS,
    alpha: float = 0.05,
    power: float = 0.8,
) -> dict:
    """Everything a two-group comparison reports, in one flat dict.

    Parameters
    ----------
    df, value, group, groups, cluster, units, n_boot, random_state, ci, weighting, min_clusters
        As in :func:`effect_sizes`.
    alpha, power : float
        Of the minimum detectable difference (:func:`min_detectable_difference`).

    Returns
    -------
    dict
        ``group_a``, ``group_b``, ``n_a``, ``n_b`` (independent articles), ``n_copies_a``,
        ``n_copies_b`` (articles they stand for), ``mean_a``, ``mean_b``, ``diff``,
        ``diff_low``, ``diff_high``, ``interval_kind``, ``p_perm``, ``p_exact`` (bool),
        ``min_p``, ``mdd`` (minimum detectable difference; ``inf`` when ``min_p > alpha``:
        no difference could reach p < alpha; NaN when a group has one article),
        ``hedges_g``, ``g_low``, ``g_high``, ``cliffs_delta``, ``delta_low``, ``delta_high``.

    Raises
    ------
    ComparisonError
        If fewer than two groups have data.
    """
    eff = effect_sizes(df, value, group, groups=groups, cluster=cluster, units=units,
                       n_boot=n_boot, random_state=random_state, ci=ci, weighting=weighting,
                       min_clusters=min_clusters).set_index("effect")
    perm = permutation_test(df, value, group, groups=groups, cluster=cluster, units=units,
                            random_state=random_state, weighting=weighting)
    a, b = perm.groups
    summ, _ = _two_groups(df, value, group, (a, b), cluster, units)
    x = summ.loc[summ[group] == a, "mean"].to_numpy()
    y = summ.loc[summ[group] == b, "mean"].to_numpy()
    mdd = math.inf if perm.min_p > alpha else min_detectable_difference(x, y, alpha=alpha, power=power)
    return {
        "group_a": a,
        "group_b": b,
        "n_a": perm.n_a,
        "n_b": perm.n_b,
        "n_copies_a": perm.n_copies_a,
        "n_copies_b": perm.n_copies_b,
        "mean_a": perm.mean_a,
        "mean_b": perm.mean_b,
        "diff": perm.observed,
        "diff_low": float(eff.loc["difference in means", "ci_low"]),
        "diff_high": float(eff.loc["difference in means", "ci_high"]),
        "interval_kind": eff.loc["difference in means", "interval"],
        "p_perm": perm.p_value,
        "p_exact": perm.exact,
        "min_p": perm.min_p,
        "mdd": mdd,
        "hedges_g": float(eff.loc["Hedges' g", "estimate"]),
        "g_low": float(eff.loc["Hedges' g", "ci_low"]),
        "g_high": float(eff.loc["Hedges' g", "ci_high"]),
        "cliffs_delta": float(eff.loc["Cliff's delta", "estimate"]),
        "delta_low": float(eff.loc["Cliff's delta", "ci_low"]),
        "delta_high": float(eff.loc["Cliff's delta", "ci_high"]),
    }


# --------------------------------------------------------------------------- event strata


def stratified_comparison(
    df: pd.DataFrame,
    value: str,
    group: str,
    *,
    strata: str,
    groups: tuple[str, str] | None = None,
    cluster: str = "article_id",
    units=None,
    weighting: str = "cluster",
    max_exact: int = 100_000,
    n_perm: int = 10_000,
    random_state: int | None = RANDOM_STATE,
) -> tuple[pd.DataFrame, dict]:
    """Two-group difference within strata (news events): fixed-effects estimate, stratified test.

    In each stratum (e.g. the event an article reports) with articles of both groups the
    difference of group means ``d_s`` is computed; the estimate is their mean weighted by
    the stratum's independent articles ``w_s = n_a,s + n_b,s`` (an event fixed-effects
    estimate: outlets are compared only on the same event). Strata holding one group only
    carry no within-event contrast and are left out (listed in the note). The permutation
    test relabels articles within each stratum, keeping each stratum's group sizes; it is
    exact when the product of the strata's ``C(n_s, n_a,s)`` is at most ``max_exact``,
    otherwise Monte Carlo. ``min_p`` is the smallest p this design can give on these data
    (the share of relabellings as extreme as the most extreme one; Monte Carlo
    ``1 / (n_perm + 1)``), and ``p_perm`` is never below it.

    Parameters
    ----------
    df, value, group, groups, cluster, units, weighting
        As in :func:`permutation_test`.
    strata : str
        Column of ``df`` naming each row's stratum (one per cluster; missing values form
        the stratum ``"(none)"``).
    max_exact, n_perm, random_state
        As in :func:`permutation_test`.

    Returns
    -------
    per_stratum : pandas.DataFrame
        ``stratum``, ``n_a``, ``n_b`` (independent articles), ``n_copies_a``, ``n_copies_b``
        (articles they stand for), ``mean_a``, ``mean_b``, ``diff`` (NaN when a group is
        absent), ``weight`` (share of the estimate; 0 when left out).
    summary : dict
        ``group_a``, ``group_b``, ``n_a``, ``n_b``, ``n_copies_a``, ``n_copies_b`` (articles in
        shared strata),
        ``n_strata`` (shared strata), ``diff`` (fixed-effects estimate), ``p_perm``,
        ``p_exact``, ``min_p``, ``note`` (plain words; says so when the groups share no
        stratum, in which case ``diff`` and ``p_perm`` are NaN).

    Raises
    ------
    ComparisonError
        If fewer than two groups have data.
    """
    check_one_of("weighting", weighting, _WEIGHTINGS, func="stratified_comparison")
    _check_columns(df, [strata])
    sep = "\x1f"
    data = df.assign(_gs=df[group].astype(str) + sep + df[strata].astype("string").fillna("(none)"))
    summ = cluster_summary(data, value, cluster=cluster, group="_gs", units=units)
    split = summ["_gs"].str.split(sep, n=1, expand=True)
    summ[group], summ["_stratum"] = split[0], split[1]
    present = sorted(summ[group].unique())
    if groups is None:
        if len(present) != 2:
            raise ComparisonError(f"stratified_comparison: needs exactly two {group!r} values with "
                                  f"data, found {present}; pass groups=")
        groups = tuple(present)  # type: ignore[assignment]
    a, b = map(str, groups)
    missing = [g for g in (a, b) if g not in present]
    if missing:
        raise ComparisonError(f"stratified_comparison: no {cluster} in {group!r} = {missing}; "
                              f"the data hold only {present}, so there is nothing to compare")
    summ = summ[summ[group].isin([a, b])]
    rows, cells = [], []
    for name, part in summ.groupby("_stratum", sort=True):
        is_a = (part[group] == a).to_numpy()
        sums, counts = _sums_counts(part, weighting)
        n_a, n_b = int(is_a.sum()), int((~is_a).sum())
        m_a = float(sums[is_a].sum() / counts[is_a].sum()) if n_a else math.nan
        m_b = float(sums[~is_a].sum() / counts[~is_a].sum()) if n_b else math.nan
        copies = part["n_copies"].to_numpy()
        rows.append({"stratum": name, "n_a": n_a, "n_b": n_b, "n_copies_a": int(copies[is_a].sum()),
                     "n_copies_b": int(copies[~is_a].sum()), "mean_a": m_a, "mean_b": m_b,
                     "diff": m_a - m_b, "weight": float(n_a + n_b) if n_a and n_b else 0.0})
        if n_a and n_b:
            cells.append((sums, counts, n_a, n_a + n_b))
    per = pd.DataFrame(rows, columns=["stratum", "n_a", "n_b", "n_copies_a", "n_copies_b", "mean_a",
                                      "mean_b", "diff", "weight"])
    shared = per[per["weight"] > 0]
    left_out = per.loc[per["weight"] == 0, "stratum"].tolist()
    summary = {"group_a": a, "group_b": b, **{c: int(shared[c].sum()) for c in
                                              ("n_a", "n_b", "n_copies_a", "n_copies_b")},
               "n_strata": len(shared), "diff": math.nan,
               "p_perm": math.nan, "p_exact": False, "min_p": math.nan}
    if shared.empty:
        summary["note"] = (f"{a} and {b} share no {strata}: every {strata} was covered by one "
                           "group only, so outlet and event cannot be told apart and there is no "
                           "within-event comparison.")
        return per, summary
    total_w = float(shared["weight"].sum())
    per["weight"] = per["weight"] / total_w
    estimate = float((shared["diff"] * shared["weight"]).sum() / total_w)
    sizes = [math.comb(n, k) for _, _, k, n in cells]
    exact = math.prod(sizes) <= max_exact
    rng = None if exact else np.random.default_rng(random_state)
    null = np.zeros(1 if exact else n_perm)
    for sums, counts, k, n in cells:
        d = _relabel_diffs(sums, counts, k, exact=exact, n_perm=n_perm, rng=rng) * (n / total_w)
        null = (null[:, None] + d[None, :]).ravel() if exact else null + d
    tol = 1e-12 * max(1.0, abs(estimate))
    hits = int(np.sum(np.abs(null) >= abs(estimate) - tol))
    if exact:
        top = float(np.abs(null).max())
        min_p = int(np.sum(np.abs(null) >= top - 1e-12 * max(1.0, top))) / len(null)
        p = hits / len(null)
    else:
        min_p, p = 1.0 / (n_perm + 1), (1 + hits) / (1 + n_perm)
    notes = [f"{len(shared)} {strata}(s) covered by both groups"]
    if left_out:
        notes.append(f"left out (one group only): {', '.join(map(str, left_out))}")
    summary.update(diff=estimate, p_perm=float(max(p, min_p)), p_exact=exact, min_p=float(min_p),
                   note="; ".join(notes) + ".")
    return per, summary


# --------------------------------------------------------------------------- sensitivity


def leave_one_out(
    df: pd.DataFrame,
    value: str,
    group: str,
    *,
    groups: tuple[str, str] | None = None,
    drop: str = "unit",
    cluster: str = "article_id",
    units=None,
    weighting: str = "cluster",
) -> pd.DataFrame:
    """The difference of group means with each independent article (or each outlet) left out.

    Parameters
    ----------
    df, value, group, groups, cluster, units, weighting
        As in :func:`bootstrap_difference`.
    drop : str, default "unit"
        ``"unit"`` leaves out one independent article (all its copies) at a time; any other
        value names a column of ``df`` (e.g. ``"outlet"``) whose values are left out one at
        a time.

    Returns
    -------
    pandas.DataFrame
        One row per item left out: ``dropped``, ``n_a``, ``n_b`` (independent articles
        left), ``diff`` (``groups[0] - groups[1]``; NaN when leaving it out empties a group).
    """
    check_one_of("weighting", weighting, _WEIGHTINGS, func="leave_one_out")
    summ, (a, b) = _two_groups(df, value, group, groups, cluster, units)
    cols = ["dropped", "n_a", "n_b", "diff"]
    if drop == "unit":
        sums, counts = _sums_counts(summ, weighting)
        is_a = (summ[group] == a).to_numpy()
        tot = {True: (sums[is_a].sum(), counts[is_a].sum()), False: (sums[~is_a].sum(), counts[~is_a].sum())}
        n_a, n_b = int(is_a.sum()), int((~is_a).sum())
        rows = []
        for i, ia in enumerate(is_a):
            (s_own, c_own), (s_other, c_other) = tot[bool(ia)], tot[not ia]
            left = (s_own - sums[i]) / (c_own - counts[i]) if c_own - counts[i] > 0 else math.nan
            diff = left - s_other / c_other if ia else s_other / c_other - left
            rows.append((summ[cluster].iloc[i], n_a - ia, n_b - (not ia), float(diff)))
        return pd.DataFrame(rows, columns=cols)
    _check_columns(df, [drop])
    rows = []
    for item in sorted(df[drop].dropna().unique(), key=str):
        rest = df[df[drop] != item]
        try:
            part, _ = _two_groups(rest, value, group, (a, b), cluster, units)
        except ComparisonError:
            rows.append((item, math.nan, math.nan, math.nan))
            continue
        ia = (part[group] == a).to_numpy()
        sums, counts = _sums_counts(part, weighting)
        diff = sums[ia].sum() / counts[ia].sum() - sums[~ia].sum() / counts[~ia].sum()
        rows.append((item, int(ia.sum()), int((~ia).sum()), float(diff)))
    return pd.DataFrame(rows, columns=cols).astype({"n_a": "Int64", "n_b": "Int64"})


def sensitivity(
    df: pd.DataFrame,
    value: str,
    group: str,
    *,
    groups: tuple[str, str] | None = None,
    drops: tuple[str, ...] = ("unit", "outlet"),
    cluster: str = "article_id",
    units=None,
    weighting: str = "cluster",
) -> pd.DataFrame:
    """Range of the headline difference when each independent article (each outlet) is left out.

    Parameters
    ----------
    df, value, group, groups, cluster, units, weighting
        As in :func:`leave_one_out`.
    drops : tuple of str
        What to leave out in turn: ``"unit"`` and/or column names of ``df``.

    Returns
    -------
    pandas.DataFrame
        One row per entry of ``drops``: ``left_out`` (``"one article"`` or
        ``"one <column>"``), ``diff`` (all data), ``diff_min``, ``diff_max`` (over the
        leave-one-out differences that leave both groups non-empty), ``min_when``,
        ``max_when`` (what was left out there), ``n_left_out`` (items tried), ``n_empty``
        (items whose removal empties a group; not in the range).
    """
    summ, (a, b) = _two_groups(df, value, group, groups, cluster, units)
    sums, counts = _sums_counts(summ, weighting)
    ia = (summ[group] == a).to_numpy()
    full = float(sums[ia].sum() / counts[ia].sum() - sums[~ia].sum() / counts[~ia].sum())
    rows = []
    for drop in drops:
        if drop != "unit" and drop not in df.columns:
            continue
        loo = leave_one_out(df, value, group, groups=(a, b), drop=drop, cluster=cluster,
                            units=units, weighting=weighting)
        ok = loo[loo["diff"].notna()]
        label = "one article" if drop == "unit" else f"one {drop}"
        if ok.empty:
            rows.append((label, full, math.nan, math.nan, None, None, len(loo), len(loo)))
            continue
        lo, hi = ok.loc[ok["diff"].idxmin()], ok.loc[ok["diff"].idxmax()]
        rows.append((label, full, float(lo["diff"]), float(hi["diff"]), lo["dropped"],
                     hi["dropped"], len(loo), len(loo) - len(ok)))
    return pd.DataFrame(rows, columns=["left_out", "diff", "diff_min", "diff_max", "min_when",
                                       "max_when", "n_left_out", "n_empty"])
