"""Figure audit (issue #15): colours, true time axes, few-sentence cells, baselines, overlaps."""

from __future__ import annotations

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

from analysis import sources, tone, topics
from analysis.plots import GROUP_COLOURS, separate_overlaps
from analysis.timeline import load_events, plot_timeline

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def test_no_topic_or_source_colour_is_an_outlet_group_colour():
    groups = {c.lower() for c in GROUP_COLOURS.values()}
    for n in (2, 4, 10, 30):
        colours = topics.topic_colours(range(n))
        used = {to_hex(c) for t, c in colours.items() if t >= 0}
        assert not used & groups
        if n <= 14:
            assert len(used) == n  # one colour per topic
    assert not {c.lower() for c in sources.GROUP_COLOURS.values()} & groups


def test_topics_over_time_bars_sit_on_a_date_axis_with_article_counts():
    over_time = pd.DataFrame({
        "period": ["2025-10", "2025-10", "2026-03", "2026-03"], "topic": [0, 1, 0, 1],
        "topic_label": ["a", "b", "a", "b"], "n": [3, 1, 2, 2], "n_units": [4, 4, 4, 4],
        "share": [0.75, 0.25, 0.5, 0.5], "n_articles": [2, 2, 1, 1],
    })
    fig = topics.plot_topics_over_time(over_time)
    ax = fig.axes[0]
    lefts = sorted({round(p.get_x(), 6) for p in ax.patches})
    starts = [mdates.date2num(pd.Timestamp(d)) for d in ("2025-10-01", "2026-03-01")]
    assert lefts == [round(s, 6) for s in starts]  # the 4 empty months stay a gap
    texts = [t.get_text() for t in ax.texts]
    assert "4 units\n2 art." in texts and "4 units\n1 art." in texts
    assert ax.get_xlabel().startswith("publication date") and "0–1" in ax.get_ylabel()
    plt.close(fig)


def test_tone_by_topic_hatches_cells_with_few_sentences():
    table = pd.DataFrame({"topic": ["taiwan", "taiwan", "trade", "trade"],
                          "topic_label": ["taiwan", "taiwan", "trade", "trade"],
                          "outlet": ["A", "B", "A", "B"], "mean": [0.1, -0.2, 0.3, 0.0],
                          "n_sentences": [12, 3, 5, 4]})
    fig = tone.plot_topic_tone(table, by="outlet")
    ax = fig.axes[0]
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 2  # n = 3 and n = 4; n = 5 and 12 are not
    assert f"fewer than {tone.plots.FEW_SENTENCES} sentences" in ax.get_title(loc="left")
    plt.close(fig)


def test_validation_figures_show_the_majority_baseline():
    v = pd.DataFrame({"measure": ["learned", "vader"], "candidate": [True, True],
                      "spearman": [0.6, 0.4], "spearman_low": [0.5, 0.3], "spearman_high": [0.7, 0.5],
                      "sign_accuracy": [0.62, 0.57], "accuracy_low": [0.5, 0.4],
                      "accuracy_high": [0.7, 0.7], "majority_accuracy": [0.53, 0.53]})
    fig = tone.plot_validation(v)
    lines = [ln for ln in fig.axes[1].lines if ln.get_linestyle() == "--"]
    assert len(lines) == 1 and lines[0].get_xdata()[0] == 0.53
    assert any("majority class" in t.get_text() for t in fig.axes[1].texts)
    plt.close(fig)
    dev = tone.read_dev_validation()
    fig = tone.plot_dev_validation(dev)
    base = float(dev.loc[dev["method"] == "majority", "sign_accuracy"].iloc[0])
    dashed = [ln for ax in fig.axes for ln in ax.lines if ln.get_linestyle() == "--"]
    assert [ln.get_xdata()[0] for ln in dashed] == [base]
    plt.close(fig)


def test_separate_overlaps_moves_only_coincident_points():
    x, y = separate_overlaps([0, 0, 0, 5], [0, 0, 0, 5])
    pts = set(zip(np.round(x, 9), np.round(y, 9), strict=True))
    assert len(pts) == 4 and (x[3], y[3]) == (5, 5) and (x[0], y[0]) == (0, 0)


def test_timeline_spreads_articles_of_one_outlet_and_day():
    arts = pd.DataFrame({"article_id": ["a1", "a2"], "outlet": ["X", "X"],
                         "outlet_group": ["international", "international"],
                         "published": pd.to_datetime(["2025-10-30", "2025-10-30"])})
    fig = plot_timeline(arts, load_events())
    ys = fig.axes[0].collections[0].get_offsets()[:, 1]
    assert len(set(np.round(ys, 6))) == 2
    plt.close(fig)
