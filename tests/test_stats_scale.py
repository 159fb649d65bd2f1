"""The resampling kernels of analysis.stats at scale: linear-time forms give the sort-based results."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.stats import twogroup


def _argsort_relabel(sums, counts, n_a, n_perm, seed):
    """Reference: the n_a smallest of one uniform key per cluster, found by a full sort per row."""
    keys = np.random.default_rng(seed).random((n_perm, len(sums)))
    labels = np.zeros(keys.shape, dtype=bool)
    np.put_along_axis(labels, np.argsort(keys, axis=1)[:, :n_a], True, axis=1)
    return labels, twogroup._group_mean_diffs(labels, sums, counts)


@pytest.mark.parametrize("n, n_a", [(9, 4), (40, 13), (300, 150)])
def test_random_relabelling_is_the_sorted_one_in_one_block(n, n_a):
    rng = np.random.default_rng(n)
    sums, counts = rng.normal(size=n), rng.integers(1, 30, n).astype(float)
    _, expected = _argsort_relabel(sums, counts, n_a, 2_000, seed=5)
    got = twogroup._relabel_diffs(sums, counts, n_a, exact=False, n_perm=2_000,
                                  rng=np.random.default_rng(5))
    np.testing.assert_array_equal(got, expected)  # bit for bit: same keys, same labels, same sums


def test_random_relabelling_in_blocks_draws_the_same_relabellings(monkeypatch):
    n, n_a, n_perm = 250, 90, 700
    rng = np.random.default_rng(1)
    sums, counts = rng.normal(size=n), rng.integers(1, 30, n).astype(float)
    labels, expected = _argsort_relabel(sums, counts, n_a, n_perm, seed=11)
    monkeypatch.setattr(twogroup, "_BLOCK", 37 * n)  # 19 blocks, the last one short
    got = twogroup._relabel_diffs(sums, counts, n_a, exact=False, n_perm=n_perm,
                                  rng=np.random.default_rng(11))
    assert labels.sum(axis=1).tolist() == [n_a] * n_perm
    # blocks of rows may change the last bit of a matrix-vector product, nothing more
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-13)
    # and every relabelling is the sorted one: recomputing row by row from the labels agrees
    rows = np.concatenate([twogroup._group_mean_diffs(labels[i : i + 37], sums, counts)
                           for i in range(0, n_perm, 37)])
    np.testing.assert_array_equal(got, rows)


def test_stream_continues_across_strata_calls():
    """Stratified tests draw cell after cell from one generator: blocks must not skip keys."""
    rng = np.random.default_rng(3)
    sums = rng.normal(size=30)
    one = np.random.default_rng(9)
    first = twogroup._relabel_diffs(sums, np.ones(30), 10, exact=False, n_perm=50, rng=one)
    second = twogroup._relabel_diffs(sums, np.ones(30), 10, exact=False, n_perm=50, rng=one)
    keys = np.random.default_rng(9).random((100, 30))
    cut = np.sort(keys, axis=1)[:, 9:10]
    expected = twogroup._group_mean_diffs(keys <= cut, sums, np.ones(30))
    np.testing.assert_allclose(np.concatenate([first, second]), expected, rtol=0, atol=1e-13)


def _pairwise_delta(a, b):
    return np.sign(a[:, None] - b[None, :]).mean()


@pytest.mark.parametrize("block", [1 << 22, 64, 1])
def test_cliffs_delta_counts_match_pairs_with_ties_and_blocks(monkeypatch, block):
    monkeypatch.setattr(twogroup, "_BLOCK", block)
    rng = np.random.default_rng(4)
    x, y = rng.integers(0, 6, 23).astype(float), rng.integers(0, 6, 31).astype(float)
    xb, yb = x[rng.integers(0, 23, (45, 23))], y[rng.integers(0, 31, (45, 31))]
    rows = twogroup._cliffs_delta_rows(xb, yb)
    expected = [_pairwise_delta(a, b) for a, b in zip(xb, yb, strict=True)]
    # counts are integers, so the division is the same one as the pairwise mean's
    np.testing.assert_allclose(rows, expected, rtol=0, atol=1e-15)
    assert twogroup._cliffs_delta_rows(np.array([[1.0, 2.0]]), np.array([[2.0, 3.0]]))[0] == -0.75


@pytest.mark.parametrize("m", [1, 7, 3000])
def test_row_counts_row_by_row_are_those_of_one_bincount(monkeypatch, m):
    idx = np.random.default_rng(m).integers(0, m, (13, 2 * m + 5))
    expected = np.stack([np.bincount(row, minlength=m) for row in idx])
    for threshold in (1 << 30, 1):
        monkeypatch.setattr(twogroup, "_ROW_BY_ROW", threshold)
        got = twogroup._row_counts(idx, m)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, expected)
        into = np.full((13, m), -1, dtype=np.int32)
        assert twogroup._row_counts(idx, m, out=into) is into
        np.testing.assert_array_equal(into, expected)


@pytest.mark.parametrize("decimals", [3, 1, 8])  # 6, 165 and 0 of 170 x values tied
@pytest.mark.parametrize("row_by_row", [1 << 30, 1])
@pytest.mark.parametrize("block", [1 << 22, 5000, 1])
def test_cliffs_delta_interval_of_effect_sizes_at_moderate_n(monkeypatch, block, row_by_row,
                                                             decimals):
    """The bootstrap interval of Cliff's delta from the draws' counts is the pairwise one,
    replicate by replicate (same draws from ``random_state + 1``), in blocks of any size,
    counted in one bincount or row by row, with few, many or no ties between the groups."""
    import pandas as pd

    monkeypatch.setattr(twogroup, "_BLOCK", block)
    monkeypatch.setattr(twogroup, "_ROW_BY_ROW", row_by_row)

    from analysis import stats

    rng = np.random.default_rng(2)
    n = 400
    df = pd.DataFrame({"article_id": [f"a{i}" for i in range(n)],
                       "group": np.where(np.arange(n) < 170, "x", "y"),
                       "value": np.round(rng.normal(size=n) + (np.arange(n) < 170) * 0.3,
                                         decimals)})
    eff = stats.effect_sizes(df, "value", "group", groups=("x", "y"), n_boot=300,
                             random_state=7).set_index("effect")
    summ = df.sort_values("article_id")
    x = summ.loc[summ["group"] == "x", "value"].to_numpy()
    y = summ.loc[summ["group"] == "y", "value"].to_numpy()
    draw = np.random.default_rng(8)
    xb, yb = x[draw.integers(0, len(x), (300, len(x)))], y[draw.integers(0, len(y), (300, len(y)))]
    reps = np.array([_pairwise_delta(a, b) for a, b in zip(xb, yb, strict=True)])
    lo, hi = np.nanquantile(reps, [0.025, 0.975])
    row = eff.loc["Cliff's delta"]
    assert row["estimate"] == pytest.approx(_pairwise_delta(x, y), abs=1e-15)
    assert row["ci_low"] == pytest.approx(lo, abs=1e-12)
    assert row["ci_high"] == pytest.approx(hi, abs=1e-12)


# ----------------------------------------------------------------- sequential Monte Carlo p-values


def _null_frame(rng, n_a=14, n_b=19, cluster_sd=0.3):
    """Exchangeable clusters: 1-6 rows each around a cluster effect, no group effect."""
    import pandas as pd

    sizes = rng.integers(1, 7, n_a + n_b)
    effects = rng.normal(0, cluster_sd, n_a + n_b)
    ids = np.array([f"c{i:03d}" for i in range(n_a + n_b)])
    return pd.DataFrame({"article_id": np.repeat(ids, sizes),
                         "group": np.repeat(np.where(np.arange(n_a + n_b) < n_a, "a", "b"), sizes),
                         "value": np.repeat(effects, sizes) + rng.normal(0, 0.5, sizes.sum())})


def _full_null(df, weighting, n_perm, seed):
    """The statistic of all n_perm relabellings of one seed's stream, and the observed one."""
    from analysis import stats
    from analysis.stats.units import _sums_counts

    summ = stats.cluster_summary(df, "value", group="group")
    sums, counts = _sums_counts(summ, weighting)
    is_a = (summ["group"] == "a").to_numpy()
    obs = sums[is_a].sum() / counts[is_a].sum() - sums[~is_a].sum() / counts[~is_a].sum()
    null = twogroup._relabel_diffs(sums, counts, int(is_a.sum()), exact=False, n_perm=n_perm,
                                   rng=np.random.default_rng(seed))
    return null, obs


