"""The corpus on a time line: which diplomatic event each article reports, and a figure.

The events are a data file, ``analysis/data/events.csv`` (``date``, ``event``, ``label`` and,
optionally, ``keywords`` and ``source``), so another corpus can bring its own list (pass
``path``). ``keywords`` is the event's vocabulary (place names, "phone call", "press
conference" ..., separated by ``;``); ``source`` a public page giving the event's date and place.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import _kernels
from .config import EVENTS_FILE
from .plots import GROUP_COLOURS

__all__ = ["EVENTS_PATH", "assign_events", "event_keywords", "load_events", "plot_timeline"]

EVENTS_PATH = EVENTS_FILE
#: Text columns of the articles searched for an event's vocabulary.
TEXT_COLUMNS = ("headline", "text")


def load_events(path: str | Path | None = None) -> pd.DataFrame:
    """Read the list of diplomatic events.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A CSV with columns ``date`` (ISO), ``event`` and ``label``, optionally ``keywords``
        (the event's vocabulary, ``;``-separated) and ``source`` (a URL); default the bundled
        :data:`EVENTS_PATH`.

    Returns
    -------
    pandas.DataFrame
        ``date`` (datetime64), ``event``, ``label``, ``keywords`` (str, "" when none) and
        ``source`` (str, "" when none), sorted by date.

    Examples
    --------
    >>> events = load_events()
    >>> events.loc[events["label"] == "Busan meeting", "date"].dt.strftime("%Y-%m-%d").tolist()
    ['2025-10-30']
    """
    events = pd.read_csv(path or EVENTS_PATH, dtype=str, keep_default_na=False)
    missing = {"date", "event", "label"} - set(events.columns)
    if missing:
        raise KeyError(f"load_events: the events file lacks column(s) {sorted(missing)}; it needs "
                       "date, event, label (and optionally keywords, source)")
    for col in ("keywords", "source"):
        if col not in events.columns:
            events[col] = ""
    events["date"] = pd.to_datetime(events["date"], format="%Y-%m-%d")
    events = events[["date", "event", "label", "keywords", "source"]]
    return events.sort_values("date", kind="stable").reset_index(drop=True)


def event_keywords(events: pd.DataFrame) -> list[list[str]]:
    """The vocabulary of each event: its ``keywords`` split on ``;``, stripped, blanks dropped."""
    if "keywords" not in events.columns:
        return [[] for _ in range(len(events))]
    return [[k.strip() for k in str(v).split(";") if k.strip()] if pd.notna(v) else []
            for v in events["keywords"]]


def _keyword_hits(texts: list[pd.Series], keywords: list[str]) -> np.ndarray:
    r"""Number of distinct ``keywords`` each row uses in any of ``texts`` (case-insensitive, whole words).

    A keyword is found in a text when ``re.search(r"(?<!\w)keyword(?!\w)", text, re.IGNORECASE)``
    finds it (what ``Series.str.contains(..., case=False)`` does). To find the same rows fast,
    the regex is tried only on the rows that can match (their lower-cased text holds the
    keyword's longest ASCII run: :func:`analysis._kernels.caseless_rows`) and, in those, only
    where the keyword's leading ASCII letters start (:func:`_found`).
    """
    hits = np.zeros(len(texts[0]), dtype=np.int64)
    needles = [_kernels.ascii_needle(kw) for kw in keywords]
    maybe = [_kernels.caseless_rows(col, needles) for col in texts]
    values = [col.astype(object).where(col.notna(), None).to_numpy() for col in texts]
    lowered: list[dict[int, str | None]] = [{} for _ in texts]
    for j, kw in enumerate(keywords):
        rx = re.compile(r"(?<!\w)" + re.escape(kw).replace(r"\ ", r"\s+") + r"(?!\w)",
                        re.IGNORECASE)
        lead = re.match(r"[A-Za-z0-9]+", kw)
        lead = lead.group(0).lower() if lead else ""
        found = np.zeros(len(hits), dtype=bool)
        for col, rows, low in zip(values, maybe, lowered, strict=True):
            for i in np.flatnonzero(rows[:, j] & ~found).tolist():
                text = col[i]
                if not isinstance(text, str):
                    continue
                if lead and i not in low:
                    low[i] = _kernels.caseless_lower(text)
                found[i] = _found(text, rx, lead, low.get(i))
        hits += found
    return hits


def _found(text: str, rx: re.Pattern[str], lead: str, low: str | None) -> bool:
    """``rx.search(text) is not None``, trying ``rx`` only where ``lead`` starts in ``low``.

    ``low`` is :func:`analysis._kernels.caseless_lower` of ``text`` and ``lead`` the lower-cased
    ASCII letters and digits every match starts with (else "": the whole text is searched).
    """
    if not lead or low is None:
        return rx.search(text) is not None
    return any(rx.match(text, pos) is not None for pos in _kernels.find_all(low, lead))


def _text_columns(articles: pd.DataFrame) -> list[str]:
    cols = [c for c in TEXT_COLUMNS if c in articles.columns]
    if not cols:
        raise KeyError(f"assign_events: matching by vocabulary needs a {' or '.join(TEXT_COLUMNS)} "
                       f"column in the articles (they have {list(articles.columns)}); pass "
                       "Corpus.articles, or vocabulary=False to match by date only")
    return cols


def assign_events(
    articles: pd.DataFrame,
    events: pd.DataFrame,
    *,
    max_days: int = 7,
    vocabulary: bool = True,
) -> pd.Series:
    """The event each article most likely reports: in the date window and in its words.

    The rule, in order:

    1. **Window.** Candidates are the events within ``max_days`` of the article's date
       (before or after: coverage anticipates an event and follows it).
    2. **Vocabulary.** With ``vocabulary=True`` a candidate with ``keywords`` stays only if
       the article's headline or text contains at least one of them (case-insensitive, whole
       words; "phone call" also matches across a line break). An event without keywords is
       matched by date alone.
    3. **Ties.** Of the remaining candidates the nearest in date wins; at equal distance, the
       one whose vocabulary the article uses more (distinct keywords); then the earlier event.
    4. **None.** No candidate left (no event in the window, none whose words the article uses,
       or no date): <NA>, which the comparisons label "(no event)".

    Parameters
    ----------
    articles : pandas.DataFrame
        ``published`` (datetime64, NaT allowed) and, for ``vocabulary=True``, ``headline``
        and/or ``text`` (``Corpus.articles``).
    events : pandas.DataFrame
        Output of :func:`load_events`.
    max_days : int, default 7
        Half-width of the date window in days.
    vocabulary : bool, default True
        Require the event's vocabulary (step 2); False matches by date only.

    Returns
    -------
    pandas.Series
        The event ``label`` per article (same index), <NA> when none matches.

    Raises
    ------
    KeyError
        With ``vocabulary=True`` and events with keywords, if the articles have neither
        ``headline`` nor ``text``.

    Examples
    --------
    >>> events = pd.DataFrame({"date": pd.to_datetime(["2025-10-30", "2025-11-01"]),
    ...                        "event": ["", ""], "label": ["summit", "phone call"],
    ...                        "keywords": ["Busan;summit", "phone call;telephone"]})
    >>> arts = pd.DataFrame({"published": pd.to_datetime(["2025-11-01", "2025-11-01", "2025-11-01"]),
    ...                      "text": ["Leaders met in Busan.", "They spoke by telephone.", "Markets rose."]})
    >>> assign_events(arts, events).tolist()
    ['summit', 'phone call', <NA>]
    >>> assign_events(arts, events, vocabulary=False).tolist()
    ['phone call', 'phone call', 'phone call']
    """
    out = pd.Series(pd.NA, index=articles.index, dtype="string")
    dates = articles["published"]
    if events.empty or dates.isna().all():
        return out
    known = np.flatnonzero(dates.notna().to_numpy())
    ev = events["date"].to_numpy()
    gap = np.abs(dates.to_numpy()[known, None] - ev[None, :]) / np.timedelta64(1, "D")
    ok = gap <= max_days
    hits = np.zeros(gap.shape, dtype=np.int64)
    vocab = event_keywords(events)
    if vocabulary and any(vocab):
        cols = _text_columns(articles)  # searched where they are: no copy of the corpus's text
        for j, words in enumerate(vocab):
            rows = np.flatnonzero(ok[:, j])
            if not words or not len(rows):
                continue
            texts = [articles[c].iloc[known[rows]].astype("string") for c in cols]
            hits[rows, j] = _keyword_hits(texts, words)
            ok[rows, j] = hits[rows, j] > 0
    # nearest first, then more keywords, then earlier (events are sorted by date: lower j)
    order = np.lexsort((np.broadcast_to(np.arange(len(events)), gap.shape), -hits,
                        np.where(ok, gap, np.inf)), axis=1)[:, 0]
    found = ok[np.arange(len(known)), order]
    labels = events["label"].to_numpy(dtype=object)[order]
    out.iloc[known[found]] = labels[found]
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
        per article coloured by outlet group (articles of one row and date spread vertically,
        not drawn on one another). With more than 60 articles markers are not labelled.
    """
    dated = articles[articles["published"].notna()].sort_values(["published", "article_id"])
    by_outlet = dated["outlet"].nunique() <= 15
    rows = "outlet" if by_outlet else "outlet_group"
    order = sorted(dated[rows].unique())
    ypos = {name: i for i, name in enumerate(order)}
    fig, ax = plt.subplots(figsize=(9, 1.6 + 0.55 * len(order)))
    lo, hi = dated["published"].min(), dated["published"].max()
    shown = events[(events["date"] >= lo - pd.Timedelta(days=30)) & (events["date"] <= hi + pd.Timedelta(days=30))]
    x_lo = min(lo, shown["date"].min() if len(shown) else lo) - pd.Timedelta(days=10)
    x_hi = max(hi, shown["date"].max() if len(shown) else hi) + pd.Timedelta(days=10)
    char_days = max((x_hi - x_lo).days, 1) / 95  # ~95 label characters across the axes
    ends: list[pd.Timestamp] = []  # where the last label of each stacked row ends
    top = 0
    for date, label in zip(shown["date"], shown["label"], strict=True):
        level = next((k for k, end in enumerate(ends) if end < date), len(ends))
        end = date + pd.Timedelta(days=(len(str(label)) + 2) * char_days)
        ends[level:level + 1] = [end]
        top = max(top, level)
        ax.axvline(date, color="0.6", linestyle="--", linewidth=1, zorder=1)
        ax.text(date, 1.02 + 0.1 * level, " " + label, transform=ax.get_xaxis_transform(),
                ha="left", va="bottom", fontsize=8, color="0.3")
    # articles of one row on one date are spread vertically instead of drawn on one another
    same = dated.groupby([rows, "published"], sort=False)
    rank, size = same.cumcount().to_numpy(), same[rows].transform("size").to_numpy()
    dated = dated.assign(_y=dated[rows].map(ypos).to_numpy() + 0.5 * (rank - (size - 1) / 2)
                         / np.maximum(size, 1))
    for group, sub in dated.groupby("outlet_group", sort=True):
        ax.scatter(sub["published"], sub["_y"], s=60, zorder=3, label=group,
                   color=GROUP_COLOURS.get(group, "0.5"), edgecolor="white")
    if len(dated) <= 60:
        for date, y, aid in zip(dated["published"], dated["_y"], dated["article_id"], strict=True):
            ax.annotate(str(aid)[:3], (date, y), xytext=(5, 5), textcoords="offset points", fontsize=8)
    ax.set_yticks(range(len(order)), order)
    ax.set_ylim(-0.6, len(order) - 0.2)
    ax.set_xlim(x_lo, x_hi)
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.set_xlabel("publication date")
    ax.legend(title="outlet group", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8,
              frameon=False)
    ax.set_title("Articles and the events of the period (dashed lines)", pad=30 + 12 * top)
    ax.set_ylabel("outlet" if by_outlet else "outlet group")
    fig.tight_layout()
    return fig
