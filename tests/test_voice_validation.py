"""Scoring the voice measure: per-class figures, both macro-F1s, confusion, committed tables."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import devcorpus, load_corpus
from analysis import voice_validation as vv


def test_scores_by_hand():
    coded = ["own", "own", "reported", "reported", "quoted", "mixed"]
    measured = ["own", "reported", "reported", "own", "quoted", "quoted"]
    t = vv.scores(coded, measured).set_index("class")
    assert t.loc["own", ["precision", "recall", "f1"]].tolist() == pytest.approx([0.5, 0.5, 0.5])
    assert t.loc["quoted", ["precision", "recall"]].tolist() == pytest.approx([0.5, 1.0])
    assert t.loc["mixed", ["precision", "recall", "f1", "support"]].tolist() == [0, 0, 0, 1]
    assert t.loc["macro (4 classes)", "f1"] == pytest.approx((0.5 + 0.5 + 2 / 3 + 0) / 4)
    assert t.loc["macro (own, reported, quoted)", "f1"] == pytest.approx((0.5 + 0.5 + 2 / 3) / 3)
    assert t.loc["macro (4 classes)", "support"] == 6


def test_confusion_counts_every_sentence():
    coded = ["own", "reported", "mixed", "quoted"]
    measured = ["own", "own", "quoted", "quoted"]
    c = vv.confusion(coded, measured)
    assert c.values.sum() == 4
    assert c.loc["reported", "own"] == 1 and c.loc["mixed", "quoted"] == 1
    assert list(c.index) == list(c.columns) == ["own", "reported", "quoted", "mixed"]


def test_committed_cv_table():
    t = vv.cv_table()
    assert {"method", "macro_f1_4", "macro_f1_3", "reported_recall", "mixed_f1"} <= set(t.columns)
    chosen = t[t["method"] == "logistic regression C=0.3 class_weight=balanced"]
    assert len(chosen) == 1
    assert chosen["macro_f1_4"].item() == t["macro_f1_4"].max()


def test_agreement_with_the_bundled_sample_maps_reported_to_quoted():
    corpus = load_corpus("data/raw")
    coded = pd.read_csv("data/annotations/sentence_tone.csv", keep_default_na=False)
    table = corpus.sentences.merge(
        coded[["article_id", "sentence", "voice"]].rename(columns={"voice": "voice_coded"}),
        on=["article_id", "sentence"])
    got, conf = vv.annotation_agreement(table)
    assert conf.values.sum() == len(table) == 110
    assert "reported" not in conf.columns
    assert got.set_index("class").loc["own", "f1"] > 0.8
    assert vv.annotation_agreement(corpus.sentences) is None  # no coded voice


def test_missing_table_says_how_to_regenerate(tmp_path):
    with pytest.raises(FileNotFoundError, match="analysis.voice_validation test"):
        vv.validation_table(tmp_path / "voice.csv")


def test_commands_say_when_the_development_corpus_is_absent(tmp_path, capsys):
    assert vv.main(["cv", "--dev-corpus", str(tmp_path)]) == 2
    assert "not distributed with the suite" in capsys.readouterr().err


@pytest.mark.skipif(not (devcorpus.DEFAULT_PATH / "sentences.csv").is_file(),
                    reason="development corpus not present (it is not distributed)")
def test_cross_validation_reproduces_the_committed_table():
    dev = devcorpus.load_dev_corpus()
    got = vv.cross_validate(dev).round(4)
    want = vv.cv_table()
    assert got["method"].tolist() == want["method"].tolist()
    pd.testing.assert_frame_equal(got.drop(columns="method"), want.drop(columns="method"),
                                  check_exact=False, atol=1e-4)


def test_committed_test_scores():
    t = vv.validation_table().set_index("class")
    assert list(t.index[:4]) == ["own", "reported", "quoted", "mixed"]
    assert t.loc["macro (4 classes)", "support"] == t.loc[["own", "reported", "quoted", "mixed"], "support"].sum()
    assert t["precision"].between(0, 1).all() and t["f1"].between(0, 1).all()
    c = vv.confusion_table()
    assert list(c.columns) == ["own", "reported", "quoted", "mixed"]
    assert (c.sum(axis=1).to_numpy() == t.loc[["own", "reported", "quoted", "mixed"], "support"].to_numpy()).all()
    note = vv.validation_markdown()
    assert "AI coders" in note and "not human experts" in note
