"""The ONE tokenizer of the suite, and document-feature matrices built from it.

Every later stage (keyness, topics, tone, kwic) uses :func:`normalize` / :func:`tokenize`
and :func:`dfm`, so a word is the same word everywhere.

Normalisation rules (in this order, see :func:`normalize`):

1. Typography folded: curly quotes and apostrophes to ``"`` and ``'``; hyphen-like characters
   (U+2010, U+2011, U+2012, U+2212) to ``-``; soft hyphens removed; an en dash between two
   word characters (``China–US``, ``2026–2030``) becomes ``-``, any other en/em dash a space.
2. Before lower-casing (the forms are only safe in their upper-case spelling):

   - the China-US dyad, ``Sino-US``, ``Sino-U.S.``, ``China-US``, ``China-U.S.``,
     ``US-China``, ``U.S.-China``, ``Sino-American``, ``China-United States`` -> ``china-us``;
   - ``U.S.``, ``US``, ``U.S.A.``, ``USA``, ``United States (of America)`` -> ``united_states``
     (a distinct token: the pronoun "us" is lower-case in running text and stays ``us``, a
     stopword). ``US$`` becomes ``usd``; "the States" and "America" are not mapped (ambiguous);
   - ``U.N.``, ``UN``, ``United Nations`` -> ``united_nations``.
3. Lower-casing; spaced spellings of the domain compounds listed in
   ``analysis/data/compounds.txt`` (``head of state``, ``win win``, ``one China``) are joined
   into their hyphenated form.
4. The possessive / contracted ``'s`` is removed (``china's`` -> ``china``, ``it's`` -> ``it``).

Tokens (:data:`TOKEN_RE`) are runs of word characters, possibly joined by internal hyphens or
apostrophes: hyphenated compounds stay whole (``win-win``, ``head-of-state``, ``five-year``,
``one-china``, ``china-us``) and so do contractions (``don't``). A token must contain at least
one letter: pure numbers (``2026``, ``3,000``, ``2026-2030``) are dropped, while ``15th``,
``g20``, ``covid-19`` and ``1990s`` are kept. Stopwords are KEPT in tokens; they are removed only
when a matrix is built (:func:`dfm`, ``remove_stopwords=True``, list in
``analysis/data/stopwords.txt``).

How it runs (same results as applying the rules text by text): columns are processed in
blocks of Arrow strings; the typography is folded over the UTF-8 bytes; each regex rule runs
once over the rows an Arrow (RE2) selector says it can change, joined by a control character
absent from them; the tokens of ASCII texts are found over their bytes with numpy (the rule of
:data:`TOKEN_RE`, restated), other texts use ``TOKEN_RE`` itself. ``tests/test_tokens_equivalence.py``
compares everything with the plain per-text implementation.

Modules: ``rules`` (normalisation and tokenization), ``matrices`` (:class:`Tokens`, count
matrices, :class:`DFM`, :func:`dfm`) and ``cache`` (tokens kept for the notebooks that follow,
``Tokens.from_corpus(corpus, cache=folder)``: notebook 02 makes the sentences' tokens, 04 reads
them); every public name of ``rules`` and ``matrices`` is importable from ``analysis.tokens``.
"""

from __future__ import annotations

from ..config import COMPOUNDS_FILE, STOPWORDS_FILE
from .matrices import (
    DFM,
    LEVEL_KEYS,
    LEVEL_TABLES,
    MIN_ENGLISH_STOPWORD_SHARE,
    Tokens,
    content_token_counts,
    count_matrix,
    dfm,
    probably_not_english,
    stopword_share,
    tokens_from_frame,
)
from .rules import (
    BLOCK_ROWS,
    CHINA_FORMS,
    DYAD_TOKEN,
    ENTITY_RE,
    TOKEN_RE,
    UN_TOKEN,
    US_FORMS,
    US_TOKEN,
    compound_words,
    normalize,
    normalize_terms,
    stopwords,
    tokenize,
    tokenize_joined,
)

__all__ = [
    "BLOCK_ROWS",
    "CHINA_FORMS",
    "COMPOUNDS_FILE",
    "DFM",
    "DYAD_TOKEN",
    "ENTITY_RE",
    "LEVEL_KEYS",
    "LEVEL_TABLES",
    "MIN_ENGLISH_STOPWORD_SHARE",
    "STOPWORDS_FILE",
    "TOKEN_RE",
    "Tokens",
    "UN_TOKEN",
    "US_FORMS",
    "US_TOKEN",
    "compound_words",
    "count_matrix",
    "dfm",
    "normalize",
    "normalize_terms",
    "probably_not_english",
    "content_token_counts",
    "stopword_share",
    "stopwords",
    "tokenize",
    "tokenize_joined",
    "tokens_from_frame",
]
