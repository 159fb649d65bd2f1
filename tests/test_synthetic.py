"""Tests of the synthetic corpus generator used by the benchmark and by scale tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.synthetic import (
    DEFAULT_RAW,
    GENRES,
    SPEAKERS,
    make_synthetic_corpus,
    names,
    write_corpus,
)

WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
COLUMNS = ["article_id", "outlet", "outlet_group", "published", "headline", "genre", "text"]


def raw_lines() -> set[str]:
    lines = set()
    for path in sorted((DEFAULT_RAW / "articles").glob("*.txt")):
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
        lines.update(line.strip() for line in text.split("\n") if line.strip())
    return lines


def paragraphs(frame: pd.DataFrame) -> pd.Series:
    return frame["text"].str.split("\n\n").explode()


QUOTE_TEMPLATE = re.compile(r"^(“.+,” said .+\.|.+ said, “.+\.”)$")


def test_columns_dtypes_and_order():
    frame = make_synthetic_corpus(50)
    assert list(frame.columns) == COLUMNS
    assert isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0
    assert frame["article_id"].is_unique and frame["article_id"].is_monotonic_increasing
    assert pd.api.types.is_datetime64_any_dtype(frame["published"])
    for column in COLUMNS:
        if column != "published":
            assert pd.api.types.is_string_dtype(frame[column]), column
    assert frame.notna().all().all()


def test_deterministic_and_seeded():
    a = make_synthetic_corpus(30, random_state=3)
    b = make_synthetic_corpus(30, random_state=3)
    c = make_synthetic_corpus(30, random_state=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["text"].equals(c["text"])


def test_smaller_corpus_is_prefix_of_larger():
    small = make_synthetic_corpus(2100, random_state=1)
    large = make_synthetic_corpus(4500, random_state=1)
    pd.testing.assert_frame_equal(small, large.iloc[:2100])


def test_length_outlets_dates_and_genres():
    frame = make_synthetic_corpus(
        600, words_per_article=300, n_outlets=7, start="2025-11-01", end="2025-11-30"
    )
    words = frame["text"].str.count(WORD.pattern)
    assert abs(words.mean() - 300) < 0.1 * 300
    assert words.min() > 0
    assert frame["outlet"].nunique() == 7
    # Each outlet belongs to exactly one group, and both groups are present.
    assert (frame.groupby("outlet")["outlet_group"].nunique() == 1).all()
    assert set(frame["outlet_group"]) == {"international", "chinese_state"}
    assert frame["published"].min() >= pd.Timestamp("2025-11-01")
    assert frame["published"].max() <= pd.Timestamp("2025-11-30")
    assert frame["published"].nunique() > 20
    assert set(frame["genre"]) <= set(GENRES)
    # The headline is the start of the text.
    assert all(t.startswith(h) for t, h in zip(frame["text"], frame["headline"], strict=True))


def test_unperturbed_paragraphs_come_from_the_bundled_corpus():
    frame = make_synthetic_corpus(200, perturb_rate=0.0, quote_rate=0.2)
    units = paragraphs(frame)
    known = raw_lines()
    from_raw = units.isin(known)
    quotes = units[~from_raw]
    assert len(quotes) > 0
    assert quotes.str.match(QUOTE_TEMPLATE).all()
    speakers = quotes.str.extract(r"(?:,” said ([^“”]+)\.$|^([^“”]+) said, “)").bfill(axis=1)[0]
    assert set(speakers.str.lower()) <= {s.lower() for s in SPEAKERS}
    # Quote templates appear at about the requested rate (first paragraphs are always body).
    share = (~from_raw).mean()
    assert 0.1 < share < 0.3


def test_perturbation_changes_words_but_not_vocabulary():
    known = raw_lines()
    vocabulary = {w for line in known for w in WORD.findall(line)} | {
        w for s in SPEAKERS for w in WORD.findall(s.capitalize())
    }
    frame = make_synthetic_corpus(100, perturb_rate=0.1, quote_rate=0.0)
    units = paragraphs(frame)
    long_units = units[units.str.count(WORD.pattern) >= 30]
    # A 30-word paragraph survives 10% perturbation untouched with probability < 5%.
    assert long_units.isin(known).mean() < 0.2
    words = set(WORD.findall(" ".join(frame["text"])))
    assert words <= vocabulary
    # No perturbation at all keeps every paragraph verbatim.
    verbatim = paragraphs(make_synthetic_corpus(100, perturb_rate=0.0, quote_rate=0.0))
    assert verbatim.isin(known).all()


def word_types(frame: pd.DataFrame) -> int:
    return frame["text"].str.lower().str.findall(WORD.pattern).explode().nunique()


def test_heaps_vocabulary_grows_sublinearly_but_substantially():
    """Issue #18: benchmark corpora grow their vocabulary as real text does (Heaps' law)."""
    large = make_synthetic_corpus(2000, words_per_article=250, vocabulary="heaps")
    small = large.iloc[:200]
    bundled = make_synthetic_corpus(2000, words_per_article=250)
    ratio = word_types(large) / word_types(small)
    # ten times the text: types grow by 10**beta with a Heaps exponent between 0.4 and 0.85
    assert 10**0.4 < ratio < 10**0.85, ratio
    assert word_types(large) > 8 * word_types(bundled)
    # the bundled vocabulary stops growing: 200 -> 2000 articles adds few types
    assert word_types(bundled) / word_types(bundled.iloc[:200]) < 1.6
    # names and places (capitalised generated words) are among the replacements
    generated = set(names()[:2000])
    assert len(generated & set(WORD.findall(" ".join(large["text"])))) > 100


