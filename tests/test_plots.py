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
