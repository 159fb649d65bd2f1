"""Tone by article, group, voice and topic: estimates, two-group comparison, exemplars."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .. import stats
from ..config import CHINESE_STATE, INTERNATIONAL, N_BOOT, RANDOM_STATE
from .score import _KEYS


def article_tone(table: pd.DataFrame, *, value: str = "tone") -> pd.DataFrame:
    """Mean ``value`` per article: all sentences, own voice and quoted speech.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table`.
    value : str, default "tone"

    Returns
    -------
    pandas.DataFrame
        One row per article: ``article_id``, ``outlet``, ``outlet_group``, ``genre``,
        ``n_sentences``, ``n_quoted``, ``all``, ``own``, ``quoted`` (NaN when an article has
        no sentence of that voice).
    """
    keys = ["article_id", "outlet", "outlet_group", "genre"]
    base = table.groupby(keys, sort=True, dropna=False).agg(
        n_sentences=(value, "size"), n_quoted=("voice", lambda v: int((v == "quoted").sum())),
        all=(value, "mean"),
    )
    by_voice = table.pivot_table(index="article_id", columns="voice", values=value, aggfunc="mean")
    out = base.reset_index()
    for v in ("own", "quoted"):
        out[v] = out["article_id"].map(by_voice[v]) if v in by_voice else np.nan
    return out


def _voice_rows(table: pd.DataFrame, voice: str) -> pd.DataFrame:
    return table if voice == "all" else table[table["voice"] == voice]


def group_estimates(
    table: pd.DataFrame,
    *,
    by: str = "outlet",
    value: str = "tone",
    voices: tuple[str, ...] = ("all", "own", "quoted"),
    n_boot: int = N_BOOT,
    random_state: int = RANDOM_STATE,
) -> pd.DataFrame:
    """Mean ``value`` per group and voice, each article counting once, with article-bootstrap intervals.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table`.
    by : str, default "outlet"
        Grouping column (``outlet``, ``outlet_group``, ``genre``).
    value : str, default "tone"
    voices : tuple of str
        ``"all"``, ``"own"``, ``"quoted"``.
    n_boot, random_state
        As in :func:`analysis.stats.cluster_bootstrap`.

    Returns
    -------
    pandas.DataFrame
        ``voice``, ``by`` column, ``n_clusters`` (articles), ``n_units`` (sentences),
        ``estimate``, ``ci_low``, ``ci_high`` (NaN for a group with one article).
    """
    parts = []
    for voice in voices:
        rows = _voice_rows(table, voice)
        if rows.empty:
            continue
        est = stats.cluster_bootstrap(rows, value, cluster="article_id", group=by, n_boot=n_boot,
                                      random_state=random_state)
        parts.append(est.assign(voice=voice))
    if not parts:
        return pd.DataFrame(columns=["voice", by, "n_clusters", "n_units", "estimate", "ci_low", "ci_high"])
    out = pd.concat(parts, ignore_index=True)
    return out[["voice", by, "n_clusters", "n_units", "estimate", "ci_low", "ci_high"]]


def compare_groups(
    table: pd.DataFrame,
    *,
    by: str = "outlet_group",
    groups: tuple[str, str] = (CHINESE_STATE, INTERNATIONAL),
    value: str = "tone",
    voices: tuple[str, ...] = ("all", "own", "quoted"),
    n_boot: int = N_BOOT,
    random_state: int = RANDOM_STATE,
) -> tuple[pd.DataFrame, list[str]]:
    """Article-level comparison of two groups for each voice; notes instead of errors.

    For each voice: difference in means (``groups[0] - groups[1]``, each article counting once)
    with a stratified article bootstrap interval, the exact (or Monte Carlo) article-level
    permutation p-value with the smallest attainable p, Hedges' g and Cliff's delta with
    intervals (:func:`analysis.stats.compare_two_groups`).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table`.
    by : str, default "outlet_group"
    groups : tuple of str
    value : str, default "tone"
    voices : tuple of str
    n_boot, random_state
        Bootstrap settings.

    Returns
    -------
    comparison : pandas.DataFrame
        One row per voice that could be compared (columns of
        :func:`analysis.stats.compare_two_groups` plus ``voice``); empty if none.
    notes : list of str
        Why a voice (or the whole comparison) could not be made, e.g. a corpus with one
        outlet group only.
    """
    rows, notes = [], []
    present = sorted(map(str, table[by].dropna().unique()))
    for voice in voices:
        sub = _voice_rows(table, voice)
        if sub.empty and len(present) >= 2:
            notes.append(f"No {voice} sentences in the corpus: nothing to compare in that voice.")
            continue
        try:
            res = stats.compare_two_groups(sub, value, by, groups=groups, cluster="article_id",
                                           n_boot=n_boot, random_state=random_state)
        except stats.ComparisonError as exc:
            if len(present) < 2:
                notes.append(
                    f"No comparison: the corpus has only one {by} ({', '.join(present) or 'none'}), "
                    "so there is nothing to compare it with."
                )
                break
            notes.append(f"{voice} voice: {exc}")
            continue
        rows.append({"voice": voice, **res})
    return pd.DataFrame(rows), notes


def tone_by_topic(table: pd.DataFrame, topics: pd.DataFrame | None, *, by: str = "outlet",
                  value: str = "tone") -> pd.DataFrame | None:
    """Mean ``value`` per topic and group, joining topic assignments on article + paragraph.

    The topic is the codebook topic (``codebook_topic``, the suite's measurement, notebook 03)
    when the assignments carry it; otherwise the exploratory k-means cluster (``topic``,
    ``topic_label``), as in exports written before the codebook classifier.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table`.
    topics : pandas.DataFrame or None
        Notebook 03's export (:func:`read_topics`): ``article_id, paragraph`` and
        ``codebook_topic``, or ``topic, topic_label``. None gives None.
    by : str, default "outlet"
    value : str, default "tone"

    Returns
    -------
    pandas.DataFrame or None
        ``topic``, ``topic_label`` (the category again for codebook topics), ``scheme``
        (``"codebook"`` or ``"k-means"``), ``by``, ``n_articles``, ``n_sentences``, ``mean``;
        sorted by topic then group.
    """
    if topics is None or topics.empty:
        return None
    if "codebook_topic" in topics.columns:
        t = topics[["article_id", "paragraph", "codebook_topic"]].assign(
            topic=lambda d: d["codebook_topic"].astype(str),
            topic_label=lambda d: d["codebook_topic"].astype(str), scheme="codebook")
    else:
        t = topics[["article_id", "paragraph", "topic", "topic_label"]].assign(scheme="k-means")
    t = t[["article_id", "paragraph", "topic", "topic_label", "scheme"]].astype({"article_id": str})
    joined = table.merge(t, on=["article_id", "paragraph"], how="inner", validate="many_to_one")
    out = joined.groupby(["topic", "topic_label", "scheme", by], sort=True).agg(
        n_articles=("article_id", "nunique"), n_sentences=(value, "size"), mean=(value, "mean")
    )
    return out.reset_index()


def exemplars(table: pd.DataFrame, *, by: str = "outlet", value: str = "tone", n: int = 2) -> pd.DataFrame:
    """Most positive and most negative sentences of each group, with their neighbours.

    Only strictly positive (negative) sentences qualify as positive (negative) exemplars.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`sentence_table` (sorted by article and sentence).
    by : str, default "outlet"
    value : str, default "tone"
    n : int, default 2
        Exemplars per group and direction.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``direction`` (``most positive`` / ``most negative``), ``article_id``,
        ``sentence``, ``voice``, ``value``, ``previous``, ``text``, ``next``.
    """
    t = table.sort_values(_KEYS, kind="stable").reset_index(drop=True)
    same_prev = t["article_id"].eq(t["article_id"].shift(1))
    same_next = t["article_id"].eq(t["article_id"].shift(-1))
    t["previous"] = t["text"].shift(1).where(same_prev, "")
    t["next"] = t["text"].shift(-1).where(same_next, "")
    parts = []
    for direction, sign in (("most positive", 1), ("most negative", -1)):
        pool = t[np.sign(t[value]) == sign].assign(_key=lambda d, s=sign: -s * d[value])
        pool = pool.sort_values([by, "_key", "article_id", "sentence"], kind="stable")
        parts.append(pool.groupby(by, sort=True).head(n).assign(direction=direction))
    cols = [by, "direction", "article_id", "sentence", "voice", "value", "previous", "text", "next"]
    out = pd.concat(parts, ignore_index=True).rename(columns={value: "value"})
    return out.sort_values([by, "direction", "value"], ascending=[True, False, False], kind="stable")[cols].reset_index(drop=True)


def read_topics(processed: str | Path) -> pd.DataFrame | None:
    """Notebook 03's paragraph topic assignments, or None when they have not been exported.

    Parameters
    ----------
    processed : str or pathlib.Path
        The ``data/processed`` folder (``OutputPaths.processed``).

    Returns
    -------
    pandas.DataFrame or None
        ``paragraph_topics.csv`` with ``article_id`` as str: the k-means columns ``topic,
        topic_label`` and, when written by the current notebook 03, the codebook columns
        ``codebook_topic``, ``codebook_secondary``, ``codebook_probability``, ``p_<category>``.
    """
    path = Path(processed) / "paragraph_topics.csv"
    if not path.is_file():
        return None
    df = pd.read_csv(path, dtype={"article_id": str})
    need = {"article_id", "paragraph", "topic", "topic_label"}
    if not need <= set(df.columns):
        raise ValueError(f"read_topics: {path.name} lacks columns {sorted(need - set(df.columns))}; "
                         "export it with notebook 03 (paragraph_topics.csv)")
    return df
