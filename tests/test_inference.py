"""Issue #15, inference: syndicated copies count once, small n, event strata, sensitivity, export.

Every expected number is computed by hand in the comments next to it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis import stats, tone
from analysis.config import ROOT
from analysis.corpus import from_frame


def _frame(means: dict[str, list[float]], groups: dict[str, str], **extra: dict[str, str]) -> pd.DataFrame:
    """One row per value: ``article_id``, ``group``, ``value`` and any per-article columns."""
    rows = [{"article_id": a, "group": groups[a], "value": v,
             **{k: col[a] for k, col in extra.items()}}
            for a, vals in means.items() for v in vals]
    return pd.DataFrame(rows)


# ----------------------------------------------------------------- 1. syndicated copies


_AP_STORY = [
    "Chinese President Xi Jinping and US President Donald Trump met in Busan on Thursday.",
    "The two leaders talked for about one hour and forty minutes behind closed doors.",
    "Trump said the meeting was a great success and praised the Chinese leader warmly.",
    "The United States agreed to cut some tariffs on Chinese goods by ten points.",
    "China said it would pause its new export controls on rare earth minerals for a year.",
    "Analysts warned that the truce left the deeper disputes between the rivals unresolved.",
    "Soybean farmers in the American Midwest hope that Chinese purchases will resume soon.",
    "Neither side mentioned Taiwan in the short statements released after the talks.",
    "Markets in Asia rose modestly after the news of the meeting came out.",
    "The leaders agreed to exchange visits next year, officials from both sides said.",
]
_CD_STORY = [
    "President Xi Jinping held talks with US President Donald Trump in Busan on Thursday.",
    "Xi said China and the United States should be partners and friends for mutual benefit.",
    "The two sides should expand cooperation in trade, agriculture and people to people exchanges.",
    "Xi stressed that a stable China US relationship is good for both peoples and the world.",
    "Dialogue is better than confrontation and win win cooperation is the right choice.",
    "The two presidents agreed to strengthen communication at all levels for steady progress.",
    "Chinese experts said the meeting injected positive energy into bilateral relations.",
    "The consensus reached will help promote the sound development of economic ties.",
    "Both teams will work out the details of the follow up arrangements quickly.",
    "The meeting was candid, in depth and constructive, the Chinese side said after talks.",
]


def _syndicated_corpus():
    """8 copies of one AP story (8 international outlets), 8 of one China Daily story."""
    rows = []
    for story, group, name in ((_AP_STORY, "international", "wire"), (_CD_STORY, "chinese_state", "state")):
        for k in range(8):
            tagline = f"This story was republished by {name} outlet number {k} today."
            rows.append({"article_id": f"{name}{k}", "outlet": f"{name.title()} Outlet {k}",
                         "outlet_group": group, "published": "2025-10-31",
                         "text": "\n\n".join([*story, tagline])})
    return from_frame(pd.DataFrame(rows))


@pytest.fixture(scope="module")
def syndicated():
    corpus = _syndicated_corpus()
    scores = tone.score_sentences(corpus)
    return corpus, tone.sentence_table(corpus, scores, tone="framing")


def test_independent_units_follow_duplicate_chains():
    arts = pd.DataFrame({"article_id": ["a", "b", "c", "d", "e"],
                         "duplicate_of": [None, "a", "b", None, "zz"]})  # zz: not in the corpus
    units = stats.independent_units(arts).set_index("article_id")
    assert units["unit_id"].tolist() == ["a", "a", "a", "d", "e"]
    assert units["n_copies"].tolist() == [3, 3, 3, 1, 1]


def test_syndicated_copies_count_once(syndicated):
    corpus, table = syndicated
    assert int(corpus.articles["duplicate_of"].notna().sum()) == 14  # as notebook 01 reports
    units = stats.independent_units(corpus.articles)
    assert sorted(units["unit_id"].unique()) == ["state0", "wire0"]
    # Without units: 8 vs 8 articles, exact p = 2 / C(16, 8) = 2 / 12870 = 0.000155 (the bug)
    naive = stats.permutation_test(table, "tone", "outlet_group")
    assert (naive.n_a, naive.n_b) == (8, 8) and naive.p_value == pytest.approx(2 / 12870)
    cmp, notes = tone.compare_groups(table, units=units, voices=("all",), n_boot=200)
    row = cmp.iloc[0]
    assert (row["n_a"], row["n_b"], row["n_copies_a"], row["n_copies_b"]) == (1, 1, 8, 8)
    # 1 vs 1: two relabellings, mirror images, so the smallest attainable p is 2 / 2 = 1
    assert row["min_p"] == 1.0 and row["p_perm"] >= row["min_p"]
    assert np.isnan(row["diff_low"]) and row["interval_kind"] == "none (one article per group)"
    assert np.isnan(row["hedges_g"]) and np.isnan(row["cliffs_delta"])
    assert row["mdd"] == math.inf  # min_p = 1 > 0.05: no difference could be detected
    est = tone.group_estimates(table, by="outlet_group", voices=("all",), units=units, n_boot=200)
    assert est["n_clusters"].tolist() == [1, 1] and est["n_articles"].tolist() == [8, 8]
    assert (est["interval_kind"] == "none (one article)").all()


def test_copies_means_are_averaged_into_one_unit():
    # x: values 1, 3 (mean 2); its copy y: value 4 (mean 4) -> unit mean (2 + 4) / 2 = 3
    df = _frame({"x": [1, 3], "y": [4], "z": [0]}, {"x": "a", "y": "a", "z": "b"})
    units = pd.DataFrame({"article_id": ["x", "y", "z"], "unit_id": ["x", "x", "z"]})
    summ = stats.cluster_summary(df, "value", group="group", units=units)
    row = summ[summ["article_id"] == "x"].iloc[0]
    assert (row["mean"], row["n_copies"], row["n_rows"], row["n_units"]) == (3.0, 2, 3, 1.5)
    # weighting="unit": one copy's worth, sum (4 + 4) / 2 = 4 over (2 + 1) / 2 = 1.5 sentences
    est = stats.cluster_bootstrap(df, "value", group="group", units=units, weighting="unit")
    assert est.loc[est["group"] == "a", "estimate"].item() == pytest.approx(4 / 1.5)


# ----------------------------------------------------------------- 2. small n


def test_intervals_by_number_of_clusters():
    one = _frame({"x": [0.5]}, {"x": "a"})
    two = _frame({"x": [0.1, 0.3], "y": [0.8]}, {"x": "a", "y": "a"})  # article means 0.2, 0.8
    five = _frame({k: [v] for k, v in zip("pqrst", [0.0, 0.1, 0.2, 0.3, 0.4], strict=True)},
                  dict.fromkeys("pqrst", "a"))
    r1 = stats.cluster_bootstrap(one, "value", group="group").iloc[0]
    assert np.isnan(r1["ci_low"]) and r1["interval_kind"] == "none (one article)"
    r2 = stats.cluster_bootstrap(two, "value", group="group").iloc[0]
    assert (r2["ci_low"], r2["ci_high"]) == pytest.approx((0.2, 0.8))
    assert r2["interval_kind"] == "range of articles" and r2["estimate"] == pytest.approx(0.5)
    r5 = stats.cluster_bootstrap(five, "value", group="group", n_boot=500).iloc[0]
    assert r5["interval_kind"] == "95% bootstrap" and 0.0 <= r5["ci_low"] < r5["ci_high"] <= 0.4


def test_difference_range_below_five_articles_and_no_effect_sizes_at_one():
    # a: 1.0, 2.0; b: 0.0, 0.5, 0.25 -> range [1.0 - 0.5, 2.0 - 0.0] = [0.5, 2.0]
    df = _frame({"a1": [1.0], "a2": [2.0], "b1": [0.0], "b2": [0.5], "b3": [0.25]},
                {"a1": "a", "a2": "a", "b1": "b", "b2": "b", "b3": "b"})
    d = stats.bootstrap_difference(df, "value", "group", groups=("a", "b"))
    assert (d["ci_low"], d["ci_high"], d["interval_kind"]) == (0.5, 2.0, "range of articles")
    assert d["estimate"] == pytest.approx(1.5 - 0.25)
    eff = stats.effect_sizes(df, "value", "group", groups=("a", "b")).set_index("effect")
    assert np.isfinite(eff.loc["Hedges' g", "estimate"]) and np.isnan(eff.loc["Hedges' g", "ci_low"])
    one = df[df["article_id"] != "a2"]
    eff1 = stats.effect_sizes(one, "value", "group", groups=("a", "b")).set_index("effect")
    assert np.isnan(eff1.loc["Hedges' g", "estimate"]) and np.isnan(eff1.loc["Cliff's delta", "estimate"])


def test_permutation_p_never_below_min_p_and_mdd():
    # 2 vs 2, fully separated: C(4, 2) = 6 relabellings, the observed one and its mirror are
    # the extremes -> p = 2/6 = min_p; min_p > 0.05 so nothing is detectable: mdd = inf
    df = _frame({"a1": [1.0], "a2": [1.2], "b1": [0.0], "b2": [0.2]},
                {"a1": "a", "a2": "a", "b1": "b", "b2": "b"})
    res = stats.compare_two_groups(df, "value", "group", groups=("a", "b"), n_boot=200)
    assert res["min_p"] == pytest.approx(1 / 3) and res["p_perm"] == pytest.approx(1 / 3)
    assert res["mdd"] == math.inf
    # 5 vs 5: min_p = 2 / 252 < 0.05; mdd = (1.95996 + 0.84162) * s_p * sqrt(2/5)
    a, b = [0.0, 0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8, 0.9]
    df5 = _frame({f"x{i}": [v] for i, v in enumerate(a + b)},
                 {f"x{i}": ("a" if i < 5 else "b") for i in range(10)})
    res5 = stats.compare_two_groups(df5, "value", "group", groups=("a", "b"), n_boot=200)
    s_p = math.sqrt(0.1 / 4)  # each group: squared deviations 0.04+0.01+0+0.01+0.04 = 0.1
    assert res5["mdd"] == pytest.approx(2.801585 * s_p * math.sqrt(0.4), rel=1e-5)
    assert res5["interval_kind"] == "95% bootstrap"
    assert res5["p_perm"] == pytest.approx(2 / 252) and res5["min_p"] == pytest.approx(2 / 252)


# ----------------------------------------------------------------- 3. event strata


def test_event_explains_the_difference():
    # Busan: 4 state articles (1.0, 1.1, 0.9, 1.0) and 1 AP (1.0) -> within difference 0
    # Call:  1 state article (0.0) and 4 AP (0.0, 0.1, -0.1, 0.0)  -> within difference 0
    # pooled: state 4.0 / 5 = 0.8, AP 1.0 / 5 = 0.2 -> 0.6
    vals = {"s1": 1.0, "s2": 1.1, "s3": 0.9, "s4": 1.0, "a1": 1.0,
            "s5": 0.0, "a2": 0.0, "a3": 0.1, "a4": -0.1, "a5": 0.0}
    event = {k: ("Busan" if k in ("s1", "s2", "s3", "s4", "a1") else "Call") for k in vals}
    df = _frame({k: [v] for k, v in vals.items()}, {k: ("state" if k[0] == "s" else "ap") for k in vals},
                event=event)
    pooled = stats.permutation_test(df, "value", "group", groups=("state", "ap"))
    assert pooled.observed == pytest.approx(0.6)
    per, summ = stats.stratified_comparison(df, "value", "group", strata="event", groups=("state", "ap"))
    assert summ["diff"] == pytest.approx(0.0, abs=1e-12) and summ["p_perm"] == 1.0
    assert per["diff"].tolist() == pytest.approx([0.0, 0.0], abs=1e-12)
    assert summ["p_exact"] and summ["n_strata"] == 2


def test_stratified_estimate_and_exact_p_by_hand():
    # E1: a 1.0 vs b 0.0 (diff 1, weight 2); E2: a 0.5, 0.7 vs b 0.0, 0.2 (diff 0.5, weight 4)
    # estimate (2 * 1 + 4 * 0.5) / 6 = 2/3; relabellings 2 * 6 = 12; the observed labelling
    # is the most extreme, with its mirror image -> p = min_p = 2/12
    vals = {"a1": 1.0, "b1": 0.0, "a2": 0.5, "a3": 0.7, "b2": 0.0, "b3": 0.2}
    ev = {k: ("E1" if k[1] == "1" else "E2") for k in vals}
    df = _frame({k: [v] for k, v in vals.items()}, {k: k[0] for k in vals}, event=ev)
    per, summ = stats.stratified_comparison(df, "value", "group", strata="event", groups=("a", "b"))
    assert summ["diff"] == pytest.approx(2 / 3)
    assert summ["p_perm"] == pytest.approx(2 / 12) and summ["min_p"] == pytest.approx(2 / 12)
    assert per["weight"].tolist() == pytest.approx([2 / 6, 4 / 6])


def test_groups_sharing_no_event_are_said_plainly():
    df = _frame({"a1": [1.0], "a2": [0.8], "b1": [0.0]}, {"a1": "a", "a2": "a", "b1": "b"},
                event={"a1": "Busan", "a2": "Busan", "b1": "Call"})
    per, summ = stats.stratified_comparison(df, "value", "group", strata="event", groups=("a", "b"))
    assert np.isnan(summ["diff"]) and "share no event" in summ["note"]
    assert per["weight"].tolist() == [0.0, 0.0]


# ----------------------------------------------------------------- 4. sensitivity


def test_leave_one_out_ranges():
    # a: 1, 2, 3 (mean 2); b: 0, 0 -> diff 2; leaving out a "1" gives 2.5, a "3" gives 1.5
    df = _frame({"a1": [1.0], "a2": [2.0], "a3": [3.0], "b1": [0.0], "b2": [0.0]},
                {"a1": "a", "a2": "a", "a3": "a", "b1": "b", "b2": "b"},
                outlet={"a1": "P", "a2": "P", "a3": "Q", "b1": "R", "b2": "R"})
    loo = stats.leave_one_out(df, "value", "group", groups=("a", "b")).set_index("dropped")
    assert loo.loc["a1", "diff"] == pytest.approx(2.5) and loo.loc["a3", "diff"] == pytest.approx(1.5)
    sens = stats.sensitivity(df, "value", "group", groups=("a", "b")).set_index("left_out")
    assert sens.loc["one article", ["diff", "diff_min", "diff_max"]].tolist() == pytest.approx([2, 1.5, 2.5])
    assert sens.loc["one article", "min_when"] == "a3"
    # outlets: without P -> 3 - 0 = 3; without Q -> 1.5; without R -> no b left (not in the range)
    assert sens.loc["one outlet", ["diff_min", "diff_max"]].tolist() == pytest.approx([1.5, 3.0])
    assert sens.loc["one outlet", "n_empty"] == 1
    # the rows rest on the leave-one-out tables sensitivity no longer summarises again
    for drop, label in (("unit", "one article"), ("outlet", "one outlet")):
        ok = stats.leave_one_out(df, "value", "group", groups=("a", "b"), drop=drop)["diff"].dropna()
        assert sens.loc[label, ["diff_min", "diff_max"]].tolist() == [ok.min(), ok.max()]
    with pytest.raises(ValueError, match="sensitivity: weighting"):
        stats.sensitivity(df, "value", "group", groups=("a", "b"), weighting="article")


def test_leave_one_out_over_the_cluster_column_itself():
    """drop = the cluster column (leave out one article by its id) gives the per-article
    rows, the same as the default drop="unit" when every article is its own unit."""
    df = _frame({"a1": [1.0], "a2": [2.0], "a3": [3.0], "b1": [0.0], "b2": [0.0]},
                {"a1": "a", "a2": "a", "a3": "a", "b1": "b", "b2": "b"})
    by_id = stats.leave_one_out(df, "value", "group", groups=("a", "b"), drop="article_id")
    by_unit = stats.leave_one_out(df, "value", "group", groups=("a", "b"))
    got = by_id.set_index("dropped")["diff"].sort_index()
    assert got["a1"] == pytest.approx(2.5) and got["a3"] == pytest.approx(1.5)
    assert got.tolist() == pytest.approx(by_unit.set_index("dropped")["diff"].sort_index().tolist())


# ----------------------------------------------------------------- 5. export


def test_comparison_table_rows_and_documented_columns(syndicated):
    corpus, table = syndicated
    units = stats.independent_units(corpus.articles)
    with_events = tone.add_events(table, corpus.articles)
    assert set(with_events["event"]) == {"Busan meeting"}  # published 31 Oct, meeting 30 Oct
    out = tone.comparison_table(with_events, units=units, strata="event", voices=("all",), n_boot=100)
    assert list(out.columns) == tone.COMPARISON_COLUMNS
    assert out["event"].tolist() == ["all (pooled)", "within events (fixed effects)", "Busan meeting"]
    assert (out["n_a"] == 1).all() and (out["n_b"] == 1).all()
    assert (out["p_perm"] >= out["min_p"]).all()
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert all(f"`{c}`" in readme for c in tone.COMPARISON_COLUMNS)


def test_comparison_table_takes_the_pooled_rows_of_compare_groups(syndicated):
    """pooled= reuses compare_groups' rows: the table is the one computed from scratch."""
    corpus, table = syndicated
    units = stats.independent_units(corpus.articles)
    with_events = tone.add_events(table, corpus.articles)
    kw = {"units": units, "n_boot": 100, "voices": ("all", "own", "quoted")}
    cmp, _ = tone.compare_groups(table, **kw)
    again = tone.comparison_table(with_events, strata="event", pooled=cmp, **kw)
    pd.testing.assert_frame_equal(again, tone.comparison_table(with_events, strata="event", **kw))
    with pytest.raises(ValueError, match="pooled compares"):
        tone.comparison_table(with_events, strata="event", groups=("international", "chinese_state"),
                              pooled=cmp, **kw)


