"""The learned, target-aware tone model (analysis.tone.model) and its validation tables."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import devcorpus, load_corpus, tone
from analysis.config import RAW_DIR
from analysis.tokens import Tokens, tokens_from_frame
from analysis.tone import devcheck
from analysis.tone import model as tm

_KEYS = ["article_id", "paragraph", "sentence"]


@pytest.fixture(scope="module")
def bundled_corpus():
    return load_corpus(RAW_DIR)


def _frame(sentences):
    return pd.DataFrame({"article_id": "a", "paragraph": range(len(sentences)),
                         "sentence": range(len(sentences)), "text": sentences})


def _score(sentences):
    return tone.score_sentences(_frame(sentences), measures=("learned",))


def test_committed_model_loads_and_says_where_it_came_from():
    model = tm.load_tone_model()
    assert len(model.vocabulary) == len(model.idf) == model.coef.shape[1]
    assert list(model.classes) == [-2, -1, 0, 1, 2]
    assert len(model.stage2_coef) == len(tm.STAGE2_FEATURES)
    assert model.meta["fitted_on"] == "development corpus, split 'train'"
    assert "not human experts" in model.meta["codes"]


def test_vectorised_scores_equal_the_plain_reference_on_the_bundled_corpus(bundled_corpus):
    tok = Tokens.from_corpus(bundled_corpus)
    scores = tone.score_sentences(bundled_corpus, tok=tok, measures=("learned",))
    model = tm.load_tone_model()
    expected = [tm.reference_predict(model, joined, vader)
                for joined, vader in zip(tok.joined, scores["vader"], strict=True)]
    np.testing.assert_allclose(scores["learned"].to_numpy(), expected, rtol=0, atol=1e-12)
    assert scores["learned"].between(-1, 1).all()


@pytest.mark.parametrize("text, target", [
    ("Beijing condemned US arms sales to Taiwan.", "relationship"),          # China acts on the US
    ("Washington imposed new tariffs on Chinese goods.", "relationship"),    # the US acts on China
    ('"We firmly oppose the US move," the Chinese spokesperson said.', "relationship"),  # quoted protest
    ("The two sides agreed to keep in touch.", "relationship"),              # the pair, no names
    ("China praised its own role in driving global growth.", "one_side"),   # self-praise
    ("The American economy grew strongly last quarter.", "one_side"),
    ("The weather in Geneva was mild.", "none"),
])
def test_target_detection(text, target):
    tok = tokens_from_frame(_frame([text]))
    assert tm.target_features(tok)["target"].tolist() == [target]


def test_conflict_and_cooperation_between_the_two_sides_are_scored_with_their_sign():
    s = _score(["Beijing condemned US arms sales to Taiwan.",
                "The US accused China of violating the trade deal.",
                '"We firmly oppose the US move," the Chinese spokesperson said.',
                "China and the United States agreed to expand cooperation and keep talking.",
                "The two sides agreed to keep in touch and expand cooperation."])["learned"]
    assert (s.iloc[:3] < -0.1).all() and (s.iloc[3:] > 0.3).all()


def test_self_praise_is_not_praise_of_the_relationship():
    s = _score(["China is a great country with a bright future.",
                "China and the United States agreed to expand cooperation and keep talking."])
    assert s.loc[0, "vader"] > 0.5            # general sentiment calls it very positive
    assert abs(s.loc[0, "learned"]) < 0.2     # the target-aware tone does not
    assert s.loc[1, "learned"] > s.loc[0, "learned"] + 0.3


def test_a_sentence_without_any_known_word_gets_the_intercept_only_prediction():
    s = _score(["Zzyzx qwrtp vbnmk."])
    model = tm.load_tone_model()
    empty = model.words_score(tm.sp.csr_matrix((1, len(model.vocabulary))))[0]
    assert s.loc[0, "learned_words"] == pytest.approx(empty)
    assert s.loc[0, "target"] == "none"


def test_term_weights_read_the_words_model_as_a_dictionary():
    table = tm.load_tone_model().term_weights()
    assert table["weight"].is_monotonic_increasing
    weights = table.set_index("term")["weight"]
    assert weights["cooperation"] > 0 > weights["tariffs"]


def test_save_and_load_round_trip(tmp_path):
    model = tm.load_tone_model()
    path = model.save(tmp_path / "tone.json")
    again = tm.load_tone_model(path)
    np.testing.assert_allclose(again.coef, model.coef, rtol=1e-9)
    assert again.vocabulary == model.vocabulary


def test_a_file_of_another_format_is_refused(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ValueError, match="not a tone model file"):
        tm.load_tone_model(path)


def test_committed_validation_tables_have_the_reported_columns():
    for name, split in (("tone.csv", "test"), ("tone_cv.csv", "train")):
        table = pd.read_csv(devcheck.VALIDATION_DIR / name)
        assert list(table["method"]) == list(devcheck.METHODS)
        assert table["split"].str.startswith(split).all()
        for col in ("spearman", "sign_accuracy", "majority_accuracy", "article_spearman",
                    "error_chinese_state", "error_international", "differential_error",
                    "differential_low", "differential_high", "contrast_measured",
                    "contrast_coded", "contrast_sign_matches"):
            assert col in table.columns


def test_validation_table_on_a_hand_made_example():
    # two articles per group; the measure is the code plus 0.1 in chinese_state only
    rows = []
    for art, group in (("c1", "chinese_state"), ("c2", "chinese_state"),
                       ("i1", "international"), ("i2", "international")):
        for code in (-2, 0, 1, 2):
            y = code / 2
            rows.append({"article_id": art, "outlet_group": group, "y": y,
                         "m": y + (0.1 if group == "chinese_state" else 0.0)})
    out = devcheck.validation_table(pd.DataFrame(rows), methods=("m", "majority"), n_boot=50)
    m = out.set_index("method").loc["m"]
    assert m["differential_error"] == pytest.approx(0.1)
    assert m["spearman"] > 0.95  # below 1 only because the shift breaks ties across groups
    assert m["contrast_measured"] == pytest.approx(m["contrast_coded"] + 0.1)
    assert out.set_index("method").loc["majority", "majority_accuracy"] == pytest.approx(0.25)


@pytest.mark.skipif(not (devcorpus.DEFAULT_PATH / "sentences.csv").is_file(),
                    reason="development corpus not present (it is not distributed)")
@pytest.mark.slow
def test_refit_reproduces_the_committed_model(tmp_path):
    dev = devcorpus.load_dev_corpus()
    fitted = devcheck.fit(dev)
    path = fitted.save(tmp_path / "tone.json")
    assert json.loads(path.read_text()) == json.loads(tm.MODEL_FILE.read_text())


def test_scoring_in_blocks_equals_one_pass(bundled_corpus):
    tok = Tokens.from_corpus(bundled_corpus)
    vader = tone.score_sentences(bundled_corpus, tok=tok, measures=("vader",))["vader"].to_numpy()
    model = tm.load_tone_model()
    whole = model.predict(tok, vader=vader)
    blocks = model.predict(tok, vader=vader, block=7)
    pd.testing.assert_frame_equal(whole, blocks)


def test_scores_in_two_threads_are_those_of_one(bundled_corpus, monkeypatch):
    """score_sentences runs VADER beside the dictionaries on large corpora (two threads): the
    scores of one thread."""
    from analysis.tone import score

    tok = Tokens.from_corpus(bundled_corpus)
    monkeypatch.setattr(score, "_THREADED_MIN", 1 << 62)
    one = tone.score_sentences(bundled_corpus, tok=tok)
    monkeypatch.setattr(score, "_THREADED_MIN", 0)
    two = tone.score_sentences(bundled_corpus, tok=tok)
    pd.testing.assert_frame_equal(two, one, check_exact=True)
