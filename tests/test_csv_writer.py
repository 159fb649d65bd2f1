"""analysis.outputs.write_table's Arrow CSV writer: the same bytes as DataFrame.to_csv (issue #18)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import outputs
from analysis.config import ROOT
from analysis.outputs import _csv_bytes, write_table


def pandas_bytes(df: pd.DataFrame, decimals: int = 6) -> bytes:
    """What write_table wrote before the fast path (and still writes for other dtypes)."""
    return df.to_csv(index=False, float_format=f"%.{decimals}f", lineterminator="\n",
                     date_format="%Y-%m-%d").encode("utf-8")


# text that exercises csv quoting: delimiter, quote, LF, CR, spaces, formula starts, unicode
TEXT = st.text(alphabet=st.sampled_from(list(',"\n\r \t=+-@\'ab;|\x0b\u2028éß☃中😀')) | st.characters(
    blacklist_categories=("Cs",)), max_size=12)


def near_ties(decimals: int):
    """Floats at, next to and around the ties k + 0.5 (in units of 10**-decimals)."""
    def build(k: int, sign: int, step: int) -> float:
        x = sign * (k + 0.5) / 10 ** decimals
        for _ in range(abs(step)):
            x = math.nextafter(x, math.inf if step > 0 else -math.inf)
        return x
    return st.builds(build, st.integers(0, 10 ** 9), st.sampled_from([1, -1]), st.integers(-3, 3))


def floats(decimals: int):
    return st.one_of(
        st.floats(allow_nan=True, allow_infinity=True),
        st.floats(-1e3, 1e3),
        st.floats(-1e16, 1e16),
        near_ties(decimals),
        st.integers(-10 ** 7, 10 ** 7).map(lambda k: k / 10 ** (decimals + 1)),
        st.sampled_from([0.0, -0.0, 5e-324, -5e-324, 1e15, 1e15 - 0.5, 2.0 ** 53, 1.7976931348623157e308]),
    )


DATES = st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59))


@st.composite
def frames(draw):
    decimals = draw(st.sampled_from([0, 1, 3, 6, 6, 6, 9]))
    n = draw(st.integers(1, 12))
    kinds = draw(st.lists(st.sampled_from(
        ["float", "float32", "int", "uint64", "int32", "Int64", "bool", "boolean", "str", "object", "object-bool", "category", "datetime", "datetime-ns"]),
        min_size=1, max_size=5))
    names = draw(st.lists(TEXT, min_size=len(kinds), max_size=len(kinds), unique=True))
    data = {}
    for name, kind in zip(names, kinds, strict=True):
        def cells(strategy, missing=True):
            return draw(st.lists(st.one_of(strategy, st.none()) if missing else strategy, min_size=n, max_size=n))
        if kind == "float":
            column = pd.Series(cells(floats(decimals), missing=False), dtype="float64")
        elif kind == "float32":
            column = pd.Series(cells(st.floats(width=32), missing=False), dtype="float32")
        elif kind == "int":
            column = pd.Series(cells(st.integers(-2 ** 63, 2 ** 63 - 1), missing=False), dtype="int64")
        elif kind == "uint64":
            column = pd.Series(cells(st.integers(0, 2 ** 64 - 1), missing=False), dtype="uint64")
        elif kind == "int32":
            column = pd.Series(cells(st.integers(-2 ** 31, 2 ** 31 - 1), missing=False), dtype="int32")
        elif kind == "Int64":
            column = pd.Series(cells(st.integers(-2 ** 63, 2 ** 63 - 1)), dtype="Int64")
        elif kind == "bool":
            column = pd.Series(cells(st.booleans(), missing=False), dtype=bool)
        elif kind == "boolean":
            column = pd.Series(cells(st.booleans()), dtype="boolean")
        elif kind == "str":
            column = pd.Series(cells(TEXT), dtype="str")
        elif kind == "object":
            column = pd.Series(cells(st.one_of(TEXT, st.just(np.nan))), dtype=object)
        elif kind == "object-bool":  # e.g. a flag that is missing where it does not apply
            column = pd.Series(cells(st.one_of(st.booleans(), st.just(np.nan))), dtype=object)
        elif kind == "category":
            column = pd.Series(cells(TEXT), dtype="category")
        elif kind == "datetime-ns":
            column = pd.Series(pd.to_datetime(cells(st.datetimes(min_value=dt.datetime(1678, 1, 1),
                                                                  max_value=dt.datetime(2262, 1, 1)))))
            column = column.astype("datetime64[ns]")
        else:
            column = pd.Series(pd.to_datetime(cells(DATES)))
        data[name] = column
    return pd.DataFrame(data), decimals


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames())
def test_fast_bytes_equal_to_csv(case):
    df, decimals = case
    fast = _csv_bytes(df, decimals)
    assert fast is not None  # every dtype drawn here is one the fast path covers
    assert fast == pandas_bytes(df, decimals)


@settings(max_examples=200, deadline=None)
@given(st.lists(floats(6), min_size=1, max_size=50))
def test_float_cells_are_printf_formatted(values):
    column = outputs._format_floats(np.array(values, dtype="float64"), 6).to_pylist()
    assert column == [None if math.isnan(v) else "%.6f" % v for v in values]  # noqa: UP031 (what pandas runs)


MIXED = pd.DataFrame({
    "id": ["a1", "a2", "a3"],
    "value": [1, "two", 3.5],  # numbers in an object column: pandas formats them
    "when": pd.to_datetime(["2020-01-01", None, "2021-06-30"]).tz_localize("UTC"),
    "period": pd.period_range("2020-01", periods=3, freq="M"),
    "Float": pd.array([0.5, None, -1.25], dtype="Float64"),
})


@pytest.mark.parametrize("columns", [["id", "value"], ["id", "when"], ["id", "period"], ["id", "Float"]])
def test_other_dtypes_fall_back_to_pandas(tmp_path, columns):
    df = MIXED[columns]
    assert _csv_bytes(df, 6) is None
    assert write_table(df, tmp_path / "t.csv", spreadsheet=False).read_bytes() == pandas_bytes(df)


@pytest.mark.parametrize("df", [
    pd.DataFrame({"a": ["", None, "x"]}),  # a row of one empty field is written ""
    pd.DataFrame({"": [1.5, None]}),
    pd.DataFrame({"a": [], "b": []}),  # no rows
    pd.DataFrame([["x", 1.5], ["y,z", None]], columns=["a", "a"]),  # a repeated column name
    pd.DataFrame({1: ["x"], "b": ["y"]}),  # a column name that is not a string
    pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")])),
], ids=["one-column-empty", "empty-name", "no-rows", "repeated-name", "int-name", "multiindex"])
def test_edge_tables(tmp_path, df):
    assert write_table(df, tmp_path / "t.csv", spreadsheet=False).read_bytes() == pandas_bytes(df)


def test_spreadsheet_copy_equal_to_pandas(tmp_path):
    df = pd.DataFrame({"outlet": ["=1+1", "AP", None, 'say "hi", then\nleave'], "tone": [-0.5, 0.25, None, 1e-7],
                       "n": [1, 2, 3, 4]})
    write_table(df, tmp_path / "t.csv", spreadsheet=True)
    assert (tmp_path / "t.csv").read_bytes() == pandas_bytes(df)
    assert (tmp_path / "t_spreadsheet.csv").read_bytes() == pandas_bytes(outputs.spreadsheet_safe(df))


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "data" / "processed").glob("*.csv")))
def test_committed_tables_rewritten_identically(tmp_path, name):
    table = pd.read_csv(ROOT / "data" / "processed" / name, keep_default_na=False, na_values=[""])
    fast = _csv_bytes(table, 6)
    assert fast is not None
    assert fast == pandas_bytes(table)


def test_arrow_backed_column_of_several_chunks(tmp_path):
    import pyarrow as pa

    chunks = pa.chunked_array([["a", "b,c"], [None, 'd"e']], type=pa.large_string())
    df = pd.DataFrame({"text": pd.Series(pd.arrays.ArrowStringArray(chunks)), "n": [1, 2, 3, 4]})
    assert _csv_bytes(df, 6) == pandas_bytes(df)
    assert _csv_bytes(df[["text"]], 6) == pandas_bytes(df[["text"]])


def test_quote_characters_are_those_of_the_running_pythons_csv_writer():
    """Python 3.13's csv writer quotes a field holding "\\r", 3.11's does not: the fast writer
    asks the running csv module instead of assuming one version's rules."""
    import csv
    import io

    from analysis.outputs import _CSV_QUOTE_CHARS

    for char in ',"\n\r\t ;|\'':
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([f"a{char}b", "x"])
        assert buf.getvalue().startswith('"') == bool(_CSV_QUOTE_CHARS.search(f"a{char}b")), repr(char)