# ----------------------------------------------------------------- 6. shares count copies once


def test_shares_count_a_near_duplicate_group_once(syndicated):
    from analysis import actors, sources, topics

    corpus, _ = syndicated
    units = stats.independent_units(corpus.articles)
    arts = corpus.articles
    one_copy = {"wire": "wire0", "state": "state0"}
    # codebook topics: each group's counts equal one copy's, over 1 independent article
    assigned = topics.assign_topics(corpus)
    naive = topics.codebook_shares(assigned, arts, by="outlet_group")
    once = topics.codebook_shares(assigned, arts, by="outlet_group", units=units)
    assert (naive["n_articles"] == 8).all() and (once["n_articles"] == 1).all()
    assert (once["n_articles_with_topic"] <= 1).all()
    for group, name in (("international", "wire"), ("chinese_state", "state")):
        single = topics.codebook_shares(assigned[assigned["article_id"] == one_copy[name]],
                                        arts, by="outlet_group")
        got = once[once["outlet_group"] == group].set_index("topic")["n"]
        exp = single[single["outlet_group"] == group].set_index("topic")["n"]
        # the copies differ only by their tagline paragraph, so the weighted count is within one
        assert (got - exp).abs().max() <= 1
        assert once.loc[once["outlet_group"] == group, "share"].sum() == pytest.approx(1.0)
    # k-means style shares: 8 copies of 2 paragraphs each -> 2 paragraphs, 1 article
    km = pd.DataFrame({"article_id": [f"wire{k}" for k in range(8) for _ in range(2)],
                       "outlet_group": "international", "topic": [0, 1] * 8,
                       "topic_label": ["x", "y"] * 8})
    sh = topics.topic_shares(km, by="outlet_group", units=units)
    assert sh["n"].tolist() == [1, 1] and sh["n_units"].tolist() == [2, 2]
    assert sh["n_articles"].tolist() == [1, 1]
    assert topics.topic_shares(km, by="outlet_group")["n_articles"].tolist() == [8, 8]
    assert topics.wide_shares(sh, by="outlet_group").loc["articles (n)"].tolist() == ["1"]
    # sources: quotes and words of the 8 copies weigh as one copy's
    qs = sources.quote_sources(corpus)
    naive = sources.source_table(qs, arts, by="outlet_group").set_index(["outlet_group", "source_group"])
    once = sources.source_table(qs, arts, by="outlet_group", units=units).set_index(
        ["outlet_group", "source_group"])
    assert (once["n_articles"] == 1).all() and (naive["n_articles"] == 8).all()
    assert np.allclose(once["quotes"] * 8, naive["quotes"])
    assert np.allclose(once["share_of_quoted_words"], naive["share_of_quoted_words"])
    # actors: mentions per copy, one independent article per group
    ment = actors.mentions(corpus)
    once = actors.mention_table(ment, arts, by="outlet_group", units=units)
    naive = actors.mention_table(ment, arts, by="outlet_group")
    assert (once["articles_in_group"] == 1).all() and (naive["articles_in_group"] == 8).all()
    assert set(once["articles"]) <= {0, 1}
    assert np.allclose(once["per_1000_words"], naive["per_1000_words"])


