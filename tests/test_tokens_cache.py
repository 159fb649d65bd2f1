"""Tokens.from_corpus(cache=...): cached tokens equal freshly made ones (tables, strings, dtypes,
counts), are never served for other values or code, and a damaged entry is made again."""

from __future__ import annotations

import ast
import dataclasses
import warnings
from pathlib import Path

import corpora
import numpy as np
import pandas as pd
import pytest

from analysis import from_frame, load_corpus
from analysis.config import PACKAGE_DIR
from analysis.corpus import CorpusWarning
from analysis.synthetic import make_synthetic_corpus
from analysis.tokens import Tokens, dfm
from analysis.tokens.cache import TOKEN_MODULES, tokens_key


def assert_same_tokens(a: Tokens, b: Tokens) -> None:
    assert (a.level, a.keys) == (b.level, b.keys)
    pd.testing.assert_frame_equal(a.docs, b.docs, check_exact=True)
    pd.testing.assert_series_equal(a.joined, b.joined, check_exact=True)
    assert a.joined.array._pa_array.type == b.joined.array._pa_array.type  # large_string both
    pd.testing.assert_index_equal(a.vocabulary, b.vocabulary, exact=True)
    ca, cb = a._count_cache(), b._count_cache()
    assert ca.shape == cb.shape and ca.has_sorted_indices and cb.has_sorted_indices
    for name in ("data", "indices", "indptr"):
        np.testing.assert_array_equal(getattr(ca, name), getattr(cb, name))
        assert getattr(ca, name).dtype == getattr(cb, name).dtype, name
    # and what the notebooks build from them
    for level in {a.level: None, "article": None}:
        x, y = dfm(a, level=level), dfm(b, level=level)
        assert (x.matrix != y.matrix).nnz == 0
        pd.testing.assert_frame_equal(x.docs, y.docs, check_exact=True)


def entries(folder: Path, prefix: str = "tokens-") -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(prefix))


def made_then_read(corpus, cache, capsys, level="sentence"):
    """Tokens that write the cache, then tokens that read it; both checked by their message."""
    made = Tokens.from_corpus(corpus, level=level, cache=cache)
    assert f"tokens made from the {level}s; cached in {cache}" in capsys.readouterr().out
    read = Tokens.from_corpus(corpus, level=level, cache=cache)
    assert f"tokens read from the cache in {cache}" in capsys.readouterr().out
    return made, read


@pytest.fixture(scope="module")
def bundled():
    return load_corpus("data/raw")


@pytest.fixture(scope="module")
def synthetic():
    """Heaps vocabulary (many rare words), quotes, and a few non-ASCII texts (Python path)."""
    frame = make_synthetic_corpus(40, words_per_article=250, random_state=5, quote_rate=0.2,
                                  vocabulary="heaps")
    frame.loc[3, "text"] = frame.at[3, "text"] + "\n\nΟ Σύνδεσμος ΟΔΟΣ. 中美关系。Déjà vu — U.S.’s “win win”."
    return from_frame(frame)


@pytest.mark.parametrize("level", ["sentence", "paragraph", "article"])
def test_bundled_tokens_from_the_cache_equal_fresh_ones(bundled, tmp_path, capsys, level):
    fresh = Tokens.from_corpus(bundled, level=level)
    made, read = made_then_read(bundled, tmp_path / "cache", capsys, level=level)
    assert_same_tokens(fresh, made)
    assert_same_tokens(fresh, read)
    key = tokens_key(getattr(bundled, f"{level}s"), keys=fresh.keys, articles=bundled.articles)
    assert entries(tmp_path / "cache") == [f"tokens-{level}-{key}"]


def test_synthetic_tokens_from_the_cache_equal_fresh_ones(synthetic, tmp_path, capsys):
    assert not synthetic.sentences["text"].map(str.isascii).all()
    fresh = Tokens.from_corpus(synthetic)
    made, read = made_then_read(synthetic, tmp_path / "cache", capsys)
    assert_same_tokens(fresh, made)
    assert_same_tokens(fresh, read)


