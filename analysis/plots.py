"""Plotting helpers shared by every notebook: one style, one deterministic saver."""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.text import Text

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

#: Fonts with Chinese/Japanese/Korean glyphs, the first installed one used after DejaVu Sans for
#: the characters DejaVu lacks (figures of English text stay byte-identical with or without it).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback", "Microsoft YaHei",
             "SimHei", "PingFang SC", "Hiragino Sans GB", "Arial Unicode MS")
#: matplotlib's warning for each character no font can draw (replaced by one note in the figure).
_MISSING_GLYPH = r"Glyph \d+ .*missing from font"

#: Colours per outlet group, used by every plot that distinguishes them.
GROUP_COLOURS = {INTERNATIONAL: "#1f77b4", CHINESE_STATE: "#d62728"}

#: Colours for categories that are not outlet groups (topics, source groups): tab10 without
#: the two group colours (blue, red) and without grey (kept for "too short", "rest",
#: "unattributed"), then tab20's light tones without the light blue and light red, so a topic
#: is never painted in an outlet group's colour.
CATEGORY_COLOURS = (
    "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf",
    "#ffbb78", "#98df8a", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5",
)


def category_colours(keys) -> dict:
    """A fixed colour per category (in the order given), never an outlet group's colour.

    Parameters
    ----------
    keys : iterable
        Categories, e.g. topic ids.

    Returns
    -------
    dict
        key -> colour. Beyond the 14 colours of :data:`CATEGORY_COLOURS` the palette is
        repeated (the legend tells categories apart; a plot with that many categories
        should label them directly).

    Examples
    --------
    >>> colours = category_colours([0, 1, 2])
    >>> colours[0], set(colours.values()) & set(GROUP_COLOURS.values())
    ('#ff7f0e', set())
    """
    return {k: CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i, k in enumerate(keys)}


def separate_overlaps(x, y, *, tol: float = 0.012, step: float = 0.012):
    """Move points that would sit on one another apart, so every marker stays visible.

    Points closer than ``tol`` (as a share of the data's range on each axis) to an earlier
    point of their cluster are placed on a small ring of radius ``step`` (same units) around
    it, in a fixed order: deterministic, and points that do not overlap are left where they are.

    Parameters
    ----------
    x, y : array-like
        Coordinates.
    tol, step : float
        Shares of each axis's range.

    Returns
    -------
    tuple of numpy.ndarray
        The new ``x`` and ``y``.

    Examples
    --------
    >>> x, y = separate_overlaps([0.0, 0.0, 1.0], [0.0, 0.0, 1.0])
    >>> bool(x[0] == 0 and y[0] == 0 and (x[1], y[1]) != (0, 0) and x[2] == 1)
    True
    """
    import numpy as np

    x, y = np.asarray(x, dtype=float).copy(), np.asarray(y, dtype=float).copy()
    if len(x) < 2:
        return x, y
    rx = max(float(np.ptp(x)), 1e-12)
    ry = max(float(np.ptp(y)), 1e-12)
    cell = np.stack([np.round(x / (tol * rx)), np.round(y / (tol * ry))], axis=1)
    _, first, inverse = np.unique(cell, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    seen: dict[int, int] = {}
    for i in range(len(x)):
        k = seen.get(inverse[i], 0)
        seen[inverse[i]] = k + 1
        if k:
            angle = 2 * np.pi * (k - 1) / 6
            ring = 1 + (k - 1) // 6
            x[i] = x[first[inverse[i]]] + ring * step * rx * np.cos(angle)
            y[i] = y[first[inverse[i]]] + ring * step * ry * np.sin(angle)
    return x, y


def use_style() -> None:
    """Apply the suite's fixed matplotlib style (call once at the top of a notebook).

    Besides fixing sizes and fonts, it turns mathtext off (``text.parse_math``): every
    label, title and legend entry is drawn literally, whatever ``$`` signs a corpus puts
    in outlet names or terms. When a CJK-capable font (:data:`CJK_FONTS`) is installed it is
    the fallback for characters DejaVu Sans lacks; when none is, matplotlib's per-character
    "Glyph ... missing" warnings are not shown and :func:`save_figure` writes one note into the
    figure instead.
    """
    mpl.rcParams.update(STYLE)
    fallback = cjk_font()
    if fallback is not None:
        mpl.rcParams["font.family"] = [STYLE["font.family"], fallback]
    else:
        warnings.filterwarnings("ignore", message=_MISSING_GLYPH, category=UserWarning)


def cjk_font() -> str | None:
    """The first installed font of :data:`CJK_FONTS`, else None."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


@functools.lru_cache(maxsize=16)
def _charmap(path: str) -> frozenset[int]:
    return frozenset(font_manager.get_font(path).get_charmap())


def undrawable(fig: plt.Figure) -> list[str]:
    """The characters of a figure's texts that none of its fonts can draw (they would be boxes).

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    list of str
        Sorted distinct characters, e.g. Chinese ones when no CJK font is installed.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_MISSING_GLYPH, category=UserWarning)
        fig.draw_without_rendering()  # tick labels get their text at draw time
    chars = {ch for t in fig.findobj(Text) if t.get_visible() for ch in t.get_text() if not ch.isspace()}
    if not chars or all(ch.isascii() for ch in chars):
        return []
    families = mpl.rcParams["font.family"]
    families = [families] if isinstance(families, str) else list(families)
    covered: set[int] = set()
    for family in families:
        covered |= _charmap(font_manager.findfont(font_manager.FontProperties(family=[family])))
    return sorted(ch for ch in chars if ord(ch) not in covered)


