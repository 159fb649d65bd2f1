"""Timeline helpers: events data file, nearest-event pairing, figure without errors."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from analysis.timeline import assign_events, load_events, plot_timeline


def test_events_file():
    events = load_events()
    assert list(events.columns) == ["date", "event", "label"]
    assert events["date"].is_monotonic_increasing
    assert pd.Timestamp("2025-10-30") in set(events["date"])


def test_assign_events_nearest_within_a_week():
    events = load_events()
    arts = pd.DataFrame({"published": pd.to_datetime(
        ["2025-10-28", "2025-10-29", "2026-02-06", "2025-12-15", None])})
    got = assign_events(arts, events).to_list()
    assert got[:3] == ["Wang–Rubio call", "Busan meeting", "Xi–Trump call"]
    assert pd.isna(got[3]) and pd.isna(got[4])


def test_plot_timeline_many_outlets_uses_groups():
    arts = pd.DataFrame({
        "article_id": [f"a{i}" for i in range(40)],
        "outlet": [f"Outlet {i}" for i in range(40)],
        "outlet_group": ["international", "chinese_state"] * 20,
        "published": pd.date_range("2025-10-01", periods=40, freq="D"),
    })
    fig = plot_timeline(arts, load_events())
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["chinese_state", "international"]
    plt.close(fig)
