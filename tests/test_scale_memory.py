"""Matrices of notebook 03 built once and sized by what is used (issue #18, memory at 100k)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import topics
from analysis.config import RAW_DIR
from analysis.corpus import load_corpus
from analysis.tokens import Tokens, content_token_counts, dfm


@pytest.fixture(scope="module")
def bundled():
    corpus = load_corpus(RAW_DIR)
    return corpus, Tokens.from_corpus(corpus, level="paragraph")


def test_content_token_counts_are_the_row_sums_of_dfm(bundled):
    _, toks = bundled
    expected = np.asarray(dfm(toks, weighting="count").matrix.sum(axis=1)).ravel()
    got = content_token_counts(toks)
    assert got.dtype == np.int64 and got.sum() > 0
    np.testing.assert_array_equal(got, expected)


def test_topic_model_tfidf_is_the_dfm_one_bit_for_bit(bundled):
    corpus, toks = bundled
    model = topics.TopicModel(random_state=0)
    model._prepare(corpus, toks)
    expected = dfm(toks, weighting="tfidf", min_df=model.min_df).matrix[model.fit_rows_]
    assert model.tfidf_.shape == expected.shape
    np.testing.assert_array_equal(model.tfidf_.indptr, expected.indptr)
    np.testing.assert_array_equal(model.tfidf_.indices, expected.indices)
    np.testing.assert_array_equal(model.tfidf_.data, expected.data)
    content = np.asarray(dfm(toks, weighting="count").matrix.sum(axis=1)).ravel()
    np.testing.assert_array_equal(model.units_["n_content_tokens"].to_numpy(), content)


def test_sampled_sensitivity_gives_the_svd_only_words_of_its_sample(monkeypatch):
    from test_topics import FAST, make_corpus

    from analysis.topics import model as model_module

    corpus, _ = make_corpus(n_articles=30, paras_per_article=6)
    fitted = topics.TopicModel(max_select_units=60, **FAST).fit(corpus)
    seen, original = [], model_module.lsa

    def recording(X, **kw):
        seen.append(X)
        return original(X, **kw)

    monkeypatch.setattr(model_module, "lsa", recording)
    fitted.sensitivity(n_components=[2, 4], max_units=40)
    sample = fitted._sample_rows(len(fitted.fit_rows_), 40)
    used = np.flatnonzero(fitted.tfidf_[sample].getnnz(axis=0))
    assert 0 < len(used) < fitted.tfidf_.shape[1]  # the sample leaves some words out
    for X in seen:
        assert X.shape == (40, len(used)) and (X.getnnz(axis=0) > 0).all()
        np.testing.assert_array_equal(X.toarray(), fitted.tfidf_[sample][:, used].toarray())
    # unsampled (all units): the full matrix, as before
    seen.clear()
    fitted.sensitivity(n_components=[2], max_units=None)
    assert seen[0] is fitted.tfidf_
