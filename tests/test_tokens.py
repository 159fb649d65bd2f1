"""Tests for analysis.tokens: the one tokenizer and document-feature matrices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.tokens import (
    DFM,
    Tokens,
    dfm,
    normalize,
    normalize_terms,
    probably_not_english,
    stopword_share,
    stopwords,
    tokenize,
    tokens_from_frame,
)


def toks(text: str) -> list[str]:
    return tokenize(pd.Series([text])).iloc[0]


@pytest.mark.parametrize(
    "text",
    [
        "the U.S. side",
        "the US side",
        "the U.S.A. side",
        "the USA side",
        "the United States side",
        "the United States of America side",
        "the United\nStates side",
        "the U.S.’s side",
        "the US's side",
    ],
)
def test_us_forms_become_one_token(text):
    assert toks(text) == ["the", "united_states", "side"]


def test_pronoun_us_is_not_the_country():
    assert toks("meet us halfway, the U.S. said") == [
        "meet",
        "us",
        "halfway",
        "the",
        "united_states",
        "said",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Sino-US ties",
        "Sino-U.S. ties",
        "China-US ties",
        "China-U.S. ties",
        "US-China ties",
        "U.S.-China ties",
        "China–US ties",
        "China‑U.S. ties",
        "Sino-American ties",
    ],
)
def test_china_us_dyad(text):
    assert toks(text) == ["china-us", "ties"]


@pytest.mark.parametrize(
    "text",
    ["the U.N. role", "the UN role", "the United Nations role", "the UN's role", "the U.N.’s role"],
)
def test_un_forms(text):
    assert toks(text) == ["the", "united_nations", "role"]


def test_un_prefix_words_untouched():
    assert toks("UNESCO and the Union") == ["unesco", "and", "the", "union"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("win-win cooperation", ["win-win", "cooperation"]),
        ("the one-China principle", ["the", "one-china", "principle"]),
        ("head-of-state diplomacy", ["head-of-state", "diplomacy"]),
        ("Head-of-State diplomacy", ["head-of-state", "diplomacy"]),
        ("a zero-sum game", ["a", "zero-sum", "game"]),
        ("the 15th Five-Year Plan", ["the", "15th", "five-year", "plan"]),
        # spaced spellings of the domain compounds are joined (analysis/data/compounds.txt)
        ("two heads of state met", ["two", "heads-of-state", "met"]),
        ("win win results", ["win-win", "results"]),
        ("the one China principle", ["the", "one-china", "principle"]),
    ],
)
def test_domain_compounds_kept_whole(text, expected):
    assert toks(text) == expected


def test_quotes_dashes_possessives_numbers():
    text = "China’s “landmark year” — 2026–2030, 3,000 G20 talks; Xi's 1990s don’t"
    assert toks(text) == ["china", "landmark", "year", "g20", "talks", "xi", "1990s", "don't"]


def test_em_dash_between_words_separates_them():
    assert toks("gatherings—China will") == ["gatherings", "china", "will"]


def test_us_dollar_is_not_the_pronoun():
    assert toks("US$5 billion") == ["usd", "billion"]


def test_normalize_keeps_index_and_handles_missing():
    s = pd.Series(["The U.S.", None], index=[5, 7], dtype="str")
    out = normalize(s)
    assert out.index.tolist() == [5, 7]
    assert out.tolist() == ["the united_states", ""]


def test_normalize_terms():
    out = normalize_terms(["Win-win", "mutual respect", "U.S.", "2026"])
    assert out.tolist() == ["win-win", "mutual respect", "united_states", ""]
    assert out.index.tolist() == ["Win-win", "mutual respect", "U.S.", "2026"]


def test_stopwords_contents():
    sw = stopwords()
    assert {"the", "said", "not", "no", "us"} <= sw
    assert not {"united_states", "china", "year", "call", "interest", "side"} & sw


# --- Tokens and dfm ------------------------------------------------------------------------


@pytest.fixture
def units() -> Tokens:
    sentences = pd.DataFrame(
        {
            "article_id": ["b", "a", "a", "a"],
            "paragraph": [0, 0, 0, 1],
            "sentence": [0, 0, 1, 2],
            "text": [
                "Trade war talks.",
                "The U.S. wants win-win talks.",
                "Meet us halfway.",
                "Win-win, win-win: the U.S. and China.",
            ],
        }
    )
    articles = pd.DataFrame(
        {
            "article_id": ["a", "b"],
            "outlet": ["X", "Y"],
            "outlet_group": ["international", "chinese_state"],
        }
    )
    return tokens_from_frame(sentences, articles=articles)


def test_tokens_docs_sorted_with_outlets(units):
    assert units.level == "sentence"
    assert units.docs[["article_id", "sentence"]].values.tolist() == [
        ["a", 0],
        ["a", 1],
        ["a", 2],
        ["b", 0],
    ]
    assert units.docs["outlet"].tolist() == ["X", "X", "X", "Y"]
    assert units.docs["n_tokens"].tolist() == [5, 3, 6, 3]
    assert units.joined.iloc[1] == "meet us halfway"
    assert units.counts.shape == (4, len(units.vocabulary))


def test_dfm_sentence_counts_drop_stopwords(units):
    m = dfm(units)
    assert isinstance(m, DFM)
    frame = m.to_frame()
    assert "the" not in m.features and "us" not in m.features
    assert frame.loc[("a", 1, 2), "win-win"] == 2
    assert frame.loc[("a", 0, 0), "united_states"] == 1
    assert frame.loc[("b", 0, 0), "trade"] == 1


def test_dfm_aggregates_to_paragraph_and_article(units):
    sent = dfm(units, remove_stopwords=False)
    for level, keys in [("paragraph", ["article_id", "paragraph"]), ("article", ["article_id"])]:
        agg = dfm(units, level=level, remove_stopwords=False)
        expected = sent.to_frame().groupby(level=list(range(len(keys)))).sum()
        got = agg.to_frame()
        assert got.index.names == keys or len(keys) == 1
        np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
        assert agg.docs["n_tokens"].sum() == units.docs["n_tokens"].sum()
    art = dfm(units, level="article")
    assert art.docs["article_id"].tolist() == ["a", "b"]
    assert art.docs["outlet"].tolist() == ["X", "Y"]
    assert art.to_frame().loc["a", "win-win"] == 3


def test_dfm_cannot_go_finer(units):
    art = tokens_from_frame(pd.DataFrame({"article_id": ["a"], "text": ["x"]}))
    assert art.level == "article"
    with pytest.raises(ValueError, match="cannot build a sentence-level"):
        dfm(art, level="sentence")


def test_dfm_fixed_vocabulary_with_phrases(units):
    lex = ["Win-win", "meet halfway", "meet us halfway", "trade war", "U.S.", "absent term"]
    m = dfm(units, level="article", vocabulary=lex, remove_stopwords=False)
    assert m.features.tolist() == [
        "win-win",
        "meet halfway",
        "meet us halfway",
        "trade war",
        "united_states",
        "absent term",
    ]
    frame = m.to_frame()
    assert frame.loc["a"].tolist() == [3, 0, 1, 0, 2, 0]
    assert frame.loc["b"].tolist() == [0, 0, 0, 1, 0, 0]


def test_dfm_unigram_vocabulary(units):
    m = dfm(units, vocabulary=["talks", "nothing", "china"], level="article")
    assert m.to_frame().to_numpy().tolist() == [[1, 0, 1], [1, 0, 0]]


def test_ngrams_never_cross_sentences(units):
    m = dfm(units, ngram_range=(2, 2), remove_stopwords=False, level="article")
    # "talks" ends sentence 0 and "meet" starts sentence 1 of article a
    assert "talks meet" not in m.features
    assert "win-win talks" in m.features


def test_ngram_stopword_rule(units):
    m = dfm(units, ngram_range=(1, 3))
    assert "meet us halfway" in m.features  # inner stopword kept
    assert not any(f.split()[0] in stopwords() or f.split()[-1] in stopwords() for f in m.features)


def test_tfidf_rows_unit_norm(units):
    m = dfm(units, weighting="tfidf", level="paragraph")
    norms = np.sqrt(np.asarray(m.matrix.multiply(m.matrix).sum(axis=1)).ravel())
    np.testing.assert_allclose(norms, 1.0)


def test_min_df(units):
    m = dfm(units, min_df=2, remove_stopwords=False)
    df = np.asarray((dfm(units, remove_stopwords=False).matrix > 0).sum(axis=0)).ravel()
    assert len(m.features) == int((df >= 2).sum())
    assert "talks" in m.features and "halfway" not in m.features


def test_empty_corpus():
    t = tokens_from_frame(
        pd.DataFrame({"article_id": ["a"], "paragraph": [0], "sentence": [0], "text": ["2026 ..."]})
    )
    m = dfm(t)
    assert m.shape == (1, 0)


def test_fixed_vocabulary_counts_like_ngrams():
    t = tokens_from_frame(
        pd.DataFrame(
            {
                "article_id": ["a", "a"],
                "paragraph": [0, 0],
                "sentence": [0, 1],
                "text": ["A b a b win-win cooperation, win-win.", "b c"],
            }
        )
    )
    vocab = ["a b", "b a", "win-win", "win-win cooperation", "cooperation win-win", "b", "b c"]
    got = dfm(t, vocabulary=vocab, remove_stopwords=False).to_frame()
    # the same counts from all n-grams of each sentence
    every = dfm(t, ngram_range=(1, 2), remove_stopwords=False).to_frame()
    expected = every.reindex(columns=vocab, fill_value=0)
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
    assert got.loc[("a", 0, 0), "a b"] == 2
    assert got.loc[("a", 0, 0), "b a"] == 1
    assert got.loc[("a", 0, 1), "b c"] == 1


def test_stopword_share():
    t = tokens_from_frame(
        pd.DataFrame({"article_id": ["a", "b"], "text": ["the talks of the day", "Xi Jinping"]})
    )
    assert stopword_share(t) == pytest.approx(3 / 7)


def test_probably_not_english():
    english = tokens_from_frame(pd.DataFrame({"article_id": ["a"], "text": [
        "The two sides agreed that the talks were a step in the right direction."]}))
    german = tokens_from_frame(pd.DataFrame({"article_id": ["a"], "text": [
        "Beide Seiten vereinbarten weitere Gespräche über Zölle und Exportkontrollen."]}))
    assert not probably_not_english(english)
    assert probably_not_english(german)


def test_outlet_columns_of_the_frame_are_kept():
    t = tokens_from_frame(
        pd.DataFrame({"article_id": ["b", "a"], "outlet": ["Y", "X"], "text": ["one", "two"]})
    )
    assert t.docs["outlet"].tolist() == ["X", "Y"]
    assert dfm(t).docs["outlet"].tolist() == ["X", "Y"]


def test_counts_equal_countvectorizer():
    from sklearn.feature_extraction.text import CountVectorizer

    from analysis import tokens as tk

    joined = pd.Series(["b a b", "", "c a", "zz é a", ""], dtype="str")
    counts, vocab = tk.count_matrix(joined, rows=2)
    vec = CountVectorizer(analyzer=str.split, lowercase=False)
    expected = vec.fit_transform(joined.tolist())
    assert vocab.tolist() == vec.get_feature_names_out().tolist()
    assert (counts != expected).nnz == 0 and counts.shape == expected.shape
    empty, none = tk.count_matrix(pd.Series(["", ""], dtype="str"))
    assert empty.shape == (2, 0) and len(none) == 0


def test_notebook_02_needs_neither_sklearn_nor_scipy_stats():
    """Tokens, unigram matrices, keyness, kwic, actors and sources import neither scikit-learn
    nor scipy.stats (about 1.3 s of CPU per notebook): they are imported where n-grams, phrase
    vocabularies, TF-IDF or a normal quantile need them."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from analysis import actors, keyness, kwic, load_corpus, sources, stats\n"
        "from analysis.tokens import Tokens, dfm, stopword_share\n"
        "corpus = load_corpus('data/raw')\n"
        "tokens = Tokens.from_corpus(corpus)\n"
        "stopword_share(tokens)\n"
        "tables, _ = keyness.comparisons(dfm(tokens, level='article'),\n"
        "                                units=stats.independent_units(corpus.articles))\n"
        "kwic.kwic_many(corpus, ['Taiwan', 'tariff*', 'red line'])\n"
        "actors.mentions(corpus)\n"
        "sources.quote_sources(corpus)\n"
        "print(sorted(m for m in ('sklearn', 'scipy.stats') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[-2] == "[]"
    # and they are there when needed
    assert dfm(Tokens(pd.DataFrame({"d": [0]}), pd.Series(["a b"]), level="unit", keys=["d"]),
               ngram_range=(1, 2), remove_stopwords=False, weighting="tfidf").shape == (1, 3)


