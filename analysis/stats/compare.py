"""The two-group comparison as used by the notebooks: pooled, within events, leave-one-out."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._checks import check_one_of
from ..config import MIN_CLUSTERS, N_BOOT, RANDOM_STATE
from .twogroup import (
    MAX_EXACT,
    N_PERM,
    _bootstrap_difference,
    _check_max_hits,
    _comb_upto,
    _effects_table,
    _monte_carlo_p,
    _permutation_test,
    _random_relabel_diffs,
    _rank_effects,
    _relabel_diffs,
    _two_groups,
    min_detectable_difference,
)
from .units import (
    _THREADED_CELLS,
    _WEIGHTINGS,
    ComparisonError,
    _check_columns,
    _concurrently,
    _per_cluster,
    _sums_counts,
    _to_units,
    cluster_summary,
)


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
    max_hits: int | None = None,
    effects: bool = True,
) -> dict:
    """Everything a two-group comparison reports, in one flat dict.

    Parameters
    ----------
    df, value, group, groups, cluster, units, n_boot, random_state, ci, weighting, min_clusters
        As in :func:`effect_sizes`.
    alpha, power : float
        Of the minimum detectable difference (:func:`min_detectable_difference`).
    max_hits : int, optional
        Sequential Monte Carlo permutation p-value, as in :func:`permutation_test`
        (None: all 10,000 relabellings).
    effects : bool, default True
        Also compute Hedges' g and Cliff's delta with their intervals. False leaves them out
        (their six keys are absent) and skips Cliff's delta's bootstrap, about half of the
        time; every other value is the same either way.

    Returns
    -------
    dict
        ``group_a``, ``group_b``, ``n_a``, ``n_b`` (independent articles), ``n_copies_a``,
        ``n_copies_b`` (articles they stand for), ``mean_a``, ``mean_b``, ``diff``,
        ``diff_low``, ``diff_high``, ``interval_kind``, ``p_perm``, ``p_exact`` (bool),
        ``min_p``, ``n_relabelings`` (relabellings the p-value rests on), ``mdd`` (minimum
        detectable difference; ``inf`` when ``min_p > alpha``:
        no difference could reach p < alpha; NaN when a group has one article),
        ``hedges_g``, ``g_low``, ``g_high``, ``cliffs_delta``, ``delta_low``, ``delta_high``
        (with ``effects``).

    Raises
    ------
    ComparisonError
        If fewer than two groups have data.
    """
    check_one_of("weighting", weighting, _WEIGHTINGS, func="compare_two_groups")
    _check_max_hits(max_hits, "compare_two_groups")
    summ, (a, b) = _two_groups(df, value, group, groups, cluster, units)  # summarized once
    boot = {"n_boot": n_boot, "random_state": random_state, "ci": ci, "min_clusters": min_clusters}
    # three resamplings, each with its own generator (Cliff's delta's first: the longest)
    tasks = [lambda: _bootstrap_difference(summ.copy(), group, (a, b), weighting=weighting, **boot),
             lambda: _permutation_test(summ.copy(), group, (a, b), max_exact=MAX_EXACT,
                                       n_perm=N_PERM, max_hits=max_hits,
                                       random_state=random_state, weighting=weighting)]
    if effects:
        tasks.insert(0, lambda: _rank_effects(summ.copy(), group, (a, b), **boot))
    *rank, diff, perm = _concurrently(tasks, threads=n_boot * len(summ) >= _THREADED_CELLS,
                                      random_state=random_state)
    if effects:
        eff = _effects_table(diff, rank[0]).set_index("effect")
    x = summ.loc[summ[group] == a, "mean"].to_numpy()
    y = summ.loc[summ[group] == b, "mean"].to_numpy()
    mdd = math.inf if perm.min_p > alpha else min_detectable_difference(x, y, alpha=alpha, power=power)
    out = {
        "group_a": a,
        "group_b": b,
        "n_a": perm.n_a,
        "n_b": perm.n_b,
        "n_copies_a": perm.n_copies_a,
        "n_copies_b": perm.n_copies_b,
        "mean_a": perm.mean_a,
        "mean_b": perm.mean_b,
        "diff": perm.observed,
        "diff_low": float(diff["ci_low"]),
        "diff_high": float(diff["ci_high"]),
        "interval_kind": diff["interval_kind"],
        "p_perm": perm.p_value,
        "p_exact": perm.exact,
        "min_p": perm.min_p,
        "n_relabelings": perm.n_relabelings,
        "mdd": mdd,
    }
    if effects:
        out.update({
            "hedges_g": float(eff.loc["Hedges' g", "estimate"]),
            "g_low": float(eff.loc["Hedges' g", "ci_low"]),
            "g_high": float(eff.loc["Hedges' g", "ci_high"]),
            "cliffs_delta": float(eff.loc["Cliff's delta", "estimate"]),
            "delta_low": float(eff.loc["Cliff's delta", "ci_low"]),
            "delta_high": float(eff.loc["Cliff's delta", "ci_high"]),
        })
    return out


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
    max_exact: int = MAX_EXACT,
    n_perm: int = N_PERM,
    max_hits: int | None = None,
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
    max_exact, n_perm, max_hits, random_state
        As in :func:`permutation_test`. With ``max_hits`` the relabellings are drawn in
        blocks (``2 * max_hits``, doubling), each block stratum after stratum, so the
        stopping rule sees whole relabellings of all strata; without it each stratum's
        ``n_perm`` relabellings are drawn in turn.

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
        ``p_exact``, ``min_p``, ``n_relabelings``, ``note`` (plain words; says so when the
        groups share no stratum, in which case ``diff`` and ``p_perm`` are NaN and
        ``n_relabelings`` None).

    Raises
    ------
    ComparisonError
        If fewer than two groups have data.
    """
    check_one_of("weighting", weighting, _WEIGHTINGS, func="stratified_comparison")
    _check_max_hits(max_hits, "stratified_comparison")
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
               "p_perm": math.nan, "p_exact": False, "min_p": math.nan, "n_relabelings": None}
    if shared.empty:
        summary["note"] = (f"{a} and {b} share no {strata}: every {strata} was covered by one "
                           "group only, so outlet and event cannot be told apart and there is no "
                           "within-event comparison.")
        return per, summary
    total_w = float(shared["weight"].sum())
    per["weight"] = per["weight"] / total_w
    estimate = float((shared["diff"] * shared["weight"]).sum() / total_w)
    sizes = [_comb_upto(n, k, max_exact) for _, _, k, n in cells]
    exact = None not in sizes and math.prod(sizes) <= max_exact
    if exact:
        null = np.zeros(1)
        for sums, counts, k, n in cells:
            d = _relabel_diffs(sums, counts, k, exact=True, n_perm=n_perm, rng=None) * (n / total_w)
            null = (null[:, None] + d[None, :]).ravel()
        tol = 1e-12 * max(1.0, abs(estimate))
        hits = int(np.sum(np.abs(null) >= abs(estimate) - tol))
        top = float(np.abs(null).max())
        min_p = int(np.sum(np.abs(null) >= top - 1e-12 * max(1.0, top))) / len(null)
        p, used = hits / len(null), len(null)
    else:
        rng = np.random.default_rng(random_state)

        def draw(size):  # the next `size` relabellings of every stratum, stratum after stratum
            null = np.zeros(size)
            for sums, counts, k, n in cells:
                null += _random_relabel_diffs(sums, counts, k, size, rng) * (n / total_w)
            return null

        p, used = _monte_carlo_p(draw, estimate, n_perm=n_perm, max_hits=max_hits)
        min_p = 1.0 / (n_perm + 1)
    notes = [f"{len(shared)} {strata}(s) covered by both groups"]
    if left_out:
        notes.append(f"left out (one group only): {', '.join(map(str, left_out))}")
    summary.update(diff=estimate, p_perm=float(max(p, min_p)), p_exact=exact, min_p=float(min_p),
                   n_relabelings=int(used), note="; ".join(notes) + ".")
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
    return _leave_one_out(df, summ, value, group, (a, b), drop=drop, cluster=cluster, units=units,
                          weighting=weighting)


