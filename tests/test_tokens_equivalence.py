"""The vectorised tokenizer equals the plain per-text reference it replaced.

``analysis.tokens`` normalises and tokenizes whole columns at once (Arrow kernels choosing the
rows each rule can touch, numpy over the bytes of ASCII rows). The reference below is the
earlier implementation, one text at a time with Python's ``re``, kept verbatim: every public
output (``normalize``, ``tokenize``, ``tokenize_joined``, ``Tokens.joined``) must equal it, on
hand-picked texts and on texts generated from the fragments the rules care about.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import tokens as tk
from analysis.tokens import matrices as tk_matrices
from analysis.tokens import rules as tk_rules

# --- the reference: one text at a time ----------------------------------------------------
_FOLD = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u0060\u00b4", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2212\ufe63\uff0d", "-"),
    "\u00ad": "",
    "\u2014": " ",
    "\u2015": " ",
}
_FOLD_RE = re.compile("[" + "".join(_FOLD) + "]")
_EN_DASH_SPACE = re.compile("\u2013")
_EN_DASH_JOIN = re.compile(r"\u2013(?<=\w\u2013)(?=\w)")
_US = r"(?:U\.S\.A\.|U\.S\.(?!A\.)|USA|US|United\s+States(?:\s+of\s+America)?|UNITED\s+STATES)"
_CHINA = r"(?:China|CHINA|Sino|SINO)"
_END = r"(?![A-Za-z0-9_$])"
_ENTITY_RE = re.compile(
    r"(?=[UCS])"
    rf"(?:(?P<dyad>(?:{_CHINA}-{_US}|{_US}-(?:China|CHINA)|(?:Sino|SINO)-American){_END})"
    r"|(?P<usd>US\$)"
    rf"|(?P<us>{_US}{_END})"
    r"|(?P<un>(?:U\.N\.|UN|United\s+Nations|UNITED\s+NATIONS)(?![A-Za-z0-9_])))"
)
_POSSESSIVE = re.compile(r"'s\b")
_TOKEN_RE = re.compile(r"[\d_'-]+(?![\w'-])|(\w+(?:['-]\w+)*)")
_ENTITY_TOKENS = {
    "dyad": "china-us", "usd": " usd ", "us": "united_states", "un": "united_nations",
}


def _left_boundary(match, forbidden):
    i = match.start()
    if i == 0:
        return True
    prev = match.string[i - 1]
    return not (prev.isalnum() or prev == "_" or prev in forbidden)


def _replace_entity(match):
    if not _left_boundary(match, "."):
        return match.group(0)
    return _ENTITY_TOKENS[match.lastgroup]


def _compound_re():
    lines = tk.COMPOUNDS_FILE.read_text(encoding="utf-8").splitlines()
    items = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    entries = sorted(set(items), key=lambda s: (-len(s), s))
    alts = [r"[\s-]+".join(map(re.escape, e.split("-"))) for e in entries]
    first = "".join(sorted({e[0] for e in entries}))
    pattern = re.compile(rf"(?=[{first}])(?:" + "|".join(alts) + r")(?![\w-])")
    return pattern, {e.replace("-", ""): e for e in entries}


_COMPOUND_RE, _COMPOUND_LOOKUP = _compound_re()


def _join_compound(match):
    if not _left_boundary(match, "-"):
        return match.group(0)
    return _COMPOUND_LOOKUP[re.sub(r"[\s-]+", "", match.group(0))]


def ref_normalize(text: str) -> str:
    text = _FOLD_RE.sub(lambda m: _FOLD[m.group(0)], text)
    text = _EN_DASH_SPACE.sub(" ", _EN_DASH_JOIN.sub("-", text))
    text = _ENTITY_RE.sub(_replace_entity, text).lower()
    text = _COMPOUND_RE.sub(_join_compound, text)
    return _POSSESSIVE.sub("", text)


def ref_joined(text: str) -> str:
    return " ".join(filter(None, _TOKEN_RE.findall(ref_normalize(text))))


# --- texts ----------------------------------------------------------------------------------
def _compound_spellings() -> list[str]:
    out = []
    for e in _COMPOUND_LOOKUP.values():
        words = e.split("-")
        out += [e, " ".join(words), "  ".join(words).title(), "--".join(words), "\n".join(words)]
    return out


FRAGMENTS = [
    "U.S.", "US", "U.S.A.", "U.S.A", "USA", "United States", "United  States of America",
    "United\nStates", "UNITED STATES", "U.N.", "UN", "United Nations", "UNITED NATIONS",
    "China", "CHINA", "Sino", "SINO", "American", "US$", "U.S.$", "USA$", "UNESCO", "Union",
    "-", "--", "'", "''", "'s", "s", "’s", "’", "‘", "“", "”", "„", "«", "»", "`", "´", "′", "″",
    "–", "—", "―", "\u00ad", "\u2010", "\u2011", "\u2212", "\ufe63", "\uff0d",
    "2026", "3,000", "2026-2030", "15th", "g20", "_", "__", "x_1", "1990s",
    "Σ", "ΟΔΟΣ", "ς", "İ", "ß", "ï", "é", "e\u0301", "²", "½", "Ⅻ", "中国", "٣", "\u00a0",
    "\u2003", "\x1f", "\x00", "\t", "\n", "\n\n", " ", ".", ",", "$", "a", "A", "Xi", "don't",
    "heads", "head", "of", "state", "one", "win", "zero", "sum", "face", "to",
    *_compound_spellings(),
]

texts = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.sampled_from(FRAGMENTS),
        st.sampled_from([" ", "", "-", "."]),
        st.text(max_size=4),
    ),
    max_size=14,
).map("".join)

CASES = [
    "", " ", "U.S.-China ties: the U.S. and us", "China's win-win Sino-US ties, 2026.",
    "xwin win win", "win win win", "face to face to face", "2026--abc", "abc-2026", "'abc'",
    "a''b", "x's's", "x'sé y's", "Xi’s 's_ 's1", "US US US", "U.S.US", "the US$5", "ΟΔΟΣ ΟΔΟΣ", "naïve U.S. İstanbul",
    "China–US 2026–2030 a – b", "a–b–c", "-–x", "'2026'", "x--2026", "__a _ 2026_ _x",
]


def _frame(values: list[str]) -> pd.Series:
    return pd.Series(values, dtype="str")


@pytest.mark.parametrize("text", CASES + FRAGMENTS)
def test_single_texts_equal_the_reference(text):
    s = _frame([text])
    assert tk.normalize(s).tolist() == [ref_normalize(text)]
    assert tk.tokenize_joined(s).tolist() == [ref_joined(text)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(texts, min_size=1, max_size=12))
def test_columns_equal_the_reference(values):
    s = _frame(values)
    assert tk.normalize(s).tolist() == [ref_normalize(t) for t in values]
    joined = tk.tokenize_joined(s)
    assert joined.tolist() == [ref_joined(t) for t in values]
    assert tk.tokenize(s).tolist() == [ref_joined(t).split() for t in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=8))
def test_arbitrary_unicode_equals_the_reference(values):
    s = _frame(values)
    assert tk.normalize(s).tolist() == [ref_normalize(t) for t in values]
    assert tk.tokenize_joined(s).tolist() == [ref_joined(t) for t in values]


def test_many_rows_and_blocks_equal_the_reference():
    base = CASES + FRAGMENTS
    values = [" ".join(base[i % len(base)] for i in range(k, k + 9)) for k in range(3000)]
    values[7] = "\x00 U.S. \x01 win win"
    s = pd.Series(values, index=range(10, 10 + len(values)), dtype="str")
    out = tk.normalize(s)
    assert out.index.equals(s.index) and out.dtype == "str"
    assert out.tolist() == [ref_normalize(t) for t in values]
    joined = tk.tokenize_joined(s)
    assert joined.index.equals(s.index) and joined.dtype == "str"
    assert joined.tolist() == [ref_joined(t) for t in values]


def test_missing_values_are_empty_texts():
    s = pd.Series(["The U.S.", None, float("nan")], dtype="object")
    assert tk.normalize(s).tolist() == ["the united_states", "", ""]
    assert tk.tokenize_joined(s).tolist() == ["the united_states", "", ""]


def test_every_separator_taken_falls_back_to_one_text_at_a_time():
    taken = "".join(map(chr, tk_rules._SEPARATORS))
    values = [f"{taken} U.S. win win", "the U.S.’s one China", taken + "Xi's"]
    s = _frame(values)
    assert tk.normalize(s).tolist() == [ref_normalize(t) for t in values]
    assert tk.tokenize_joined(s).tolist() == [ref_joined(t) for t in values]


def test_spelled_out_spaces_are_pythons():
    import sys

    spaces = {c for c in map(chr, range(sys.maxunicode + 1)) if re.match(r"\s", c)}
    assert spaces == set(tk_rules._PY_SPACE)


def test_separators_are_inert():
    for c in map(chr, tk_rules._SEPARATORS):
        assert not re.match(r"[\w\s'$.-]", c) and c.lower() == c and not c.isalnum()
        # final sigma: a separator ends a word as the end of a text does
        assert ("ΟΔΟΣ" + c + "Α").lower() == "οδο\u03c2" + c + "α" == "ΟΔΟΣ".lower() + c + "α"


def test_take_columns_equals_scipy_indexing():
    import numpy as np
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    m = sp.random(40, 30, density=0.2, format="lil", random_state=1, dtype=np.float64)
    m[5] = 0  # an empty row
    m = sp.csr_matrix(m)
    m.data = rng.integers(1, 9, size=m.nnz).astype(np.int32)
    columns = np.flatnonzero(rng.random(30) < 0.6)
    expected = m[:, columns].astype(np.int64)
    for block in (1, 7, 10_000):
        got = tk_matrices._take_columns(m, columns, nnz=block)
        assert got.dtype == np.int64 and got.shape == expected.shape
        assert (got != expected).nnz == 0
        assert np.array_equal(got.indptr, expected.indptr)
        assert np.array_equal(got.indices, expected.indices)


def test_tokens_counts_equal_count_matrix():
    values = ["b a b", "", "the U.S. and us", "win win win"]
    t = tk.tokens_from_frame(pd.DataFrame({"article_id": list("abcd"), "text": values}))
    counts, vocab = tk.count_matrix(t.joined, rows=2)
    assert t.counts.dtype == counts.dtype == "int64"
    assert (t.counts != counts).nnz == 0 and t.vocabulary.equals(vocab)


@pytest.mark.parametrize("repeat", [3, 200, 40_000])
def test_counts_kept_compactly_are_exact(repeat):
    joined = pd.Series(["a " * repeat + "b", "", "b c"], dtype="str")
    counts, vocab = tk.count_matrix(joined)
    assert counts.dtype == "int64" and vocab.tolist() == ["a", "b", "c"]
    assert counts.toarray().tolist() == [[repeat, 1, 0], [0, 0, 0], [0, 1, 1]]
    t = tk.Tokens(docs=pd.DataFrame({"article_id": list("xyz")}), joined=joined)
    assert (t.counts != counts).nnz == 0 and t.counts.dtype == "int64"
    assert tk.stopword_share(t) == repeat / (repeat + 3)  # "a" is a stopword


@pytest.mark.parametrize("shuffle", [False, True])
def test_group_matrix_runs_equal_groupby(shuffle):
    import numpy as np
    import scipy.sparse as sp

    rng = np.random.default_rng(3)
    docs = pd.DataFrame({
        "article_id": pd.Series(rng.choice(["b", "a", "é", "ab", "Z"], 60), dtype="str"),
        "paragraph": rng.integers(0, 3, 60),
        "n_tokens": rng.integers(0, 9, 60),
    }).sort_values(["article_id", "paragraph"], ignore_index=True)
    if shuffle:
        docs = docs.sample(frac=1, random_state=1, ignore_index=True)
    for keys in (["article_id"], ["article_id", "paragraph"]):
        g, out = tk_matrices._group_matrix(docs, keys)
        codes = docs.groupby(keys, sort=True).ngroup().to_numpy()
        expected = sp.csr_matrix((np.ones(len(codes), dtype=np.int64), (codes, np.arange(60))))
        assert (g != expected).nnz == 0 and g.shape == expected.shape
        first = pd.Series(np.arange(60)).groupby(codes).first().to_numpy()
        ref = docs.iloc[first][keys].reset_index(drop=True)
        pd.testing.assert_frame_equal(out[keys], ref)
        assert out["n_tokens"].tolist() == docs.groupby(keys, sort=True)["n_tokens"].sum().tolist()
