"""The development corpus: real coverage coded twice, for fitting and validating measures.

The development corpus is *not* part of this repository. It holds third-party news excerpts
that must never be copied in (no text, sentence or headline in code, tests, data, notebooks or
docs); only ids, outlets, dates, codes keyed by id, fitted parameters and measured figures may
be committed. It lives beside the project root by default (``../shared/dev-corpus``), and every
function here takes its path as a parameter. A public user does not have it: the suite runs
without it (models are committed as data files), and the commands that refit or validate
models stop with :class:`DevCorpusMissing`, which says so plainly.

Layout of the folder (its own README describes it): ``articles.jsonl`` (one excerpt per line,
with ``outlet_group``, ``event`` and ``split``), ``sentences.csv`` (two tone and voice codes per
sentence, keyed by ``article_id`` + ``sentence``) and ``paragraphs.csv`` (two topic codes per
paragraph, keyed by ``article_id`` + ``paragraph``). Units were cut by :func:`analysis.load_corpus`;
:func:`load_dev_corpus` loads the articles with the suite's current loader and joins the codes
on the key, checking that the text is the same.

The ``split`` column (``train`` / ``test``, by article) is a contract: decide everything on
``train`` (cross-validation grouped by article, :func:`article_folds`) and score ``test`` once
per reported method. The codes come from AI coders following the codebooks, not from human
experts; figures computed from them must say so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .config import ROOT

__all__ = ["DEFAULT_PATH", "DevCorpus", "DevCorpusMissing", "article_folds", "load_dev_corpus",
           "load_for_command"]

#: Where the development corpus is looked for when no path is given: ``<project>/../shared/dev-corpus``.
DEFAULT_PATH = ROOT.parent / "shared" / "dev-corpus"

#: What every figure computed from the development corpus must say about its codes.
CODER_CAVEAT = ("codes by two independent AI coders following the codebooks, not human experts "
                "(their agreement measures one kind of coder's consistency, not human reliability)")

_FILES = ("articles.jsonl", "sentences.csv", "paragraphs.csv")


class DevCorpusMissing(FileNotFoundError):
    """The development corpus is not where it was looked for (a public user does not have it)."""


@dataclass
class DevCorpus:
    """The development corpus loaded with the suite's loader, codes joined to its units.

    Attributes
    ----------
    path : pathlib.Path
        The folder it was read from.
    corpus : analysis.corpus.Corpus
        ``analysis.load_corpus(path / "articles.jsonl")``: the suite's own tables.
    articles : pandas.DataFrame
        One row per article: ``article_id``, ``outlet``, ``outlet_group``, ``host``, ``date``,
        ``event``, ``split`` (from ``articles.jsonl``; no text).
    sentences : pandas.DataFrame
        The loader's ``sentences`` table joined with the codes: ``tone_1``, ``tone_2``, ``tone``
        (their mean, −2…2), ``voice_1``, ``voice_2``, ``voice`` (agreed; empty where the coders
        disagree), ``split``, ``event``, ``outlet_group``.
    paragraphs : pandas.DataFrame
        The loader's ``paragraphs`` table joined with ``topic_1``, ``secondary_1``, ``topic_2``,
        ``secondary_2``, ``topic`` (agreed; empty where they disagree), ``split``, ``event``,
        ``outlet_group``.
    """

    path: Path
    corpus: object
    articles: pd.DataFrame
    sentences: pd.DataFrame
    paragraphs: pd.DataFrame

    def split(self, table: str, name: str) -> pd.DataFrame:
        """Rows of ``"sentences"`` or ``"paragraphs"`` in split ``name`` (``"train"`` or ``"test"``)."""
        frame = getattr(self, table)
        return frame[frame["split"] == name].reset_index(drop=True)


def _resolve(path: str | Path | None) -> Path:
    folder = Path(path) if path is not None else DEFAULT_PATH
    missing = [name for name in _FILES if not (folder / name).is_file()]
    if missing:
        raise DevCorpusMissing(
            f"load_dev_corpus: the development corpus is not at {folder} (missing "
            f"{', '.join(missing)}); it is not distributed with the suite. Pass its folder "
            "(DEV_CORPUS=... for make targets). The committed model files and validation tables "
            "are used without it.")
    return folder


def _join(units: pd.DataFrame, codes: pd.DataFrame, key: str, what: str) -> pd.DataFrame:
    codes = codes.rename(columns={"text": "_coded_text"})
    joined = units.merge(codes, on=["article_id", key], how="left", validate="one_to_one",
                         indicator=True)
    uncoded = int((joined["_merge"] != "both").sum())
    differs = int((joined["_merge"] == "both").sum()
                  - (joined["_coded_text"] == joined["text"]).sum())
    if uncoded or differs or len(codes) != len(units):
        raise ValueError(
            f"load_dev_corpus: the loader's {what} no longer match the coded ones ({len(units)} "
            f"units, {len(codes)} coded, {uncoded} without codes, {differs} with other text); "
            "segmentation changed since the codes were made: join on article_id and the "
            "normalised text instead (the corpus README says how).")
    return joined.drop(columns=["_merge", "_coded_text"])


def load_dev_corpus(path: str | Path | None = None) -> DevCorpus:
    """Load the development corpus with the suite's loader and join its two codings.

    Parameters
    ----------
    path : str or Path, optional
        The folder holding ``articles.jsonl``, ``sentences.csv`` and ``paragraphs.csv``;
        :data:`DEFAULT_PATH` when omitted.

    Raises
    ------
    DevCorpusMissing
        When the folder or one of its files is absent.
    ValueError
        When the loader's units no longer match the coded units.
    """
    import warnings

    from .corpus import CorpusWarning, load_corpus

    folder = _resolve(path)
    with warnings.catch_warnings():
        # Scraped excerpts carry dates and metadata the loader warns about; the codes are what matters here.
        warnings.simplefilter("ignore", CorpusWarning)
        corpus = load_corpus(folder / "articles.jsonl")
    with open(folder / "articles.jsonl", encoding="utf-8") as fh:
        meta = pd.DataFrame([json.loads(line) for line in fh if line.strip()])
    articles = meta.rename(columns={"id": "article_id"})[
        ["article_id", "outlet", "outlet_group", "host", "date", "event", "split"]]
    per_article = articles[["article_id", "event", "split", "outlet_group"]]
    read = {"keep_default_na": False, "dtype": {"article_id": str}}
    sent_codes = pd.read_csv(folder / "sentences.csv", **read).drop(
        columns=["paragraph", "outlet_group", "split"])
    para_codes = pd.read_csv(folder / "paragraphs.csv", **read).drop(
        columns=["outlet_group", "split"])
    for col in ("tone_1", "tone_2", "tone"):
        sent_codes[col] = pd.to_numeric(sent_codes[col])
    # the loader's measured voice columns give way to the coded ones
    measured = ["outlet_group", "voice", "voice_speaker"]
    sentences = _join(corpus.sentences.drop(columns=measured, errors="ignore"),
                      sent_codes, "sentence", "sentences").merge(per_article, on="article_id")
    paragraphs = _join(corpus.paragraphs.drop(columns=["outlet_group"], errors="ignore"),
                       para_codes, "paragraph", "paragraphs").merge(per_article, on="article_id")
    return DevCorpus(folder, corpus, articles, sentences, paragraphs)


def article_folds(article_ids, *, n_splits: int = 5, random_state: int = 0) -> np.ndarray:
    """Fold number (0 … n_splits−1) per row, whole articles per fold (for grouped cross-validation).

    Articles are shuffled with ``random_state`` and dealt to folds in turn, so every row of an
    article lands in the same fold. Use it on ``train`` rows only.
    """
    ids = pd.Series(np.asarray(article_ids))
    unique = ids.drop_duplicates().to_numpy()
    order = np.random.default_rng(random_state).permutation(len(unique))
    fold_of = pd.Series(np.arange(len(unique)) % n_splits, index=unique[order])
    return fold_of.reindex(ids).to_numpy()


def load_for_command(path: str | Path | None = None) -> DevCorpus | None:
    """:func:`load_dev_corpus` for a command-line entry point: None (message on stderr) when absent.

    The refit and validation commands (``analysis.tone.devcheck``, ``analysis.voice_validation``)
    then exit with status 2 instead of a traceback.
    """
    import sys

    try:
        return load_dev_corpus(path)
    except DevCorpusMissing as exc:
        print(exc, file=sys.stderr)
        return None
