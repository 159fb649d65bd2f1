"""Voice of each sentence (own / reported / quoted / mixed) and the speaker it carries.

Every sentence here is invented (or from the bundled corpus); none comes from the development
corpus.
"""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import devcorpus, from_frame, load_corpus, voice
from analysis.corpus import CorpusWarning


def voices(*texts: str) -> pd.DataFrame:
    """The sentences of one article per text (paragraphs split on blank lines)."""
    frame = pd.DataFrame({"article_id": [f"a{i:02d}" for i in range(len(texts))], "text": list(texts)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        return from_frame(frame).sentences


def one(text: str) -> pd.Series:
    s = voices(text)
    assert len(s) == 1, s["text"].tolist()
    return s.iloc[0]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # that-clauses, with and without "that"
        ("Foreign Minister Zhao Lei said that the two sides should keep talking.", "Zhao Lei"),
        ("Zhao Lei stressed the visit would open a new chapter.", "Zhao Lei"),
        ("The ministry said on Tuesday that it would respond in kind.", "the ministry"),
        # according to
        ("According to the Foreign Ministry, the call lasted more than an hour.", "the Foreign Ministry"),
        # readouts and statements
        ("The White House readout said the two leaders discussed trade and fentanyl.",
         "the White House readout"),
        ("In a statement on Friday, the Commerce Ministry said it would pause the measures for a year.",
         "the Commerce Ministry"),
        # the two sides agreed
        ("The two sides agreed to extend the tariff truce for another year.", "the two sides"),
        ("Both sides agreed to keep the channels of communication open.", "both sides"),
        # participial leads and tails
        ("Speaking at a regular briefing on Monday, spokesperson Lin Fang said the visit would go ahead.",
         "Lin Fang"),
        ("Premier Li met the delegation in Beijing, urging both countries to expand student exchanges.",
         "Li"),
        # a sentence-final attribution and an appositive
        ("Beijing and Washington must avoid a new trade war, Premier Li told the visitors.", "Li"),
        ("Zhou Min, a spokesperson for the embassy, said the two countries should meet halfway.",
         "Zhou Min"),
        # institutional sides
        ("The Chinese side urged the United States to lift the remaining tariffs.", "the Chinese side"),
        ("US officials said the talks would resume next week.", "US officials"),
    ],
)
def test_reported_speech_and_its_source(text, speaker):
    row = one(text)
    assert row["voice"] == "reported"
    assert row["voice_speaker"] == speaker


@pytest.mark.parametrize(
    "text",
    [
        "The two countries have been at odds over trade and technology for years.",
        "Shares in Shanghai rose by two percent on Tuesday.",
        "The summit is scheduled for the end of April in Beijing.",
    ],
)
def test_own_voice(text):
    row = one(text)
    assert row["voice"] == "own"
    assert pd.isna(row["voice_speaker"])


def test_direct_quotes_and_mixed_sentences():
    s = voices(
        "“We are ready to keep talking with our partners in good faith,” Zhao said.",
        "“Dialogue is better than confrontation, and cooperation is better than conflict.”",
        "Trump accused Beijing of breaking the deal struck in the spring, saying, “They have "
        "totally violated the agreement we made with them.”",
        'The U.S. side has repeatedly stated that "the United States does not seek to contain China."',
    )
    assert s["voice"].tolist() == ["quoted", "quoted", "mixed", "quoted"]
    assert s["voice_speaker"].tolist()[0] == "Zhao"
    assert pd.isna(s["voice_speaker"].iloc[1])  # unattributed: never invented
    assert s["voice_speaker"].tolist()[2:] == ["Trump", "the U.S. side"]


def test_pronoun_speakers_resolve_to_the_last_named_speaker():
    text = ("Foreign Minister Zhao Lei said the talks had been frank.\n\n"
            "“We welcome dialogue on an equal footing.”\n\n"
            "“Cooperation is the only right choice,” he also said.\n\n"
            "He added that the visit would go ahead as planned.")
    s = voices(text)
    assert s["voice"].tolist() == ["reported", "quoted", "quoted", "reported"]
    assert s["voice_speaker"].tolist()[2:] == ["Zhao Lei", "Zhao Lei"]


def test_pronoun_without_a_named_speaker_stays_missing():
    row = one("He added that the visit would go ahead as planned.")
    assert row["voice"] == "reported"
    assert pd.isna(row["voice_speaker"])