def test_other_language_corpus(tmp_path, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        corpus = load_corpus(corpora.other_language(tmp_path / "in"))
    fresh = Tokens.from_corpus(corpus)
    made, read = made_then_read(corpus, tmp_path / "cache", capsys)
    assert_same_tokens(fresh, read)


def test_levels_are_kept_side_by_side_and_an_older_entry_is_replaced(bundled, synthetic, tmp_path, capsys):
    cache = tmp_path / "cache"
    made_then_read(bundled, cache, capsys)
    made_then_read(bundled, cache, capsys, level="paragraph")
    assert [e.split("-")[1] for e in entries(cache)] == ["paragraph", "sentence"]
    first = entries(cache)
    fresh = Tokens.from_corpus(synthetic)
    made, read = made_then_read(synthetic, cache, capsys)  # another corpus: its own entry
    assert_same_tokens(fresh, read)
    assert len(entries(cache)) == 2 and entries(cache) != first  # the older sentence entry is gone
    load_corpus("data/raw", cache=cache, rebuild=True)  # the corpus cache leaves tokens alone
    assert len(entries(cache)) == 2 and len(entries(cache, "corpus-")) == 1


def test_an_edited_table_is_not_served_the_old_tokens(bundled, tmp_path, capsys):
    text = bundled.sentences.at[7, "text"]
    same_size = text[::-1]  # the same bytes in another order: only the values tell them apart
    edits = [("text", same_size), ("text", "A different sentence about Taiwan."),
             ("article_id", "zz"), ("sentence", 99)]
    for i, (column, value) in enumerate(edits):
        cache = tmp_path / f"cache{i}"
        made_then_read(bundled, cache, capsys)
        sentences = bundled.sentences.copy()
        sentences.loc[7, column] = value
        edited = dataclasses.replace(bundled, sentences=sentences)
        read = Tokens.from_corpus(edited, cache=cache)
        assert "tokens made from the sentences" in capsys.readouterr().out, column
        assert_same_tokens(Tokens.from_corpus(edited), read)
    cache = tmp_path / "articles"
    made_then_read(bundled, cache, capsys)
    articles = bundled.articles.assign(outlet=bundled.articles["outlet"].str.upper())
    relabelled = dataclasses.replace(bundled, articles=articles)
    read = Tokens.from_corpus(relabelled, cache=cache)
    assert "tokens made from the sentences" in capsys.readouterr().out
    assert read.docs["outlet"].str.isupper().all()


def test_the_key_covers_values_missing_values_and_code(bundled, monkeypatch):
    s = bundled.sentences
    keys = ["article_id", "paragraph", "sentence"]
    key = tokens_key(s, keys=keys, articles=bundled.articles)
    assert tokens_key(s.copy(), keys=keys, articles=bundled.articles.copy()) == key
    assert tokens_key(s, keys=keys) != key
    assert tokens_key(s, keys=keys[:2], articles=bundled.articles) != key
    missing = s.assign(text=s["text"].where(s.index != 3))  # None is not ""
    empty = s.assign(text=s["text"].where(s.index != 3, ""))
    assert len({key, tokens_key(missing, keys=keys, articles=bundled.articles),
                tokens_key(empty, keys=keys, articles=bundled.articles)}) == 3
    import analysis.tokens.cache as cache_module

    monkeypatch.setattr(cache_module, "code_fingerprint", lambda modules: "other code")
    assert tokens_key(s, keys=keys, articles=bundled.articles) != key


def test_token_modules_cover_every_module_the_tokens_import():
    """TOKEN_MODULES holds the tokens package and (transitively) every module of the package
    that it imports."""
    def imported(name: str) -> set[str]:
        path = PACKAGE_DIR / f"{name}.py"
        package = name.split("/")[:-1]
        out = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package[: len(package) - node.level + 1]
                names = [node.module.replace(".", "/")] if node.module else [a.name for a in node.names]
                for n in names:
                    for candidate in (f"{'/'.join([*base, n])}", f"{'/'.join([*base, n])}/__init__"):
                        if (PACKAGE_DIR / f"{candidate}.py").is_file():
                            out.add(candidate)
        return out

    seen: set[str] = set()
    todo = [f"tokens/{p.stem}" for p in (PACKAGE_DIR / "tokens").glob("*.py")]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(imported(name))
    assert seen == set(TOKEN_MODULES)


@pytest.mark.parametrize("damage", ["truncate", "delete", "meta", "sizes"])
def test_a_damaged_entry_is_made_again_with_a_warning(bundled, tmp_path, capsys, damage):
    cache = tmp_path / "cache"
    fresh = Tokens.from_corpus(bundled)
    Tokens.from_corpus(bundled, cache=cache)
    (entry,) = (p for p in cache.iterdir() if p.name.startswith("tokens-"))
    if damage == "truncate":
        path = entry / "joined.arrow"
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "delete":
        (entry / "counts_data.npy").unlink()
    elif damage == "meta":
        (entry / "meta.json").write_text("{", encoding="utf-8")
    else:  # a file of another entry put in its place
        np.save(entry / "counts_indptr.npy", np.zeros(3, dtype=np.int32))
    capsys.readouterr()
    with pytest.warns(CorpusWarning, match="cannot be read .* made again"):
        again = Tokens.from_corpus(bundled, cache=cache)
    assert "tokens made from the sentences" in capsys.readouterr().out
    assert_same_tokens(fresh, again)
    read = Tokens.from_corpus(bundled, cache=cache)
    assert "tokens read from the cache" in capsys.readouterr().out
    assert_same_tokens(fresh, read)


def test_a_cache_that_cannot_be_written_costs_only_time(bundled, tmp_path, capsys):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    with pytest.warns(CorpusWarning, match="cannot be kept"):
        tokens = Tokens.from_corpus(bundled, cache=blocked)
    assert "tokens made from the sentences; not cached" in capsys.readouterr().out
    assert_same_tokens(Tokens.from_corpus(bundled), tokens)


def test_units_without_any_token(tmp_path, capsys):
    corpus = from_frame(pd.DataFrame({"article_id": ["a"], "text": ["2026, 2027, 3,000.\n\n1999."]}))
    fresh = Tokens.from_corpus(corpus)
    assert len(fresh) == 2 and len(fresh.vocabulary) == 0
    made, read = made_then_read(corpus, tmp_path / "cache", capsys)
    assert_same_tokens(fresh, read)


def test_rebuild_makes_the_tokens_even_when_the_cache_holds_them(tmp_path, capsys):
    """Notebook 02 passes rebuild=True, so a second run says what the first said (the committed
    notebook does not change with what an earlier run left in the cache); 04 then reads them."""
    from analysis import load_corpus
    from analysis.config import RAW_DIR
    from analysis.tokens import Tokens

    corpus = load_corpus(RAW_DIR)
    first = Tokens.from_corpus(corpus, cache=tmp_path, rebuild=True)
    again = Tokens.from_corpus(corpus, cache=tmp_path, rebuild=True)
    read = Tokens.from_corpus(corpus, cache=tmp_path)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(";")[0].split(" in ")[0] for line in lines] == [
        "tokens made from the sentences", "tokens made from the sentences", "tokens read from the cache"]
    for other in (again, read):
        assert other.joined.equals(first.joined) and other.docs.equals(first.docs)


