"""analysis.progress: bars only for large corpora in interactive sessions."""

from __future__ import annotations

import pytest

from analysis import progress


@pytest.mark.parametrize("total,size", [(0, 3), (1, 3), (7, 3), (9, 3), (5, 100)])
def test_blocks_cover_every_unit_once(total, size, monkeypatch):
    monkeypatch.setenv("ANALYSIS_PROGRESS", "0")
    spans = list(progress.blocks(total, size, "t"))
    covered = [i for lo, hi in spans for i in range(lo, hi)]
    assert covered == list(range(total))
    assert all(0 < hi - lo <= size for lo, hi in spans)


def test_small_corpora_and_batch_runs_stay_silent(monkeypatch, capsys):
    monkeypatch.delenv("ANALYSIS_PROGRESS", raising=False)
    assert not progress.enabled(progress.MIN_UNITS - 1)
    list(progress.blocks(10, 3, "t"))
    assert capsys.readouterr().err == ""


def test_environment_variable_forces_a_bar(monkeypatch, capsys):
    monkeypatch.setenv("ANALYSIS_PROGRESS", "1")
    assert progress.enabled(1)
    spans = list(progress.blocks(10, 3, "demo-bar"))
    assert spans[-1] == (9, 10)
    assert "demo-bar" in capsys.readouterr().err
    monkeypatch.setenv("ANALYSIS_PROGRESS", "0")
    assert not progress.enabled(10**9)


def test_track_passes_items_through_and_counts_units(monkeypatch, capsys):
    monkeypatch.setenv("ANALYSIS_PROGRESS", "1")
    items = [[1, 2], [3], [4, 5, 6]]
    assert list(progress.track(iter(items), 6, "track-bar")) == items
    assert "track-bar" in capsys.readouterr().err
    monkeypatch.setenv("ANALYSIS_PROGRESS", "0")
    assert list(progress.track(iter(items), 6, "quiet")) == items
    assert capsys.readouterr().err == ""


def test_library_steps_show_a_bar_when_forced(monkeypatch, capsys):
    import pandas as pd

    from analysis import tokens

    monkeypatch.setenv("ANALYSIS_PROGRESS", "1")
    out = tokens.tokenize_joined(pd.Series(["The U.S. and China", "win-win ties"], dtype="str"))
    assert out.tolist() == ["the united_states and china", "win-win ties"]
    assert "tokens" in capsys.readouterr().err
