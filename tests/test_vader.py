"""analysis.tone.vader: the block-wise compound score equals vaderSentiment's, sentence by sentence."""

from __future__ import annotations

import string
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import corpus, synthetic
from analysis.tone import vader


def _reference(texts) -> list[float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return [analyzer.polarity_scores(t)["compound"] for t in texts]


def _assert_same(texts: list[str], block: int = vader.BLOCK_SIZE) -> None:
    got = vader.compound(pd.Series(texts, dtype="str"), block=block).tolist()
    want = _reference(texts)
    bad = [(t, g, w) for t, g, w in zip(texts, got, want, strict=True) if repr(g) != repr(w)]
    assert not bad, f"{len(bad)} of {len(texts)} differ from vaderSentiment, e.g. {bad[:3]}"


# VADER's own demonstration sentences (vaderSentiment.py, __main__), which exercise every rule,
# plus cases for the rules this module sends to the reference or handles itself.
DEMO = [
    "VADER is smart, handsome, and funny.",
    "VADER is smart, handsome, and funny!",
    "VADER is very smart, handsome, and funny.",
    "VADER is VERY SMART, handsome, and FUNNY.",
    "VADER is VERY SMART, handsome, and FUNNY!!!",
    "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
    "VADER is not smart, handsome, nor funny.",
    "The book was good.",
    "At least it isn't a horrible book.",
    "The book was only kind of good.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Today SUX!",
    "Today only kinda sux! But I'll get by, lol",
    "Make sure you :) or :D today!",
    "Catch utf-8 emoji such as \U0001f498 and \U0001f48b and \U0001f601",
    "Not bad at all",
    "Sentiment analysis has never been good.",
    "Sentiment analysis has never been this good!",
    "Most automated sentiment analysis tools are shit.",
    "With VADER, sentiment analysis is the shit!",
    "Other sentiment analysis tools can be quite bad.",
    "On the other hand, VADER is quite bad ass",
    "VADER is such a badass!",
    "Without a doubt, excellent idea.",
    "Roger Dodger is one of the most compelling variations on this theme.",
    "Roger Dodger is at least compelling as a variation on the theme.",
    "Roger Dodger is one of the least compelling variations on this theme.",
    "Not such a badass after all.",
    "Without a doubt, an excellent idea.",
    "",
    "   ",
    "no",
    "No good deal, no no bad deal, no or nor good.",
    "There is no doubt this is good, and never so bad.",
    "Good, good but good, good and great but bad?!?",
    "It is very good?? Really good???? Extremely bad!!!!!",
    "A naïve, “good” deal — but © 2026 and…",
    "The U.S. and China reached a sort of deal, just enough to kiss of death.",
    "win-win cooperation, mutual respect and peaceful coexistence",
]


def test_demo_and_rule_sentences_equal_the_reference():
    _assert_same(DEMO)


def test_bundled_corpus_equals_the_reference():
    texts = corpus.load_corpus("data/raw").sentences["text"].tolist()
    _assert_same(texts)


def test_synthetic_corpus_equals_the_reference_in_small_blocks():
    frame = synthetic.make_synthetic_corpus(120, random_state=3)
    texts = corpus.from_frame(frame).sentences["text"].tolist()
    _assert_same(texts, block=97)


def _words() -> list[str]:
    """A vocabulary that hits every rule: rule words, boosters, lexicon words whose valences
    collide under the "but" rescaling (2.0 * 0.5 = 1.0, 1.0 * 1.5 = 1.5, ...), negations,
    idiom words, punctuation, capitals, non-ASCII letters and emoji."""
    lexicon = vader._analyzer().lexicon
    by_value = {}
    for w, v in sorted(lexicon.items()):
        if w.isalpha() and w.islower() and v in (1.0, 1.5, 2.0, 3.0, -1.0, -1.5, -2.0, -3.0, 0.6, 0.9):
            by_value.setdefault(v, []).append(w)
    scored = [ws[0] for ws in by_value.values()] + [ws[-1] for ws in by_value.values()]
    return sorted(set(scored)) + [
        "no", "or", "nor", "not", "never", "so", "this", "without", "doubt", "but", "But", "BUT",
        "least", "at", "very", "kind", "of", "sort", "just", "enough", "the", "bomb", "kiss",
        "death", "isn't", "don't", "very", "extremely", "slightly", "barely", "GOOD", "Good",
        "good,", "(good)", "ok.", "a", "an", ":)", "!", "?", "!!", "naïve", "“great”", "—",
        "\U0001f601", "©", "it", "deal", "talks",
    ]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(_words()), min_size=0, max_size=14), min_size=1, max_size=25),
       st.sampled_from([" ", "  "]))
def test_random_sentences_equal_the_reference(sentences, sep):
    _assert_same([sep.join(words) for words in sentences], block=7)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=string.ascii_letters + string.punctuation + " éÏ“”’—…©\t\u00a0", max_size=40),
                min_size=1, max_size=10))
def test_arbitrary_characters_equal_the_reference(texts):
    _assert_same(texts)


def test_coverage_counts_every_text_once():
    texts = pd.Series(DEMO, dtype="str")
    cov = vader.scoring_paths(texts)
    assert cov["texts"] == len(DEMO)
    assert cov["vectorized"] + cov["reference"] == len(DEMO)
    assert cov["reference"] >= 5  # emoji, capitals, "kind of", "least", idioms go to the reference
    assert cov["but_rule"] <= cov["vectorized"]


