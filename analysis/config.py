"""Configuration shared by every stage: data paths, outlet groups, resampling defaults.

One home for what the stages used to compute or spell out each on its own: where the
bundled data files are (computed once, from this file's location, never from the working
directory), the two outlet groups the suite compares, and the default number of bootstrap
replicates and random seed of the article-level statistics.

Two kinds of data files:

- the package's own (lexicons, gazetteer, word lists, events: ``DATA_DIR``, inside the
  package) ship in the wheel and are found wherever the package is installed;
- the repository's (the bundled corpus ``RAW_DIR``, the hand-coded samples
  ``ANNOTATIONS_DIR``, the notebooks ``NOTEBOOK_DIR``) live in the checkout, under ``ROOT``.
  Installed editable (``make setup``) or used from the checkout, ``ROOT`` is the checkout.
  Installed from a wheel, the package sits in ``site-packages`` and has no checkout: set the
  environment variable ``ANALYSIS_ROOT`` to a checkout (read at import), or pass paths
  explicitly (``load_corpus("path/to/corpus")``); :func:`require` stops with a message saying
  so where one of these folders is needed and missing.

Examples
--------
>>> (RAW_DIR / "manifest.csv").is_file()
True
>>> OUTLET_GROUPS
('international', 'chinese_state')
>>> N_BOOT, RANDOM_STATE
(2000, 0)
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "ANNOTATIONS_DIR",
    "ASSERTIVENESS_LEXICON",
    "CHINESE_STATE",
    "COMPOUNDS_FILE",
    "DATA_DIR",
    "EVENTS_FILE",
    "FRAMING_LEXICON",
    "GAZETTEER_FILE",
    "INTERNATIONAL",
    "MIN_CLUSTERS",
    "NOTEBOOK_DIR",
    "N_BOOT",
    "OUTLET_GROUPS",
    "OUTLET_GROUPS_FILE",
    "PACKAGE_DIR",
    "RANDOM_STATE",
    "RAW_DIR",
    "ROOT",
    "ROOT_ENV",
    "STOPWORDS_FILE",
    "in_checkout",
    "require",
]

# ----------------------------------------------------------------------------- paths
#: The ``analysis`` package folder.
PACKAGE_DIR = Path(__file__).resolve().parent
#: Environment variable that overrides :data:`ROOT` (e.g. for a wheel install).
ROOT_ENV = "ANALYSIS_ROOT"
#: The project root (the repository checkout): ``$ANALYSIS_ROOT`` if set, else the folder
#: holding the package (the checkout, for an editable install).
ROOT = Path(os.environ[ROOT_ENV]).expanduser().resolve() if os.environ.get(ROOT_ENV) else PACKAGE_DIR.parent
#: Data files that ship with the package (lexicons, gazetteer, word lists, events).
DATA_DIR = PACKAGE_DIR / "data"
#: The bundled corpus (immutable).
RAW_DIR = ROOT / "data" / "raw"
#: The hand-coded validation samples.
ANNOTATIONS_DIR = ROOT / "data" / "annotations"
#: The numbered notebooks.
NOTEBOOK_DIR = ROOT / "notebooks"

STOPWORDS_FILE = DATA_DIR / "stopwords.txt"
COMPOUNDS_FILE = DATA_DIR / "compounds.txt"
GAZETTEER_FILE = DATA_DIR / "gazetteer.csv"
EVENTS_FILE = DATA_DIR / "events.csv"
OUTLET_GROUPS_FILE = DATA_DIR / "outlet_groups.csv"
FRAMING_LEXICON = DATA_DIR / "framing_lexicon.csv"
ASSERTIVENESS_LEXICON = DATA_DIR / "assertiveness_lexicon.csv"



def in_checkout(root: Path | None = None) -> bool:
    """Whether ``root`` (default :data:`ROOT`) is a checkout of the suite.

    Parameters
    ----------
    root : pathlib.Path, optional
        Folder to check (default :data:`ROOT`).

    Returns
    -------
    bool
        True if it holds ``pyproject.toml`` and ``notebooks/``; False for ``site-packages``.

    Examples
    --------
    >>> in_checkout()
    True
    """
    root = ROOT if root is None else Path(root)
    return (root / "pyproject.toml").is_file() and (root / "notebooks").is_dir()


def require(path: Path, what: str, *, caller: str = "config") -> Path:
    """Return ``path`` if it exists; else stop with a message naming the fix.

    Parameters
    ----------
    path : pathlib.Path
        A repository folder or file (:data:`RAW_DIR`, :data:`ANNOTATIONS_DIR`,
        :data:`NOTEBOOK_DIR`, ...).
    what : str
        What it is, for the message (e.g. ``"the bundled corpus"``).
    caller : str, default "config"
        Name of the function that needs it, for the message.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist; the message says whether the package runs outside a
        checkout and how to point it at one.

    Examples
    --------
    >>> require(RAW_DIR, "the bundled corpus") == RAW_DIR
    True
    """
    path = Path(path)
    if path.exists():
        return path
    if in_checkout():
        hint = "restore it from the repository (git checkout -- <path>)"
    else:
        hint = (f"the analysis package is installed without the repository checkout (ROOT is "
                f"{str(ROOT)!r}); set {ROOT_ENV}=/path/to/checkout, or pass the path explicitly")
    raise FileNotFoundError(f"{caller}: {what} is not at {str(path)!r}; {hint}.")


# ----------------------------------------------------------------------------- outlet groups
#: An international wire service or newspaper (AP in the bundled corpus).
INTERNATIONAL = "international"
#: Chinese state media (China Daily, CGTN in the bundled corpus).
CHINESE_STATE = "chinese_state"
#: The outlet groups the suite compares; any other ``outlet_group`` becomes ``"unknown"``.
OUTLET_GROUPS = (INTERNATIONAL, CHINESE_STATE)

# ----------------------------------------------------------------------------- resampling
#: Default bootstrap replicates of the article-level statistics.
N_BOOT = 2000
#: Default seed of everything random.
RANDOM_STATE = 0
#: Fewest independent articles per group for a bootstrap interval called 95 %; below it the
#: article-level functions of :mod:`analysis.stats` show the range of the articles instead.
MIN_CLUSTERS = 5
