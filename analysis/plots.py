"""Plotting helpers shared by every notebook: one style, one deterministic saver."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt

from .config import CHINESE_STATE, INTERNATIONAL

#: Fixed rcParams so figures look the same on every machine and rerun byte-identically.
STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "figure.figsize": (8, 4.5),
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "svg.hashsalt": "china-us-news",
    "path.simplify": True,
    # Corpus strings (outlets, terms, topic labels, headlines) are drawn as written: "US$" or
    # "$x$" in an outlet name is text, not mathtext (which would also fail on an unpaired "$").
    # The suite draws no math of its own.
    "text.parse_math": False,
}

#: Colours per outlet group, used by every plot that distinguishes them.
GROUP_COLOURS = {INTERNATIONAL: "#1f77b4", CHINESE_STATE: "#d62728"}


def use_style() -> None:
    """Apply the suite's fixed matplotlib style (call once at the top of a notebook).

    Besides fixing sizes and fonts, it turns mathtext off (``text.parse_math``): every
    label, title and legend entry is drawn literally, whatever ``$`` signs a corpus puts
    in outlet names or terms.
    """
    mpl.rcParams.update(STYLE)


def save_figure(fig: plt.Figure, name: str, folder: str | Path) -> Path:
    """Save ``fig`` as ``folder/name.png`` with fixed metadata, so reruns are byte-stable.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save.
    name : str
        File stem, e.g. ``"01_timeline"``.
    folder : str or pathlib.Path
        Destination folder (``OutputPaths.figures``).

    Returns
    -------
    pathlib.Path
        The written file.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    fig.savefig(path, format="png", metadata={"Software": None}, bbox_inches="tight")
    return path
