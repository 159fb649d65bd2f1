"""Validation of the tone measures against hand codes, with article-bootstrap intervals."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from .. import stats
from ..config import N_BOOT, RANDOM_STATE, ROOT
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
        One row per measure: ``measure``, ``candidate`` (a measure of tone, not ``assertiveness``), ``n_sentences``,
        ``n_articles``, ``spearman``, ``spearman_low``, ``spearman_high``, ``sign_accuracy``,
        ``accuracy_low``, ``accuracy_high`` and ``majority_accuracy``: the sign accuracy of the
        majority-class baseline (the most frequent code sign of the sample, for every
        sentence), the floor any measure's accuracy must be read against.
    """
    rows = []
    y = joined[code].to_numpy(float)
    y_sign = np.sign(y).astype(int)
    signs, counts = np.unique(y_sign, return_counts=True)
    majority = float(counts.max() / counts.sum()) if len(counts) else np.nan
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
            "majority_accuracy": majority,
        })
    return pd.DataFrame(rows)


def compare_correlations(
    joined: pd.DataFrame,
    measures: list[str],
    *,
    reference: str = "learned",
    code: str = "tone_code",
    cluster: str = "article_id",
    n_boot: int = N_BOOT,
    random_state: int = RANDOM_STATE,
) -> pd.DataFrame:
    """Is ``reference`` more valid than each other measure? Paired article bootstrap of the gap.

    For each measure, the difference between ``reference``'s Spearman correlation with the
    codes and the measure's, with an interval from resampling articles and computing **both**
    correlations on each resample (:func:`analysis.stats.paired_bootstrap`). With fewer than
    :data:`analysis.config.MIN_CLUSTERS` articles there is no interval.

    Parameters
    ----------
    joined : pandas.DataFrame
        From :func:`align_annotations`.
    measures : list of str
        Measure columns compared with ``reference`` (``reference`` itself is skipped).
    reference : str, default "learned"
    code, cluster, n_boot, random_state
        As in :func:`validate_measures` (the same seed: the same resamples).

    Returns
    -------
    pandas.DataFrame
        One row per measure: ``reference``, ``measure``, ``n_articles``, ``spearman_reference``,
        ``spearman``, ``diff`` (reference minus measure), ``diff_low``, ``diff_high``,
        ``interval_kind``.
    """
    y = joined[code].to_numpy(float)
    groups = joined[cluster].to_numpy()
    ref = joined[reference].to_numpy(float)
    rows = []
    for m in measures:
        if m == reference:
            continue
        x = joined[m].to_numpy(float)
        res = stats.paired_bootstrap(groups, lambda i: _spearman(ref[i], y[i]),
                                     lambda i, x=x: _spearman(x[i], y[i]),
                                     n_boot=n_boot, random_state=random_state)
        rows.append({"reference": reference, "measure": m, "n_articles": res["n_clusters"],
                     "spearman_reference": res["estimate_a"], "spearman": res["estimate_b"],
                     "diff": res["diff"], "diff_low": res["diff_low"],
                     "diff_high": res["diff_high"], "interval_kind": res["interval_kind"]})
    return pd.DataFrame(rows, columns=["reference", "measure", "n_articles", "spearman_reference",
                                       "spearman", "diff", "diff_low", "diff_high",
                                       "interval_kind"])


#: The measure used as ``tone``: the learned model, fixed by out-of-sample validation on the
#: development corpus (grouped cross-validation on ``train``, ``test`` scored once), never chosen
#: by agreement with the sample at hand.
PRIMARY = "learned"

#: The committed out-of-sample validation of the tone measures (``python -m analysis.tone.devcheck validate``).
DEV_VALIDATION_FILE = ROOT / "data" / "validation" / "tone.csv"

#: Targets of the tone measure on the development corpus's ``test`` split (issue #13).
TARGETS = {
    "spearman": 0.75,            # sentence level, with the mean code
    "margin_over_vader": 0.20,   # sentence-level Spearman minus VADER's
    "article_spearman": 0.85,
    "differential_error": 0.05,  # |error(chinese_state) - error(international)|, on -1..1
}


def read_dev_validation(path: str | Path | None = None) -> pd.DataFrame | None:
    """The committed out-of-sample validation table, or None when it is absent.

    It is read, not computed: the development corpus it was computed on is not distributed
    (see :mod:`analysis.devcorpus`). Columns as :func:`analysis.tone.devcheck.validation_table`.
    """
    path = Path(path) if path is not None else DEV_VALIDATION_FILE
    if not path.is_file():
        return None
    return pd.read_csv(path)