def test_one_word_names_take_the_full_name_of_the_article():
    s = voices("Foreign Minister Zhao Lei said the talks were frank. Zhao also said that both "
               "sides should keep talking.")
    assert s["voice_speaker"].tolist() == ["Zhao Lei", "Zhao Lei"]


def test_reported_sentence_without_attribution_takes_the_paragraphs_speaker():
    text = ("Spokesperson Lin Fang said China firmly opposes the new export controls. "
            "Such measures seriously undermine the legitimate interests of Chinese firms, "
            "she said. They harm both sides, Lin said.")
    s = voices(text)
    assert set(s["voice"]) == {"reported"}
    assert s["voice_speaker"].tolist() == ["Lin Fang"] * 3


def test_voice_counts_sum_to_the_sentences():
    corpus = load_corpus("data/raw")
    s = corpus.sentences.merge(corpus.articles[["article_id", "outlet"]], on="article_id")
    table = voice.voice_counts(s, by="outlet")
    assert table["sentences"].sum() == len(s)
    assert (table[list(voice.CLASSES)].sum(axis=1) == table["sentences"]).all()
    assert np.allclose(table[[f"share_{c}" for c in voice.CLASSES]].sum(axis=1), 1.0)
    total = voice.voice_counts(corpus.sentences)
    assert total["sentences"].item() == len(corpus.sentences)
    assert set(corpus.sentences["voice"].cat.categories) == set(voice.CLASSES)
    assert corpus.sentences["voice"].notna().all()


def test_a_corpus_without_quotes(build_corpus):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        corpus = load_corpus(build_corpus("no_quotes"))
    s = corpus.sentences
    assert (s["quote_share"] == 0).all()
    assert s["voice"].isin(["own", "reported", "quoted", "mixed"]).all()
    assert voice.voice_counts(s)["sentences"].item() == len(s)
    assert (s["voice"] == "reported").any() and (s["voice"] == "own").any()


def test_empty_sentences():
    empty = voices("Hello world.").iloc[:0]
    out = voice.sentence_voice(empty)
    assert len(out) == 0 and {"voice", "voice_speaker"} <= set(out.columns)


# ----------------------------------------------------------------------------- vectorised = reference

_WORDS = ["said", "says", "told", "stressed", "that", "according", "to", "the", "The", "two",
          "sides", "agreed", "He", "he", "she", "also", "urging", "saying", ",", ".", ":", "“",
          "”", '"', "‘", "’", "Wang", "Yi", "Foreign", "Ministry", "U.S.", "side", "Chinese",
          "officials", "statement", "readout", "Speaking", "in", "a", "called", "it", "Q", "A",
          "announced", "hailed", "reached", "both", "countries", "talks", "trade", "é"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), max_size=18).map(" ".join), min_size=1, max_size=6),
       st.data())
def test_vectorised_patterns_equal_the_per_sentence_reference(texts, data):
    n = len(texts)
    share = data.draw(st.lists(st.sampled_from([0.0, 0.1, 0.5, 1.0]), min_size=n, max_size=n))
    heading = data.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    got = voice.pattern_features(pd.Series(texts, dtype="str"), quote_share=share, heading=heading)
    want = voice.reference_features(texts, quote_share=share, heading=heading)
    assert list(got) == list(want)
    for name in want:
        assert got[name].tolist() == want[name].tolist(), name


def test_vectorised_patterns_equal_the_reference_on_the_bundled_corpus():
    s = load_corpus("data/raw").sentences
    got = voice.pattern_features(s["text"], quote_share=s["quote_share"], heading=s["is_heading"])
    want = voice.reference_features(s["text"], quote_share=s["quote_share"], heading=s["is_heading"])
    for name in want:
        assert np.array_equal(got[name], want[name]), name


def _reference_speakers(texts):
    """voice.reported_speakers with Python's re, one sentence at a time."""
    who = re.compile(voice._WHO_RE, re.ASCII)
    appositive = re.compile(voice._APPOSITIVE_RE, re.ASCII)
    out = []
    for t in texts:
        name = None
        for rx in (who, appositive):
            m = rx.search(t)
            if m:
                kind, text = next((k, v) for k, v in m.groupdict().items() if v)
                name = voice._speaker_name(kind, text)
            if name is not None:
                break
        out.append(name)
    return out


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), max_size=18).map(" ".join), min_size=1, max_size=6))
def test_speaker_extraction_equals_the_per_sentence_reference(texts):
    got = voice.reported_speakers(pd.Series(texts, dtype="str"), np.arange(len(texts)))
    assert got.tolist() == _reference_speakers(texts)


