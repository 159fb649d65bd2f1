"""Validation of the tone measures against hand codes, with article-bootstrap intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import stats
from ..config import N_BOOT, RANDOM_STATE
from .score import TONE_CANDIDATES

#: |score| below this is "neutral" for the sign accuracy (VADER's customary 0.05 threshold).
NEUTRAL_BAND = 0.05


def _squash(s: pd.Series) -> pd.Series:
    """Whitespace-collapsed, typographic-quote-folded text for comparing two copies of a sentence."""
    s = s.fillna("").astype(str)
    s = s.str.replace("[\u2018\u2019]", "'", regex=True).str.replace("[\u201c\u201d]", '"', regex=True)
    return s.str.replace(r"\s+", " ", regex=True).str.strip()


def align_annotations(annotations: pd.DataFrame, table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join hand codes to scored sentences on ``article_id`` + ``sentence``, checking the text.

    Parameters
    ----------
    annotations : pandas.DataFrame
        From :func:`load_annotations`.
    table : pandas.DataFrame
        From :func:`sentence_table` (keys, ``text`` and the measures).

    Returns
    -------
    joined : pandas.DataFrame
        Sentences whose key and text both match, with ``tone_code`` (and any annotation
        columns such as ``voice`` suffixed ``_coded``).
    mismatches : pandas.DataFrame
        ``article_id``, ``sentence``, ``problem`` (``text differs``, ``not in corpus`` or
        ``not annotated``), ``corpus_text``, ``annotated_text``; empty when all agree.
    """
    ann = annotations.rename(columns={c: f"{c}_coded" for c in annotations.columns
                                      if c not in ("article_id", "sentence", "tone_code")})
    merged = table.merge(ann, on=["article_id", "sentence"], how="outer", indicator=True)
    same = _squash(merged["text"]) == _squash(merged["text_coded"])
    problem = pd.Series(pd.NA, index=merged.index, dtype="string")
    problem[merged["_merge"] == "right_only"] = "not in corpus"
    problem[merged["_merge"] == "left_only"] = "not annotated"
    problem[(merged["_merge"] == "both") & ~same] = "text differs"
    mism = merged.loc[problem.notna(), ["article_id", "sentence", "text", "text_coded"]]
    mism = mism.assign(problem=problem[problem.notna()]).rename(
        columns={"text": "corpus_text", "text_coded": "annotated_text"}
    )[["article_id", "sentence", "problem", "corpus_text", "annotated_text"]]
    joined = merged[(merged["_merge"] == "both") & same].drop(columns=["_merge", "text_coded"])
    joined = joined.astype({"tone_code": "int64"})
    return (joined.sort_values(["article_id", "sentence"]).reset_index(drop=True),
            mism.sort_values(["article_id", "sentence"]).reset_index(drop=True))