@pytest.mark.parametrize("weighting", ["cluster", "unit"])
def test_sequential_p_stops_at_the_h_th_hit_of_the_same_stream(weighting):
    from analysis import stats

    df = _null_frame(np.random.default_rng(21))
    null, obs = _full_null(df, weighting, 3000, seed=4)
    hit = np.abs(null) >= abs(obs) - 1e-12 * max(1.0, abs(obs))
    full = stats.permutation_test(df, "value", "group", groups=("a", "b"), max_exact=10,
                                  n_perm=3000, random_state=4, weighting=weighting)
    assert full.n_relabelings == 3000
    assert full.p_value == (1 + hit.sum()) / 3001  # max_hits=None (default): unchanged
    for h in (1, 7, 25):
        seq = stats.permutation_test(df, "value", "group", groups=("a", "b"), max_exact=10,
                                     n_perm=3000, random_state=4, weighting=weighting, max_hits=h)
        stop = int(np.flatnonzero(hit)[h - 1]) + 1  # the h-th hit of the same relabellings
        assert seq.n_relabelings == stop and seq.p_value == h / stop
        assert seq.observed == full.observed and seq.min_p == full.min_p


def test_sequential_p_without_enough_hits_is_the_full_one():
    """A p-value below max_hits / n_perm never stops early: the result is the full test's."""
    from analysis import stats

    rng = np.random.default_rng(5)
    df = _null_frame(rng)
    df.loc[df["group"] == "a", "value"] += 0.6  # a clear difference: few hits
    full = stats.permutation_test(df, "value", "group", groups=("a", "b"), max_exact=10,
                                  n_perm=2000, random_state=3)
    seq = stats.permutation_test(df, "value", "group", groups=("a", "b"), max_exact=10,
                                 n_perm=2000, random_state=3, max_hits=100)
    assert full.p_value < 100 / 2000
    assert seq == full