def show_figure(fig: plt.Figure, name: str, folder: str | Path) -> None:
    """Save ``fig`` with :func:`save_figure` and show that same PNG in the notebook.

    The figure is drawn once: the notebook displays the bytes of the saved file (instead of
    ``plt.show()`` drawing it again through the inline backend, which costs as much as the
    save: about a second for the larger figures at 10,000 articles), and the figure is
    closed. Outside IPython nothing is displayed. Like ``plt.show()`` it returns nothing, so
    the last line of a cell adds no output; the file is ``folder/name.png``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to save and show.
    name : str
        File stem, e.g. ``"01_timeline"``.
    folder : str or pathlib.Path
        Destination folder (``OutputPaths.figures``).

    Examples
    --------
    >>> import tempfile
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [1, 0])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     show_figure(fig, "example", folder)
    ...     sorted(p.name for p in Path(folder).iterdir())
    ['example.png']
    >>> plt.fignum_exists(fig.number)
    False
    """
    path = save_figure(fig, name, folder)
    plt.close(fig)
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:  # pragma: no cover - IPython is a dependency of the notebooks
        return
    if get_ipython() is not None:
        display(Image(data=path.read_bytes(), format="png"))


def save_figure(fig: plt.Figure, name: str, folder: str | Path) -> Path:
    """Save ``fig`` as ``folder/name.png`` with fixed metadata, so reruns are byte-stable.

    If some characters of its texts cannot be drawn with the installed fonts (Chinese outlet
    names without a CJK font), a note under the figure says so, once, instead of matplotlib's
    warning per character.

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
    missing = undrawable(fig)
    if missing:
        codes = ", ".join(f"U+{ord(ch):04X}" for ch in missing[:3]) + (", ..." if len(missing) > 3 else "")
        fig.text(0.0, -0.02, f"Note: {len(missing)} character(s) in the labels ({codes}) cannot be "
                 "drawn and show as boxes: no CJK-capable font is installed; install one (e.g. "
                 "Noto Sans CJK) and rerun.", fontsize=8, color="#a00000", ha="left", va="top",
                 transform=fig.transFigure)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_MISSING_GLYPH, category=UserWarning)
        fig.savefig(path, format="png", metadata={"Software": None}, bbox_inches="tight")
    return path