@pytest.mark.parametrize("level", ["paragraph", "article"])
@pytest.mark.parametrize("remove_stopwords", [True, False])
def test_coarser_unigram_matrices_sum_the_units_rows(level, remove_stopwords):
    """Summed to paragraphs or articles (units first, then the stopword columns dropped), the
    counts are those of the sentence matrix added up article by article."""
    from analysis import load_corpus

    toks = Tokens.from_corpus(load_corpus("data/raw"))
    fine = dfm(toks, remove_stopwords=remove_stopwords)
    coarse = dfm(toks, level=level, remove_stopwords=remove_stopwords, min_df=2)
    keys = ["article_id", "paragraph"][: 1 + (level == "paragraph")]
    summed = pd.DataFrame(fine.matrix.toarray(), columns=fine.features).groupby(
        [fine.docs[k] for k in keys], sort=True).sum()
    summed = summed.loc[:, (summed > 0).sum() >= 2]
    assert coarse.matrix.dtype == np.int64 and coarse.matrix.has_sorted_indices
    np.testing.assert_array_equal(coarse.matrix.toarray(), summed.to_numpy())
    assert coarse.features.tolist() == summed.columns.tolist()
    assert coarse.docs[keys].values.tolist() == [list(k) if len(keys) > 1 else [k] for k in summed.index]