# ----------------------------------------------------------------- 7. paired bootstrap


def test_paired_bootstrap_uses_the_same_resample_for_both_statistics():
    rng = np.random.default_rng(1)
    clusters = np.repeat(np.arange(20), 5)
    shared = rng.normal(size=20)[clusters]          # article effect both statistics share
    a, b = shared + 0.3, shared                     # a - b = 0.3 on every row
    res = stats.paired_bootstrap(clusters, lambda i: a[i].mean(), lambda i: b[i].mean(), n_boot=300)
    # paired: the article effect cancels, so the difference is 0.3 in every replicate
    assert res["diff"] == pytest.approx(0.3)
    assert res["diff_low"] == pytest.approx(0.3) and res["diff_high"] == pytest.approx(0.3)
    assert res["interval_kind"] == "95% paired bootstrap" and res["n_clusters"] == 20
    # two separate intervals would each be as wide as the article effect's spread
    _, lo, hi = stats.bootstrap_statistic(clusters, lambda i: a[i].mean(), n_boot=300)
    assert hi - lo > 0.3


def test_paired_bootstrap_gives_no_interval_below_five_articles():
    clusters = np.repeat(np.arange(4), 3)
    x = np.arange(12.0)
    res = stats.paired_bootstrap(clusters, lambda i: x[i].mean(), lambda i: x[i].min())
    assert res["diff"] == pytest.approx(5.5)
    assert np.isnan(res["diff_low"]) and res["interval_kind"] == "none (4 articles < 5)"


def test_compare_correlations_of_measures_against_the_codes():
    rng = np.random.default_rng(0)
    arts = np.repeat([f"a{k}" for k in range(12)], 6)
    code = rng.integers(-2, 3, size=len(arts)).astype(float)
    joined = pd.DataFrame({"article_id": arts, "tone_code": code,
                           "learned": code + rng.normal(scale=0.3, size=len(arts)),
                           "noise": rng.normal(size=len(arts))})
    joined["copy"] = joined["learned"]
    out = tone.compare_correlations(joined, ["learned", "copy", "noise"], reference="learned",
                                    n_boot=300).set_index("measure")
    assert list(out.index) == ["copy", "noise"]                  # the reference is skipped
    assert out.loc["copy", ["diff", "diff_low", "diff_high"]].tolist() == pytest.approx([0, 0, 0])
    assert out.loc["noise", "diff"] == pytest.approx(
        out.loc["noise", "spearman_reference"] - out.loc["noise", "spearman"])
    assert out.loc["noise", "diff_low"] > 0.5                    # clearly better than noise
    assert (out["n_articles"] == 12).all()
