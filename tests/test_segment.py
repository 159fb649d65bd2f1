"""Segmentation: paragraphs and sentences with exact offsets, abbreviations and quotes."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import load_corpus
from analysis.segment import SENTENCE_BOUNDARY, is_heading, paragraphs, sentences, word_count


def split(text: str) -> list[str]:
    art = pd.DataFrame({"article_id": ["a"], "text": [text]})
    return sentences(paragraphs(art))["text"].to_list()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. Section 301 measures apply. They hurt.",
         ["The U.S. Section 301 measures apply.", "They hurt."]),
        ("He left the U.S. The minister stayed.", ["He left the U.S.", "The minister stayed."]),
        ("The U.N. Security Council met. It voted.", ["The U.N. Security Council met.", "It voted."]),
        ("Talks began on Jan. 5 in Geneva. They ended.", ["Talks began on Jan. 5 in Geneva.", "They ended."]),
        ("Dr. Li and Mr. Wang met St. John at No. 10 Downing St. today. Fine.",
         ["Dr. Li and Mr. Wang met St. John at No. 10 Downing St. today.", "Fine."]),
        ("Author J. K. Rowling spoke. Growth was 3.5 percent.",
         ["Author J. K. Rowling spoke.", "Growth was 3.5 percent."]),
        ("“It is over,” said Wang. “China’s attitude is open.” Then he left.",
         ["“It is over,” said Wang.", "“China’s attitude is open.”", "Then he left."]),
        ('He said "no." She said "yes!" Really? Yes.',
         ['He said "no."', 'She said "yes!"', "Really?", "Yes."]),
        ("“Is it?” he asked. Nobody knew.", ["“Is it?” he asked.", "Nobody knew."]),
        ("Prices rose e.g. in 2025. Later they fell.", ["Prices rose e.g. in 2025.", "Later they fell."]),
    ],
)
def test_sentence_boundaries(text, expected):
    assert split(text) == expected


def test_boundary_regex_is_one_compiled_pattern():
    assert [m.start() for m in SENTENCE_BOUNDARY.finditer("It rained. Then it stopped.")] == [10]


@pytest.fixture(scope="module")
def corpus():
    return load_corpus("data/raw")


def test_offsets_round_trip_on_the_bundled_corpus(corpus):
    texts = dict(zip(corpus.articles["article_id"], corpus.articles["text"], strict=True))
    for table in (corpus.paragraphs, corpus.sentences):
        for aid, start, end, text in table[["article_id", "start", "end", "text"]].itertuples(index=False):
            assert texts[aid][start:end] == text


def test_tables_are_sorted_and_indexed(corpus):
    for table, keys in ((corpus.paragraphs, ["article_id", "paragraph"]),
                        (corpus.sentences, ["article_id", "sentence"])):
        assert table.index.equals(pd.RangeIndex(len(table)))
        assert table.equals(table.sort_values(keys).reset_index(drop=True))
    counts = corpus.sentences.groupby("article_id")["sentence"].agg(["min", "max", "size"])
    assert (counts["min"] == 0).all() and (counts["max"] == counts["size"] - 1).all()


def test_sentences_inside_their_paragraph(corpus):
    merged = corpus.sentences.merge(corpus.paragraphs, on=["article_id", "paragraph"], suffixes=("", "_p"))
    assert len(merged) == len(corpus.sentences)
    assert ((merged["start"] >= merged["start_p"]) & (merged["end"] <= merged["end_p"])).all()


def test_headings(corpus):
    heads = set(corpus.paragraphs.loc[corpus.paragraphs["is_heading"], "text"])
    assert heads == {
        "The Global Governance Initiative",
        "Wang reiterated his call for an immediate stop to military actions in Iran",
        "Steering bilateral ties",
        "Dialogue the correct way forward",
    }
    got = is_heading(pd.Series(["Yes.", "He said the following:", "A short sentence ends here."]))
    assert got.to_list() == [True, False, False]


def test_word_count():
    assert word_count(pd.Series(["a b  c", "", " x\ny "])).to_list() == [3, 0, 2]


def test_paragraph_counts_match_blank_lines(corpus):
    for aid, text in zip(corpus.articles["article_id"], corpus.articles["text"], strict=True):
        n = (corpus.paragraphs["article_id"] == aid).sum()
        assert n == text.count("\n\n") + 1


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet="abcXYZ .!?“”\"U.S", min_size=1, max_size=40), min_size=1, max_size=5))
def test_offsets_round_trip_on_random_text(parts):
    text = "\n\n".join(" ".join(p.split()) for p in parts if p.split())
    if not text:
        return
    art = pd.DataFrame({"article_id": ["r"], "text": [text]})
    sents = sentences(paragraphs(art))
    for start, end, sent in sents[["start", "end", "text"]].itertuples(index=False):
        assert text[start:end] == sent
    # sentences cover every non-space character exactly once
    assert "".join(sents["text"]).replace(" ", "") == text.replace(" ", "").replace("\n", "")
