"""Tests for analysis.keyness: log-odds ratio with informative Dirichlet prior."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from analysis.keyness import (
    comparison_summary,
    comparisons,
    distinctive_terms,
    keyness_long,
    log_odds,
    plot_keyness,
    plot_keyness_grid,
    vocabulary_summary,
)
from analysis.tokens import DFM


@pytest.fixture
def two_docs() -> DFM:
    # doc 0 (target): china x2, trade x1; doc 1 (reference): trade x1, talks x1
    m = sp.csr_matrix(np.array([[2, 1, 0], [0, 1, 1]]))
    docs = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", "Y"]})
    return DFM(m, pd.Index(["china", "trade", "talks"], dtype="str"), docs, level="article")


def test_hand_computed_two_documents(two_docs):
    t = log_odds(two_docs, "outlet", target="X", alpha0=5).set_index("term")
    # Corpus prior with alpha0 = pooled count (the pre-#15 default): alpha = pooled counts
    # (china 2, trade 2, talks 1), alpha0 = 5; n_target = 3, n_reference = 2.
    # china: target (2+2)/(3+5-2-2) = 4/4; reference (0+2)/(2+5-0-2) = 2/5
    assert t.loc["china", "delta"] == pytest.approx(math.log(1.0) - math.log(2 / 5))
    assert t.loc["china", "variance"] == pytest.approx(1 / 4 + 1 / 2)
    assert t.loc["china", "z"] == pytest.approx(math.log(5 / 2) / math.sqrt(3 / 4))
    # trade: target (1+2)/(3+5-1-2) = 3/5; reference (1+2)/(2+5-1-2) = 3/4
    assert t.loc["trade", "delta"] == pytest.approx(math.log(3 / 5) - math.log(3 / 4))
    assert t.loc["trade", "variance"] == pytest.approx(1 / 3 + 1 / 3)
    # talks: target (0+1)/(3+5-0-1) = 1/7; reference (1+1)/(2+5-1-1) = 2/5
    assert t.loc["talks", "delta"] == pytest.approx(math.log(1 / 7) - math.log(2 / 5))
    assert t.loc["talks", "variance"] == pytest.approx(1 / 1 + 1 / 2)
    # frequencies per 1,000 tokens and counts
    assert t.loc["china", "freq_target"] == pytest.approx(1000 * 2 / 3)
    assert t.loc["talks", "freq_reference"] == pytest.approx(1000 * 1 / 2)
    assert t.loc["trade", ["count_target", "count_reference"]].tolist() == [1, 1]
    assert t.loc["china", ["docs_target", "docs_reference"]].tolist() == [1, 0]


def test_default_prior_weighs_one_mean_document():
    # target docs: (a 2, b 1), (a 1, c 2); reference doc: (b 3, c 1)
    # y_t = a 3, b 1, c 2 (n_t 6); y_r = a 0, b 3, c 1 (n_r 4); pooled a 3, b 4, c 3 (10 tokens)
    # alpha0 = 10 tokens / 3 documents; alpha_w = alpha0 * pooled / 10 = pooled / 3
    m = sp.csr_matrix(np.array([[2, 1, 0], [1, 0, 2], [0, 3, 1]]))
    d = DFM(m, pd.Index(["a", "b", "c"], dtype="str"),
            pd.DataFrame({"article_id": ["t1", "t2", "r1"], "g": ["T", "T", "R"]}), level="article")
    t = log_odds(d, "g", target="T", reference="R").set_index("term")
    assert t.attrs["alpha0"] == pytest.approx(10 / 3)
    # a: target (3 + 1) / (6 + 10/3 - 3 - 1) = 4 / (16/3) = 0.75; reference 1 / (4 + 10/3 - 1) = 3/19
    assert t.loc["a", "delta"] == pytest.approx(math.log(0.75) - math.log(3 / 19))
    assert t.loc["a", "variance"] == pytest.approx(1 / 4 + 1 / 1)
    assert t.loc["a", "z"] == pytest.approx(math.log(0.75 * 19 / 3) / math.sqrt(1.25))
    # c: alpha 1; target (2 + 1) / (6 + 10/3 - 3) = 9/19; reference (1 + 1) / (4 + 10/3 - 2) = 3/8
    assert t.loc["c", "delta"] == pytest.approx(math.log(9 / 19) - math.log(3 / 8))
    assert t.loc[["a", "b", "c"], "docs_target"].tolist() == [2, 1, 1]


def test_units_average_copies_into_one_document():
    # t1 and t2 are copies of one story: averaged to (a 1.5, b 0.5, c 1) -> one target document
    m = sp.csr_matrix(np.array([[2, 1, 0], [1, 0, 2], [0, 3, 1]]))
    d = DFM(m, pd.Index(["a", "b", "c"], dtype="str"),
            pd.DataFrame({"article_id": ["t1", "t2", "r1"], "g": ["T", "T", "R"]}), level="article")
    units = pd.DataFrame({"article_id": ["t1", "t2", "r1"], "unit_id": ["t1", "t1", "r1"]})
    t = log_odds(d, "g", target="T", reference="R", units=units).set_index("term")
    assert t.attrs["docs_in_target"] == 1 and t.attrs["rows_in_target"] == 2
    assert t.loc[["a", "b", "c"], "count_target"].tolist() == pytest.approx([1.5, 0.5, 1.0])
    assert t.loc[["a", "b", "c"], "docs_target"].tolist() == [1, 1, 1]
    # pooled a 1.5, b 3.5, c 2 (7 tokens), 2 documents -> alpha0 = 3.5, alpha_a = 0.75
    # a: target (1.5 + 0.75) / (3 + 3.5 - 1.5 - 0.75) = 2.25 / 4.25; reference 0.75 / (4 + 3.5 - 0.75)
    assert t.loc["a", "delta"] == pytest.approx(math.log(2.25 / 4.25) - math.log(0.75 / 6.75))


def test_explicit_alpha0_and_uniform_prior(two_docs):
    t = log_odds(two_docs, "outlet", target="X", alpha0=10).set_index("term")
    # alpha_china = 10 * 2/5 = 4
    exp = math.log((2 + 4) / (3 + 10 - 2 - 4)) - math.log((0 + 4) / (2 + 10 - 0 - 4))
    assert t.loc["china", "delta"] == pytest.approx(exp)
    u = log_odds(two_docs, "outlet", target="X", prior="uniform", alpha0=3).set_index("term")
    # alpha_w = 1 for each of 3 words
    exp = math.log((2 + 1) / (3 + 3 - 2 - 1)) - math.log((0 + 1) / (2 + 3 - 0 - 1))
    assert u.loc["china", "delta"] == pytest.approx(exp)
    assert u.loc["china", "variance"] == pytest.approx(1 / 3 + 1 / 1)


def test_sorted_by_z_then_term_and_antisymmetric(two_docs):
    t = log_odds(two_docs, "outlet", target="X")
    assert t["z"].is_monotonic_decreasing
    assert t["term"].tolist()[0] == "china"
    r = log_odds(two_docs, "outlet", target="Y").set_index("term")
    np.testing.assert_allclose(t.set_index("term")["delta"].sort_index(), -r["delta"].sort_index())
    assert t.attrs["n_target"] == 3 and t.attrs["reference"] == "rest"


def test_boolean_groups_and_reference_label():
    m = sp.csr_matrix(np.array([[1, 0], [0, 1], [5, 5]]))
    d = DFM(m, pd.Index(["a", "b"], dtype="str"), pd.DataFrame({"g": ["x", "y", "z"]}))
    t = log_odds(d, [True, False, False])
    assert t.set_index("term").loc["a", "count_reference"] == 5
    t2 = log_odds(d, "g", target="x", reference="y")
    assert t2.set_index("term").loc["a", "count_reference"] == 0
    assert t2.attrs["reference"] == "y"


def test_errors(two_docs):
    with pytest.raises(ValueError, match="reference group"):
        log_odds(two_docs, ["X", "X"], target="X")
    with pytest.raises(ValueError, match="no document has target"):
        log_odds(two_docs, "outlet", target="nope")
    with pytest.raises(ValueError, match="not a column"):
        log_odds(two_docs, "nope", target="X")
    with pytest.raises(ValueError, match="group labels"):
        log_odds(two_docs, [True], target=True)


def test_distinctive_terms_and_plot(two_docs):
    t = log_odds(two_docs, "outlet", target="X")
    top = distinctive_terms(t, n=1)
    assert top["side"].tolist() == ["target", "reference"]
    assert top["term"].tolist() == ["china", "talks"]
    ax = plot_keyness(t, n=2)
    assert len(ax.patches) == 3
    plt.close(ax.figure)


def _outlets_dfm(outlets, groups) -> DFM:
    m = sp.csr_matrix(np.array([[3, 1, 0], [0, 2, 2], [1, 0, 4]][: len(outlets)]))
    docs = pd.DataFrame(
        {"article_id": list("abc")[: len(outlets)], "outlet": outlets, "outlet_group": groups}
    )
    return DFM(m, pd.Index(["china", "trade", "talks"], dtype="str"), docs, level="article")


def test_vocabulary_summary():
    d = _outlets_dfm(["X", "Y", "Y"], ["international", "chinese_state", "chinese_state"])
    v = vocabulary_summary(d, by="outlet", n=2).set_index("outlet")
    assert v.loc["Y", "documents"] == 2
    assert v.loc["Y", "tokens"] == 2 + 2 + 1 + 4
    assert v.loc["X", "types"] == 2
    assert v.loc["Y", "top_terms"] == "talks (6), trade (2)"


def test_comparisons_and_skips():
    d = _outlets_dfm(["X", "Y", "Z"], ["international", "chinese_state", "chinese_state"])
    tables, notes = comparisons(d)
    assert list(tables) == ["international vs chinese_state", "X vs rest", "Y vs rest", "Z vs rest"]
    assert notes == []
    long = keyness_long(tables, n=1)
    assert set(long["comparison"]) == set(tables)
    assert (long.groupby("comparison").size() <= 2).all()
    one = _outlets_dfm(["X", "X"], ["international", "international"])
    tables, notes = comparisons(one)
    assert tables == {} and len(notes) == 2
    assert keyness_long(tables).empty


def test_comparison_summary_and_grid():
    d = _outlets_dfm(["X", "Y", "Z"], ["international", "chinese_state", "chinese_state"])
    tables, _ = comparisons(d)
    s = comparison_summary(tables).set_index("comparison")
    assert s.loc["international vs chinese_state", ["docs_target", "docs_reference"]].tolist() == [
        1,
        2,
    ]
    assert s.loc["X vs rest", "tokens_target"] == 4
    outlet_tables = {k: v for k, v in tables.items() if k.endswith("vs rest")}
    fig = plot_keyness_grid(outlet_tables, n=2, ncols=2)
    assert sum(ax.get_visible() for ax in fig.axes) == 3
    plt.close(fig)


def test_outlet_panels_take_their_group_colour():
    from matplotlib.colors import to_hex

    from analysis.keyness import plot_keyness_grid
    from analysis.plots import GROUP_COLOURS

    terms = ["alpha", "beta", "gamma"]
    table = pd.DataFrame({"term": terms, "z": [2.5, -1.0, -2.2], "delta": [1.0, -0.5, -1.0]})
    fig = plot_keyness_grid({"Outlet A vs rest": table, "Outlet B vs rest": table}, n=2,
                             group_of={"Outlet A": "chinese_state"})
    a, b = fig.axes[:2]
    assert to_hex(a.patches[0].get_facecolor()) == GROUP_COLOURS["chinese_state"]
    assert to_hex(b.patches[0].get_facecolor()) != GROUP_COLOURS["chinese_state"]
    assert a.get_title() == "Outlet A vs rest (chinese_state)"


def test_grid_draws_at_most_max_panels_and_says_so():
    from analysis.keyness import plot_keyness_grid

    table = pd.DataFrame({"term": ["alpha", "beta"], "z": [2.5, -2.2], "delta": [1.0, -1.0]})
    tables = {f"Outlet {i:02d} vs rest": table for i in range(30)}
    fig = plot_keyness_grid(tables, n=2, max_panels=12)
    assert sum(ax.get_visible() for ax in fig.axes) == 12
    assert fig.get_size_inches()[1] < 20  # fixed by the panels drawn, not by the outlets
    assert "First 12 of 30 comparisons" in fig._suptitle.get_text()
    plt.close(fig)
    fig = plot_keyness_grid(dict(list(tables.items())[:3]), n=2, max_panels=12)
    assert fig._suptitle is None  # nothing left out, nothing said
    plt.close(fig)


def test_singleton_units_and_row_order_shortcuts_give_the_general_results():
    """Units without copies give the table of no units (the rows are not averaged), and the
    rows come in the order of sort_values(["z", "term"], ascending=[False, True])."""
    from analysis.keyness import log_odds

    rng = np.random.default_rng(0)
    x = sp.csr_matrix(rng.poisson(0.7, size=(12, 9)))
    docs = pd.DataFrame({"article_id": [f"a{i}" for i in range(12)],
                         "outlet": list("XYZ") * 4})
    features = pd.Index([f"w{i}" for i in range(9)], dtype="str")
    counts = DFM(matrix=x, features=features, docs=docs, level="article", weighting="count")
    singletons = pd.DataFrame({"article_id": docs["article_id"], "unit_id": docs["article_id"]})
    plain = log_odds(counts, "outlet", target="X")
    once = log_odds(counts, "outlet", target="X", units=singletons)
    pd.testing.assert_frame_equal(plain, once)
    assert plain.attrs == once.attrs
    expected = plain.sort_values(["z", "term"], ascending=[False, True], kind="stable")
    pd.testing.assert_frame_equal(plain, expected.reset_index(drop=True))
    # ties in z (identical columns) are broken by term; an unsorted vocabulary takes the general sort
    x2 = sp.csr_matrix(np.hstack([x.toarray(), x.toarray()[:, :3]]))
    for names in ([f"w{i:02d}" for i in range(12)], [f"w{i:02d}" for i in range(12)][::-1]):
        tied = DFM(matrix=x2, features=pd.Index(names, dtype="str"), docs=docs, level="article",
                   weighting="count")
        table = log_odds(tied, "outlet", target="Y")
        expected = table.sort_values(["z", "term"], ascending=[False, True], kind="stable")
        pd.testing.assert_frame_equal(table, expected.reset_index(drop=True))


@pytest.mark.parametrize("case", ["bundled", "synthetic", "copies"])
def test_label_totals_give_the_tables_of_the_rows_summed(case):
    """Every standard comparison, with and without units, from label totals (whole counts)
    equals the one from each side's rows summed (the same counts as floats take that path)."""
    from analysis import from_frame, load_corpus, stats
    from analysis.keyness import comparisons
    from analysis.synthetic import make_synthetic_corpus
    from analysis.tokens import Tokens, dfm

    if case == "bundled":
        corpus = load_corpus("data/raw")
    else:
        frame = make_synthetic_corpus(80, words_per_article=200, random_state=2, vocabulary="heaps")
        if case == "copies":  # copies of stories within and across outlets
            copies = frame.iloc[[1, 2, 3, 5, 8, 8, 13]].assign(
                article_id=[f"copy{i}" for i in range(7)],
                outlet=frame["outlet"].iloc[[4, 2, 9, 5, 1, 3, 13]].to_numpy(),
                outlet_group=frame["outlet_group"].iloc[[4, 2, 9, 5, 1, 3, 13]].to_numpy())
            frame = pd.concat([frame, copies], ignore_index=True)
        corpus = from_frame(frame)
    counts = dfm(Tokens.from_corpus(corpus), level="article")
    assert counts.matrix.dtype == np.int64
    as_float = DFM(matrix=counts.matrix.astype(float), features=counts.features, docs=counts.docs,
                   level="article", weighting="count")
    units = stats.independent_units(corpus.articles)
    if case == "copies":
        assert (units["unit_id"] != units["article_id"]).sum() >= 5
    for u in (None, units):
        fast, notes = comparisons(counts, units=u)
        plain, plain_notes = comparisons(as_float, units=u)
        assert fast.keys() == plain.keys() and len(fast) >= 3 and notes == plain_notes
        for name in fast:
            pd.testing.assert_frame_equal(fast[name], plain[name], check_exact=True, obj=name)
            assert fast[name].attrs == plain[name].attrs
