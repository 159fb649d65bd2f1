"""Fit and validate the tone model on the development corpus (run by hand; results committed).

Like ``make bench``, this needs something a public user does not have: the development corpus
(``../shared/dev-corpus``, third-party texts that never enter the repository; see
:mod:`analysis.devcorpus`). Its outputs are committed so the notebooks and README can read them
anywhere:

``python -m analysis.tone.devcheck fit [--dev-corpus PATH]``
    Fits :class:`~analysis.tone.model.ToneModel` on the ``train`` sentences and writes
    ``analysis/data/models/tone.json`` (``make models``). Deterministic: a test refits it and
    compares with the committed file when the corpus is present.
``python -m analysis.tone.devcheck cv [--dev-corpus PATH]``
    The decision record: five-fold cross-validation grouped by article on ``train`` for every
    candidate, written to ``data/validation/tone_cv.csv``.
``python -m analysis.tone.devcheck validate [--dev-corpus PATH]``
    Scores the locked ``test`` split once per reported method and writes
    ``data/validation/tone.csv`` (``make validate``).

The codes are the mean of two AI coders' codes (not human experts); every table says so in
``data/validation/README.md``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from .. import stats, tokens
from ..config import CHINESE_STATE, INTERNATIONAL, ROOT
from ..devcorpus import article_folds, load_for_command
from . import model as tone_model
from .score import score_sentences
from .validate import NEUTRAL_BAND, sign_class

__all__ = ["VALIDATION_DIR", "cross_validate", "dev_scores", "main", "validation_table"]

#: Where the committed validation tables live.
VALIDATION_DIR = ROOT / "data" / "validation"
#: Methods reported, in order: the learned model and the baselines.
METHODS = ("tone", "words", "framing", "vader", "framing_vader", "majority")
_KEYS = ["article_id", "paragraph", "sentence"]


def dev_scores(dev, *, model: tone_model.ToneModel | None = None):
    """Every development sentence with its codes and the baseline measures (and ``tone`` if ``model``).

    Returns
    -------
    table : pandas.DataFrame
        Sorted like ``tok``: keys, ``split``, ``event``, ``outlet_group``, ``y`` (mean code / 2), ``framing``,
        ``vader``, ``framing_vader`` and, with a model, ``words``, ``target``, ``tone``.
    tok : analysis.tokens.Tokens
        Sentence-level tokens of the whole development corpus.
    """
    tok = tokens.Tokens.from_corpus(dev.corpus)
    scores = score_sentences(dev.corpus, tok=tok, measures=("vader", "framing"))
    codes = dev.sentences[[*_KEYS, "tone", "split", "event", "outlet_group"]].rename(
        columns={"tone": "code"})
    table = scores.drop(columns=["outlet_group"], errors="ignore").merge(
        codes, on=_KEYS, how="left", validate="one_to_one")
    table["y"] = table.pop("code") / 2.0
    if model is not None:
        table = pd.concat([table, model.predict(tok, vader=table["vader"].to_numpy())], axis=1)
    return table, tok


def _fit(tok, table: pd.DataFrame, rows: np.ndarray, *, meta=None) -> tone_model.ToneModel:
    sub = tok.subset(rows)
    part = table.iloc[rows]
    return tone_model.fit_tone_model(
        sub, part["y"].to_numpy(), vader=part["vader"].to_numpy(),
        article_ids=part["article_id"].to_numpy(), meta=meta)


def fit(dev) -> tone_model.ToneModel:
    """The tone model fitted on every ``train`` sentence of the development corpus."""
    table, tok = dev_scores(dev)
    rows = np.flatnonzero(table["split"].to_numpy() == "train")
    meta = {"fitted_on": "development corpus, split 'train'",
            "codes": "mean of two AI coders' codes / 2 (not human experts)",
            "sha256": {name: tone_model.file_digest(Path(dev.path) / name)
                       for name in ("articles.jsonl", "sentences.csv")}}
    return _fit(tok, table, rows, meta=meta)


def _article_means(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    return frame.groupby("article_id", sort=True).agg(v=(value, "mean"), y=("y", "mean"),
                                                      group=("outlet_group", "first"))


def _contrast(arts: pd.DataFrame, column: str) -> float:
    means = arts.groupby("group")[column].mean()
    return float(means.get(CHINESE_STATE, np.nan) - means.get(INTERNATIONAL, np.nan))


def validation_table(table: pd.DataFrame, *, methods=METHODS, majority_sign: int = 0,
                     reference: str = "tone", n_boot: int = 2000,
                     random_state: int = 0) -> pd.DataFrame:
    """Agreement of each method with the codes on the rows of ``table``.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`dev_scores` (one split's rows).
    methods : tuple of str
        Score columns; ``"majority"`` is the majority-class baseline (``majority_sign`` for
        every sentence, i.e. 0 when neutral is the most frequent class in ``train``).
    majority_sign : int, default 0
    reference : str, default "tone"
        The method the others' Spearman is compared with (``spearman_diff``).
    n_boot, random_state
        Article bootstrap of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per method: ``n_sentences``, ``n_articles``, ``spearman`` (sentence level, with
        ``spearman_low``/``_high``), ``sign_accuracy``, ``majority_accuracy`` (the baseline's,
        beside it), ``article_spearman`` (article means), ``error_chinese_state`` and
        ``error_international`` (mean of article means of score − code / 2), ``differential_error``
        (their difference, with ``_low``/``_high``), ``contrast_measured`` and ``contrast_coded``
        (chinese_state − international, article means), ``contrast_sign_matches``, and
        ``spearman_diff`` with ``spearman_diff_low``/``_high``: ``reference``'s sentence-level
        Spearman minus this method's, interval from a paired article bootstrap (both
        correlations on the same resample, :func:`analysis.stats.paired_bootstrap`); NaN for
        ``reference`` itself and ``majority``.
    """
    y = table["y"].to_numpy(float)
    groups = table["article_id"].to_numpy()
    majority_acc = float((sign_class(y * 2, band=NEUTRAL_BAND) == majority_sign).mean())
    rows = []
    for m in methods:
        x = np.full(len(table), float(majority_sign)) if m == "majority" else table[m].to_numpy(float)
        frame = table.assign(_v=x)
        arts = _article_means(frame, "_v")
        arts["err"] = arts["v"] - arts["y"]
        art_index = {a: i for i, a in enumerate(arts.index)}
        art_of_row = np.array([art_index[a] for a in groups])
        is_cs = (arts["group"] == CHINESE_STATE).to_numpy()
        is_int = (arts["group"] == INTERNATIONAL).to_numpy()
        err = arts["err"].to_numpy()

        def differential(i, err=err, is_cs=is_cs, is_int=is_int, art_of_row=art_of_row):
            arts_i = np.unique(art_of_row[i])
            cs, it = arts_i[is_cs[arts_i]], arts_i[is_int[arts_i]]
            return float(err[cs].mean() - err[it].mean()) if len(cs) and len(it) else np.nan

        rho = (stats.bootstrap_statistic(groups, lambda i, x=x: _spearman(x[i], y[i]), n_boot=n_boot, random_state=random_state)
               if m != "majority" else (np.nan, np.nan, np.nan))
        diff = stats.bootstrap_statistic(groups, differential, n_boot=n_boot, random_state=random_state)
        acc = float((sign_class(x, band=NEUTRAL_BAND) == sign_class(y * 2, band=NEUTRAL_BAND)).mean())
        measured, coded = _contrast(arts, "v"), _contrast(arts, "y")
        gap = {"diff": np.nan, "diff_low": np.nan, "diff_high": np.nan}
        if m not in ("majority", reference) and reference in table.columns:
            ref = table[reference].to_numpy(float)
            gap = stats.paired_bootstrap(groups, lambda i, r=ref: _spearman(r[i], y[i]),
                                         lambda i, x=x: _spearman(x[i], y[i]),
                                         n_boot=n_boot, random_state=random_state)
        rows.append({
            "method": m, "n_sentences": len(table), "n_articles": int(len(arts)),
            "spearman": rho[0], "spearman_low": rho[1], "spearman_high": rho[2],
            "sign_accuracy": acc, "majority_accuracy": majority_acc,
            "article_spearman": _spearman(arts["v"].to_numpy(), arts["y"].to_numpy()) if m != "majority" else np.nan,
            "error_chinese_state": float(err[is_cs].mean()), "error_international": float(err[is_int].mean()),
            "differential_error": diff[0], "differential_low": diff[1], "differential_high": diff[2],
            "contrast_measured": measured, "contrast_coded": coded,
            "contrast_sign_matches": bool(np.sign(measured) == np.sign(coded)),
            "spearman_diff": gap["diff"], "spearman_diff_low": gap["diff_low"],
            "spearman_diff_high": gap["diff_high"],
        })
    return pd.DataFrame(rows)


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    from .validate import _spearman as spearman

    return spearman(np.asarray(x, float), np.asarray(y, float))


def cross_validate(dev, *, n_splits: int = 5, random_state: int = 0) -> pd.DataFrame:
    """Grouped cross-validation on ``train`` (the decision record): out-of-fold scores per method.

    Returns the :func:`validation_table` of the out-of-fold predictions, with ``split`` =
    ``"train (5-fold CV by article)"``.
    """
    table, tok = dev_scores(dev)
    train = np.flatnonzero(table["split"].to_numpy() == "train")
    folds = article_folds(table["article_id"].to_numpy()[train], n_splits=n_splits,
                          random_state=random_state)
    oof = table.iloc[train].reset_index(drop=True)
    oof["tone"], oof["words"] = np.nan, np.nan
    for f in range(n_splits):
        fit_rows, held = train[folds != f], train[folds == f]
        model = _fit(tok, table, fit_rows)
        pred = model.predict(tok.subset(held), vader=table["vader"].to_numpy()[held])
        oof.loc[folds == f, "tone"] = pred["tone"].to_numpy()
        oof.loc[folds == f, "words"] = pred["words"].to_numpy()
    out = validation_table(oof)
    out.insert(1, "split", f"train ({n_splits}-fold CV by article)")
    return out


def validate(dev, *, model: tone_model.ToneModel | None = None) -> pd.DataFrame:
    """Score the locked ``test`` split once per method with the committed model."""
    model = model if model is not None else tone_model.load_tone_model()
    table, _ = dev_scores(dev, model=model)
    train_signs = sign_class(table.loc[table["split"] == "train", "y"].to_numpy() * 2, band=NEUTRAL_BAND)
    values, counts = np.unique(train_signs, return_counts=True)
    out = validation_table(table[table["split"] == "test"].reset_index(drop=True),
                           majority_sign=int(values[np.argmax(counts)]))
    out.insert(1, "split", "test")
    return out


def _write(frame: pd.DataFrame, name: str) -> Path:
    VALIDATION_DIR.mkdir(parents=True, exist_ok=True)
    path = VALIDATION_DIR / name
    frame.to_csv(path, index=False, float_format="%.4f", lineterminator="\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.tone.devcheck", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("fit", "cv", "validate"))
    parser.add_argument("--dev-corpus", default=None, help="folder of the development corpus")
    parser.add_argument("--out", default=None, help="model file to write (fit only)")
    args = parser.parse_args(argv)
    dev = load_for_command(args.dev_corpus)
    if dev is None:
        return 2
    if args.command == "fit":
        path = fit(dev).save(args.out or tone_model.MODEL_FILE)
        print(f"wrote {path}")
    elif args.command == "cv":
        print(f"wrote {_write(cross_validate(dev), 'tone_cv.csv')}")
    else:
        print(f"wrote {_write(validate(dev), 'tone.csv')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