def test_missing_values_score_zero_and_index_is_kept():
    texts = pd.Series(["good", None, "bad"], index=[10, 11, 12], dtype="str")
    out = vader.compound(texts)
    assert out.index.tolist() == [10, 11, 12]
    assert out.loc[11] == 0.0
    assert np.sign(out.loc[10]) == 1 and np.sign(out.loc[12]) == -1


def test_but_rule_collision_follows_the_reference():
    # 2.0 halved before "but" equals the next word's 1.0: the reference rescales the first word
    # twice and leaves the second alone (its list.index rule); the module must do the same.
    lexicon = vader._analyzer().lexicon
    two = next(w for w, v in sorted(lexicon.items()) if v == 2.0 and w.isalpha())
    one = next(w for w, v in sorted(lexicon.items()) if v == 1.0 and w.isalpha())
    texts = [f"{two} {one} but fine", f"{one} {two} but fine"]
    assert vader.scoring_paths(pd.Series(texts, dtype="str"))["but_rule"] == 1
    _assert_same(texts)


@pytest.mark.parametrize("block", [1, 2, 1000])
def test_block_size_does_not_change_scores(block):
    texts = pd.Series(DEMO, dtype="str")
    pd.testing.assert_series_equal(vader.compound(texts, block=block), vader.compound(texts))


def test_rounding_equals_python_round_including_halves():
    rng = np.random.default_rng(0)
    x = np.r_[rng.uniform(-1, 1, 20_000), np.arange(-10_000, 10_001) / 10_000 + 0.00005,
              [0.12345, -0.12345, 0.00005, 0.99995, -0.99995, 0.0]]
    got = vader._round4(x)
    want = np.array([round(v, 4) for v in x.tolist()])
    np.testing.assert_array_equal(got, want)


# --------------------------------------------------------------------------- sum() of 3.11 and 3.12+
#: Valences whose exact decimal sum is 0: left to right (Python 3.11's sum) gives 0.0 and
#: compensated summation (3.12+) a tiny nonzero value, or the other way round, so that the
#: ``!``/``?`` emphasis turns the compound score away from 0 on one Python and not the other.
NEAR_ZERO = [
    "Egotisms, an easel and dynamite!",
    "The strikers prevents forbid intellectuals!!",
    "Discouraging foehns, then laugher?!?",
    "Lazier and frustrating, yet beneficent preciousness!!",
    "Complacent, inadequate but smiling!",
    "carelessness sillily romanticization??",
]


def _left_to_right(values):
    total = 0.0
    for v in values:
        total += v
    return total


def _neumaier(values):
    """CPython 3.12's float sum(), written out."""
    total, comp = 0.0, 0.0
    for x in values:
        t = total + x
        comp += (total - t) + x if abs(total) >= abs(x) else (x - t) + total
        total = t
    return total + comp if comp and np.isfinite(comp) else total


def test_near_zero_sums_equal_the_reference_on_this_python():
    _assert_same(NEAR_ZERO)
    if sys.version_info >= (3, 12):
        assert vader.python_sum_is_compensated()
    else:
        assert not vader.python_sum_is_compensated()


def test_the_near_zero_sentences_do_differ_between_the_two_sums():
    lexicon = vader._analyzer().lexicon
    words = [["egotisms", "easel", "dynamite"], ["discouraging", "foehns", "laugher"]]
    for ws in words:
        values = [lexicon[w] for w in ws]
        assert np.sign(_left_to_right(values)) != np.sign(_neumaier(values))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from([-3.4, -2.3, -1.9, -1.3, -1.0, -0.6, -0.3, -0.1, 0.1, 0.2,
                                          0.3, 0.7, 1.5, 1.6, 1.7, 1.9, 2.0, 2.3, 1e16, -1e16]),
                         min_size=0, max_size=12).map(lambda v: [x * f for x, f in zip(v, [1, 0.5, 1.5, -0.74] * 3, strict=False)]),
                min_size=1, max_size=20))
def test_sentence_sums_equal_python_sum(groups):
    sent = np.repeat(np.arange(len(groups)), [len(g) for g in groups]).astype(np.int64)
    values = np.array([v for g in groups for v in g], dtype=float)
    n = len(groups)
    np.testing.assert_array_equal(vader.sentence_sums(sent, values, n, compensated=False),
                                  [_left_to_right(g) for g in groups])
    np.testing.assert_array_equal(vader.sentence_sums(sent, values, n, compensated=True),
                                  [_neumaier(g) for g in groups])
    # and this interpreter's own sum(), whichever it is
    np.testing.assert_array_equal(vader.sentence_sums(sent, values, n),
                                  [float(sum(g)) for g in groups])


def test_another_vadersentiment_version_is_scored_by_the_reference(monkeypatch):
    monkeypatch.setattr(vader, "_installed_version", lambda: "3.4.0")
    vader.rules_match_reference.cache_clear()
    try:
        texts = pd.Series(DEMO[:8], dtype="str")
        with pytest.warns(RuntimeWarning, match=r"^vader.compound: vaderSentiment 3.4.0 is installed"):
            paths = vader.scoring_paths(texts)
        assert paths["reference"] == len(texts) and paths["vectorized"] == 0
        assert vader.compound(texts).tolist() == _reference(texts.tolist())
    finally:
        monkeypatch.undo()
        vader.rules_match_reference.cache_clear()
    assert vader.rules_match_reference()
