"""Tests for analysis.kwic: keyword-in-context concordances."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.kwic import count_hits, hit_table, kwic, kwic_many, pattern_regex
from analysis.tokens import tokens_from_frame


@pytest.fixture
def docs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "article_id": ["a", "b"],
            "outlet": ["X", "Y"],
            "text": [
                "Taiwan is the first red line. Beijing and the U.S. spoke about Taiwan",
                "Tariffs rose. Meet us halfway, the US said of the tariff-free zone.",
            ],
        }
    )


def test_window_at_document_edges(docs):
    out = kwic(docs, "Taiwan", window=5)
    assert out["article_id"].tolist() == ["a", "a"]
    first, last = out.iloc[0], out.iloc[1]
    assert first["pre"] == "" and first["keyword"] == "Taiwan"
    assert first["post"] == "is the first red line."
    assert last["post"] == ""
    assert last["pre"] == "and the U.S. spoke about"
    # a window larger than the document
    big = kwic(docs, "Taiwan", window=50)
    assert big.iloc[0]["post"].split()[-1] == "Taiwan"
    assert big.iloc[1]["pre"].split()[0] == "Taiwan"
    # window 0
    assert kwic(docs, "Taiwan", window=0)[["pre", "post"]].eq("").all().all()


def test_offsets_point_at_keyword(docs):
    out = kwic(docs, "red line")
    row = out.iloc[0]
    assert docs.loc[0, "text"][row["start"] : row["end"]] == "red line"
    assert row["outlet"] == "X"


def test_glob_and_case(docs):
    out = kwic(docs, "tariff*")
    assert out["keyword"].tolist() == ["Tariffs", "tariff-free"]
    assert kwic(docs, "TARIFFS")["keyword"].tolist() == ["Tariffs"]


def test_us_forms_and_pronoun(docs):
    country = kwic(docs, "United States")
    assert country["keyword"].tolist() == ["U.S.", "US"]
    pronoun = kwic(docs, "us")
    assert pronoun["keyword"].tolist() == ["us"]
    assert kwic(docs, "meet us halfway")["keyword"].tolist() == ["Meet us halfway"]


def test_phrase_does_not_cross_sentence_end():
    d = pd.DataFrame({"article_id": ["a"], "text": ["It was red. Line up."]})
    assert kwic(d, "red line").empty


def test_compound_matches_spaced_and_hyphenated():
    d = pd.DataFrame({"article_id": ["a"], "text": ["win win and win-win and win–win"]})
    assert kwic(d, "win-win")["keyword"].tolist() == ["win win", "win-win", "win–win"]


def test_no_hits_and_bad_pattern(docs):
    out = kwic(docs, "nonexistentword")
    assert out.empty and "keyword" in out.columns
    with pytest.raises(ValueError, match="no token"):
        kwic(docs, "2026")
    with pytest.raises(ValueError, match="non-empty"):
        kwic(docs, " ")


def test_tokens_source_edges():
    t = tokens_from_frame(
        pd.DataFrame(
            {
                "article_id": ["a", "a"],
                "paragraph": [0, 0],
                "sentence": [0, 1],
                "text": ["Taiwan first.", "Talks on Taiwan"],
            }
        )
    )
    out = kwic(t, "taiwan", window=3)
    assert out[["sentence", "pre", "keyword", "post"]].values.tolist() == [
        [0, "", "taiwan", "first"],
        [1, "talks on", "taiwan", ""],
    ]


def test_kwic_many_and_counts(docs):
    many = kwic_many(docs, ["Taiwan", "halfway"])
    assert many["pattern"].tolist() == ["Taiwan", "Taiwan", "halfway"]
    counts = count_hits(docs, ["Taiwan", "halfway", "absent"])
    assert counts.loc["Taiwan", "X"] == 2 and counts.loc["halfway", "Y"] == 1
    assert counts.loc["absent"].sum() == 0


def test_pattern_regex_whole_tokens():
    rx = pattern_regex("Taiwan")
    assert rx.search("pro-Taiwan") is None
    assert rx.search("Taiwan's") is not None


def test_corpus_hits_located_in_their_sentence():
    from pathlib import Path

    from analysis.corpus import load_corpus

    corpus = load_corpus(Path(__file__).resolve().parents[1] / "data" / "raw")
    out = kwic(corpus, "halfway", window=3)
    assert len(out) >= 1
    sent = corpus.sentences.set_index(["article_id", "sentence"])
    texts = corpus.articles.set_index("article_id")["text"]
    for row in out.itertuples():
        s = sent.loc[(row.article_id, row.sentence)]
        assert s["start"] <= row.start < s["end"]
        assert s["paragraph"] == row.paragraph
        assert texts[row.article_id][row.start : row.end] == row.keyword
        assert "halfway" in s["text"]


def test_needle_search_equals_full_search():
    """The candidate-start search finds exactly what rx.finditer finds, whatever the case
    folding (ı, ſ, the Kelvin sign and İ match ASCII letters case-insensitively)."""
    import re

    from analysis.kwic import _hits, _start_needle

    texts = [
        "TAIWAN taiwan's Taiwan-born pro-Taiwan Taıwan TAİWAN x Taiwans",
        "tariffs TARIFF-free tariſf taKiff Tariff's tarifftariff",
        "win-win WIN WIN win\u2013win twin-win win-winner win win-win",
        "red line, RED  LINE. red.line redline Redlines red line's",
        "\u0130stanbul Xi's XI\u2019S xi Xis axi's \u212aelvin kelvin",
        "\u212aelvin kelvin-kelvin KELVIN's Taiwan TAIWAN",
        "",
    ]
    patterns = ["Taiwan", "tariff*", "win-win", "red line", "redline*", "Xi's", "kelvin",
                "istanbul", "U.S.", "*line", "us"]
    one_pass = _hits(texts, [(pattern_regex(p), _start_needle(p)) for p in patterns], 3)
    for pattern, together in zip(patterns, one_pass, strict=True):
        rx = pattern_regex(pattern)
        [fast] = _hits(texts, [(rx, _start_needle(pattern))], 3)
        [full] = _hits(texts, [(rx, "")], 3)
        assert together.equals(fast)
        expected = [(i, m.start(), m.end()) for i, t in enumerate(texts) for m in rx.finditer(t)]
        assert list(zip(full["row"], full["start"], full["end"], strict=True)) == expected
        assert fast.equals(full), pattern
        assert re.fullmatch(r"[a-z0-9]*", _start_needle(pattern))


def test_kwic_many_equals_kwic_per_pattern(docs):
    patterns = ["Taiwan", "tariff*", "U.S.", "halfway"]
    many = kwic_many(docs, patterns, window=2)
    one = pd.concat([kwic(docs, p, window=2).assign(pattern=p) for p in patterns], ignore_index=True)
    pd.testing.assert_frame_equal(many, one[["pattern", *one.columns[:-1]]].astype({"pattern": "str"}))


def test_hit_table_of_a_concordance_equals_count_hits(docs):
    patterns = ["Taiwan", "tariff*", "nothing", "halfway"]
    concordance = kwic_many(docs, [*patterns, "U.S."], window=6)
    pd.testing.assert_frame_equal(hit_table(concordance, patterns), count_hits(docs, patterns))