def _rejection_rates_ok(ps, n_sets):
    """P(p <= alpha) <= alpha within 3 Monte Carlo standard errors, and not far below at 0.5."""
    for alpha in (0.05, 0.1, 0.25, 0.5):
        bound = alpha + 3 * np.sqrt(alpha * (1 - alpha) / n_sets)
        assert np.mean(ps <= alpha) <= bound, (alpha, np.mean(ps <= alpha))
    assert np.mean(ps <= 0.5) >= 0.5 - 3 * np.sqrt(0.25 / n_sets)  # not conservative either


def test_sequential_p_is_valid_under_exchangeable_clusters():
    """Under the null (no group effect, clusters exchangeable) P(p <= alpha) <= alpha within Monte
    Carlo error (Besag & Clifford 1991), here on the kernel with unequal cluster sizes (ratio
    estimator, ``weighting="unit"``), and it saves most relabellings."""
    rng = np.random.default_rng(2026)
    n_sets, n, n_a = 4000, 33, 14
    ps, used = np.empty(n_sets), np.empty(n_sets)
    for i in range(n_sets):
        counts = rng.integers(1, 7, n).astype(float)
        sums = counts * rng.normal(0, 0.3, n) + np.sqrt(counts) * rng.normal(0, 0.5, n)
        is_a = np.zeros(n, dtype=bool)
        is_a[:n_a] = True  # the observed labelling: any fixed one, the clusters are exchangeable
        obs = sums[is_a].sum() / counts[is_a].sum() - sums[~is_a].sum() / counts[~is_a].sum()
        stream = np.random.default_rng(i)
        ps[i], used[i] = twogroup._monte_carlo_p(
            lambda size, s=stream, x=sums, c=counts: twogroup._random_relabel_diffs(x, c, n_a, size, s),
            obs, n_perm=999, max_hits=20)
    _rejection_rates_ok(ps, n_sets)
    assert np.median(used) < 100  # p ~ uniform: half the tests stop within 2 * 20 / 0.5 draws


