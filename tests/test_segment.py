"""Segmentation: paragraphs and sentences with exact offsets, abbreviations and quotes."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import load_corpus
from analysis.segment import (
    _CJK_CHARS,
    CJK_BOUNDARY,
    SENTENCE_BOUNDARY,
    is_heading,
    paragraphs,
    sentences,
    word_count,
)


def split(text: str) -> list[str]:
    art = pd.DataFrame({"article_id": ["a"], "text": [text]})
    return sentences(paragraphs(art))["text"].to_list()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. Section 301 measures apply. They hurt.",
         ["The U.S. Section 301 measures apply.", "They hurt."]),
        ("He left the U.S. The minister stayed.", ["He left the U.S.", "The minister stayed."]),
        ("The U.N. Security Council met. It voted.", ["The U.N. Security Council met.", "It voted."]),
        ("Talks began on Jan. 5 in Geneva. They ended.", ["Talks began on Jan. 5 in Geneva.", "They ended."]),
        ("Dr. Li and Mr. Wang met St. John at No. 10 Downing St. today. Fine.",
         ["Dr. Li and Mr. Wang met St. John at No. 10 Downing St. today.", "Fine."]),
        ("Author J. K. Rowling spoke. Growth was 3.5 percent.",
         ["Author J. K. Rowling spoke.", "Growth was 3.5 percent."]),
        ("“It is over,” said Wang. “China’s attitude is open.” Then he left.",
         ["“It is over,” said Wang.", "“China’s attitude is open.”", "Then he left."]),
        ('He said "no." She said "yes!" Really? Yes.',
         ['He said "no."', 'She said "yes!"', "Really?", "Yes."]),
        ("“Is it?” he asked. Nobody knew.", ["“Is it?” he asked.", "Nobody knew."]),
        ("Prices rose e.g. in 2025. Later they fell.", ["Prices rose e.g. in 2025.", "Later they fell."]),
    ],
)
def test_sentence_boundaries(text, expected):
    assert split(text) == expected


def test_boundary_regex_is_one_compiled_pattern():
    assert [m.start() for m in SENTENCE_BOUNDARY.finditer("It rained. Then it stopped.")] == [10]


@pytest.fixture(scope="module")
def corpus():
    return load_corpus("data/raw")


def test_offsets_round_trip_on_the_bundled_corpus(corpus):
    texts = dict(zip(corpus.articles["article_id"], corpus.articles["text"], strict=True))
    for table in (corpus.paragraphs, corpus.sentences):
        for aid, start, end, text in table[["article_id", "start", "end", "text"]].itertuples(index=False):
            assert texts[aid][start:end] == text


def test_tables_are_sorted_and_indexed(corpus):
    for table, keys in ((corpus.paragraphs, ["article_id", "paragraph"]),
                        (corpus.sentences, ["article_id", "sentence"])):
        assert table.index.equals(pd.RangeIndex(len(table)))
        assert table.equals(table.sort_values(keys).reset_index(drop=True))
    counts = corpus.sentences.groupby("article_id")["sentence"].agg(["min", "max", "size"])
    assert (counts["min"] == 0).all() and (counts["max"] == counts["size"] - 1).all()


def test_sentences_inside_their_paragraph(corpus):
    merged = corpus.sentences.merge(corpus.paragraphs, on=["article_id", "paragraph"], suffixes=("", "_p"))
    assert len(merged) == len(corpus.sentences)
    assert ((merged["start"] >= merged["start_p"]) & (merged["end"] <= merged["end_p"])).all()


def test_headings(corpus):
    heads = set(corpus.paragraphs.loc[corpus.paragraphs["is_heading"], "text"])
    assert heads == {
        "The Global Governance Initiative",
        "Wang reiterated his call for an immediate stop to military actions in Iran",
        "Steering bilateral ties",
        "Dialogue the correct way forward",
    }
    got = is_heading(pd.Series(["Yes.", "He said the following:", "A short sentence ends here."]))
    assert got.to_list() == [True, False, False]


def test_word_count():
    assert word_count(pd.Series(["a b  c", "", " x\ny "])).to_list() == [3, 0, 2]


def test_paragraph_counts_match_blank_lines(corpus):
    for aid, text in zip(corpus.articles["article_id"], corpus.articles["text"], strict=True):
        n = (corpus.paragraphs["article_id"] == aid).sum()
        assert n == text.count("\n\n") + 1


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet="abcXYZ .!?“”\"U.S", min_size=1, max_size=40), min_size=1, max_size=5))
def test_offsets_round_trip_on_random_text(parts):
    text = "\n\n".join(" ".join(p.split()) for p in parts if p.split())
    if not text:
        return
    art = pd.DataFrame({"article_id": ["r"], "text": [text]})
    sents = sentences(paragraphs(art))
    for start, end, sent in sents[["start", "end", "text"]].itertuples(index=False):
        assert text[start:end] == sent
    # sentences cover every non-space character exactly once
    assert "".join(sents["text"]).replace(" ", "") == text.replace(" ", "").replace("\n", "")


# --------------------------------------------------------------- the Arrow path against a plain one


def _plain_words(text: str) -> int:
    """Reference word count: space-separated words, each CJK character one word."""
    if not text:
        return 0
    cjk = len(re.findall(_CJK_CHARS, text))
    return len(text.split(" ")) + max(cjk - 1, 0)


def _plain_paragraphs(articles: pd.DataFrame) -> pd.DataFrame:
    """Reference: one Python split per article (what :func:`paragraphs` computes in Arrow)."""
    rows = []
    for aid, text in zip(articles["article_id"].astype(str), articles["text"].astype(str), strict=True):
        pos, number = 0, 0
        for part in text.split("\n\n"):
            if part:
                n = _plain_words(part)
                rows.append((aid, number, pos, pos + len(part), part, n,
                             n <= 3 or (n <= 20 and part[-1] not in ".!?…:;,\"”’')]")))
                number += 1
            pos += len(part) + 2
    cols = ["article_id", "paragraph", "start", "end", "text", "n_words", "is_heading"]
    out = pd.DataFrame(rows, columns=cols).astype(
        {"article_id": "str", "text": "str", "paragraph": "int64", "start": "int64", "end": "int64",
         "n_words": "int64", "is_heading": bool})
    return out.sort_values(["article_id", "paragraph"], kind="stable").reset_index(drop=True)


def _plain_sentences(paras: pd.DataFrame) -> pd.DataFrame:
    """Reference: the boundary regex run on each paragraph on its own, sentences sliced in Python."""
    rows, number = [], {}
    for aid, par, start, text, head in paras[["article_id", "paragraph", "start", "text", "is_heading"]].itertuples(index=False):
        cuts = sorted([(m.start(), 1) for m in SENTENCE_BOUNDARY.finditer(text)]
                      + [(m.end() - len(m.group(1)), len(m.group(1))) for m in CJK_BOUNDARY.finditer(text)])
        starts = [0] + [c + w for c, w in cuts]
        for a, b in zip(starts, [c for c, _ in cuts] + [len(text)], strict=True):
            k = number.get(aid, 0)
            number[aid] = k + 1
            sent = text[a:b]
            rows.append((aid, par, k, start + a, start + b, sent, _plain_words(sent), head))
    cols = ["article_id", "paragraph", "sentence", "start", "end", "text", "n_words", "is_heading"]
    out = pd.DataFrame(rows, columns=cols).astype(
        {"article_id": "str", "text": "str", "paragraph": "int64", "sentence": "int64", "start": "int64",
         "end": "int64", "n_words": "int64", "is_heading": bool})
    return out.sort_values(["article_id", "sentence"], kind="stable").reset_index(drop=True)


_TRICKY = [
    "Mr. Li met Dr. Wang. They talked.\n\nThe U.S. The end? Yes! “Quote.” Next.",
    "é “Ça va?” Über alles. 中文。 Next one. Émile said so.",
    "\n\nLeading blank.\n\n\n\nTrailing.\n\n",
    "A. B. C. The end. Jan. 5 and No. 10. Sept. 3 happened. pp. 4",
    "Line one.\nLine two. Still two.",  # a single line break inside a paragraph
    "Ends with space. ",
    "",
]


@pytest.mark.parametrize("block", [1 << 22, 16])  # one block, and a block per paragraph or two
def test_arrow_segmentation_equals_the_plain_one(corpus, block, monkeypatch):
    import analysis.segment as segment

    monkeypatch.setattr(segment, "_BLOCK_BYTES", block)
    arts = [corpus.articles[["article_id", "text"]],
            pd.DataFrame({"article_id": [f"t{i}" for i in range(len(_TRICKY))], "text": _TRICKY}),
            # unsorted and repeated ids: the output is sorted the same way
            pd.DataFrame({"article_id": ["b", "a", "b", "c"], "text": _TRICKY[:4]})]
    for art in arts:
        paras = paragraphs(art)
        pd.testing.assert_frame_equal(paras, _plain_paragraphs(art), check_dtype=True)
        pd.testing.assert_frame_equal(sentences(paras), _plain_sentences(paras), check_dtype=True)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="aXZ1 .!?“”\"’()\né中。！Д", max_size=60), min_size=1, max_size=6))
def test_arrow_segmentation_equals_the_plain_one_on_random_text(texts):
    art = pd.DataFrame({"article_id": [f"r{i}" for i in range(len(texts))], "text": texts})
    paras = paragraphs(art)
    pd.testing.assert_frame_equal(paras, _plain_paragraphs(art), check_dtype=True)
    pd.testing.assert_frame_equal(sentences(paras), _plain_sentences(paras), check_dtype=True)


def test_chinese_and_russian_sentences_are_split_on_their_punctuation():
    """Issue #16: 。！？ end a sentence without a following space; Cyrillic capitals start one
    after '.'; a Cyrillic initial does not end one; CJK characters count as words."""
    zh = "外交部表示，双方应相向而行。两国元首将于本月会晤！他说：“我们准备好了。”会谈持续两小时？是的"
    ru = "Министр заявил в понедельник. Встреча пройдет в конце месяца. В. Иванов сказал «Да.» Потом ушел."
    art = pd.DataFrame({"article_id": ["ru", "zh"], "text": [ru, zh]})
    sents = sentences(paragraphs(art))
    got = sents.groupby("article_id")["text"].apply(list).to_dict()
    assert got["zh"] == ["外交部表示，双方应相向而行。", "两国元首将于本月会晤！", "他说：“我们准备好了。”",
                         "会谈持续两小时？", "是的"]
    assert got["ru"] == ["Министр заявил в понедельник.", "Встреча пройдет в конце месяца.",
                         "В. Иванов сказал «Да.»", "Потом ушел."]
    for r in sents.itertuples():
        assert art.set_index("article_id").loc[r.article_id, "text"][r.start:r.end] == r.text
    zh_words = sents.loc[sents["article_id"] == "zh", "n_words"].tolist()
    assert zh_words[0] == 12  # 12 CJK characters (the comma and the full stop are not words)
    assert not paragraphs(art).set_index("article_id").loc["zh", "is_heading"]
    assert word_count(pd.Series(["两国元首", "a b"])).tolist() == [4, 2]


def test_cut_positions_count_the_spaces_before_each_boundary():
    """The space counts of the sentence cutter (searchsorted over the space positions) are
    those of counting in Python, with multi-byte characters and an empty paragraph."""
    import pyarrow as pa

    from analysis.segment import _cut_positions

    texts = ["Wang said. He left!  Then “Yes.” she said. Ünï said so. 中国很好。 Fine? Yes.",
             "", "A. B. C. D.", "No boundary here", "Ends. ", " lead. x y z."]
    rows, chars, _, nspaces, _, para_spaces = _cut_positions(pa.array(texts, pa.large_string()))
    assert para_spaces.tolist() == [t.count(" ") for t in texts]
    assert len(rows)
    for r, c, s in zip(rows.tolist(), chars.tolist(), nspaces.tolist(), strict=True):
        assert s == texts[r][:c].count(" ")