# ----------------------------------------------------------------------------- the model


def test_committed_model_matches_the_features():
    model = voice.load_model()
    assert model.classes == voice.CLASSES
    assert model.features == voice.FEATURES
    assert np.isfinite(model.coef).all()
    spec = json.loads(voice.MODEL_FILE.read_text(encoding="utf-8"))
    assert "AI coders" in spec["info"]["codes"]


def test_a_model_file_with_unknown_features_is_refused(tmp_path):
    spec = json.loads(voice.MODEL_FILE.read_text(encoding="utf-8"))
    spec["features"][0] = "no_such_feature"
    bad = tmp_path / "voice.json"
    bad.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(ValueError, match="refit it"):
        voice.load_model(bad)


@pytest.mark.skipif(not (devcorpus.DEFAULT_PATH / "sentences.csv").is_file(),
                    reason="development corpus not present (it is not distributed)")
def test_refit_reproduces_the_committed_model():
    dev = devcorpus.load_dev_corpus()
    refit = voice.fit_model(dev).to_json()
    committed = json.loads(voice.MODEL_FILE.read_text(encoding="utf-8"))
    assert refit["features"] == committed["features"]
    assert refit["classes"] == committed["classes"]
    np.testing.assert_allclose(refit["coef"], committed["coef"], atol=1e-4)
    np.testing.assert_allclose(refit["intercept"], committed["intercept"], atol=1e-4)
    assert refit["info"] == committed["info"]


def _crosstab_voice_counts(sentences: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """voice_counts as it was written with pandas.crosstab (a Python aggregation per group):
    the reference for the bincount version."""
    v = pd.Categorical(sentences["voice"], categories=list(voice.CLASSES))
    key = sentences[by].to_numpy() if by else np.full(len(sentences), "all", dtype=object)
    table = pd.crosstab(pd.Series(key, name=by or "group"), pd.Series(v, name="voice"),
                        dropna=False).reindex(columns=list(voice.CLASSES), fill_value=0)
    table.columns = list(voice.CLASSES)
    table["sentences"] = table[list(voice.CLASSES)].sum(axis=1)
    for c in voice.CLASSES:
        table[f"share_{c}"] = np.where(table["sentences"] > 0,
                                       table[c] / table["sentences"].clip(lower=1), 0.0)
    return table.reset_index().astype({c: "int64" for c in (*voice.CLASSES, "sentences")})


@pytest.mark.parametrize("keys, voices_", [
    (pd.array(["b", None, "a", "b"], dtype="str"), ["own", "quoted", None, "mixed"]),
    (np.array(["b", np.nan, "a", None, "b"], dtype=object), ["own", "quoted", "own", "own", "mixed"]),
    (pd.Categorical(["x", "y", "x"], categories=["z", "y", "x"]), ["own", "own", "reported"]),
    ([3, 1, 3, 2], ["own", "own", "reported", "mixed"]),
    ([1.5, np.nan, 1.5, -2.0], ["own", "own", "quoted", "quoted"]),
    ([True, False, True], ["own", "own", "quoted"]),
    (["a", "b"], [None, None]),
    (["a", "b", "a"], pd.Categorical(["own", "mixed", "own"], categories=["mixed", "own"])),
    (pd.array([], dtype="str"), []),
])
def test_voice_counts_equal_the_crosstab(keys, voices_):
    s = pd.DataFrame({"k": keys, "voice": voices_})
    for by in ("k", None):
        pd.testing.assert_frame_equal(voice.voice_counts(s, by=by), _crosstab_voice_counts(s, by=by))


def test_voice_counts_equal_the_crosstab_on_the_corpus():
    corpus = load_corpus("data/raw")
    s = corpus.sentences
    assert len(s) and s["article_id"].nunique() > 1
    pd.testing.assert_frame_equal(voice.voice_counts(s, by="article_id"),
                                  _crosstab_voice_counts(s, by="article_id"))


def test_sentence_voice_with_the_patterns_found_before_the_quotes():
    corpus = load_corpus("data/raw")
    s = corpus.sentences
    early = voice.pattern_features(s["text"], heading=s["is_heading"])
    assert set(early) == {"verb_word", *voice.PATTERNS}
    pd.testing.assert_frame_equal(voice.sentence_voice(s, found=early), voice.sentence_voice(s))
    only = voice.pattern_features(s["text"], quote_share=s["quote_share"], only=["colon_quote"])
    assert list(only) == ["colon_quote"] and only["colon_quote"].any()