def sign_class(values: pd.Series | np.ndarray, *, band: float = NEUTRAL_BAND) -> np.ndarray:
    """-1 / 0 / +1: negative, neutral (``|value| < band``) or positive.

    Parameters
    ----------
    values : array-like
    band : float, default NEUTRAL_BAND

    Returns
    -------
    numpy.ndarray of int
    """
    v = np.asarray(values, dtype=float)
    return np.where(np.abs(v) < band, 0, np.sign(v)).astype(int)


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rho (average ranks); NaN when either side is constant."""
    from scipy.stats import rankdata

    if len(x) < 3:
        return math.nan
    rx, ry = rankdata(x), rankdata(y)
    sx, sy = rx.std(), ry.std()
    if sx == 0 or sy == 0:
        return math.nan
    return float(((rx - rx.mean()) * (ry - ry.mean())).mean() / (sx * sy))


def validate_measures(
    joined: pd.DataFrame,
    measures: list[str],
    *,
    code: str = "tone_code",
    cluster: str = "article_id",
    n_boot: int = N_BOOT,
    random_state: int = RANDOM_STATE,
    band: float = NEUTRAL_BAND,
) -> pd.DataFrame:
    """Agreement of each measure with the hand codes, with article-bootstrap intervals.

    Parameters
    ----------
    joined : pandas.DataFrame
        From :func:`align_annotations`.
    measures : list of str
        Measure columns of ``joined``.
    code : str, default "tone_code"
    cluster : str, default "article_id"
        Resampling unit of the bootstrap (articles, not sentences).
    n_boot : int, default 2000
    random_state : int, default 0
    band : float, default NEUTRAL_BAND
        Neutral band of :func:`sign_class` (hand codes of 0 are neutral).

    Returns
    -------
    pandas.DataFrame
        One row per measure: ``measure``, ``candidate`` (eligible as ``tone``), ``n_sentences``,
        ``n_articles``, ``spearman``, ``spearman_low``, ``spearman_high``, ``sign_accuracy``,
        ``accuracy_low``, ``accuracy_high``.
    """
    rows = []
    y = joined[code].to_numpy(float)
    y_sign = np.sign(y).astype(int)
    for m in measures:
        x = joined[m].to_numpy(float)
        acc = sign_class(x, band=band) == y_sign
        groups = joined[cluster].to_numpy()
        rho = stats.bootstrap_statistic(groups, lambda i, x=x: _spearman(x[i], y[i]),
                                         n_boot=n_boot, random_state=random_state)
        accuracy = stats.bootstrap_statistic(groups, lambda i, a=acc: float(a[i].mean()),
                                              n_boot=n_boot, random_state=random_state)
        rows.append({
            "measure": m, "candidate": m in TONE_CANDIDATES, "n_sentences": len(x),
            "n_articles": joined[cluster].nunique(),
            "spearman": rho[0], "spearman_low": rho[1], "spearman_high": rho[2],
            "sign_accuracy": accuracy[0], "accuracy_low": accuracy[1], "accuracy_high": accuracy[2],
        })
    return pd.DataFrame(rows)


def choose_primary(validation: pd.DataFrame | None, *, candidates: tuple[str, ...] = TONE_CANDIDATES,
                   default: str = "framing") -> str:
    """The measure used as ``tone``: the candidate with the highest Spearman correlation.

    Ties go to the earlier candidate (the simpler measure). Without a validation table (no
    hand codes) or without any finite correlation, ``default`` is returned.

    Parameters
    ----------
    validation : pandas.DataFrame or None
        From :func:`validate_measures`.
    candidates : tuple of str, default TONE_CANDIDATES
    default : str, default "framing"

    Returns
    -------
    str
    """
    if validation is None or validation.empty:
        return default
    v = validation[validation["measure"].isin(candidates)].dropna(subset=["spearman"])
    if v.empty:
        return default
    order = {c: i for i, c in enumerate(candidates)}
    v = v.assign(_order=v["measure"].map(order)).sort_values(["spearman", "_order"], ascending=[False, True])
    return str(v["measure"].iloc[0])


def disagreements(joined: pd.DataFrame, measure: str, *, code: str = "tone_code", n: int = 5) -> pd.DataFrame:
    """Sentences where a measure and the hand codes disagree most.

    The gap is ``measure - code / 2`` (the five-point code mapped onto [-1, 1]).

    Parameters
    ----------
    joined : pandas.DataFrame
    measure : str
    code : str, default "tone_code"
    n : int, default 5

    Returns
    -------
    pandas.DataFrame
        ``article_id``, ``sentence``, ``text``, ``tone_code``, the measure and ``gap``,
        largest ``|gap|`` first (ties by key).
    """
    d = joined[["article_id", "sentence", "text", code, measure]].copy()
    d["gap"] = d[measure] - d[code] / 2
    d["_abs"] = d["gap"].abs().round(9)
    d = d.sort_values(["_abs", "article_id", "sentence"], ascending=[False, True, True])
    return d.drop(columns="_abs").head(n).reset_index(drop=True)


def voice_agreement(joined: pd.DataFrame) -> pd.DataFrame | None:
    """Cross-tabulate the quote-mark voice rule against a coder's ``voice`` judgement.

    Parameters
    ----------
    joined : pandas.DataFrame
        From :func:`align_annotations`; needs ``voice`` and the coder's ``voice_coded``.

    Returns
    -------
    pandas.DataFrame or None
        Sentence counts, rows = ``voice`` by quotation marks, columns = coded voice; None when
        the hand-coded sample has no ``voice`` column.
    """
    if "voice_coded" not in joined.columns:
        return None
    return pd.crosstab(joined["voice"].rename("voice by quote marks"),
                       joined["voice_coded"].rename("voice coded by hand"))
