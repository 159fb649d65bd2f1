"""The shared Arrow/numpy kernels (analysis._kernels)."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from analysis import _kernels as K


def test_arrow_texts_is_one_large_string_array_with_missing_as_empty():
    arr = K.arrow_texts(pd.Series(["a", None, 3, "dé"], dtype=object))
    assert arr.type == pa.large_string()
    assert arr.to_pylist() == ["a", "", "3", "dé"]
    arrow_backed = pd.Series(["x", "yz"], dtype="str")
    assert K.arrow_texts(arrow_backed).to_pylist() == ["x", "yz"]


def test_text_series_and_chunked_texts():
    assert K.text_series("one").tolist() == ["one"]
    assert K.text_series(["a", None]).tolist() == ["a", ""]
    s = pd.Series(["p", "q"], index=[5, 7], dtype="str")
    assert K.text_series(s).index.tolist() == [5, 7]
    ch = K.chunked_texts(s)
    assert isinstance(ch, pa.ChunkedArray) and ch.type == pa.large_string()
    assert ch.to_pylist() == ["p", "q"]


def test_byte_offsets_and_string_buffers_follow_slices():
    arr = K.arrow_texts(pd.Series(["ab", "", "cdé", "f"]))
    assert K.byte_offsets(arr).tolist() == [0, 2, 2, 6, 7]
    part = arr.slice(2, 2)
    assert K.byte_offsets(part).tolist() == [2, 6, 7]
    offsets, data = K.string_buffers(part)
    assert offsets.tolist() == [0, 4, 5]
    assert bytes(data).decode() == "cdéf"
    empty_offsets, empty_data = K.string_buffers(K.arrow_texts(pd.Series([""])))
    assert empty_offsets.tolist() == [0, 0] and len(empty_data) == 0


@pytest.mark.parametrize("block", [1, 2, 3, 5, 100])
def test_byte_blocks_cover_every_row_once_without_splitting_a_value(block):
    values = ["aaa", "b", "", "cccc", "dd", "e"]
    arr = K.arrow_texts(pd.Series(values))
    blocks = K.byte_blocks(arr, block)
    rows = [i for a, b in blocks for i in range(a, b)]
    assert rows == list(range(len(values)))
    assert all(a < b for a, b in blocks)
    assert K.byte_blocks(K.arrow_texts(pd.Series([], dtype="str")), block) == []


def test_run_starts():
    assert K.run_starts(np.array([], dtype=int)).tolist() == []
    assert K.run_starts(np.array([3])).tolist() == [0]
    x = np.array([1, 1, 2, 2, 2, 1, 5])
    assert K.run_starts(x).tolist() == [0, 2, 5, 6]
    srt = np.sort(x)
    assert srt[K.run_starts(srt)].tolist() == np.unique(x).tolist()


def test_ascii_folds_are_the_non_ascii_characters_re_matches_with_ascii_ignoring_case():
    import re
    import sys

    others = "".join(chr(c) for c in range(128, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    folds = set(re.findall("(?i)[a-z0-9]", others))
    for ch in "abcdefghijklmnopqrstuvwxyz0123456789":
        assert set(re.findall("(?i)" + ch, others)) <= folds
    assert folds == set(K.ASCII_FOLDS)


def test_caseless_lower_and_rows():
    assert K.caseless_lower("TAIWAN \u212a") == "taiwan k"
    assert K.caseless_lower("Ta\u0131wan") is None and K.caseless_lower("\u0130") is None
    assert K.caseless_lower("tari\u017ff") is None
    texts = pd.Series(["Busan talks", "BUSAN", "Bu\u017fan", None, "Seoul"], dtype="str")
    rows = K.caseless_rows(texts, ["busan", "", "seoul"])
    assert rows[:, 0].tolist() == [True, True, True, False, False] and rows[:, 1].all()
    assert rows[:, 2].tolist() == [False, False, True, False, True]
    assert K.ascii_needle("He Lifeng") == "lifeng" and K.ascii_needle("–") == ""
    assert list(K.find_all("aaa", "aa")) == [0, 1]


def test_block_map_is_the_loop_in_order(monkeypatch):
    blocks = [(i, i + 1 + i % 3) for i in range(40)]

    def work(span):
        return sum(range(*span))

    for threads in (1, 2):
        monkeypatch.setattr(K, "BLOCK_THREADS", threads)
        assert K.block_map(work, blocks) == [work(b) for b in blocks]
        assert K.block_map(work, []) == []
        assert K.block_map(work, blocks[:1]) == [work(blocks[0])]


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="CPU affinity is a Linux call")
def test_block_threads_follow_the_cores_the_process_may_use():
    """Under `taskset -c 0` (or a one-core cpuset) block_map runs one block at a time: two threads
    on one core would only contend."""
    import subprocess
    import sys

    code = ("import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
            "from analysis import _kernels as K; print(K.usable_cores(), K.BLOCK_THREADS)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["1", "1"]
    assert K.usable_cores() == len(os.sched_getaffinity(0))