def test_a_rename_that_fails_for_another_reason_is_not_taken_for_a_written_entry(
        bundled, tmp_path, monkeypatch, capsys):
    """The entry's final rename can fail because another process wrote the same key first (fine:
    that entry is used) or for any other reason (permissions, another device): then no entry
    exists, and the notebook must say "not cached", not "cached"."""
    import errno
    from pathlib import Path

    from analysis import _cache

    real = Path.rename

    def refuse(self, target):
        if Path(self).name.startswith(".tmp-") and not Path(target).name.startswith(".old-"):
            raise OSError(errno.EACCES, "Permission denied", str(target))
        return real(self, target)

    monkeypatch.setattr(Path, "rename", refuse)
    with pytest.raises(OSError, match="Permission denied"):
        _cache.write_entry(tmp_path / "c", "x-", "k", 1, lambda tmp: None)
    assert list((tmp_path / "c").iterdir()) == []  # the temporary folder is gone too
    with pytest.warns(CorpusWarning, match="cannot be kept"):
        tokens = Tokens.from_corpus(bundled, cache=tmp_path / "cache")
    assert "tokens made from the sentences; not cached" in capsys.readouterr().out
    monkeypatch.setattr(Path, "rename", real)
    assert_same_tokens(Tokens.from_corpus(bundled), tokens)
