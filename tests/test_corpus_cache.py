"""load_corpus(cache=...): the cached corpus equals a fresh load, table by table (dtypes included),
and is never served for other files, options or code; a damaged entry is rebuilt."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import corpora
import pandas as pd
import pytest

from analysis import load_corpus
from analysis.corpus import CACHE_MODULES, CORPUS_TABLES, CorpusWarning, corpus_key
from analysis.synthetic import make_synthetic_corpus


def assert_same_corpus(a, b):
    for name in CORPUS_TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True,
                                      obj=name)


def entries(folder):
    return sorted(p.name for p in folder.iterdir())


def load_twice(source, cache, capsys, **options):
    """A load that writes the cache, then one that reads it; both checked by their message."""
    built = load_corpus(source, cache=cache, **options)
    assert "loaded from its files" in capsys.readouterr().out
    read = load_corpus(source, cache=cache, **options)
    assert "read from the cache" in capsys.readouterr().out
    return built, read


def test_bundled_corpus_from_the_cache_equals_a_fresh_load(tmp_path, capsys):
    fresh = load_corpus("data/raw")
    built, read = load_twice("data/raw", tmp_path / "cache", capsys)
    assert_same_corpus(fresh, built)
    assert_same_corpus(fresh, read)
    assert len(entries(tmp_path / "cache")) == 1


@pytest.fixture(scope="module")
def messy_table(tmp_path_factory):
    """A CSV with missing, unreadable and out-of-range dates, an exact and a near duplicate,
    quotes, a row without text, a repeated id and an extra column (object dtype)."""
    frame = make_synthetic_corpus(40, words_per_article=250, random_state=3, quote_rate=0.2)
    frame["published"] = frame["published"].astype(str).str[:10]
    frame.loc[[1, 2], "published"] = None
    frame.loc[3, "published"] = "not a date"
    frame.loc[4, "published"] = "1999-01-01"
    copy = frame.iloc[[5]].assign(article_id="zz_copy")
    near = frame.iloc[[6]].assign(article_id="zz_near", text=frame.at[6, "text"] + "\n\nOne more line here.")
    empty = frame.iloc[[7]].assign(article_id="zz_empty", text="")
    again = frame.iloc[[8]]
    frame = pd.concat([frame, copy, near, empty, again], ignore_index=True)
    frame["url"] = [f"https://example.org/{i}" if i % 3 else None for i in range(len(frame))]
    path = tmp_path_factory.mktemp("messy") / "articles.csv"
    frame.to_csv(path, index=False)
    return path


def test_messy_table_from_the_cache_equals_a_fresh_load(messy_table, tmp_path, capsys):
    with warnings.catch_warnings(record=True) as fresh_warnings:
        warnings.simplefilter("always")
        fresh = load_corpus(messy_table)
    assert fresh.articles["published"].isna().any() and fresh.articles["duplicate_of"].notna().any()
    assert len(fresh.quotes) and len(fresh.conflicts) and len(fresh.skipped)
    with warnings.catch_warnings(record=True) as cached_warnings:
        warnings.simplefilter("always")
        built, read = load_twice(messy_table, tmp_path / "cache", capsys)
    assert_same_corpus(fresh, built)
    assert_same_corpus(fresh, read)
    # the input warnings of the load are shown again when the corpus comes from the cache
    said = [str(w.message) for w in fresh_warnings if issubclass(w.category, CorpusWarning)]
    assert said and [str(w.message) for w in cached_warnings] == said + said


def test_folder_with_encodings_and_manifest(tmp_path, capsys):
    folder = corpora.mixed_encodings(tmp_path / "in")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        fresh = load_corpus(folder)
        built, read = load_twice(folder, tmp_path / "cache", capsys)
    assert_same_corpus(fresh, built)
    assert_same_corpus(fresh, read)


def test_a_changed_file_or_option_is_not_served_from_the_cache(messy_table, tmp_path, capsys):
    cache = tmp_path / "cache"
    source = tmp_path / "articles.csv"
    source.write_bytes(messy_table.read_bytes())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        load_twice(source, cache, capsys)
        first = entries(cache)
        load_corpus(source, cache=cache, duplicate_threshold=0.5)  # another option
        assert "loaded from its files" in capsys.readouterr().out
        assert entries(cache) != first and len(entries(cache)) == 1  # the older entry is removed
        st = source.stat()
        os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # the file touched
        changed = load_corpus(source, cache=cache, duplicate_threshold=0.5)
        assert "loaded from its files" in capsys.readouterr().out
        # an edited file: a fresh load, whatever the cache held
        frame = pd.read_csv(source, dtype=str)
        frame.loc[0, "text"] = "A different text of the first article, said Wang. " * 3
        frame.to_csv(source, index=False)
        edited = load_corpus(source, cache=cache, duplicate_threshold=0.5)
        assert "loaded from its files" in capsys.readouterr().out
        fresh = load_corpus(source, duplicate_threshold=0.5)
    assert not changed.articles["text"].equals(edited.articles["text"])
    assert_same_corpus(edited, fresh)


def test_the_key_covers_source_options_and_code(tmp_path, monkeypatch):
    key = corpus_key("data/raw", duplicate_threshold=0.8)
    assert corpus_key("data/raw", duplicate_threshold=0.8) == key
    assert corpus_key("data/raw", duplicate_threshold=0.7) != key
    assert corpus_key("data/raw", duplicate_threshold=0.8, manifest="data/raw/manifest.csv") != key
    import analysis.corpus as corpus_module

    monkeypatch.setattr(corpus_module, "code_fingerprint", lambda modules: "other code")
    assert corpus_key("data/raw", duplicate_threshold=0.8) != key


def test_the_key_hashes_every_module_that_builds_a_corpus():
    """CACHE_MODULES lists (at least) every module of the package that loading imports."""
    code = ("import sys, analysis.corpus; print(' '.join(sorted(m for m in sys.modules "
            "if m == 'analysis' or m.startswith('analysis.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported = {m.removeprefix("analysis").removeprefix(".") or "__init__" for m in out.stdout.split()}
    assert imported <= set(CACHE_MODULES)


@pytest.mark.parametrize("damage", ["truncate", "delete", "meta"])
def test_a_damaged_cache_is_rebuilt_with_a_warning(tmp_path, capsys, damage):
    cache = tmp_path / "cache"
    fresh = load_corpus("data/raw", cache=cache)
    (entry,) = cache.iterdir()
    if damage == "truncate":
        path = entry / "sentences.arrow"
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "delete":
        (entry / "articles.arrow").unlink()
    else:
        (entry / "meta.json").write_text("{", encoding="utf-8")
    capsys.readouterr()
    with pytest.warns(CorpusWarning, match="cannot be read .* rebuilt"):
        again = load_corpus("data/raw", cache=cache)
    assert "loaded from its files" in capsys.readouterr().out
    assert_same_corpus(fresh, again)
    read = load_corpus("data/raw", cache=cache)
    assert "read from the cache" in capsys.readouterr().out
    assert_same_corpus(fresh, read)


def test_rebuild_writes_again_and_parallel_writers_of_one_key_agree(tmp_path, capsys):
    cache = tmp_path / "cache"
    a = load_corpus("data/raw", cache=cache, rebuild=True)
    b = load_corpus("data/raw", cache=cache, rebuild=True)  # the entry exists: kept, no error
    assert "loaded from its files" in capsys.readouterr().out
    assert_same_corpus(a, b)
    assert len(entries(cache)) == 1  # no temporary folder left behind
    # what a killed load leaves is cleared by the next write (a write in progress is kept)
    (cache / ".old-x").mkdir()
    (cache / ".tmp-recent").mkdir()
    (cache / ".tmp-stale").mkdir()
    os.utime(cache / ".tmp-stale", (0, 0))
    load_corpus("data/raw", cache=cache, rebuild=True)
    assert entries(cache) == sorted([".tmp-recent", *[e for e in entries(cache) if e.startswith("corpus-")]])


def test_the_notebooks_cache_is_under_out_and_ignored_by_git(tmp_path):
    from analysis.config import ROOT
    from analysis.outputs import output_paths

    assert output_paths(tmp_path).cache == tmp_path / ".cache"
    assert ".cache/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_a_cache_that_cannot_be_written_costs_only_time(tmp_path, capsys):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    with pytest.warns(CorpusWarning, match="cannot be kept"):
        corpus = load_corpus("data/raw", cache=blocked)
    assert "not cached" in capsys.readouterr().out
    assert_same_corpus(corpus, load_corpus("data/raw"))
