"""Sentence scores: VADER and the dictionaries over a corpus, voice, the sentence table."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from .. import tokens
from .._checks import check_all_of
from . import vader
from .lexicon import Lexicon, assertiveness_lexicon, framing_lexicon
from .match import lexicon_counts, lexicon_score, token_stream
from .model import load_tone_model

_KEYS = ["article_id", "paragraph", "sentence"]

#: From this many sentences on, VADER and the dictionaries are scored in two threads, and
#: :func:`analysis.tone.compare.group_estimates` bootstraps two voices at a time.
_THREADED_MIN = 50_000

#: Share of a sentence's characters inside direct quotes from which it is "quoted" speech.
QUOTED_THRESHOLD = 0.5

#: The measures :func:`score_sentences` computes (``learned`` is the tone model of
#: :mod:`analysis.tone.model`; it needs ``vader`` and ``framing``, which are then computed too).
MEASURES = ("vader", "framing", "assertiveness", "learned")
#: What :func:`score_sentences` computes by default: the learned tone and its baselines.
DEFAULT_MEASURES = ("vader", "framing", "assertiveness", "learned")

#: Measures of tone (``assertiveness`` is another dimension); ``learned`` is used as ``tone``.
TONE_CANDIDATES = ("learned", "framing", "vader", "framing_vader")


def vader_compound(texts: pd.Series) -> pd.Series:
    """VADER's compound score of each text (vaderSentiment's numbers, computed in blocks).

    Delegates to :func:`analysis.tone.vader.compound`, which applies VADER's rules to whole blocks of
    sentences and sends the rare sentences it does not vectorize to vaderSentiment itself; the
    tests check that every score equals ``SentimentIntensityAnalyzer.polarity_scores``.

    Parameters
    ----------
    texts : pandas.Series of str
        Raw sentence texts (VADER uses case and punctuation).

    Returns
    -------
    pandas.Series of float
        Same index.
    """
    return vader.compound(texts)


def score_sentences(
    data,
    *,
    measures: tuple[str, ...] = DEFAULT_MEASURES,
    texts: pd.Series | None = None,
    lexicons: dict[str, Lexicon] | None = None,
    tok: tokens.Tokens | None = None,
) -> pd.DataFrame:
    """Score every unit (sentence) with the requested measures.

    Parameters
    ----------
    data : analysis.corpus.Corpus, analysis.tokens.Tokens or pandas.DataFrame
        A corpus (its sentences are tokenized once), an already tokenized corpus, or a table
        of sentences with ``text`` and key columns.
    measures : tuple of str, default ("vader", "framing", "assertiveness", "learned")
        Any of :data:`MEASURES`. ``"learned"`` (the tone model, :mod:`analysis.tone.model`)
        also computes ``"vader"``, its input.
    texts : pandas.Series, optional
        Raw texts aligned with the rows of a ``Tokens`` (needed only for ``"vader"``).
    lexicons : dict, optional
        ``{"framing": Lexicon, "assertiveness": Lexicon}`` to override the bundled ones.
    tok : analysis.tokens.Tokens, optional
        With a Corpus: its sentence-level ``Tokens`` if already built (not tokenized again).

    Returns
    -------
    pandas.DataFrame
        The unit keys and ``n_tokens`` (from ``Tokens.docs``), one column per measure, and
        ``framing_terms`` / ``assertiveness_terms`` (number of scored dictionary matches);
        plus ``framing_vader`` (the mean of the two) when both are computed; with
        ``"learned"``: ``learned`` (the tone model's score on −1…1), ``learned_words`` (its
        words stage) and ``target`` (``relationship`` / ``one_side`` / ``none``).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"article_id": ["a", "a"], "paragraph": [0, 0], "sentence": [0, 1],
    ...                       "text": ["Both sides pledged mutual cooperation.",
    ...                                "Tensions rose, and the talks failed."]})
    >>> score_sentences(frame, measures=("vader", "framing", "assertiveness"))[["sentence", "vader", "framing", "assertiveness"]].round(2)
       sentence  vader  framing  assertiveness
    0         0   0.00      0.5            0.5
    1         1  -0.72     -0.2            0.0
    """
    check_all_of("measures", measures, MEASURES, func="score_sentences")
    if "learned" in measures:
        measures = tuple(dict.fromkeys(("vader", *measures)))
    if isinstance(data, tokens.Tokens):
        tok = data
        if "vader" in measures and texts is None:
            raise ValueError("score_sentences: VADER needs the raw texts; pass texts= aligned with the Tokens")
    elif isinstance(data, pd.DataFrame):
        frame = data.sort_values([k for k in _KEYS if k in data.columns], kind="stable").reset_index(drop=True)
        tok = tokens.tokens_from_frame(frame)
        texts = frame["text"]
    else:  # a Corpus
        tok = tok if tok is not None else tokens.Tokens.from_corpus(data)
        texts = data.sentences.sort_values(_KEYS, kind="stable")["text"].reset_index(drop=True)
    lex = {"framing": framing_lexicon(), "assertiveness": assertiveness_lexicon(), **(lexicons or {})}
    out = tok.docs.copy()
    dictionaries = [m for m in measures if m not in ("vader", "learned")]

    def dictionary_scores() -> dict[str, np.ndarray]:
        stream = token_stream(tok.joined, set().union(*(lex[m].words for m in dictionaries)))
        cols = {}
        for m in dictionaries:
            res = lexicon_score(lexicon_counts(tok, lex[m], stream=stream), lex[m])
            cols[m], cols[f"{m}_terms"] = res["score"].to_numpy(), res["n_terms"].to_numpy()
        return cols

    # VADER and the dictionaries are independent and spend their time in Arrow and numpy
    # kernels, which release the GIL: on large corpora they run side by side on two cores.
    cols: dict[str, np.ndarray] = {}
    with ThreadPoolExecutor(max_workers=2 if len(tok.joined) >= _THREADED_MIN else 1) as pool:
        pending = pool.submit(dictionary_scores) if dictionaries else None
        if "vader" in measures:
            cols["vader"] = vader_compound(pd.Series(texts).reset_index(drop=True)).to_numpy()
        if pending is not None:
            cols.update(pending.result())
    for m in measures:
        if m == "learned":
            continue
        out[m] = cols[m]
        if m != "vader":
            out[f"{m}_terms"] = cols[f"{m}_terms"]
    if {"vader", "framing"} <= set(measures):
        out["framing_vader"] = (out["framing"] + out["vader"]) / 2
    if "learned" in measures:
        pred = load_tone_model().predict(tok, vader=out["vader"].to_numpy())
        out["learned"], out["learned_words"], out["target"] = (
            pred["tone"].to_numpy(), pred["words"].to_numpy(), pred["target"].to_numpy())
    return out


def voice_of(quote_share: pd.Series, *, threshold: float = QUOTED_THRESHOLD) -> pd.Series:
    """``"quoted"`` when at least ``threshold`` of a sentence's characters are inside quotes, else ``"own"``.

    Parameters
    ----------
    quote_share : pandas.Series of float
    threshold : float, default QUOTED_THRESHOLD

    Returns
    -------
    pandas.Series of str
    """
    return pd.Series(np.where(quote_share.fillna(0).to_numpy() >= threshold, "quoted", "own"),
                     index=quote_share.index, dtype="str")


def sentence_table(corpus, scores: pd.DataFrame, *, tone: str | None = None) -> pd.DataFrame:
    """Sentences with their scores, quote share, voice and article metadata.

    Parameters
    ----------
    corpus : analysis.corpus.Corpus
    scores : pandas.DataFrame
        Output of :func:`score_sentences` on that corpus.
    tone : str, optional
        Measure copied into a ``tone`` column (the primary score).

    Returns
    -------
    pandas.DataFrame
        One row per sentence, sorted by article, paragraph, sentence: keys, ``text``,
        ``quote_share``, ``speaker``, ``voice`` (own / reported / quoted / mixed, from
        :func:`analysis.voice.sentence_voice` at load time), ``voice_speaker``, ``outlet``, ``outlet_group``, ``genre``, the
        measure columns and ``tone``.
    """
    extra = [c for c in ("voice", "voice_speaker") if c in corpus.sentences.columns]
    sent = corpus.sentences[[*_KEYS, "text", "quote_share", "speaker", *extra]]
    meta = corpus.articles[["article_id", "outlet", "outlet_group", "genre"]]
    score_cols = [c for c in scores.columns if c not in (*_KEYS, "outlet", "outlet_group")]
    table = sent.merge(scores[[*_KEYS, *score_cols]], on=_KEYS, how="left", validate="one_to_one")
    table = table.merge(meta, on="article_id", how="left", validate="many_to_one")
    if "voice" not in table.columns:  # a corpus built without analysis.voice: quote marks only
        table["voice"] = voice_of(table["quote_share"])
    if tone is not None:
        table["tone"] = table[tone]
    return table.sort_values(_KEYS, kind="stable").reset_index(drop=True)


def coverage(scores: pd.DataFrame) -> pd.DataFrame:
    """How often each measure says anything, and its distribution.

    Parameters
    ----------
    scores : pandas.DataFrame
        From :func:`score_sentences`.

    Returns
    -------
    pandas.DataFrame
        One row per measure: ``measure``, ``n_sentences``, ``share_nonzero`` (share of
        sentences with a non-zero score), ``mean``, ``sd``, ``min``, ``max``.
    """
    rows = []
    for m in [c for c in (*MEASURES, "framing_vader") if c in scores]:
        v = scores[m]
        rows.append({"measure": m, "n_sentences": len(v), "share_nonzero": float((v != 0).mean()) if len(v) else np.nan,
                     "mean": v.mean(), "sd": v.std(), "min": v.min(), "max": v.max()})
    return pd.DataFrame(rows)