def test_sequential_stratified_p_is_valid_under_exchangeable_clusters():
    """The same for the event-stratified test, through the public function."""
    from analysis import stats

    rng = np.random.default_rng(7)
    n_sets = 300
    ps = np.empty(n_sets)
    for i in range(n_sets):
        df = _null_frame(rng)
        df["event"] = np.where(df["article_id"].str[-1].isin(list("0123")), "E1", "E2")
        _, summ = stats.stratified_comparison(df, "value", "group", strata="event",
                                              groups=("a", "b"), max_exact=10, n_perm=999,
                                              random_state=i, max_hits=20)
        ps[i] = summ["p_perm"]
    _rejection_rates_ok(ps, n_sets)


def test_stratified_without_max_hits_draws_each_stratum_in_turn():
    """max_hits=None keeps the earlier stream: stratum after stratum, n_perm relabellings each."""
    from analysis import stats
    from analysis.stats.units import _sums_counts

    rng = np.random.default_rng(8)
    df = _null_frame(rng, n_a=20, n_b=24)
    df["event"] = np.where(df["article_id"].str[-1].isin(list("01234")), "E1", "E2")
    _, summ = stats.stratified_comparison(df, "value", "group", strata="event", groups=("a", "b"),
                                          max_exact=10, n_perm=1500, random_state=6)
    parts = stats.cluster_summary(df, "value", group="group").merge(
        df[["article_id", "event"]].drop_duplicates(), on="article_id")
    stream, null, w_total, est = np.random.default_rng(6), np.zeros(1500), len(parts), 0.0
    for _, part in parts.groupby("event", sort=True):
        sums, counts = _sums_counts(part, "cluster")
        is_a = (part["group"] == "a").to_numpy()
        w = len(part) / w_total
        est += w * (sums[is_a].mean() - sums[~is_a].mean())
        null = null + twogroup._relabel_diffs(sums, counts, int(is_a.sum()), exact=False,
                                              n_perm=1500, rng=stream) * w
    hits = int(np.sum(np.abs(null) >= abs(est) - 1e-12 * max(1.0, abs(est))))
    assert summ["diff"] == pytest.approx(est, abs=1e-14)
    assert summ["p_perm"] == max((1 + hits) / 1501, 1 / 1501) and summ["n_relabelings"] == 1500


def test_max_hits_is_checked():
    import pandas as pd

    from analysis import stats

    df = pd.DataFrame({"article_id": ["x", "y"], "group": ["a", "b"], "value": [0.0, 1.0]})
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="max_hits must be a positive integer or None"):
            stats.permutation_test(df, "value", "group", max_hits=bad)


@pytest.mark.parametrize("k, block", [(1, 1), (7, 20), (300, 1000), (300, 1 << 18)])
def test_bootstrap_estimates_in_blocks_are_those_of_one_draw(monkeypatch, k, block):
    """Blocks of replicates draw consecutive values of the stream: the same replicates, summed
    the same way, as one (n_boot, k) draw."""
    from analysis.stats import units

    monkeypatch.setattr(units, "_BOOT_BLOCK", block)
    rng = np.random.default_rng(k)
    sums, counts = rng.normal(size=k), rng.integers(1, 9, k).astype(float)
    for c in (counts, np.ones(k)):
        expected = units._estimate(sums, c, units._draw(np.random.default_rng(4), k, 777))
        got = units._boot_estimates(np.random.default_rng(4), sums, c, 777)
        np.testing.assert_array_equal(got, expected)


def _leave_one_out_loop(summ, group, a, cluster, weighting):
    """Reference: the per-article loop leave_one_out(drop="unit") used before issue #18."""
    import math

    import pandas as pd

    from analysis.stats.units import _sums_counts

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
    return pd.DataFrame(rows, columns=["dropped", "n_a", "n_b", "diff"])


