"""Cleaning: boilerplate out with a reason, every story sentence kept, metadata extracted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean import REMOVAL_REASONS, clean_texts, extract_metadata, normalize_text

RAW = Path(__file__).resolve().parents[1] / "data" / "raw" / "articles"


@pytest.fixture(scope="module")
def seeds():
    files = sorted(RAW.glob("*.txt"))
    texts = pd.Series([f.read_text("utf-8") for f in files], index=[f.stem for f in files])
    clean, removed = clean_texts(texts)
    return texts, clean, removed


def removed_of(removed, prefix):
    sub = removed[removed["article_id"].str.startswith(prefix)]
    return dict(zip(sub["line"], sub["reason"], strict=True))


@pytest.mark.parametrize(
    ("prefix", "line", "reason"),
    [
        ("000", "By: TA | AP Brief", "byline"),
        ("000", "China hopes 2026 will be a landmark year for relationship with US", "headline"),
        ("000", "**trade truce**", "markdown emphasis"),
        ("001", "Tangible steps urged to boost Sino-US ties", "headline"),
        ("002", "CHOOSE YOUR LANGUAGE", "language picker"),
        ("002", "互联网新闻信息许可证10120180008", "licence"),
        ("002", "Disinformation report hotline: 010-85061466", "hotline"),
        ("002", "The Taipei 101 skyscraper in Taipei, southeast China's Taiwan. /Xinhua",
         "photo caption"),
        ("003", "date 2025-10-28", "date stamp"),
        ("004", "China", "section label"),
        ("004", "CGTN", "section label"),
        ("004", "2025.10.29 23:38 GMT+8", "timestamp"),
        ("004", "Updated 2025.10.29 23:38 GMT+8", "timestamp"),
        ("004", "(Cover via VCG)", "photo credit"),
        ("004", "Copyright ©", "copyright"),
        ("004", "RELATED STORIES", "related stories"),
    ],
)
def test_seed_boilerplate_is_removed_with_reason(seeds, prefix, line, reason):
    _, clean, removed = seeds
    assert removed_of(removed, prefix).get(line) == reason
    text = clean[clean.index.str.startswith(prefix)].iloc[0]
    if reason not in {"markdown emphasis", "section label"}:
        assert line not in text


def test_editor_note_and_contribute_note_removed(seeds):
    _, clean, removed = seeds
    got = removed_of(removed, "002")
    assert any(r == "editor's note" and line.startswith("Editor's note:") for line, r in got.items())
    assert any(r == "contribute note" and "contribute" in line for line, r in got.items())
    assert "First Voice" not in clean.iloc[2]
    assert "opinions@cgtn.com" not in clean.iloc[2]


def test_every_reason_is_known(seeds):
    _, _, removed = seeds
    assert set(removed["reason"]) <= set(REMOVAL_REASONS)


def test_story_sentences_are_kept(seeds):
    raw, clean, _ = seeds
    # every line of at least 8 words ending in a full stop that is not chrome survives verbatim
    # (after markdown marks are dropped)
    chrome = ("Editor's note", "(If you want to contribute", "The Taipei 101 skyscraper")
    for aid, text in raw.items():
        for line in normalize_text(pd.Series([text])).iloc[0].split("\n"):
            line = line.strip().replace("**", "").removeprefix("date 2025-10-28 ")
            if len(line.split()) >= 8 and line.endswith((".", "”", '"')) and not line.startswith(chrome):
                assert line in clean[aid], (aid, line[:60])


def test_markdown_words_are_kept(seeds):
    _, clean, _ = seeds
    assert "China's ceremonial legislature" in clean.iloc[0]
    assert "**" not in "".join(clean)


def test_ap_subhead_is_kept_as_its_own_paragraph(seeds):
    _, clean, _ = seeds
    paras = clean.iloc[0].split("\n\n")
    i = paras.index("Wang reiterated his call for an immediate stop to military actions in Iran")
    assert paras[i + 1].startswith("Wang also reiterated his call")


def test_one_paragraph_per_line_text_keeps_its_paragraphs(seeds):
    raw, clean, _ = seeds
    lines = [x for x in raw.iloc[2].split("\n") if x.strip()]
    paras = clean.iloc[2].split("\n\n")
    # 22 non-empty lines: editor's note, caption and 4 footer lines removed
    assert len(lines) == 22
    assert len(paras) == 16


def test_clean_text_shape(seeds):
    _, clean, _ = seeds
    for text in clean:
        assert text == text.strip()
        assert "\n\n\n" not in text
        assert "\r" not in text and "\u00a0" not in text
        assert "  " not in text


def test_extract_metadata(seeds):
    raw, _, removed = seeds
    meta = extract_metadata(removed, raw.index)
    assert meta.iloc[0]["byline"] == "TA | AP Brief"
    assert meta.iloc[3]["date"] == pd.Timestamp("2025-10-28")
    assert meta.iloc[4]["date"] == pd.Timestamp("2025-10-29")
    assert meta.iloc[4]["dateline"] == "2025.10.29 23:38 GMT+8"
    assert meta.iloc[4]["headline"].startswith("Analysis: Head-of-state diplomacy")
    assert pd.isna(meta.iloc[2]["headline"])


def test_wire_dateline_and_hard_wrapped_text():
    text = (
        "BEIJING (AP) — China said on Sunday it hopes for a good year with the United States\n"
        "and would prepare for the summit, officials told reporters in the capital city.\n"
        "Both sides have met several times this year in different places of the world.\n"
        "\n"
        "The second paragraph starts here and it goes on for a while in this line too,\n"
        "then it ends on the following line of the wrapped text as wrapped texts do.\n"
    )
    clean, removed = clean_texts(pd.Series([text], index=["w"]))
    paras = clean["w"].split("\n\n")
    assert len(paras) == 2
    assert paras[0].startswith("China said on Sunday")
    assert "United States and would prepare" in paras[0]
    row = removed.iloc[0]
    assert (row["line"], row["reason"]) == ("BEIJING (AP)", "dateline")
    assert extract_metadata(removed, pd.Index(["w"])).loc["w", "dateline"] == "BEIJING (AP)"


def test_short_text_is_never_emptied():
    clean, removed = clean_texts(pd.Series(["Trade talks resume"], index=["s"]))
    assert clean["s"] == "Trade talks resume"
    assert removed.empty


def test_by_in_a_sentence_is_not_a_byline():
    text = "By the end of the year, both sides hope to sign a deal on trade and tariffs.\n\nMore."
    clean, removed = clean_texts(pd.Series([text]))
    assert clean.iloc[0].startswith("By the end of the year")
    assert "byline" not in set(removed["reason"])


def test_blocks_of_articles_clean_as_one_pass(monkeypatch):
    """Cleaning a few articles at a time gives the texts and removed table of one pass."""
    import analysis.clean as clean_mod

    raw = pd.Series(
        [p.read_text(encoding="utf-8") for p in sorted(RAW.glob("*.txt"))]
        + ["", "**Bold** line one of a short text.\r\nSecond line", "A\u00a0b\u200bc  d"],
        index=[f"a{i}" for i in range(8)],
    )
    whole = clean_texts(raw)
    monkeypatch.setattr(clean_mod, "_BLOCK_BYTES", 16)  # about one article per block
    parts = clean_texts(raw)
    pd.testing.assert_series_equal(parts[0], whole[0], check_dtype=True)
    pd.testing.assert_frame_equal(parts[1], whole[1], check_dtype=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab \r\n\t\u00a0\u200b\u3000\ufeff", max_size=20), min_size=1, max_size=6))
def test_normalize_text_equals_plain_normalisation(texts):
    """Texts are rewritten only when they need it; the result is that of normalising each."""
    import re

    from analysis.clean import _SPACE_CHARS, _ZERO_WIDTH_CHARS

    def plain(t: str) -> str:
        t = re.sub(f"[{_ZERO_WIDTH_CHARS}]", "", t.replace("\r\n", "\n").replace("\r", "\n"))
        return re.sub(f"[ {_SPACE_CHARS}]*[{_SPACE_CHARS}][ {_SPACE_CHARS}]*| {{2,}}", " ", t)

    got = normalize_text(pd.Series(texts, dtype="str"))
    assert got.to_list() == [plain(t) for t in texts]
