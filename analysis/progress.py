"""Progress bars for the long steps of large corpora; silent on small ones and in batch runs.

A step that works through a corpus in blocks (:func:`analysis.tone.vader.compound`,
:func:`analysis.tone.token_stream`, ...) wraps its blocks in :func:`blocks`. A bar (tqdm,
text, on stderr) appears only when the step handles at least :data:`MIN_UNITS` units AND
the session is interactive (stderr is a terminal, or an IPython / Jupyter kernel is running),
so the committed notebooks, which run on the five bundled articles, never show one, and
neither do tests or CI logs. The environment variable ``ANALYSIS_PROGRESS`` overrides:
``1`` always shows bars, ``0`` never does. :mod:`analysis.runner` (``make run``) starts its
kernels with ``ANALYSIS_PROGRESS=0``: ipykernel is loaded under papermill too, and a bar
would otherwise be written into the executed notebook of a large corpus.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

__all__ = ["MIN_UNITS", "blocks", "enabled", "track"]

#: Smallest number of units (sentences, paragraphs, articles) for which a bar is shown.
MIN_UNITS = 200_000


def enabled(total: int) -> bool:
    """Whether a step over ``total`` units shows a progress bar.

    Parameters
    ----------
    total : int
        Units the step handles.

    Returns
    -------
    bool
    """
    setting = os.environ.get("ANALYSIS_PROGRESS", "").strip()
    if setting in {"0", "1"}:
        return setting == "1"
    interactive = sys.stderr.isatty() or "ipykernel" in sys.modules
    return total >= MIN_UNITS and interactive


def blocks(total: int, size: int, desc: str) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` of consecutive blocks of ``size`` units, with a bar when :func:`enabled`.

    Parameters
    ----------
    total : int
        Units to cover.
    size : int
        Units per block (at least 1).
    desc : str
        Label of the bar, e.g. ``"vader"``.

    Yields
    ------
    tuple of int
        ``(start, stop)``, ``stop - start <= size``; nothing when ``total`` is 0.

    Examples
    --------
    >>> list(blocks(5, 2, "demo"))
    [(0, 2), (2, 4), (4, 5)]
    """
    size = max(int(size), 1)
    spans = [(lo, min(lo + size, total)) for lo in range(0, total, size)]
    yield from track(spans, total, desc, size=lambda span: span[1] - span[0])


def track(items, total: int, desc: str, size=len) -> Iterator:
    """Yield ``items`` (blocks of units) unchanged, with a bar when :func:`enabled` for ``total``.

    Parameters
    ----------
    items : iterable
        Blocks, e.g. Arrow slices or ``(start, stop)`` pairs.
    total : int
        Units in all blocks together.
    desc : str
        Label of the bar.
    size : callable, default len
        Units in one block.

    Yields
    ------
    object
        Each item of ``items``.

    Examples
    --------
    >>> [len(b) for b in track([[1, 2], [3]], 3, "demo")]
    [2, 1]
    """
    if not enabled(total):
        yield from items
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, unit="unit", unit_scale=True, leave=False, file=sys.stderr) as bar:
        for item in items:
            yield item
            bar.update(size(item))
