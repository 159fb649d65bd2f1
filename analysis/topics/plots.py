"""Figures of the topic analysis (each returns its Figure; save with analysis.plots.save_figure)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .labels import TOO_SHORT
from .shares import _label_map

_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p")


def topic_colours(topics: Iterable[int]) -> dict[int, tuple]:
    """A fixed colour per topic id (grey for the too-short units).

    Parameters
    ----------
    topics : iterable of int

    Returns
    -------
    dict
        topic id -> RGBA tuple, from :func:`analysis.plots.category_colours` (never an
        outlet group's colour).
    """
    from matplotlib.colors import to_rgba

    from ..plots import category_colours

    ids = sorted({int(t) for t in topics if t >= 0})
    colours = {t: to_rgba(c) for t, c in category_colours(ids).items()}
    colours[TOO_SHORT] = (0.75, 0.75, 0.75, 1.0)
    return colours


def _count(x) -> str:
    """A (possibly weighted) count: whole numbers as such, else one decimal."""
    x = float(x)
    return f"{x:.0f}" if abs(x - round(x)) < 1e-9 else f"{x:.1f}"


def _short(label: str, width: int = 40) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _wrap(label: str, width: int = 16, lines: int = 3) -> str:
    return "\n".join(textwrap.wrap(label, width, max_lines=lines, placeholder="…"))


def plot_k_selection(
    selection: pd.DataFrame, *, k: int | None = None, min_stability: float = 0.6
) -> plt.Figure:
    """Silhouette and stability curves against the number of topics.

    Parameters
    ----------
    selection : pandas.DataFrame
        Output of :func:`select_k`.
    k : int, optional
        The chosen k, marked by a vertical line.
    min_stability : float, default 0.6
        The stability threshold of :func:`choose_k`, drawn as a dashed line.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.6), sharex=True)
    if selection.empty:
        for ax in (ax1, ax2):
            ax.text(0.5, 0.5, "too few units to compare k", ha="center", va="center",
                    transform=ax.transAxes)
            ax.set_xticks([])
            ax.set_yticks([])
    else:
        ax1.plot(selection["k"], selection["silhouette"], "o-", color="#444444")
        ax1.set_ylabel("mean silhouette")
        ax2.plot(selection["k"], selection["stability_boot"], "o-", label="bootstrap resamples")
        ax2.plot(selection["k"], selection["stability_seed"], "s--", label="k-means seeds")
        ax2.axhline(min_stability, color="grey", lw=0.8, ls=":",
                    label=f"threshold {min_stability:.2f}")
        ax2.set_ylabel("stability (mean ARI)")
        ax2.set_ylim(min(-0.05, float(selection[["stability_boot", "stability_seed"]].min().min())),
                     1.05)
        ax2.legend(frameon=False, fontsize=8, loc="lower left")
        for ax in (ax1, ax2):
            ax.set_xlabel("number of topics k")
            ax.set_xticks(selection["k"])
            if k is not None and k in set(selection["k"]):
                ax.axvline(k, color="#d62728", lw=1, alpha=0.6)
    ax1.set_title("Separation")
    ax2.set_title("Stability")
    fig.tight_layout()
    return fig


