"""Speakers: institutional sources, pronouns, one-word names; the quotes and sources they change.

Invented sentences, and the bundled corpus (``data/raw``).
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import load_corpus, sources, speakers
from analysis.quotes import find_quotes
from analysis.segment import paragraphs, sentences


def quotes_of(text: str) -> pd.DataFrame:
    art = pd.DataFrame({"article_id": ["a"], "text": [text]})
    return find_quotes(art, sentences(paragraphs(art)))


@pytest.mark.parametrize(
    ("name", "canonical"),
    [("The U.S. side", "the U.S. side"), ("the Chinese side", "the Chinese side"),
     ("The Foreign Ministry", "the Foreign Ministry"), ("the White House", "the White House"),
     ("The State Department", "the State Department"), ("the Commerce Ministry", "the Commerce Ministry"),
     ("A Foreign Ministry spokesperson", "a Foreign Ministry spokesperson")],
)
def test_institutional_sources(name, canonical):
    assert speakers.is_institution(name)
    assert speakers.canonical(name) == canonical
    assert not speakers.is_person(name)


def test_persons_and_kinds():
    assert speakers.is_person("Wang Yi") and not speakers.is_person("Wang")
    assert not speakers.is_person("Foreign Ministry") and not speakers.is_person("the minister")
    assert speakers.speaker_kind("Wang") == 1  # a gazetteer person
    assert speakers.speaker_kind("Beijing") == 2 and speakers.speaker_kind("the U.S. side") == 2
    assert speakers.speaker_kind("Hufbauer-like") == 0


def test_institutional_sources_belong_to_their_country():
    groups = sources.speaker_groups(
        ["the U.S. side", "the Chinese side", "Beijing", "Washington", "the Foreign Ministry",
         "the White House", "the State Department", "the Commerce Ministry",
         "a Foreign Ministry spokesperson", "Chinese officials", "a U.S. embassy spokesperson",
         "Chinese analysts"]).set_index("speaker")["source_group"]
    assert groups["Chinese analysts"] == "other"
    china = ["the Chinese side", "Beijing", "the Foreign Ministry", "the Commerce Ministry",
             "a Foreign Ministry spokesperson", "Chinese officials"]
    us = ["the U.S. side", "Washington", "the White House", "the State Department",
          "a U.S. embassy spokesperson"]
    assert (groups[china] == "chinese_official").all()
    assert (groups[us] == "us_official").all()


def test_resolve_pronouns_names_and_institutions():
    ids = ["a"] * 6 + ["b"] * 2
    names = ["Zhao Lei", "the Foreign Ministry", "he", "it", "Zhao", "they", "she", None]
    got = speakers.resolve(ids, names).tolist()
    assert got == ["Zhao Lei", "the Foreign Ministry", "Zhao Lei", "the Foreign Ministry",
                   "Zhao Lei", "the Foreign Ministry", None, None]


def test_resolve_uses_known_quote_speakers():
    got = speakers.resolve(["a", "a", "a"], [None, "Trump", "he"],
                           known=["Donald Trump", None, None]).tolist()
    assert got == ["Donald Trump", "Donald Trump", "Donald Trump"]


def test_pronoun_after_an_unattributed_paragraph_takes_the_articles_last_person():
    text = ("“The agenda is on the table,” said Foreign Minister Zhao Lei.\n\n"
            "Beijing is now saying that the plan will put the United Nations first.\n\n"
            "“Multilateralism is the only way forward,” he also said.")
    q = quotes_of(text)
    assert q["speaker"].tolist() == ["Zhao Lei", "Zhao Lei"]


def test_institutional_side_is_a_quote_speaker():
    q = quotes_of('The U.S. side has also repeatedly stated that "the U.S. has no intention '
                  'of leaving" and that "trade ties are the ballast of the relationship."')
    assert q["speaker"].tolist() == ["the U.S. side", "the U.S. side"]
    assert q["cue"].tolist() == ["stated", "same sentence"]
    assert (sources.quote_sources(q)["source_group"] == "us_official").all()


@pytest.fixture(scope="module")
def corpus():
    return load_corpus("data/raw")


def test_bundled_quote_speakers(corpus):
    """Every bundled quote's speaker: the AP "he also said" quote is Wang Yi's and CGTN's "the
    U.S. side" quotes are the U.S. side's; everything else as before issue #14."""
    q = corpus.quotes
    keys = zip(q["article_id"].str[:3], q["quote"], strict=True)
    names = q["speaker"].astype(object).where(q["speaker"].notna(), None)
    got = dict(zip(keys, names, strict=True))
    expected = {
        ("000", i): s for i, s in enumerate(
            ["China", "Wang Yi", "Wang Yi", "Wang Yi", "Wang Yi", "Wang Yi", None, "Wang Yi",
             "Wang Yi", "Wang Yi", "Wang Yi"])
    } | {
        ("001", i): s for i, s in enumerate(
            ["Xi Jinping", "Xi Jinping", "Donald Trump", "Donald Trump", "Donald Trump",
             "Diao Daming", None, "Chen Binhua", "Su Xiaohui"])
    } | {("002", 0): "Xi Jinping", ("002", 1): "Xi Jinping", ("003", 0): "Wang Yi"} | {
        ("004", i): s for i, s in enumerate(
            ["Guo Jiakun", "Xi Jinping", "Wei Zongyou", None, "the U.S. side", "the U.S. side"])
    }
    assert got == expected
    he_also_said = q[q["text"].str.startswith("Although the U.N. is not perfect")]
    assert he_also_said[["speaker", "cue"]].values.tolist() == [["Wang Yi", "said"]]


def test_bundled_sources_of_the_known_cases(corpus):
    qs = sources.quote_sources(corpus)
    us_side = qs[qs["speaker"] == "the U.S. side"]
    assert len(us_side) == 2 and (us_side["source_group"] == "us_official").all()
    table = sources.source_table(qs, corpus.articles).set_index(["outlet", "source_group"])
    assert table.loc[("CGTN", "us_official"), "quotes"] == 2
    assert table.loc[("Associated Press", "unattributed"), "quotes"] == 1
