"""Tests of analysis.stats: cluster bootstrap, exact permutation test, effect sizes."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from analysis import stats


def _sentences(values_by_article: dict[str, list[float]], groups: dict[str, str]) -> pd.DataFrame:
    """Unit-level frame: one row per value, article and group columns."""
    rows = [
        {"article_id": art, "group": groups[art], "value": v}
        for art, vals in values_by_article.items()
        for v in vals
    ]
    return pd.DataFrame(rows)


def _synthetic_corpus(rng, n_per_group=30, true_diff=0.3, article_sd=0.25, sentence_sd=0.5):
    """Articles with a random article effect; group B is shifted by ``true_diff``."""
    groups = np.repeat(["a", "b"], n_per_group)
    effects = np.where(groups == "b", true_diff, 0.0) + rng.normal(0, article_sd, len(groups))
    sizes = rng.integers(5, 40, len(groups))
    ids = np.array([f"{g}{i:03d}" for g, i in zip(groups, np.tile(np.arange(n_per_group), 2), strict=True)])
    return pd.DataFrame(
        {
            "article_id": np.repeat(ids, sizes),
            "group": np.repeat(groups, sizes),
            "value": np.repeat(effects, sizes) + rng.normal(0, sentence_sd, sizes.sum()),
        }
    )


# ----------------------------------------------------------------- cluster summary / bootstrap


def test_cluster_summary_reduces_to_one_row_per_article():
    df = _sentences({"x": [1, 3], "y": [5]}, {"x": "a", "y": "b"})
    out = stats.cluster_summary(df, "value", group="group")
    assert list(out["article_id"]) == ["x", "y"]
    assert list(out["n_units"]) == [2, 1]
    assert list(out["mean"]) == [2.0, 5.0]


def test_cluster_in_two_groups_is_rejected():
    df = pd.DataFrame({"article_id": ["x", "x"], "group": ["a", "b"], "value": [1.0, 2.0]})
    with pytest.raises(ValueError, match="more than one"):
        stats.cluster_summary(df, "value", group="group")


def test_weightings_differ_as_defined():
    # article x: 3 sentences of 0; article y: 1 sentence of 4.
    df = _sentences({"x": [0, 0, 0], "y": [4]}, {"x": "a", "y": "a"})
    per_cluster = stats.cluster_bootstrap(df, "value", group="group", weighting="cluster")
    per_unit = stats.cluster_bootstrap(df, "value", group="group", weighting="unit")
    assert per_cluster["estimate"].iloc[0] == pytest.approx(2.0)  # (0 + 4) / 2
    assert per_unit["estimate"].iloc[0] == pytest.approx(1.0)  # 4 / 4 sentences


def test_single_article_group_has_no_interval():
    df = _sentences({"x": [1, 2, 3], "y": [0, 1], "z": [2, 2]}, {"x": "a", "y": "b", "z": "b"})
    out = stats.cluster_bootstrap(df, "value", group="group", n_boot=200).set_index("group")
    assert out.loc["a", "n_clusters"] == 1
    assert math.isnan(out.loc["a", "ci_low"]) and math.isnan(out.loc["a", "ci_high"])
    assert out.loc["b", "ci_low"] <= out.loc["b", "estimate"] <= out.loc["b", "ci_high"]


def test_bootstrap_is_reproducible_with_seed():
    df = _synthetic_corpus(np.random.default_rng(1), n_per_group=8)
    one = stats.bootstrap_difference(df, "value", "group", groups=("b", "a"), n_boot=300, random_state=7)
    two = stats.bootstrap_difference(df, "value", "group", groups=("b", "a"), n_boot=300, random_state=7)
    pd.testing.assert_series_equal(one, two)


def test_cluster_bootstrap_covers_known_outlet_difference():
    """The interval for group b - group a contains the true shift of the generating process."""
    true_diff = 0.3
    df = _synthetic_corpus(np.random.default_rng(2024), true_diff=true_diff)
    res = stats.bootstrap_difference(df, "value", "group", groups=("b", "a"), n_boot=2000, random_state=0)
    assert res["ci_low"] < true_diff < res["ci_high"]
    assert res["ci_low"] < res["estimate"] < res["ci_high"]


def test_cluster_bootstrap_coverage_is_near_nominal():
    """Over many synthetic corpora the 95% interval covers the true difference most of the time."""
    rng = np.random.default_rng(11)
    true_diff, hits, reps = 0.3, 0, 150
    for rep in range(reps):
        df = _synthetic_corpus(rng, n_per_group=20, true_diff=true_diff)
        res = stats.bootstrap_difference(df, "value", "group", groups=("b", "a"), n_boot=500, random_state=rep)
        hits += res["ci_low"] <= true_diff <= res["ci_high"]
    # Nominal 0.95; percentile intervals with 20 clusters per group run a little short.
    assert hits / reps >= 0.85


def test_resampling_sentences_would_understate_uncertainty():
    """With strong article effects the article-level interval is wider than a sentence-level one."""
    df = _synthetic_corpus(np.random.default_rng(5), article_sd=0.5, sentence_sd=0.2)
    by_article = stats.bootstrap_difference(df, "value", "group", groups=("b", "a"), n_boot=1000)
    df_units = df.assign(article_id=[f"s{i}" for i in range(len(df))])  # every sentence its own cluster
    by_sentence = stats.bootstrap_difference(
        df_units, "value", "group", groups=("b", "a"), n_boot=1000, weighting="unit"
    )
    width = lambda r: r["ci_high"] - r["ci_low"]  # noqa: E731
    assert width(by_article) > 2 * width(by_sentence)


# ----------------------------------------------------------------- permutation test


def test_exact_permutation_two_vs_two_by_hand():
    # Article means: a = {1, 2}, b = {3, 4}; observed diff = 1.5 - 3.5 = -2.
    # The 6 relabellings (which two articles are "a") give diffs
    #   {1,2}: -2, {1,3}: -1, {1,4}: 0, {2,3}: 0, {2,4}: 1, {3,4}: 2,
    # so |diff| >= 2 in 2 of 6: p = 1/3. Sentences inside an article do not count.
    df = _sentences(
        {"p": [1, 1, 1], "q": [2], "r": [3, 3], "s": [4, 4, 4, 4]},
        {"p": "a", "q": "a", "r": "b", "s": "b"},
    )
    res = stats.permutation_test(df, "value", "group", groups=("a", "b"))
    assert res.exact
    assert res.n_relabelings == 6
    assert res.observed == pytest.approx(-2.0)
    assert res.p_value == pytest.approx(2 / 6)
    assert res.min_p == pytest.approx(2 / 6)  # mirror relabellings tie when n_a == n_b


def test_exact_permutation_one_vs_four_smallest_p():
    # One article of 10 against {1, 2, 3, 4}: relabellings put each article alone,
    # diffs 10-2.5=7.5, 1-4.75=-3.75, 2-4.5=-2.5, 3-4.25=-1.25, 4-4=0; only the
    # observed one reaches 7.5, so p = 1/5 = 0.2, the smallest attainable.
    df = _sentences(
        {"ap": [10, 10], "c1": [1], "c2": [2, 2], "c3": [3], "c4": [4]},
        {"ap": "intl", "c1": "state", "c2": "state", "c3": "state", "c4": "state"},
    )
    res = stats.permutation_test(df, "value", "group", groups=("intl", "state"))
    assert res.n_relabelings == 5
    assert res.observed == pytest.approx(7.5)
    assert res.p_value == pytest.approx(0.2)
    assert res.min_p == pytest.approx(0.2)


def test_exact_permutation_matches_brute_force_on_random_data():
    rng = np.random.default_rng(3)
    df = _synthetic_corpus(rng, n_per_group=4)
    res = stats.permutation_test(df, "value", "group", groups=("a", "b"))
    means = df.groupby("article_id")["value"].mean()
    arts = list(means.index)
    obs = means[[a for a in arts if a.startswith("a")]].mean() - means[[a for a in arts if a.startswith("b")]].mean()
    diffs = []
    for combo in itertools.combinations(arts, 4):
        rest = [a for a in arts if a not in combo]
        diffs.append(means[list(combo)].mean() - means[rest].mean())
    expected = np.mean(np.abs(diffs) >= abs(obs) - 1e-12)
    assert res.p_value == pytest.approx(expected)
    assert res.observed == pytest.approx(obs)


def test_monte_carlo_permutation_close_to_exact():
    df = _synthetic_corpus(np.random.default_rng(4), n_per_group=6, true_diff=0.5)
    exact = stats.permutation_test(df, "value", "group", groups=("a", "b"))
    mc = stats.permutation_test(df, "value", "group", groups=("a", "b"), max_exact=10, n_perm=4000, random_state=1)
    assert exact.exact and not mc.exact
    assert mc.min_p == pytest.approx(1 / 4001)
    assert abs(mc.p_value - exact.p_value) < 0.03


def test_one_group_only_raises_comparison_error():
    df = _sentences({"x": [1], "y": [2]}, {"x": "a", "y": "a"})
    with pytest.raises(stats.ComparisonError, match="two"):
        stats.permutation_test(df, "value", "group")
    with pytest.raises(stats.ComparisonError, match="nothing to compare"):
        stats.compare_two_groups(df, "value", "group", groups=("a", "b"))


# ----------------------------------------------------------------- effect sizes


def test_hedges_g_by_hand():
    x, y = np.array([2.0, 4.0, 6.0]), np.array([1.0, 3.0])
    # pooled SD: ss = 8 + 2 = 10, dof = 3 -> sp = sqrt(10/3); d = (4 - 2) / sp
    d = 2.0 / math.sqrt(10 / 3)
    j = 1 - 3 / (4 * 5 - 9)
    g, lo, hi = stats.hedges_g(x, y)
    assert g == pytest.approx(j * d)
    assert lo < g < hi
    assert all(math.isnan(v) for v in stats.hedges_g([1.0], [2.0]))  # no degrees of freedom
    # one value in a group: its spread is unknown, so no g at all (issue #15)
    assert all(math.isnan(v) for v in stats.hedges_g([5.0], [1.0, 2.0, 3.0]))


def test_cliffs_delta_matches_pairwise_definition():
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 5, 7).astype(float), rng.integers(0, 5, 9).astype(float)
    pairs = np.sign(x[:, None] - y[None, :]).mean()
    assert stats.cliffs_delta(x, y) == pytest.approx(pairs)
    xb, yb = rng.integers(0, 4, (20, 3)).astype(float), rng.integers(0, 4, (20, 5)).astype(float)
    rows = stats._cliffs_delta_rows(xb, yb)
    expected = [np.sign(a[:, None] - b[None, :]).mean() for a, b in zip(xb, yb, strict=True)]
    np.testing.assert_allclose(rows, expected)


@pytest.mark.parametrize("n_per_group", [3, 12])
def test_compare_without_effects_is_the_full_comparison_less_its_effect_sizes(n_per_group):
    """effects=False (the tone comparison table's event rows) drops Hedges' g and Cliff's
    delta and their bootstrap; every other value is the full comparison's, bit for bit."""
    df = _synthetic_corpus(np.random.default_rng(3), n_per_group=n_per_group, true_diff=0.3)
    kw = {"groups": ("a", "b"), "n_boot": 300, "random_state": 5, "max_hits": 20}
    full = stats.compare_two_groups(df, "value", "group", **kw)
    lean = stats.compare_two_groups(df, "value", "group", effects=False, **kw)
    effects = ["hedges_g", "g_low", "g_high", "cliffs_delta", "delta_low", "delta_high"]
    assert list(lean) == [k for k in full if k not in effects]
    assert lean == {k: full[k] for k in lean}
    assert np.isfinite(lean["diff_low"]) and lean["diff_low"] <= lean["diff_high"]


@pytest.mark.parametrize("effects", [True, False])
def test_compare_in_two_threads_is_the_comparison_in_one(monkeypatch, effects):
    """Large comparisons run their three resamplings (difference, Cliff's delta, permutation;
    one generator each) in two threads: the same dict as one after the other."""
    from analysis.stats import compare

    df = _synthetic_corpus(np.random.default_rng(6), n_per_group=20, true_diff=0.2)
    kw = {"groups": ("a", "b"), "n_boot": 400, "random_state": 9, "max_hits": 30, "effects": effects}
    monkeypatch.setattr(compare, "_THREADED_CELLS", 1 << 62)
    one = stats.compare_two_groups(df, "value", "group", **kw)
    monkeypatch.setattr(compare, "_THREADED_CELLS", 0)
    two = stats.compare_two_groups(df, "value", "group", **kw)
    assert two == one
    assert one["n_relabelings"] < 10_000 and np.isfinite(one["diff_low"])


def test_effect_sizes_and_compare_agree():
    df = _synthetic_corpus(np.random.default_rng(8), n_per_group=10, true_diff=0.4)
    eff = stats.effect_sizes(df, "value", "group", groups=("b", "a"), n_boot=500).set_index("effect")
    cmp = stats.compare_two_groups(df, "value", "group", groups=("b", "a"), n_boot=500)
    assert cmp["diff"] == pytest.approx(eff.loc["difference in means", "estimate"])
    assert cmp["diff"] == pytest.approx(cmp["mean_a"] - cmp["mean_b"])
    assert cmp["n_a"] == cmp["n_b"] == 10
    for name in eff.index:
        row = eff.loc[name]
        assert row["ci_low"] <= row["estimate"] <= row["ci_high"]
