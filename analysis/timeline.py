"""The corpus on a time line: which diplomatic event each article reports, and a figure.

The events are a data file, ``analysis/data/events.csv`` (``date``, ``event``, ``label``), so
another corpus can bring its own list (pass ``path``).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .config import EVENTS_FILE
from .plots import GROUP_COLOURS

__all__ = ["EVENTS_PATH", "assign_events", "load_events", "plot_timeline"]

EVENTS_PATH = EVENTS_FILE


def load_events(path: str | Path | None = None) -> pd.DataFrame:
    """Read the list of diplomatic events.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A CSV with columns ``date`` (ISO), ``event`` and ``label``; default the bundled
        :data:`EVENTS_PATH`.

    Returns
    -------
    pandas.DataFrame
        ``date`` (datetime64), ``event``, ``label``, sorted by date.
    """
    events = pd.read_csv(path or EVENTS_PATH, dtype=str)
    events["date"] = pd.to_datetime(events["date"], format="%Y-%m-%d")
    return events.sort_values("date", kind="stable").reset_index(drop=True)


def assign_events(articles: pd.DataFrame, events: pd.DataFrame, *, max_days: int = 7) -> pd.Series:
    """The event each article most likely reports: the nearest event within ``max_days``.

    Parameters
    ----------
    articles : pandas.DataFrame
        ``published`` (datetime64, NaT allowed).
    events : pandas.DataFrame
        Output of :func:`load_events`.
    max_days : int, default 7
        Farther events are not assigned.

    Returns
    -------
    pandas.Series
        The event ``label`` per article (same index), <NA> when no event is that close or the
        date is unknown. Ties go to the earlier event. A heuristic by date only: it does not
        read the text.
    """
    out = pd.Series(pd.NA, index=articles.index, dtype="string")
    dates = articles["published"]
    if events.empty or dates.isna().all():
        return out
    ev = events["date"].to_numpy()
    known = dates.notna().to_numpy()
    gap = np.abs(dates.to_numpy()[known, None] - ev[None, :]) / np.timedelta64(1, "D")
    best = gap.argmin(axis=1)
    close = gap[np.arange(len(best)), best] <= max_days
    labels = events["label"].to_numpy(dtype=object)[best]
    out.iloc[np.flatnonzero(known)[close]] = labels[close]
    return out


def plot_timeline(articles: pd.DataFrame, events: pd.DataFrame) -> plt.Figure:
    """Articles by date and outlet, with the events of the period as labelled vertical lines.

    Parameters
    ----------
    articles : pandas.DataFrame
        ``article_id``, ``outlet``, ``outlet_group``, ``published`` (articles without a date
        are left out; the caller says how many).
    events : pandas.DataFrame
        Output of :func:`load_events`; only events within 30 days of the articles are drawn.

    Returns
    -------
    matplotlib.figure.Figure
        One row per outlet (at most 15 rows; beyond that one row per outlet group), a marker
        per article coloured by outlet group. With more than 60 articles markers are not
        labelled.
    """
    dated = articles[articles["published"].notna()].sort_values(["published", "article_id"])
    by_outlet = dated["outlet"].nunique() <= 15
    rows = "outlet" if by_outlet else "outlet_group"
    order = sorted(dated[rows].unique())
    ypos = {name: i for i, name in enumerate(order)}
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.55 * len(order)))
    lo, hi = dated["published"].min(), dated["published"].max()
    shown = events[(events["date"] >= lo - pd.Timedelta(days=30)) & (events["date"] <= hi + pd.Timedelta(days=30))]
    level, last = 0, None  # labels of events less than 20 days apart go on stacked rows
    for date, label in zip(shown["date"], shown["label"], strict=True):
        level = level + 1 if last is not None and (date - last).days < 20 else 0
        last = date
        ax.axvline(date, color="0.6", linestyle="--", linewidth=1, zorder=1)
        ax.text(date, 1.02 + 0.1 * level, " " + label, transform=ax.get_xaxis_transform(),
                ha="left", va="bottom", fontsize=8, color="0.3")
    for group, sub in dated.groupby("outlet_group", sort=True):
        ax.scatter(sub["published"], sub[rows].map(ypos), s=60, zorder=3, label=group,
                   color=GROUP_COLOURS.get(group, "0.5"), edgecolor="white")
    if len(dated) <= 60:
        for date, y, aid in zip(dated["published"], dated[rows].map(ypos), dated["article_id"], strict=True):
            ax.annotate(str(aid)[:3], (date, y), xytext=(5, 5), textcoords="offset points", fontsize=8)
    ax.set_yticks(range(len(order)), order)
    ax.set_ylim(-0.6, len(order) - 0.2)
    ax.set_xlim(min(lo, shown["date"].min() if len(shown) else lo) - pd.Timedelta(days=10),
                max(hi, shown["date"].max() if len(shown) else hi) + pd.Timedelta(days=10))
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.set_xlabel("publication date")
    ax.legend(title="outlet group", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              frameon=False)
    ax.set_title("Articles and the events they report (dashed lines)", pad=40)
    fig.tight_layout()
    return fig
