"""Hand-coded validation samples: one reader for the tone and the topic samples.

Both samples are CSV files in ``data/annotations/`` (columns and codebooks in
``data/annotations/README.md``): ``sentence_tone.csv`` codes sentences on a five-point tone
scale, ``paragraph_topics.csv`` gives paragraphs a topic label. :func:`read_annotations`
reads either, checks it the same way and names the file and row of the first problem.

Examples
--------
>>> from analysis.config import ANNOTATIONS_DIR
>>> coded = read_annotations(ANNOTATIONS_DIR, level="sentence")
>>> list(coded.columns[:4])
['article_id', 'sentence', 'text', 'tone_code']
>>> read_annotations("", level="paragraph") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ._checks import check_one_of

__all__ = ["SAMPLES", "Sample", "read_annotations"]


@dataclass(frozen=True)
class Sample:
    """What a hand-coded sample holds.

    Attributes
    ----------
    file : str
        File name in an annotations folder.
    unit : str
        Index column of the coded unit within its article (``sentence`` or ``paragraph``).
    code : str
        The coded column; rows where it is empty were not coded and are dropped.
    codes : tuple or None
        The allowed integer codes (None: any non-empty text).
    other_columns : bool
        Whether columns beyond ``article_id, unit, text, code`` are kept.
    """

    file: str
    unit: str
    code: str
    codes: tuple[int, ...] | None
    other_columns: bool

    @property
    def columns(self) -> list[str]:
        """The columns every sample of this kind must have."""
        return ["article_id", self.unit, "text", self.code]


#: The two samples, by the level of their units.
SAMPLES = {
    "sentence": Sample("sentence_tone.csv", "sentence", "tone_code", (-2, -1, 0, 1, 2), True),
    "paragraph": Sample("paragraph_topics.csv", "paragraph", "topic_label", None, False),
}


def _first_row(mask: pd.Series) -> int:
    """File row (1-based, header = row 1) of the first True row of ``mask``."""
    return int(mask.index[mask][0]) + 2


def read_annotations(path: str | Path | None, *, level: str) -> pd.DataFrame | None:
    """Read a hand-coded sample, or None when none is given.

    Parameters
    ----------
    path : str, pathlib.Path or None
        The CSV file, or a folder holding the level's file (``sentence_tone.csv`` or
        ``paragraph_topics.csv``). ``""``, None or a missing file gives None.
    level : {"sentence", "paragraph"}
        ``"sentence"``: tone codes (``article_id, sentence, text, tone_code``; codes -2..2;
        other columns such as ``voice`` are kept). ``"paragraph"``: topic labels
        (``article_id, paragraph, text, topic_label``; only these four columns are kept).

    Returns
    -------
    pandas.DataFrame or None
        Coded rows only (an empty code means "not coded"), sorted by article and unit; the
        unit index (and ``tone_code``) as int, every other column as text.

    Raises
    ------
    ValueError
        Naming the file and the first bad row (1-based, header = row 1): a missing column, a
        unit index that is not an integer, a code outside the scale, or a unit coded twice.
    """
    check_one_of("level", level, SAMPLES, func="read_annotations")
    sample = SAMPLES[level]
    if not path:
        return None
    path = Path(path)
    if path.is_dir():
        path = path / sample.file
    if not path.is_file():
        return None
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in sample.columns if c not in df.columns]
    if missing:
        raise ValueError(f"read_annotations: {path.name} is missing column(s) {missing}; "
                         f"a {level} sample needs at least {sample.columns}")
    df = df[df[sample.code].str.strip() != ""]
    unit = pd.to_numeric(df[sample.unit], errors="coerce")
    bad = unit.isna() | (unit % 1 != 0)
    if bad.any():
        raise ValueError(f"read_annotations: {path.name}, row {_first_row(bad)}: the {sample.unit} "
                         f"index is not an integer; use the 0-based {sample.unit} index of the "
                         "corpus")
    df = df.assign(**{sample.unit: unit.astype("int64")})
    if sample.codes is not None:
        code = pd.to_numeric(df[sample.code], errors="coerce")
        bad = ~code.isin(sample.codes)
        if bad.any():
            raise ValueError(f"read_annotations: {path.name}, row {_first_row(bad)}: {sample.code} "
                             f"must be an integer from {min(sample.codes)} to {max(sample.codes)}")
        df[sample.code] = code.astype("int64")
    keys = ["article_id", sample.unit]
    dup = df.duplicated(keys, keep=False)
    if dup.any():
        raise ValueError(f"read_annotations: {path.name}, row {_first_row(dup)}: ({', '.join(keys)}) "
                         "appears more than once; code each unit once")
    out = df if sample.other_columns else df[sample.columns]
    return out.sort_values(keys, kind="stable").reset_index(drop=True)
