"""The suite's matplotlib style: corpus strings are drawn literally (issue #16)."""

from __future__ import annotations

import io

import matplotlib
import pandas as pd
import pytest

from analysis.plots import STYLE, use_style
from analysis.timeline import load_events, plot_timeline

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

OUTLETS = ["US$ Daily", "$x^{$", r"$\frac{1}{0}$ News"]


@pytest.fixture
def suite_style():
    with matplotlib.rc_context():
        use_style()
        yield


def test_style_turns_mathtext_off():
    assert STYLE["text.parse_math"] is False


def test_outlet_names_with_dollar_signs_are_drawn_as_text(suite_style):
    articles = pd.DataFrame({
        "article_id": ["a1", "a2", "a3"],
        "outlet": OUTLETS,
        "outlet_group": ["international", "chinese_state", "international"],
        "published": pd.to_datetime(["2025-10-28", "2026-02-05", "2026-03-08"]),
    })
    fig = plot_timeline(articles, load_events())
    fig.savefig(io.BytesIO(), format="png")  # raised ValueError (mathtext) before
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    plt.close(fig)
    assert labels == sorted(OUTLETS)


def test_cjk_labels_without_a_cjk_font_get_one_note_and_no_warnings(tmp_path, monkeypatch):
    """Issue #16: Chinese outlet names with no CJK-capable font installed: no warning per
    character, one note in the figure naming the problem and the fix; English figures get none."""
    import warnings

    import matplotlib.pyplot as plt

    from analysis import plots

    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    with warnings.catch_warnings():
        plots.use_style()
        fig, ax = plt.subplots()
        ax.bar(["新华社", "AP"], [1, 2])
        warnings.simplefilter("error")  # any warning (e.g. "Glyph ... missing") fails the test
        warnings.filterwarnings("ignore", message=plots._MISSING_GLYPH)  # as use_style() does
        plots.save_figure(fig, "cjk", tmp_path)
        assert plots.undrawable(fig) == ["华", "新", "社"]
        notes = [t.get_text() for t in fig.texts]
        assert len(notes) == 1 and "3 character(s)" in notes[0] and "no CJK-capable font" in notes[0]
        fig2, ax2 = plt.subplots()
        ax2.bar(["Xinhua", "AP"], [1, 2])
        plots.save_figure(fig2, "latin", tmp_path)
        assert fig2.texts == []
    plt.close("all")
    monkeypatch.undo()
    monkeypatch.setattr(plots, "CJK_FONTS", ("No Such Font", "DejaVu Sans"))  # an installed one
    assert plots.cjk_font() == "DejaVu Sans"
