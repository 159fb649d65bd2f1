"""Direct quotations: spans, speakers, quote shares."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import load_corpus
from analysis.quotes import find_quotes, quote_share, resolve_names
from analysis.segment import paragraphs, sentences


def quotes_of(text: str) -> pd.DataFrame:
    art = pd.DataFrame({"article_id": ["a"], "text": [text]})
    return find_quotes(art, sentences(paragraphs(art)))


@pytest.mark.parametrize(
    ("text", "speaker", "cue"),
    [
        ("Wang Yi spoke. “We will meet halfway,” said Wang.", "Wang Yi", "said"),
        ("Xi Jinping called. “Steer the ship,” Xi said.", "Xi Jinping", "said"),
        ("“Trade is good,” said Wei Zongyou, a professor at Fudan University.", "Wei Zongyou", "said"),
        ("“It works,” Wang was quoted as saying in a press release.", "Wang", "was quoted as saying"),
        ('"We are willing," Guo Jiakun, spokesperson for the ministry, said.', "Guo Jiakun", "said"),
        ("“A new era,” according to Marco Rubio.", "Marco Rubio", "according to"),
        ("As Xi put it, “It is always right to do good.”", "Xi", "put it"),
        ("Rubio told reporters: “We will see.”", "Rubio", "told"),
        ("Professor Diao Daming of Renmin University observed that it “made clear the stakes.”",
         "Diao Daming", "observed"),
    ],
)
def test_attributed_quotes(text, speaker, cue):
    q = quotes_of(text).iloc[-1]
    assert (q["speaker"], q["cue"]) == (speaker, cue)


def test_pronoun_resolves_to_named_speaker_of_previous_sentence():
    text = ("Foreign Minister Wang Yi said the year was big. "
            "He said that “the two heads of state have kept good exchanges.”")
    assert quotes_of(text).iloc[0]["speaker"] == "Wang Yi"


def test_pronoun_without_a_person_stays_unattributed():
    text = "Beijing is now saying things. “It matters a great deal,” he also said."
    assert pd.isna(quotes_of(text).iloc[0]["speaker"])


def test_continued_quote_and_same_sentence_quote():
    text = ("“The agenda is on our table,” said Wang Yi. “China’s attitude has always been open.”\n\n"
            "Trump called it “a long call” with “many results” ahead.")
    q = quotes_of(text)
    assert q["speaker"].to_list()[:2] == ["Wang Yi", "Wang Yi"]
    assert q["cue"].to_list()[:2] == ["said", "continued"]
    assert q["speaker"].to_list()[2:] == ["Trump", "Trump"]
    assert q["cue"].to_list()[2:] == ["called", "same sentence"]


def test_scare_quotes_are_kept_unattributed():
    q = quotes_of("It hopes this will be a “landmark year” for ties.")
    assert q[["text", "n_words"]].iloc[0].to_list() == ["landmark year", 2]
    assert pd.isna(q.iloc[0]["speaker"])


def test_spans_exclude_marks_and_trailing_commas():
    text = "“We are ready,” he said. \"Straight quotes\" work too."
    q = quotes_of(text)
    assert [text[s:e] for s, e in zip(q["start"], q["end"], strict=True)] == ["We are ready", "Straight quotes"]
    assert q["text"].to_list() == ["We are ready", "Straight quotes"]


def test_open_quote_runs_to_paragraph_end_only():
    q = quotes_of("“This continues into the next paragraph\n\nNew paragraph without quotes.")
    assert q["text"].to_list() == ["This continues into the next paragraph"]


def test_resolve_names():
    texts = pd.Series(["President Donald Trump met Wang Yi. Trump and Wang talked."], index=["a"])
    got = resolve_names(pd.Series(["Trump", "Wang", "Li", None]), pd.Series(["a"] * 4), texts)
    assert got.to_list() == ["Donald Trump", "Wang Yi", "Li", None]


@pytest.fixture(scope="module")
def corpus():
    return load_corpus("data/raw")


def test_bundled_corpus_speakers(corpus):
    q = corpus.quotes
    speakers = set(q["speaker"].dropna())
    assert {"Wang Yi", "Xi Jinping", "Donald Trump", "Guo Jiakun", "Wei Zongyou"} <= speakers
    said_wang = q[q["text"].str.startswith("The agenda for high-level exchanges")]
    assert said_wang["speaker"].to_list() == ["Wang Yi"]
    texts = dict(zip(corpus.articles["article_id"], corpus.articles["text"], strict=True))
    for aid, s, e, t in q[["article_id", "start", "end", "text"]].itertuples(index=False):
        assert texts[aid][s:e] == t


def test_quote_share_bounds_and_article_share(corpus):
    s = corpus.sentences
    assert s["quote_share"].between(0, 1).all()
    # a sentence that is one whole quote is (almost) all quote
    whole = s[s["text"] == "“Might does not equal right, and the world cannot revert to the law of the jungle.”"]
    assert whole["quote_share"].iloc[0] > 0.95
    assert whole["speaker"].iloc[0] == "Wang Yi"
    length = s["end"] - s["start"]
    expected = (s["quote_share"] * length).groupby(s["article_id"]).sum() / length.groupby(s["article_id"]).sum()
    got = corpus.articles.set_index("article_id")["quote_share"]
    pd.testing.assert_series_equal(got, expected, check_names=False)
    # no quotes, no share
    assert (s.loc[~s.set_index(["article_id", "sentence"]).index.isin(
        corpus.quotes.set_index(["article_id", "sentence"]).index), "quote_share"] >= 0).all()


def test_quote_share_counts_characters_inside_quotes():
    text = "He said “abcde” today."
    art = pd.DataFrame({"article_id": ["a"], "text": [text]})
    sents = sentences(paragraphs(art))
    shared = quote_share(sents, find_quotes(art, sents))
    assert shared["quote_share"].iloc[0] == pytest.approx(5 / len(text))


def test_blocks_and_joined_spans_equal_one_pass(corpus, monkeypatch):
    """Articles in blocks (and spans found over joined texts) give the quotes of one pass."""
    import analysis.quotes as quotes_mod

    arts = corpus.articles[["article_id", "text"]]
    whole = find_quotes(arts, corpus.sentences)
    monkeypatch.setattr(quotes_mod, "_BLOCK_BYTES", 64)  # about one article per block
    pd.testing.assert_frame_equal(find_quotes(arts, corpus.sentences), whole, check_dtype=True)
    # sentences not grouped by article: one block, same quotes
    shuffled = corpus.sentences.sample(frac=1, random_state=0).reset_index(drop=True)
    unsorted = find_quotes(arts, shuffled.sort_values(["paragraph", "article_id"], kind="stable"))
    assert len(unsorted) == len(whole)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="“”\"\n ,:;a\té", max_size=25), min_size=1, max_size=4))
def test_spans_over_joined_texts_equal_spans_of_each_text(texts):
    from analysis.quotes import _CURLY_RE, _STRAIGHT_RE, _spans, _trim

    rows = sorted(
        ((d, m.start(), m.end(), *_trim(t, *m.span(1))) for d, t in enumerate(texts)
         for rx in (_CURLY_RE, _STRAIGHT_RE) for m in rx.finditer(t)),
        key=lambda r: (r[0], r[1]),
    )
    kept, last = [], {}
    for r in rows:  # a span nested in an earlier one of the same text is not a quote
        if r[1] >= last.get(r[0], -1):
            kept.append(r)
        last[r[0]] = max(last.get(r[0], -1), r[2])
    got = _spans(texts)
    assert [tuple(x) for x in got.itertuples(index=False)] == kept