def plot_map(points: pd.DataFrame, *, marker_by: str = "outlet", max_points: int | None = 5000,
             random_state: int | None = 0) -> plt.Figure:
    """Scatter map of the units, coloured by topic and marked by outlet.

    With more than 12 outlets the markers show ``outlet_group`` instead, so the
    legend stays readable. With more than ``max_points`` units a seeded random sample of
    ``max_points`` is drawn (the figure stays legible and small) and the title says so.

    Parameters
    ----------
    points : pandas.DataFrame
        Columns ``x, y, topic, topic_label`` and ``marker_by`` (:meth:`TopicModel.map_table`).
    marker_by : str, default "outlet"
    max_points : int or None, default 5000
        Most units drawn; None = all.
    random_state : int or None, default 0
        Seed of the sample.

    Returns
    -------
    matplotlib.figure.Figure
    """
    n_all = len(points)
    if max_points and n_all > max_points:
        points = points.sample(n=max_points, random_state=random_state).sort_index()
    if points[marker_by].nunique() > len(_MARKERS) and "outlet_group" in points:
        marker_by = "outlet_group"
    fig, ax = plt.subplots(figsize=(8, 5.5))
    if points.empty:
        ax.text(0.5, 0.5, "no unit long enough to map", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return fig
    colours = topic_colours(points["topic"])
    groups = sorted(points[marker_by].astype(str).unique())
    markers = {g: _MARKERS[i % len(_MARKERS)] for i, g in enumerate(groups)}
    size = float(np.clip(6000 / len(points), 8, 42))  # smaller markers for many units
    if len(points) <= 2000:  # markers on top of one another are moved apart (see the title)
        from ..plots import separate_overlaps

        sx, sy = separate_overlaps(points["x"], points["y"], tol=0.02, step=0.025)
        points = points.assign(x=sx, y=sy)
    for g in groups:
        sub = points[points[marker_by].astype(str) == g]
        ax.scatter(sub["x"], sub["y"], c=[colours[t] for t in sub["topic"]], marker=markers[g],
                   s=size, edgecolors="black", linewidths=0.4 if size > 20 else 0.2, alpha=0.8)
    labels = _label_map(points).sort_index()
    topic_handles = [
        plt.Line2D([], [], ls="", marker="o", color=colours[t], markeredgecolor="black",
                   markeredgewidth=0.4, label=f"{t}: {_short(str(lab))}")
        for t, lab in labels.items()
    ]
    marker_handles = [
        plt.Line2D([], [], ls="", marker=markers[g], color="white", markeredgecolor="black",
                   label=_short(g))
        for g in groups
    ]
    ax.set_xlabel("PCA 1 of the LSA vectors (unitless projection)")
    ax.set_ylabel("PCA 2 (unitless projection)")
    ax.set_title("Map of the units (colour = topic, marker = " + marker_by.replace("_", " ")
                 + ("; overlapping markers moved slightly apart)" if len(points) <= 2000 else ")")
                 + (f"\nrandom sample of {len(points):,} of {n_all:,} units" if len(points) < n_all
                    else ""), fontsize=10)
    fig.tight_layout()
    # figure-level legends, so that bbox_inches="tight" keeps them whole
    fig.legend(handles=topic_handles, title="topic", frameon=False, fontsize=8,
               loc="upper left", bbox_to_anchor=(0.99, 0.95))
    fig.legend(handles=marker_handles, title=marker_by.replace("_", " "), frameon=False,
               fontsize=8, loc="lower left", bbox_to_anchor=(0.99, 0.08))
    return fig


def plot_outlet_heatmap(
    shares: pd.DataFrame, *, by: str = "outlet", annotate_max: int = 150
) -> plt.Figure:
    """Heatmap of topic shares (rows = outlets or groups, columns = topics).

    Cells show the share and, below it, the count, as long as there are at most
    ``annotate_max`` cells; the figure grows with the number of rows.

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`topic_shares` with the same ``by``.
    by : str, default "outlet"
    annotate_max : int, default 150

    Returns
    -------
    matplotlib.figure.Figure
    """
    share = shares.pivot(index=by, columns="topic", values="share").sort_index()
    count = shares.pivot(index=by, columns="topic", values="n").loc[share.index, share.columns]
    labels = shares.drop_duplicates("topic").set_index("topic")["topic_label"]
    n_art = (shares.groupby(by)["n_articles"].first().loc[share.index]
             if "n_articles" in shares.columns else None)
    n_rows, n_cols = share.shape
    fig, ax = plt.subplots(figsize=(max(6.0, 1.3 * n_cols + 3), max(2.5, 0.45 * n_rows + 2.0)))
    im = ax.imshow(share.to_numpy(dtype=float), cmap="Blues", vmin=0,
                   vmax=max(float(share.to_numpy().max()), 1e-9), aspect="auto")
    ax.set_yticks(range(n_rows), [_short(str(r), 30) + ("" if n_art is None else f" ({int(n)} art.)")
                                  for r, n in zip(share.index, n_art if n_art is not None
                                                  else share.index, strict=True)])
    ax.set_xticks(range(n_cols), [_wrap(f"{t}: {labels[t]}") for t in share.columns],
                  fontsize=8, rotation=0 if n_cols <= 8 else 90)
    ax.set_xlabel("topic (k-means cluster: id and top terms)")
    ax.set_ylabel(by.replace("_", " "))
    if n_rows * n_cols <= annotate_max:
        top = float(share.to_numpy().max())
        for i in range(n_rows):
            for j in range(n_cols):
                v = float(share.iat[i, j])
                ax.text(j, i, f"{v:.0%}\n({_count(count.iat[i, j])})", ha="center", va="center",
                        fontsize=7, color="white" if v > 0.6 * top else "black")
    fig.colorbar(im, ax=ax, label="share of the group's units (0–1)", fraction=0.04)
    ax.set_title(f"Topic shares by {by.replace('_', ' ')} (count in brackets)")
    fig.tight_layout()
    return fig


def plot_topics_over_time(over_time: pd.DataFrame, *, freq: str = "M") -> plt.Figure:
    """Stacked bars of topic shares per period on a true time axis, with units and articles.

    Each bar starts at its period's first day and spans most of the period, so empty periods
    show as gaps. Above each bar: the units (``n``) and, when ``over_time`` has
    ``n_articles``, the independent articles behind them.

    Parameters
    ----------
    over_time : pandas.DataFrame
        Output of :func:`topics_over_time` (not empty).
    freq : str, default "M"
        The period frequency ``over_time`` was made with.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.dates as mdates

    share = over_time.pivot(index="period", columns="topic", values="share").sort_index()
    first = over_time.drop_duplicates("period").set_index("period").loc[share.index]
    labels = over_time.drop_duplicates("topic").set_index("topic")["topic_label"]
    colours = topic_colours(share.columns)
    periods = pd.PeriodIndex(share.index, freq=freq)
    start = periods.start_time
    width = (periods.end_time - start) * 0.85
    span = periods.max().end_time - periods.min().start_time
    fig, ax = plt.subplots(figsize=(min(12.0, max(6.0, 0.25 * span.days / 7 + 4)), 4.4))
    bottom = np.zeros(len(share))
    for t in share.columns:
        vals = share[t].to_numpy(dtype=float)
        ax.bar(start, vals, bottom=bottom, color=colours[t], width=width, align="edge",
               label=f"{t}: {_short(str(labels[t]))}")
        bottom += vals
    n_art = first["n_articles"] if "n_articles" in first.columns else None
    for i, (x0, w) in enumerate(zip(start, width, strict=True)):
        text = f"{first['n_units'].iloc[i]} units"
        if n_art is not None:
            text += f"\n{int(n_art.iloc[i])} art."
        ax.text(x0 + w / 2, 1.01, text, ha="center", va="bottom", fontsize=7)
    ax.set_xlim(periods.min().start_time - pd.Timedelta(days=5),
                periods.max().end_time + pd.Timedelta(days=5))
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=12))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    unit = {"M": "month", "W": "week", "D": "day", "Y": "year", "Q": "quarter"}.get(
        periods.freqstr[:1], f"{periods.freqstr} period")
    ax.set_xlabel(f"publication date (one bar per {unit} with articles)")
    ax.set_ylim(0, 1.15)
    ax.set_ylabel("share of the period's units (0–1)")
    ax.set_title("Topics over time (units = paragraphs; art. = independent articles)",
                 fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig


def plot_codebook_shares(shares: pd.DataFrame, *, by: str = "outlet",
                         annotate_max: int = 200) -> plt.Figure:
    """Heatmap of codebook-topic shares: rows = groups (or periods), columns = categories.

    Each row is labelled with the number of articles behind it; cells show the share of the
    row's paragraphs and, below it, the number of paragraphs (as long as there are at most
    ``annotate_max`` cells).

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`analysis.topics.codebook_shares` (``by`` or ``period``, ``topic``,
        ``n``, ``share``, ``n_articles``).
    by : str, default "outlet"
        The row column (``"period"`` for shares over time).
    annotate_max : int, default 200

    Returns
    -------
    matplotlib.figure.Figure
    """
    cats = list(pd.unique(shares["topic"]))
    share = shares.pivot(index=by, columns="topic", values="share").reindex(columns=cats)
    count = shares.pivot(index=by, columns="topic", values="n").reindex(columns=cats)
    n_art = shares.groupby(by)["n_articles"].first().loc[share.index]
    n_rows, n_cols = share.shape
    fig, ax = plt.subplots(figsize=(max(6.0, 1.0 * n_cols + 3), max(2.5, 0.45 * n_rows + 2.0)))
    values = share.to_numpy(dtype=float)
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    im = ax.imshow(values, cmap="Blues", vmin=0, vmax=max(top, 1e-9), aspect="auto")
    ax.set_yticks(range(n_rows), [f"{_short(str(r), 30)} ({int(n)} art.)"
                                  for r, n in zip(share.index, n_art, strict=True)])
    ax.set_xticks(range(n_cols), [_wrap(str(c).replace("_", " ")) for c in cats], fontsize=8,
                  rotation=0 if n_cols <= 8 else 90)
    if n_rows * n_cols <= annotate_max:
        for i in range(n_rows):
            for j in range(n_cols):
                v = values[i, j]
                if np.isfinite(v):
                    ax.text(j, i, f"{v:.0%}\n({_count(count.iat[i, j])})", ha="center",
                            va="center", fontsize=7, color="white" if v > 0.6 * top else "black")
    fig.colorbar(im, ax=ax, label="share of the row's paragraphs (0–1)", fraction=0.04)
    ax.set_xlabel("codebook topic")
    ax.set_ylabel(by.replace("_", " ") + " (independent articles)")
    ax.set_title(f"Codebook topics by {by.replace('_', ' ')} (paragraphs in brackets)")
    fig.tight_layout()
    return fig
