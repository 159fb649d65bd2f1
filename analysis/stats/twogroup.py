"""Two groups of independent articles: bootstrap difference, permutation test, effect sizes, MDD."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import check_one_of
from ..config import MIN_CLUSTERS, N_BOOT, RANDOM_STATE
from .units import (
    _WEIGHTINGS,
    NO_INTERVAL_PAIR,
    RANGE,
    ComparisonError,
    _boot_estimates,
    _bootstrap_kind,
    _draw,
    _estimate,
    _percentile_ci,
    _sums_counts,
    cluster_summary,
)

#: Cells (replicates x values) handled at once by the blocked resampling loops.
_BLOCK = 1 << 22
#: Defaults of :func:`permutation_test`: largest exact enumeration, Monte Carlo relabellings.
MAX_EXACT, N_PERM = 100_000, 10_000
#: Sequential Monte Carlo p-values (Besag & Clifford 1991): stop drawing relabellings once this
#: many are at least as extreme as the observed difference. The p-value is then ``h / L``
#: (``L`` relabellings drawn), whose Monte Carlo relative standard error is about
#: ``1 / sqrt(h)`` = 10 %; p-values below ``MAX_HITS / N_PERM`` (0.01) never stop early and are
#: those of all ``N_PERM`` relabellings. The tone comparisons use it; the stats functions take
#: ``max_hits=None`` (every relabelling drawn) by default.
MAX_HITS = 100


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
    return _bootstrap_difference(summ, group, (a, b), n_boot=n_boot, random_state=random_state,
                                 ci=ci, weighting=weighting, min_clusters=min_clusters)


def _bootstrap_difference(summ, group, groups, *, n_boot, random_state, ci, weighting,
                          min_clusters) -> pd.Series:
    """:func:`bootstrap_difference` on the cluster summary of :func:`_two_groups`."""
    a, b = groups
    rng = np.random.default_rng(random_state)
    parts = [summ[summ[group] == g] for g in (a, b)]
    ests, draws = [], []
    for part in parts:
        sums, counts = _sums_counts(part, weighting)
        k = len(part)
        ests.append(float(_estimate(sums, counts, np.arange(k))))
        draws.append(_boot_estimates(rng, sums, counts, n_boot))
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




def paired_bootstrap(
    clusters,
    statistic_a,
    statistic_b,
    *,
    n_boot: int = N_BOOT,
    random_state: int | None = RANDOM_STATE,
    ci: float = 0.95,
    min_clusters: int = MIN_CLUSTERS,
) -> dict:
    """Difference of two statistics of the same data, with a paired cluster-bootstrap interval.

    For comparing two measures' validity (e.g. their Spearman correlations with the same
    codes): every replicate draws clusters (articles) with replacement once and evaluates
    **both** statistics on that same resample, so the interval of ``a - b`` keeps the
    correlation between the two (two separate intervals that overlap say little about the
    difference). With fewer than ``min_clusters`` clusters no interval is given.

    Parameters
    ----------
    clusters : array-like
        Cluster label of each row (e.g. ``df["article_id"]``).
    statistic_a, statistic_b : callable
        ``statistic(rows) -> float`` on an integer array of row positions (as in
        :func:`bootstrap_statistic`).
    n_boot : int, default 2000
    random_state : int, optional
    ci : float, default 0.95
    min_clusters : int, default :data:`analysis.config.MIN_CLUSTERS` (5)

    Returns
    -------
    dict
        ``estimate_a``, ``estimate_b``, ``diff`` (a - b on all rows), ``diff_low``,
        ``diff_high``, ``interval_kind`` ("95% paired bootstrap", or "none (k articles < 5)")
        and ``n_clusters``.

    Examples
    --------
    >>> rows = np.arange(40)
    >>> x = np.sin(rows)
    >>> out = paired_bootstrap(rows // 4, lambda i: x[i].mean() + 1, lambda i: x[i].mean(),
    ...                        n_boot=200)
    >>> round(out["diff"], 6), round(out["diff_low"], 6), round(out["diff_high"], 6)
    (1.0, 1.0, 1.0)
    """
    k = pd.Series(clusters).nunique()
    est_a = float(statistic_a(np.arange(len(clusters))))
    est_b = float(statistic_b(np.arange(len(clusters))))
    out = {"estimate_a": est_a, "estimate_b": est_b, "diff": est_a - est_b,
           "diff_low": math.nan, "diff_high": math.nan,
           "interval_kind": f"none ({k} articles < {min_clusters})", "n_clusters": int(k)}
    if k >= max(min_clusters, 2):
        _, lo, hi = bootstrap_statistic(clusters, lambda i: statistic_a(i) - statistic_b(i),
                                        n_boot=n_boot, random_state=random_state, ci=ci)
        out.update(diff_low=lo, diff_high=hi, interval_kind=f"{ci:.0%} paired bootstrap")
    return out


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
        Relabellings used (all distinct ones when ``exact``; fewer than ``n_perm`` when a
        sequential Monte Carlo test stopped early).
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


def _comb_upto(n: int, k: int, limit: int) -> int | None:
    """``math.comb(n, k)`` when it is at most ``limit``, else None.

    Stops as soon as the running product ``C(n - k + i, i)`` (non-decreasing in ``i``) passes
    ``limit``, instead of computing a binomial of thousands of digits (``C(100000, 45766)``
    takes 0.1 s, every comparison).

    Examples
    --------
    >>> _comb_upto(9, 4, 126), _comb_upto(9, 4, 125), _comb_upto(5, 0, 1)
    (126, None, 1)
    """
    k = min(k, n - k)
    c = 1
    for i in range(1, k + 1):
        c = c * (n - k + i) // i
        if c > limit:
            return None
    return c if c <= limit else None


def _relabel_diffs(
    sums: np.ndarray, counts: np.ndarray, n_a: int, *, exact: bool, n_perm: int,
    rng: np.random.Generator | None,
) -> np.ndarray:
    """Difference of group means for every relabelling of ``n_a`` of the clusters as group a.

    ``exact``: all ``C(n, n_a)`` relabellings in lexicographic order; else ``n_perm`` random ones
    (:func:`_random_relabel_diffs`).
    """
    n = len(sums)
    if exact:
        total = math.comb(n, n_a)
        chosen = np.fromiter(
            itertools.chain.from_iterable(itertools.combinations(range(n), n_a)), dtype=np.int64
        ).reshape(total, n_a)
        labels = np.zeros((total, n), dtype=bool)
        np.put_along_axis(labels, chosen, True, axis=1)
        return _group_mean_diffs(labels, sums, counts)
    return _random_relabel_diffs(sums, counts, n_a, n_perm, rng)


def _random_relabel_diffs(
    sums: np.ndarray, counts: np.ndarray, n_a: int, size: int, rng: np.random.Generator,
) -> np.ndarray:
    """Difference of group means for the next ``size`` random relabellings drawn from ``rng``.

    A random relabelling draws one uniform key per cluster and labels the ``n_a`` smallest keys
    group a. They are found with a partial sort (:func:`numpy.partition`, O(n) per relabelling)
    and the relabellings are evaluated in blocks of about ``_BLOCK`` cells, so time is
    O(size * n) and memory O(_BLOCK); the keys are drawn block by block from the same
    stream, so the relabellings are those of a full sort of one ``(size, n)`` key matrix, and
    two calls of sizes ``s`` and ``t`` draw the relabellings of one call of size ``s + t``.
    """
    n = len(sums)
    step = max(1, _BLOCK // max(n, 1))
    out = np.empty(size)
    for start in range(0, size, step):
        keys = rng.random((min(step, size - start), n))
        cut = np.partition(keys, n_a - 1, axis=1)[:, n_a - 1 : n_a]
        out[start : start + len(keys)] = _group_mean_diffs(keys <= cut, sums, counts)
    return out


def _group_mean_diffs(labels: np.ndarray, sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Mean of group a minus mean of group b for each row of a boolean label matrix.

    One product of the label matrix with ``[sums, counts]`` gives group a's totals; group b's
    are the overall totals minus a's.
    """
    tot = labels.astype(float) @ np.column_stack([sums, counts])
    sum_a, count_a = tot[:, 0], tot[:, 1]
    return sum_a / count_a - (sums.sum() - sum_a) / (counts.sum() - count_a)


