"""analysis.outputs: exact CSVs, spreadsheet-safe copies (issue #16)."""

from __future__ import annotations

import pandas as pd

from analysis import outputs
from analysis.outputs import spreadsheet_safe, write_table

HOSTILE = pd.DataFrame({
    "outlet": ["=HYPERLINK(\"http://evil\",\"AP\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "AP", None],
    "tone": [-0.5, 0.25, -1.0, 0.0, 0.1, 0.2, 0.3],
    "n": [1, -2, 3, 4, 5, 6, 7],
})


def test_plain_csv_is_exact_and_the_copy_is_safe(tmp_path):
    path = write_table(HOSTILE, tmp_path / "out" / "articles.csv")
    back = pd.read_csv(path, keep_default_na=False, na_values=[""])
    assert back["outlet"].tolist()[:6] == HOSTILE["outlet"].tolist()[:6]  # exact for pandas/R
    copy = tmp_path / "out" / "articles_spreadsheet.csv"
    safe = pd.read_csv(copy, keep_default_na=False, na_values=[""])
    assert safe["outlet"].tolist()[:6] == ["'" + v for v in HOSTILE["outlet"][:5]] + ["AP"]
    assert pd.isna(safe["outlet"].iloc[6])
    assert safe["tone"].tolist() == HOSTILE["tone"].tolist()  # numbers stay numbers
    assert safe["n"].tolist() == HOSTILE["n"].tolist()
    for line in copy.read_text().splitlines()[1:]:
        assert not line.startswith(outputs.FORMULA_STARTS)


def test_column_names_from_the_corpus_are_made_safe_too():
    wide = pd.DataFrame({"=cmd|' /C calc'!A0": [1], "AP": [2]})
    assert list(spreadsheet_safe(wide).columns) == ["'=cmd|' /C calc'!A0", "AP"]


def test_no_copy_next_to_the_committed_tables_or_when_declined(tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "COMMITTED_TABLES", (tmp_path / "committed").resolve())
    write_table(HOSTILE, tmp_path / "committed" / "a.csv")
    write_table(HOSTILE, tmp_path / "other" / "a.csv", spreadsheet=False)
    write_table(HOSTILE, tmp_path / "committed" / "b.csv", spreadsheet=True)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.csv"))
    assert names == ["committed/a.csv", "committed/b.csv", "committed/b_spreadsheet.csv", "other/a.csv"]


def test_committed_tables_path_is_the_projects():
    from analysis.config import ROOT

    assert outputs.COMMITTED_TABLES == (ROOT / "data" / "processed").resolve()


# ---- reuse-or-compute: a table is reused only for the corpus it was computed from (issue #18)
def _corpus(*texts):
    from types import SimpleNamespace

    return SimpleNamespace(articles=pd.DataFrame({
        "article_id": [f"a{i}" for i in range(len(texts))], "text": list(texts)}))


def test_fingerprint_tells_corpora_apart():
    fp = outputs.corpus_fingerprint
    a = _corpus("Talks in Busan.", "A phone call.")
    assert fp(a) == fp(_corpus("Talks in Busan.", "A phone call."))
    assert fp(a) != fp(_corpus("Talks in Busan.", "A phone call!"))  # one character
    assert fp(a) != fp(_corpus("Talks in Busan.A phone call.", ""))  # same characters, other split
    assert fp(a) != fp(_corpus("Talks in Busan."))                   # an article fewer


def test_read_current_reuses_only_a_table_of_this_corpus(tmp_path):
    this, other = _corpus("Talks in Busan."), _corpus("Another corpus.")
    table = pd.DataFrame({"article_id": ["a0"], "paragraph": [0], "topic": [1]})
    path = tmp_path / "processed" / "paragraph_topics.csv"
    assert outputs.read_current(path, this) is None  # absent
    write_table(table, path)  # written without a corpus (older code, by hand): not reused
    assert outputs.read_current(path, this) is None
    write_table(table, path, corpus=other)  # a stale table of another run's corpus
    assert outputs.read_current(path, this) is None
    write_table(table, path, corpus=this)
    pd.testing.assert_frame_equal(outputs.read_current(path, this), table)
    # another table written later for another corpus does not disturb this one's record
    write_table(table, path.with_name("other.csv"), corpus=other)
    assert outputs.read_current(path, this) is not None
    assert outputs.read_current(path.with_name("other.csv"), this) is None


def test_tone_reads_topics_of_this_corpus_and_computes_them_otherwise(tmp_path):
    from analysis import load_corpus, tone, topics
    from analysis.config import RAW_DIR

    corpus = load_corpus(RAW_DIR)
    processed = tmp_path / "data" / "processed"
    expected = topics.assign_topics(corpus)["topic"].tolist()
    # absent: computed with notebook 03's function
    table, source = tone.paragraph_topics(corpus, processed)
    assert table["codebook_topic"].tolist() == expected and "assigned here" in source
    # a stale table of another corpus in the same folder is never read
    marked = corpus.paragraphs[["article_id", "paragraph"]].assign(
        topic=0, topic_label="x", codebook_topic="STALE")
    write_table(marked, processed / "paragraph_topics.csv", corpus=_corpus("Another corpus."))
    table, source = tone.paragraph_topics(corpus, processed)
    assert "STALE" not in set(table["codebook_topic"]) and "assigned here" in source
    # written for this corpus (notebook 03 of the same run): read, not recomputed
    write_table(marked, processed / "paragraph_topics.csv", corpus=corpus)
    table, source = tone.paragraph_topics(corpus, processed)
    assert set(table["codebook_topic"]) == {"STALE"} and "notebook 03" in source


def test_spreadsheet_copy_equals_spreadsheet_safe_output(tmp_path):
    """The copy is byte for byte what writing spreadsheet_safe(df) gives, whether or not a
    cell needs escaping (then the table is written once and copied)."""
    from analysis.outputs import _formula_like, spreadsheet_safe, write_table

    clean = pd.DataFrame({
        "article_id": pd.Series(["a", "b", None], dtype="str"),
        "speaker": pd.Series(["Wang Yi", pd.NA, "x-y"], dtype="string"),
        "voice": pd.Categorical(["own", "quoted", "own"], categories=["own", "quoted", "=unused"]),
        "mixed": pd.Series([1.5, "t", None], dtype=object),
        "tone": [-0.25, 0.1, float("nan")],
        "n": [1, 2, 3],
        "flag": [True, False, True],
        "published": pd.to_datetime(["2026-02-04", None, "2025-10-30"]),
    })
    for table, formula in [
        (clean, False),
        (clean.assign(speaker=pd.Series(["=cmd", pd.NA, "x"], dtype="string")), True),
        (clean.assign(mixed=pd.Series([1.5, "@SUM(A1)", None], dtype=object)), True),
        (clean.assign(voice=pd.Categorical(["own", "-x", "own"])), True),
        (clean.rename(columns={"n": "+n"}), True),
        (clean.assign(py=pd.Series(["a", "\tb", None], dtype="string[python]")), True),
        (clean.assign(py=pd.Series(["a", "b", None], dtype="string[python]")), False),
        (clean.assign(empty=pd.Series([None, None, None], dtype="str")), False),
        (clean.assign(lists=[[1], ["=x"], None]), False),
    ]:
        assert _formula_like(table) is formula
        out = write_table(table, tmp_path / "t.csv", spreadsheet=True)
        spreadsheet_safe(table).to_csv(tmp_path / "expected.csv", index=False, float_format="%.6f",
                                       lineterminator="\n", date_format="%Y-%m-%d")
        copy = out.with_name("t_spreadsheet.csv")
        assert copy.read_bytes() == (tmp_path / "expected.csv").read_bytes()