def test_heaps_vocabulary_is_deterministic_and_prefix_stable():
    a = make_synthetic_corpus(2100, random_state=2, vocabulary="heaps")
    b = make_synthetic_corpus(2300, random_state=2, vocabulary="heaps")
    pd.testing.assert_frame_equal(a, b.iloc[:2100])
    pd.testing.assert_frame_equal(a.iloc[:50], make_synthetic_corpus(50, random_state=2,
                                                                     vocabulary="heaps"))
    assert not a["text"].iloc[:50].equals(
        make_synthetic_corpus(50, random_state=3, vocabulary="heaps")["text"])


def test_heaps_replacements_keep_punctuation_and_capitals():
    same = {"perturb_rate": 0.0, "quote_rate": 0.0, "short_rate": 0.0, "random_state": 4}
    plain = make_synthetic_corpus(40, **same)
    heaps = make_synthetic_corpus(40, vocabulary="heaps", **{**same, "perturb_rate": 0.3})
    # only words change: the characters between words and each word's capitalisation stay
    for before, after in zip(plain["text"], heaps["text"], strict=True):
        assert WORD.split(before) == WORD.split(after)
        old, new = WORD.findall(before), WORD.findall(after)
        # a capitalised word is replaced by a capitalised one (a lower-case one may become a name)
        assert all(n[0].isupper() for o, n in zip(old, new, strict=True) if o[0].isupper())
        assert 0.2 < np.mean([o != n for o, n in zip(old, new, strict=True)]) < 0.4


def test_paragraph_breaks_and_no_trailing_whitespace_noise():
    frame = make_synthetic_corpus(100)
    assert not frame["text"].str.endswith("\n").any()
    assert not frame["text"].str.startswith("\n").any()
    assert not frame["text"].str.contains("\n\n\n").any()
    assert (frame["text"].str.count("\n\n") >= 1).all()


def test_empty_and_invalid():
    empty = make_synthetic_corpus(0)
    assert list(empty.columns) == COLUMNS and len(empty) == 0
    with pytest.raises(ValueError, match="n_articles"):
        make_synthetic_corpus(-1)
    with pytest.raises(ValueError, match="quote_rate"):
        make_synthetic_corpus(5, quote_rate=0.7, short_rate=0.5)
    with pytest.raises(FileNotFoundError, match="articles"):
        make_synthetic_corpus(5, raw_dir=Path("/nonexistent"))
    with pytest.raises(ValueError, match="make_synthetic_corpus: vocabulary must be one of"):
        make_synthetic_corpus(5, vocabulary="zipf")


def test_write_txt_folder(tmp_path):
    frame = make_synthetic_corpus(20)
    (source,) = write_corpus(frame, tmp_path / "corpus", format="txt")
    files = sorted((source / "articles").glob("*.txt"))
    assert [f.stem for f in files] == list(frame["article_id"])
    assert all(
        f.read_text(encoding="utf-8") == t for f, t in zip(files, frame["text"], strict=True)
    )
    manifest = pd.read_csv(source / "manifest.csv", dtype=str)
    assert list(manifest["article_id"]) == list(frame["article_id"])
    assert list(manifest["published"]) == list(frame["published"].dt.strftime("%Y-%m-%d"))
    assert "text" not in manifest.columns


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
@pytest.mark.parametrize("n_shards", [1, 3])
def test_write_tables_round_trip(tmp_path, fmt, n_shards):
    frame = make_synthetic_corpus(25)
    paths = write_corpus(frame, tmp_path, format=fmt, n_shards=n_shards)
    assert len(paths) == n_shards and all(p.suffix == f".{fmt}" for p in paths)
    if fmt == "parquet":
        back = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
    elif fmt == "csv":
        back = pd.concat([pd.read_csv(p, dtype=str) for p in paths], ignore_index=True)
    else:
        rows = [json.loads(line) for p in paths for line in p.read_text("utf-8").splitlines()]
        back = pd.DataFrame(rows)
    assert list(back["article_id"]) == list(frame["article_id"])
    assert list(back["text"]) == list(frame["text"])
    assert np.array_equal(
        pd.to_datetime(back["published"]).dt.date, frame["published"].dt.date
    )


def test_write_rejects_unknown_format(tmp_path):
    with pytest.raises(ValueError, match="write_corpus: format must be one of"):
        write_corpus(make_synthetic_corpus(2), tmp_path, format="xml")
