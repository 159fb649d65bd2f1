"""Where notebooks write their outputs, and how, so reruns are byte-stable."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class OutputPaths:
    """Folders a notebook writes to, under one ``output_dir``.

    Attributes
    ----------
    root : pathlib.Path
        The ``output_dir`` parameter of the notebooks.
    figures : pathlib.Path
        ``root / "figures"``.
    processed : pathlib.Path
        ``root / "data" / "processed"``.
    """

    root: Path
    figures: Path
    processed: Path


def output_paths(output_dir: str | Path) -> OutputPaths:
    """Create (if needed) and return the output folders under ``output_dir``.

    Parameters
    ----------
    output_dir : str or pathlib.Path
        The notebooks' ``output_dir`` parameter: ``".."`` (the project root,
        seen from ``notebooks/``) for the bundled corpus, or the ``OUT`` of a
        run on another corpus.

    Returns
    -------
    OutputPaths
    """
    root = Path(output_dir)
    paths = OutputPaths(root, root / "figures", root / "data" / "processed")
    paths.figures.mkdir(parents=True, exist_ok=True)
    paths.processed.mkdir(parents=True, exist_ok=True)
    return paths


def write_table(df: pd.DataFrame, path: str | Path, *, float_decimals: int = 6) -> Path:
    """Write a table as CSV deterministically (fixed float format, ``\\n`` line ends, no index).

    Parameters
    ----------
    df : pandas.DataFrame
        The table. Its row order is kept: sort it before writing.
    path : str or pathlib.Path
        Destination ``.csv`` file.
    float_decimals : int, default 6
        Decimals written for float columns.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False, float_format=f"%.{float_decimals}f", lineterminator="\n", date_format="%Y-%m-%d")
    return path