def _leave_one_out(df, summ, value, group, groups, *, drop, cluster, units,
                   weighting) -> pd.DataFrame:
    """:func:`leave_one_out` on the cluster summary of :func:`_two_groups` (made once by
    :func:`sensitivity` for all its rows)."""
    a, b = groups
    cols = ["dropped", "n_a", "n_b", "diff"]
    if drop == "unit":
        sums, counts = _sums_counts(summ, weighting)
        is_a = (summ[group] == a).to_numpy()
        s_a, c_a, s_b, c_b = sums[is_a].sum(), counts[is_a].sum(), sums[~is_a].sum(), counts[~is_a].sum()
        n_a, n_b = int(is_a.sum()), int((~is_a).sum())
        s_own, c_own = np.where(is_a, s_a, s_b), np.where(is_a, c_a, c_b)
        other = np.where(is_a, s_b / c_b, s_a / c_a)  # the other group's mean, all of it
        with np.errstate(divide="ignore", invalid="ignore"):
            left = np.where(c_own - counts > 0, (s_own - sums) / (c_own - counts), math.nan)
        diff = np.where(is_a, left - other, other - left)
        return pd.DataFrame({"dropped": summ[cluster].to_numpy(), "n_a": n_a - is_a.astype(np.int64),
                             "n_b": n_b - (~is_a).astype(np.int64), "diff": diff}, columns=cols)
    _check_columns(df, [drop])
    rows = []
    df = df[list(dict.fromkeys([value, group, cluster, drop]))]  # filtered per item: no other columns
    # Each article summarised once; an item's articles are then left out of that summary (the
    # same sums, so the same numbers), unless an article spans several values of ``drop``.
    arts = _per_cluster(df, value, cluster, group)
    per_article = df.drop_duplicates([cluster, drop])
    whole = not per_article[cluster].duplicated().any()
    if whole:
        item_of = arts[cluster].map(per_article.set_index(cluster, drop=False)[drop])
    for item in sorted(df[drop].dropna().unique(), key=str):
        if whole:
            part = _to_units(arts[(item_of != item).to_numpy()], cluster, group, units)
            part = part[part[group].isin((a, b))].reset_index(drop=True)
            if not (part[group] == a).any() or not (part[group] == b).any():
                rows.append((item, math.nan, math.nan, math.nan))
                continue
        else:
            try:
                part, _ = _two_groups(df[df[drop] != item], value, group, (a, b), cluster, units)
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
    check_one_of("weighting", weighting, _WEIGHTINGS, func="sensitivity")
    summ, (a, b) = _two_groups(df, value, group, groups, cluster, units)  # once for every row
    sums, counts = _sums_counts(summ, weighting)
    ia = (summ[group] == a).to_numpy()
    full = float(sums[ia].sum() / counts[ia].sum() - sums[~ia].sum() / counts[~ia].sum())
    rows = []
    for drop in drops:
        if drop != "unit" and drop not in df.columns:
            continue
        loo = _leave_one_out(df, summ, value, group, (a, b), drop=drop, cluster=cluster,
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