def _check_max_hits(max_hits, func: str) -> None:
    if max_hits is not None and (isinstance(max_hits, bool) or not isinstance(max_hits, int | np.integer)
                                 or max_hits < 1):
        raise ValueError(f"{func}: max_hits must be a positive integer or None; got {max_hits!r}")


def _block_sizes(n_perm: int, max_hits: int | None) -> list[int]:
    """Relabellings drawn per step of :func:`_monte_carlo_p`: all at once without ``max_hits``,
    else ``2 * max_hits`` (enough when p is near 0.5), doubling each step up to ``n_perm``."""
    if max_hits is None:
        return [n_perm]
    sizes, size, done = [], 2 * max_hits, 0
    while done < n_perm:
        sizes.append(min(size, n_perm - done))
        done += sizes[-1]
        size *= 2
    return sizes


def _monte_carlo_p(draw, observed: float, *, n_perm: int, max_hits: int | None) -> tuple[float, int]:
    """Monte Carlo two-sided permutation p-value, sequential when ``max_hits`` is given.

    ``draw(size)`` returns the statistic of the next ``size`` random relabellings. A relabelling
    is a hit when abs(statistic) >= abs(observed) (up to a relative 1e-12). Without ``max_hits``
    all ``n_perm`` relabellings are drawn and ``p = (1 + hits) / (1 + n_perm)`` (Phipson & Smyth
    2010). With ``max_hits = h`` the relabellings are examined in order and drawing stops at the
    ``L``-th one if it is the ``h``-th hit: ``p = h / L``; if fewer than ``h`` hits occur in
    ``n_perm`` relabellings, ``p = (1 + hits) / (1 + n_perm)`` as before. This is Besag &
    Clifford's (1991) sequential Monte Carlo p-value: a valid test (P(p <= alpha) <= alpha under
    the null), identical to the full one whenever it does not stop early, with relative Monte
    Carlo error about ``1 / sqrt(h)`` when it does.

    Returns
    -------
    tuple
        ``(p, relabellings used)``.
    """
    tol = 1e-12 * max(1.0, abs(observed))
    hits = used = 0
    for size in _block_sizes(n_perm, max_hits):
        at_least = np.abs(draw(size)) >= abs(observed) - tol
        new = int(at_least.sum())
        if max_hits is not None and hits + new >= max_hits:
            stop = int(np.flatnonzero(at_least)[max_hits - hits - 1]) + 1
            return max_hits / (used + stop), used + stop
        hits, used = hits + new, used + size
    return (1 + hits) / (1 + n_perm), n_perm


