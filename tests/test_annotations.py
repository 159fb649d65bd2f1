"""The hand-coded validation samples in data/annotations/ match the bundled corpus.

Every sentence and paragraph the loader produces for ``data/raw`` is coded
exactly once, on the same (article_id, index, text), and every code is one the
codebooks allow. The allowed codes are read from the codebooks' machine-read
lines (``codes:``, ``voices:``, ``categories:``), so the lists live in one place.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import analysis

ROOT = Path(__file__).resolve().parents[1]
ANN = ROOT / "data" / "annotations"


def _codebook_list(name: str, key: str) -> list[str]:
    """The comma-separated values of the ``key:`` line of a codebook."""
    text = (ANN / name).read_text(encoding="utf-8")
    found = re.findall(rf"^{key}:\s*(.+?)\s*$", text, flags=re.MULTILINE)
    assert len(found) == 1, f"{name} must have exactly one '{key}:' line"
    values = [v.strip() for v in found[0].split(",") if v.strip()]
    assert values and len(values) == len(set(values)), f"{name}: bad '{key}:' line"
    return values


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(ANN / name, dtype={"article_id": str, "text": str},
                       keep_default_na=False, encoding="utf-8")


@pytest.fixture(scope="module")
def corpus():
    return analysis.load_corpus(ROOT / "data" / "raw")


@pytest.fixture(scope="module")
def tone():
    return _read("sentence_tone.csv")


@pytest.fixture(scope="module")
def topics():
    return _read("paragraph_topics.csv")


@pytest.mark.parametrize(("fixture", "index", "table", "columns"), [
    ("tone", "sentence", "sentences", ["article_id", "sentence", "text", "tone_code", "voice", "note"]),
    ("topics", "paragraph", "paragraphs",
     ["article_id", "paragraph", "text", "topic_label", "secondary", "note"]),
])
def test_units_match_loader_exactly_once(request, corpus, fixture, index, table, columns):
    coded = request.getfixturevalue(fixture)
    assert list(coded.columns) == columns
    keys = ["article_id", index]
    assert not coded.duplicated(keys).any(), "a unit is coded more than once"
    # sorted by article_id, index as the README promises
    assert coded[keys].equals(coded.sort_values(keys)[keys])
    units = getattr(corpus, table)[keys + ["text"]].astype({"article_id": str})
    merged = units.merge(coded[keys + ["text"]], on=keys, how="outer",
                         suffixes=("_loader", "_coded"), indicator=True)
    missing = merged[merged["_merge"] == "left_only"]
    extra = merged[merged["_merge"] == "right_only"]
    assert missing.empty, f"uncoded {table}: {missing[keys].values.tolist()}"
    assert extra.empty, f"coded units the loader does not produce: {extra[keys].values.tolist()}"
    differ = merged[merged["text_loader"] != merged["text_coded"]]
    assert differ.empty, f"text differs from the loader for {differ[keys].values.tolist()}"
    assert len(coded) == len(units)


def test_tone_codes_in_codebook(tone):
    codes = {int(c) for c in _codebook_list("tone_codebook.md", "codes")}
    assert codes == {-2, -1, 0, 1, 2}
    assert pd.api.types.is_integer_dtype(tone["tone_code"])
    assert set(tone["tone_code"]) <= codes
    voices = set(_codebook_list("tone_codebook.md", "voices"))
    assert set(tone["voice"]) <= voices


def test_topic_labels_in_codebook(topics):
    categories = set(_codebook_list("topic_codebook.md", "categories"))
    assert set(topics["topic_label"]) <= categories
    secondary = topics["secondary"]
    assert set(secondary[secondary != ""]) <= categories - {"other"}
    assert not (secondary == topics["topic_label"]).any()
