"""Configuration shared by every stage: data paths, outlet groups, resampling defaults.

One home for what the stages used to compute or spell out each on its own: where the
bundled data files are (computed once, from this file's location, never from the working
directory), the two outlet groups the suite compares, and the default number of bootstrap
replicates and random seed of the article-level statistics.

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
    "STOPWORDS_FILE",
]

# ----------------------------------------------------------------------------- paths
#: The ``analysis`` package folder.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The project root (the repository checkout).
ROOT = PACKAGE_DIR.parent
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
