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
