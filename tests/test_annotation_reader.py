"""analysis.annotations.read_annotations: one reader for the tone and the topic samples."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.config import ANNOTATIONS_DIR
from analysis.handcoded import SAMPLES, read_annotations


@pytest.mark.parametrize("level", sorted(SAMPLES))
def test_bundled_samples_read_from_the_folder_or_the_file(level):
    from_folder = read_annotations(ANNOTATIONS_DIR, level=level)
    from_file = read_annotations(ANNOTATIONS_DIR / SAMPLES[level].file, level=level)
    pd.testing.assert_frame_equal(from_folder, from_file)
    unit = SAMPLES[level].unit
    assert from_folder[unit].dtype == "int64"
    assert not from_folder.duplicated(["article_id", unit]).any()
    assert from_folder[["article_id", unit]].equals(
        from_folder[["article_id", unit]].sort_values(["article_id", unit], ignore_index=True))


def test_topic_sample_keeps_four_columns_tone_sample_keeps_all():
    assert list(read_annotations(ANNOTATIONS_DIR, level="paragraph").columns) == \
        ["article_id", "paragraph", "text", "topic_label"]
    tone = read_annotations(ANNOTATIONS_DIR, level="sentence")
    assert {"voice", "note"} <= set(tone.columns) and tone["tone_code"].dtype == "int64"


def test_absent_samples_and_unknown_level(tmp_path):
    for level in SAMPLES:
        assert read_annotations(None, level=level) is None
        assert read_annotations("", level=level) is None
        assert read_annotations(tmp_path, level=level) is None
        assert read_annotations(tmp_path / "nope.csv", level=level) is None
    with pytest.raises(ValueError, match=r"^read_annotations: level must be one of"):
        read_annotations(tmp_path, level="article")


def test_uncoded_rows_are_dropped_and_bad_rows_named(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("article_id,paragraph,text,topic_label\na,0,x,T\na,1,y,\n")
    assert read_annotations(path, level="paragraph")["paragraph"].tolist() == [0]
    path.write_text("article_id,paragraph,text,topic_label\na,0,x,T\na,0,y,U\n")
    with pytest.raises(ValueError, match=r"p\.csv, row 2: .*more than once"):
        read_annotations(path, level="paragraph")
    path.write_text("article_id,sentence,text,tone_code\na,x,y,1\n")
    with pytest.raises(ValueError, match=r"p\.csv, row 2: the sentence index is not an integer"):
        read_annotations(path, level="sentence")