def target_check(dev_validation: pd.DataFrame, *, measure: str = PRIMARY) -> pd.DataFrame:
    """The targets of :data:`TARGETS` against the out-of-sample figures of ``measure``.

    Parameters
    ----------
    dev_validation : pandas.DataFrame
        From :func:`read_dev_validation` (method ``"tone"`` is the learned model there).
    measure : str, default PRIMARY

    Returns
    -------
    pandas.DataFrame
        One row per target: ``target``, ``required``, ``achieved``, ``met``, ``shortfall``
        (how far from the target; 0 when met).
    """
    v = dev_validation.set_index("method")
    row = v.loc["tone" if measure == PRIMARY else measure]
    margin = row["spearman"] - v.loc["vader", "spearman"]
    rows = [
        ("sentence-level Spearman", f">= {TARGETS['spearman']:.2f}", row["spearman"],
         TARGETS["spearman"] - row["spearman"]),
        ("Spearman above VADER's", f">= +{TARGETS['margin_over_vader']:.2f}", margin,
         TARGETS["margin_over_vader"] - margin),
        ("article-level Spearman", f">= {TARGETS['article_spearman']:.2f}", row["article_spearman"],
         TARGETS["article_spearman"] - row["article_spearman"]),
        ("differential error between the groups", f"within ±{TARGETS['differential_error']:.2f}",
         row["differential_error"], abs(row["differential_error"]) - TARGETS["differential_error"]),
        ("measured contrast has the codes' sign", "yes", float(bool(row["contrast_sign_matches"])),
         0.0 if bool(row["contrast_sign_matches"]) else 1.0),
    ]
    out = pd.DataFrame(rows, columns=["target", "required", "achieved", "shortfall"])
    out["met"] = out["shortfall"] <= 0
    out["shortfall"] = out["shortfall"].clip(lower=0)
    return out[["target", "required", "achieved", "met", "shortfall"]]


def recalibrate(joined: pd.DataFrame, *, measure: str = PRIMARY, code: str = "tone_code",
                n_splits: int = 5, min_articles: int = 10,
                random_state: int = RANDOM_STATE) -> tuple[pd.DataFrame | None, pd.Series | None, str]:
    """Recalibrate ``measure`` on a researcher's own coded sample, cross-validated by article.

    A linear map ``code / 2 ≈ a + b · measure`` is fitted on the coded sentences. Its benefit is
    estimated honestly: the map is fitted on all articles but one fold and applied to the held-out
    fold (``n_splits`` folds of whole articles), and the out-of-fold agreement is compared with
    the uncalibrated measure's. The map changes the scale and offset only, so it cannot change a
    sentence-level Spearman; it can remove a mean error (bias) on the user's corpus.

    Parameters
    ----------
    joined : pandas.DataFrame
        From :func:`align_annotations`: ``article_id``, ``measure`` and ``code`` columns.
    measure : str, default PRIMARY
    code : str, default "tone_code"
    n_splits : int, default 5
    min_articles : int, default 10
        Fewer coded articles than this: no recalibration (a map fitted on a handful of articles
        would mostly describe those articles).
    random_state : int

    Returns
    -------
    summary : pandas.DataFrame or None
        ``version`` (``uncalibrated`` / ``recalibrated (CV by article)``), ``n_articles``,
        ``mean_error`` (mean of score − code / 2), ``mean_abs_error``; None when not run.
    calibrated : pandas.Series or None
        The map fitted on every coded sentence, applied to ``joined[measure]`` (clipped to
        [−1, 1]); apply ``a + b · x`` from ``calibrated.attrs`` to other sentences.
    note : str
        What was done, or why not.
    """
    from ..devcorpus import article_folds

    n_art = int(joined["article_id"].nunique()) if len(joined) else 0
    if n_art < min_articles:
        return None, None, (f"recalibrate: {n_art} coded article(s), fewer than {min_articles}; "
                            "the measure is used as fitted on the development corpus.")
    x = joined[measure].to_numpy(float)
    y = joined[code].to_numpy(float) / 2.0
    folds = article_folds(joined["article_id"].to_numpy(), n_splits=min(n_splits, n_art),
                          random_state=random_state)
    oof = np.empty_like(x)
    for f in np.unique(folds):
        fit = folds != f
        b, a = np.polyfit(x[fit], y[fit], 1)
        oof[~fit] = np.clip(a + b * x[~fit], -1, 1)
    b, a = np.polyfit(x, y, 1)
    calibrated = pd.Series(np.clip(a + b * x, -1, 1), index=joined.index, name=f"{measure}_recalibrated")
    calibrated.attrs.update({"intercept": float(a), "slope": float(b)})
    summary = pd.DataFrame([
        {"version": "uncalibrated", "n_articles": n_art, "mean_error": float(np.mean(x - y)),
         "mean_abs_error": float(np.mean(np.abs(x - y)))},
        {"version": f"recalibrated ({len(np.unique(folds))}-fold CV by article)", "n_articles": n_art,
         "mean_error": float(np.mean(oof - y)), "mean_abs_error": float(np.mean(np.abs(oof - y)))},
    ])
    return summary, calibrated, (f"recalibrate: map tone -> {a:+.3f} + {b:.3f} · tone fitted on {len(x)} "
                                 f"sentences of {n_art} articles; the out-of-fold errors above say whether "
                                 "it helps on articles it was not fitted on.")


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
    """Cross-tabulate the suite's voice (:mod:`analysis.voice`) against a coder's ``voice`` judgement.

    Parameters
    ----------
    joined : pandas.DataFrame
        From :func:`align_annotations`; needs ``voice`` and the coder's ``voice_coded``.

    Returns
    -------
    pandas.DataFrame or None
        Sentence counts, rows = the suite's ``voice``, columns = coded voice; None when
        the hand-coded sample has no ``voice`` column.
    """
    if "voice_coded" not in joined.columns:
        return None
    return pd.crosstab(joined["voice"].rename("voice (suite)"),
                       joined["voice_coded"].rename("voice coded by hand"))