def permutation_test(
    df: pd.DataFrame,
    value: str,
    group: str,
    *,
    groups: tuple[str, str] | None = None,
    cluster: str = "article_id",
    units=None,
    max_exact: int = MAX_EXACT,
    n_perm: int = N_PERM,
    max_hits: int | None = None,
    random_state: int | None = RANDOM_STATE,
    weighting: str = "cluster",
) -> PermutationResult:
    """Two-sided permutation test of a difference in group means, relabelling clusters.

    Group labels are shuffled across whole clusters (articles, or independent units with
    ``units``), never across sentences. When the number of distinct relabellings
    ``C(n_a + n_b, n_a)`` is at most ``max_exact``, all of them are enumerated (an exact
    test, no randomness); otherwise ``n_perm`` random relabellings are drawn and
    ``p = (1 + hits) / (1 + n_perm)`` (Phipson & Smyth 2010), or, with ``max_hits``, drawing
    stops once ``max_hits`` relabellings were at least as extreme as the observed difference
    (Besag & Clifford 1991; see :func:`_monte_carlo_p`). The p-value is never reported below
    ``min_p``.

    Parameters
    ----------
    df, value, group, groups, cluster, units, weighting
        As in :func:`bootstrap_difference`.
    max_exact : int, default 100000
        Largest number of relabellings enumerated exactly.
    n_perm : int, default 10000
        Random relabellings when the exact test is too large.
    max_hits : int, optional
        Sequential Monte Carlo p-value (Besag & Clifford 1991): stop after this many
        relabellings at least as extreme as the observed difference, ``p = max_hits / L``
        (``L`` relabellings drawn, a prefix of the ``n_perm`` ones drawn without it). None
        (default): draw all ``n_perm``. :data:`MAX_HITS` (100) gives p about 10 % relative
        Monte Carlo error and never stops for p below ``max_hits / n_perm``.
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
    _check_max_hits(max_hits, "permutation_test")
    summ, (a, b) = _two_groups(df, value, group, groups, cluster, units)
    return _permutation_test(summ, group, (a, b), max_exact=max_exact, n_perm=n_perm,
                             max_hits=max_hits, random_state=random_state, weighting=weighting)


def _permutation_test(summ, group, groups, *, max_exact, n_perm, random_state,
                      weighting, max_hits=None) -> PermutationResult:
    """:func:`permutation_test` on the cluster summary of :func:`_two_groups`."""
    a, b = groups
    is_a = (summ[group] == a).to_numpy()
    sums, counts = _sums_counts(summ, weighting)
    n, n_a = len(summ), int(is_a.sum())
    n_b = n - n_a
    total = _comb_upto(n, n_a, max_exact)
    exact = total is not None
    min_p = (2.0 if n_a == n_b else 1.0) / total if exact else 1.0 / (n_perm + 1)
    mean_a = float(sums[is_a].sum() / counts[is_a].sum())
    mean_b = float(sums[~is_a].sum() / counts[~is_a].sum())
    observed = mean_a - mean_b
    if exact:
        null = _relabel_diffs(sums, counts, n_a, exact=True, n_perm=n_perm, rng=None)
        tol = 1e-12 * max(1.0, abs(observed))
        p, used = int(np.sum(np.abs(null) >= abs(observed) - tol)) / total, total
    else:
        rng = np.random.default_rng(random_state)
        p, used = _monte_carlo_p(lambda size: _random_relabel_diffs(sums, counts, n_a, size, rng),
                                 observed, n_perm=n_perm, max_hits=max_hits)
    return PermutationResult(
        (a, b), n_a, n_b, mean_a, mean_b, observed, float(max(p, min_p)), used, exact,
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
    # scipy.stats here, not at import: about 0.9 s of CPU that keyness never needs
    from scipy import stats as _sps

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
    from scipy import stats as _sps  # here, not at import (see hedges_g)

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
    """Cliff's delta for each row of two replicate matrices (rows: replicates, columns: values).

    Values are replaced by their ranks among the distinct pooled values; each row's counts of
    each rank go to :func:`_cliffs_delta_counts` (items: the ranks, already in order).
    """
    pool = np.unique(np.concatenate([xb.ravel(), yb.ravel()]))
    m = len(pool)
    ranks = np.arange(m)
    return _cliffs_delta_counts(_row_counts(np.searchsorted(pool, xb), m),
                                _row_counts(np.searchsorted(pool, yb), m), None, ranks, ranks + 1)


#: From this many distinct values on, :func:`_row_counts` counts row by row (each row's counts
#: stay in the processor's cache), below it all rows in one offset bincount.
_ROW_BY_ROW = 1024


def _row_counts(idx: np.ndarray, m: int, out: np.ndarray | None = None) -> np.ndarray:
    """How often each of ``0 .. m - 1`` occurs in each row of ``idx`` (rows x m, int64, or into
    ``out``)."""
    if m >= _ROW_BY_ROW:
        out = np.empty((len(idx), m), dtype=np.int64) if out is None else out
        for r, row in enumerate(idx):
            out[r] = np.bincount(row, minlength=m)
        return out
    off = np.arange(len(idx))[:, None] * m
    counts = np.bincount((idx + off).ravel(), minlength=len(idx) * m).reshape(-1, m)
    if out is None:
        return counts
    out[...] = counts
    return out


def _drawn_counts(rng: np.random.Generator, k: int, n_boot: int) -> np.ndarray:
    """How often each of ``k`` clusters is drawn in each of ``n_boot`` bootstrap replicates.

    The replicates of ``_draw(rng, k, n_boot)``, drawn in blocks of rows (consecutive values of
    the stream) and kept as int32 counts, so memory is 4 bytes per cell, not 8 for the draws
    and 8 for their counts.
    """
    out = np.empty((n_boot, k), dtype=np.int32)
    step = max(1, _BLOCK // max(k, 1))
    for start in range(0, n_boot, step):
        stop = min(start + step, n_boot)
        _row_counts(_draw(rng, k, stop - start), k, out=out[start:stop])
    return out


def _cliffs_delta_boot(rng: np.random.Generator, x: np.ndarray, y: np.ndarray,
                       n_boot: int) -> np.ndarray:
    """Cliff's delta of ``n_boot`` stratified bootstrap replicates: the x items of every
    replicate drawn first, then the y items (``_draw(rng, len(x), n_boot)``, then
    ``_draw(rng, len(y), n_boot)``).

    The y counts are drawn block by block and used at once, so only the x counts (4 bytes per
    replicate and x item) are held, not the y counts as well.
    """
    cx = _drawn_counts(rng, len(x), n_boot)
    order = np.argsort(y, kind="stable")
    lt = np.searchsorted(y[order], x, side="left")
    le = np.searchsorted(y[order], x, side="right")
    n_y = len(y)
    step = max(1, _BLOCK // (len(x) + n_y + 1))
    out = np.empty(n_boot)
    for start in range(0, n_boot, step):
        stop = min(start + step, n_boot)
        cy = _row_counts(_draw(rng, n_y, stop - start), n_y,
                         out=np.empty((stop - start, n_y), dtype=np.int32))
        out[start:stop] = _cliffs_delta_counts(cx[start:stop], cy, order, lt, le)
    return out


def _cliffs_delta_counts(cx: np.ndarray, cy: np.ndarray, y_order: np.ndarray | None,
                         lt: np.ndarray, le: np.ndarray) -> np.ndarray:
    """Cliff's delta for each row of two count matrices (e.g. of bootstrap draws).

    ``cx[r, i]`` is how often x item ``i`` occurs in row ``r`` (``cy`` likewise for the y
    items); ``y_order`` sorts the y items by value (None: already sorted) and ``lt[i]``,
    ``le[i]`` count the sorted y items below, and at or below, x item ``i``. With the running
    total of a row's y counts in value order, "how many y < x" and "how many y <= x" summed
    over the row's x are dot products of length ``n_x``. The counts are integers, so the
    result is exact; the cost is O(rows * (n_x + n_y)), in blocks of about ``_BLOCK`` cells.
    """
    n_rows, n_x = cx.shape
    n_y = cy.shape[1]
    tied = np.flatnonzero(le > lt)  # x items equal to some y item
    few_ties = 4 * len(tied) < n_x
    step = max(1, _BLOCK // (n_x + n_y + 1))
    out = np.empty(n_rows)
    for start in range(0, n_rows, step):
        stop = min(start + step, n_rows)
        bx, by = cx[start:stop], cy[start:stop]
        # running totals (at most n_y) in the counts' own type: int32 counts summed into int64
        # cost three times as much; the dot products below accumulate in int64
        cum = np.zeros((stop - start, n_y + 1), dtype=by.dtype)
        np.cumsum(by if y_order is None else by[:, y_order], axis=1, out=cum[:, 1:])
        less = np.einsum("ij,ij->i", bx, np.take(cum, lt, axis=1), dtype=np.int64)
        if few_ties:  # y equal to x only where le > lt: add those pairs alone
            leq = less + np.einsum("ij,ij->i", bx[:, tied], np.take(cum, le[tied], axis=1)
                                   - np.take(cum, lt[tied], axis=1), dtype=np.int64)
        else:
            leq = np.einsum("ij,ij->i", bx, np.take(cum, le, axis=1), dtype=np.int64)
        pairs = bx.sum(axis=1, dtype=np.int64) * cum[:, -1]
        out[start:stop] = (less - (pairs - leq)) / pairs
    return out


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
    check_one_of("weighting", weighting, _WEIGHTINGS, func="effect_sizes")
    summ, (a, b) = _two_groups(df, value, group, groups, cluster, units)
    return _effect_sizes(summ, group, (a, b), n_boot=n_boot, random_state=random_state, ci=ci,
                         weighting=weighting, min_clusters=min_clusters)


def _effect_sizes(summ, group, groups, *, n_boot, random_state, ci, weighting,
                  min_clusters) -> pd.DataFrame:
    """:func:`effect_sizes` on the cluster summary of :func:`_two_groups`."""
    diff = _bootstrap_difference(summ, group, groups, n_boot=n_boot, random_state=random_state,
                                 ci=ci, weighting=weighting, min_clusters=min_clusters)
    return _effects_table(diff, _rank_effects(summ, group, groups, n_boot=n_boot,
                                              random_state=random_state, ci=ci,
                                              min_clusters=min_clusters))


def _rank_effects(summ, group, groups, *, n_boot, random_state, ci, min_clusters) -> tuple:
    """Hedges' g and Cliff's delta of the cluster means, with their intervals and how they
    were obtained: ``(g, delta, delta_ci, how_g, how_d)``. Cliff's delta's bootstrap draws
    from its own generator (``random_state + 1``), so it may run beside the other resamplings."""
    a, b = groups
    x = summ.loc[summ[group] == a, "mean"].to_numpy()
    y = summ.loc[summ[group] == b, "mean"].to_numpy()
    g = hedges_g(x, y, ci=ci)
    delta = cliffs_delta(x, y) if min(len(x), len(y)) >= 2 else math.nan
    enough = min(len(x), len(y)) >= max(min_clusters, 2)
    if enough:
        rng = np.random.default_rng(None if random_state is None else random_state + 1)
        lo, hi = _percentile_ci(_cliffs_delta_boot(rng, x, y, n_boot), ci)
        d_ci = (float(lo[0]), float(hi[0]))
        how_g, how_d = f"{ci:.0%} analytic (Hedges & Olkin)", _bootstrap_kind(ci)
    else:
        g = (g[0], math.nan, math.nan)
        d_ci = (math.nan, math.nan)
        why = ("none (a group has one article)" if min(len(x), len(y)) < 2
               else f"none (fewer than {min_clusters} articles in a group)")
        how_g = how_d = why
    return g, delta, d_ci, how_g, how_d


def _effects_table(diff: pd.Series, rank: tuple) -> pd.DataFrame:
    """The table of :func:`effect_sizes` from :func:`_bootstrap_difference` and
    :func:`_rank_effects`."""
    g, delta, d_ci, how_g, how_d = rank
    return pd.DataFrame(
        [
            ["difference in means", diff["estimate"], diff["ci_low"], diff["ci_high"],
             diff["interval_kind"]],
            ["Hedges' g", g[0], g[1], g[2], how_g],
            ["Cliff's delta", delta, d_ci[0], d_ci[1], how_d],
        ],
        columns=["effect", "estimate", "ci_low", "ci_high", "interval"],
    ).astype({"estimate": float, "ci_low": float, "ci_high": float})
