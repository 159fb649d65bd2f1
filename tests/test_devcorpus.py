"""The development-corpus loader: a clear message when it is absent, whole articles per fold."""

import numpy as np
import pytest

from analysis import devcorpus


def test_missing_folder_says_so(tmp_path):
    with pytest.raises(devcorpus.DevCorpusMissing, match="not distributed with the suite"):
        devcorpus.load_dev_corpus(tmp_path)


def test_article_folds_keep_articles_whole():
    ids = np.repeat([f"a{i}" for i in range(23)], 3)
    folds = devcorpus.article_folds(ids, n_splits=5, random_state=1)
    assert set(folds) == set(range(5))
    for article in set(ids):
        assert len(set(folds[ids == article])) == 1
    assert np.array_equal(folds, devcorpus.article_folds(ids, n_splits=5, random_state=1))


@pytest.mark.skipif(not (devcorpus.DEFAULT_PATH / "sentences.csv").is_file(),
                    reason="development corpus not present (it is not distributed)")
def test_codes_join_the_loaders_units():
    dev = devcorpus.load_dev_corpus()
    assert len(dev.sentences) == 2584 and len(dev.paragraphs) == 1729
    assert set(dev.sentences["split"]) == {"train", "test"}
    # the split is by article
    assert dev.sentences.groupby("article_id")["split"].nunique().max() == 1


def test_commands_exit_2_with_the_message_when_the_corpus_is_absent(tmp_path, capsys):
    from analysis import voice_validation
    from analysis.tone import devcheck

    assert devcorpus.load_for_command(tmp_path) is None
    assert "not distributed with the suite" in capsys.readouterr().err
    assert devcheck.main(["fit", "--dev-corpus", str(tmp_path)]) == 2
    assert voice_validation.main(["fit", "--dev-corpus", str(tmp_path)]) == 2
    assert capsys.readouterr().err.count("not distributed with the suite") == 2
