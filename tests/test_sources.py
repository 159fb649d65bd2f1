"""Tests for analysis.sources: quoted speakers grouped by kind of source."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import sources

EXPECTED = {
    "Wang Yi": "chinese_official",
    "Xi Jinping": "chinese_official",
    "Guo Jiakun": "chinese_official",
    "Chen Binhua": "chinese_official",
    "Marco Rubio": "us_official",
    "Rubio": "us_official",
    "Donald Trump": "us_official",
    "Trump": "us_official",
    "Diao Daming": "analyst_academic",
    "Wei Zongyou": "analyst_academic",
    "Gary Hufbauer": "analyst_academic",
    "Su Xiaohui": "analyst_academic",
    "Jia Qingguo": "analyst_academic",
}


def test_speaker_groups_of_the_seed_speakers():
    g = sources.speaker_groups(list(EXPECTED) + ["an unnamed diplomat", None])
    got = g.set_index("speaker")["source_group"].to_dict()
    for speaker, group in EXPECTED.items():
        assert got[speaker] == group, speaker
    assert got["an unnamed diplomat"] == "other"
    assert len(g) == len(EXPECTED) + 1  # missing speaker dropped


def test_speaker_naming_a_person_and_an_institution():
    g = sources.speaker_groups(
        [
            "Su Xiaohui of the China Institute of International Studies",
            "a spokesperson for the Chinese Foreign Ministry",
        ]
    )
    got = g.set_index("speaker")["actor"]
    assert got["a spokesperson for the Chinese Foreign Ministry"] == "Chinese Foreign Ministry"
    assert got["Su Xiaohui of the China Institute of International Studies"] == "Su Xiaohui"


@pytest.fixture(scope="module")
def corpus():
    from analysis.corpus import load_corpus

    return load_corpus(Path(__file__).resolve().parents[1] / "data" / "raw")


def test_seed_quotes_grouped(corpus):
    q = sources.quote_sources(corpus)
    assert len(q) == len(corpus.quotes)
    attributed = q.dropna(subset=["speaker"])
    # the loader names these speakers in the bundled articles; each gets the expected group
    seen = dict(zip(attributed["actor"], attributed["source_group"], strict=True))
    for actor in [
        "Wang Yi",
        "Xi Jinping",
        "Guo Jiakun",
        "Donald Trump",
        "Diao Daming",
        "Wei Zongyou",
        "Su Xiaohui",
        "Chen Binhua",
    ]:
        assert seen.get(actor) == EXPECTED[actor], actor
    assert (q.loc[q["speaker"].isna(), "source_group"] == "unattributed").all()


def test_source_table_and_article_share(corpus):
    q = sources.quote_sources(corpus)
    t = sources.source_table(q, corpus.articles, by="outlet")
    assert set(t["source_group"]) == set(sources.GROUPS)
    assert t["quoted_words"].sum() == q["n_words"].sum()
    shares = t.groupby("outlet")["share_of_quoted_words"].sum()
    assert shares.to_numpy() == pytest.approx(1.0)
    a = sources.article_quote_share(corpus)
    assert a["quoted_words"].sum() == q["n_words"].sum()
    assert a["quote_share_words"].between(0, 1).all()
    ax = sources.plot_sources(t)
    assert len(ax.patches) == len(t)
    plt.close(ax.figure)


def test_no_quotes():
    quotes = pd.DataFrame(
        {
            "article_id": pd.Series(dtype="str"),
            "speaker": pd.Series(dtype="str"),
            "n_words": pd.Series(dtype="int64"),
        }
    )
    arts = pd.DataFrame({"article_id": ["a"], "outlet": ["X"], "n_words": [10]})
    q = sources.quote_sources(quotes)
    t = sources.source_table(q, arts)
    assert t["quoted_words"].sum() == 0
    assert (t["share_of_quoted_words"] == 0).all()


def test_speaker_table():
    quotes = pd.DataFrame(
        {
            "article_id": ["a", "a", "b"],
            "speaker": ["Wang Yi", None, "Wang Yi"],
            "n_words": [5, 3, 4],
        }
    )
    arts = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", "X"], "n_words": [50, 50]})
    t = sources.speaker_table(sources.quote_sources(quotes), arts)
    assert t[["speaker", "quotes", "quoted_words"]].values.tolist() == [
        ["Wang Yi", 2, 9],
        ["(unattributed)", 1, 3],
    ]
    assert t["source_group"].tolist() == ["chinese_official", "unattributed"]