@pytest.mark.parametrize("n_a, n_b", [(1, 5), (7, 9), (1, 1), (40, 3)])
def test_leave_one_article_out_equals_the_loop(n_a, n_b):
    import pandas as pd

    from analysis import stats
    from analysis.stats.twogroup import _two_groups

    rng = np.random.default_rng(n_a * 100 + n_b)
    ids = [f"x{i}" for i in range(n_a + n_b)]
    sizes = rng.integers(1, 6, n_a + n_b)
    df = pd.DataFrame({"article_id": np.repeat(ids, sizes),
                       "g": np.repeat(["a"] * n_a + ["b"] * n_b, sizes),
                       "v": rng.normal(size=sizes.sum())})
    arts = pd.DataFrame({"article_id": ids, "duplicate_of": [None, ids[0]] + [None] * (len(ids) - 2)})
    for units in (None, stats.independent_units(arts)):
        summ, _ = _two_groups(df, "v", "g", ("a", "b"), "article_id", units)
        for w in ("cluster", "unit"):
            got = stats.leave_one_out(df, "v", "g", groups=("a", "b"), units=units, weighting=w)
            pd.testing.assert_frame_equal(got, _leave_one_out_loop(summ, "g", "a", "article_id", w),
                                          check_exact=True)


def test_leave_one_outlet_out_from_the_article_summary_equals_refiltering():
    """Outlets left out of the per-article summary give the numbers of summarising the remaining
    sentences again (the per-item path, still used when an article spans several outlets)."""
    import pandas as pd

    from analysis import stats
    from analysis.stats.twogroup import _two_groups

    rng = np.random.default_rng(12)
    n = 30
    ids = [f"x{i:02d}" for i in range(n)]
    outlet = np.array(["P", "Q", "R", "S", "T"])[rng.integers(0, 5, n)]
    outlet[-4:] = "Z"  # outlet Z holds every article of group b: leaving it out empties b
    group = np.where(outlet == "Z", "b", "a")
    sizes = rng.integers(1, 6, n)
    df = pd.DataFrame({"article_id": np.repeat(ids, sizes), "g": np.repeat(group, sizes),
                       "outlet": np.repeat(outlet, sizes), "v": rng.normal(size=sizes.sum())})
    df.loc[df.index[::7], "v"] = np.nan
    arts = pd.DataFrame({"article_id": ids, "duplicate_of": [None] * 3 + [ids[0], ids[1]] + [None] * (n - 5)})

    def refiltered(frame, units, weighting):
        rows = []
        for item in sorted(frame["outlet"].dropna().unique(), key=str):
            try:
                part, _ = _two_groups(frame[frame["outlet"] != item], "v", "g", ("a", "b"),
                                      "article_id", units)
            except stats.ComparisonError:
                rows.append((item, np.nan, np.nan, np.nan))
                continue
            s, c = (part["mean"], 1.0) if weighting == "cluster" else (part["sum"], part["n_units"])
            ia = (part["g"] == "a").to_numpy()
            s, c = np.asarray(s, float), np.broadcast_to(np.asarray(c, float), s.shape)
            rows.append((item, int(ia.sum()), int((~ia).sum()),
                         float(s[ia].sum() / c[ia].sum() - s[~ia].sum() / c[~ia].sum())))
        return pd.DataFrame(rows, columns=["dropped", "n_a", "n_b", "diff"]).astype(
            {"n_a": "Int64", "n_b": "Int64"})

    spans = df.copy()  # one article of two outlets: the per-item path
    mine = spans["article_id"] == "x05"
    spans.loc[mine, "outlet"] = np.resize(["P", "Q"], int(mine.sum()))
    assert spans.groupby("article_id")["outlet"].nunique().max() == 2
    for frame in (df, spans):
        for units in (None, stats.independent_units(arts)):
            for w in ("cluster", "unit"):
                got = stats.leave_one_out(frame, "v", "g", groups=("a", "b"), drop="outlet",
                                          units=units, weighting=w)
                pd.testing.assert_frame_equal(got, refiltered(frame, units, w), check_exact=True)
                assert got.loc[got["dropped"] == "Z", "diff"].isna().all()


def test_comb_upto_is_math_comb_up_to_the_limit():
    import math

    for n in range(0, 40):
        for k in range(0, n + 1):
            for limit in (1, 100, 100_000, 10**9):
                c = math.comb(n, k)
                assert twogroup._comb_upto(n, k, limit) == (c if c <= limit else None)
    assert twogroup._comb_upto(100_000, 45_766, 100_000) is None
