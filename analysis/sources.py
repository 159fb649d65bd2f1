"""Who is quoted: direct quotes grouped by the kind of source, per outlet.

Speakers come from the loader's quote attribution (``corpus.quotes.speaker``); each is looked up
in the actor gazetteer (:mod:`analysis.actors`, column ``source_group``):

- ``chinese_official``: Chinese leaders, ministers, spokespeople and state bodies (Xi Jinping,
  Wang Yi, Guo Jiakun, Chen Binhua, the Foreign Ministry; "China" itself as a speaker, as in
  "China said");
- ``us_official``: US leaders and bodies (Donald Trump, Marco Rubio, the White House);
- ``analyst_academic``: scholars and think-tank analysts (Diao Daming, Wei Zongyou, Jia
  Qingguo, Su Xiaohui, Gary Hufbauer) and their institutions;
- ``other``: anyone else, including speakers not in the gazetteer;
- ``unattributed``: quotes without a speaker.

A speaker string naming several actors ("Su Xiaohui of the China Institute of International
Studies") is the first PERSON named, else the first actor named. Institutional sources map to
their country through the gazetteer ("the U.S. side", "the Chinese side", "the Foreign
Ministry", "the White House"); officials named only by nationality ("Chinese officials", "a
U.S. embassy spokesperson") get their country's group (:func:`analysis.speakers.official_group`).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis import actors
from analysis.speakers import official_group

GROUPS = ["chinese_official", "us_official", "analyst_academic", "other", "unattributed"]
#: Colours per source group: not the outlet groups' blue and red (those mean outlets
#: everywhere), from :data:`analysis.plots.CATEGORY_COLOURS`; grey for unattributed.
GROUP_COLOURS = {
    "chinese_official": "#8c564b",
    "us_official": "#17becf",
    "analyst_academic": "#2ca02c",
    "other": "#9467bd",
    "unattributed": "#bdbdbd",
}


def speaker_groups(speakers, *, gazetteer: str | Path = actors.GAZETTEER_FILE) -> pd.DataFrame:
    """Actor and source group of each distinct speaker.

    Parameters
    ----------
    speakers : iterable of str
        Speaker strings (missing values allowed).
    gazetteer : str or pathlib.Path
        Gazetteer file.

    Returns
    -------
    pandas.DataFrame
        ``speaker`` (distinct non-missing speakers, sorted), ``actor`` (<NA> if none is
        named), ``source_group``.
    """
    s = pd.Series(list(speakers), dtype="str").dropna()
    uniq = pd.Series(sorted(set(s.tolist())), dtype="str")
    out = pd.DataFrame({"speaker": uniq})
    if uniq.empty:
        return out.assign(actor=pd.Series(dtype="str"), source_group=pd.Series(dtype="str"))
    units = pd.DataFrame({"article_id": uniq, "text": uniq})
    m = actors.mentions(units, gazetteer=gazetteer)
    m = m.assign(_person=(m["actor_type"] != "person").astype(int))
    first = m.sort_values(["article_id", "_person", "start"], kind="stable").drop_duplicates(
        "article_id"
    )
    gaz = actors.read_gazetteer(gazetteer).set_index("actor")["source_group"]
    actor = uniq.map(first.set_index("article_id")["actor"])
    out["actor"] = actor.astype("str")
    official = uniq.map(official_group)  # "Chinese officials": no actor, a country
    out["source_group"] = actor.map(gaz).fillna(official).fillna("other").astype("str")
    return out


def quote_sources(source, *, gazetteer: str | Path = actors.GAZETTEER_FILE) -> pd.DataFrame:
    """The quotes table with each quote's ``actor`` and ``source_group``.

    Parameters
    ----------
    source : analysis.corpus.Corpus or pandas.DataFrame
        A corpus (its ``quotes``) or a quotes table (``article_id``, ``speaker``, ``n_words``).
    gazetteer : str or pathlib.Path

    Returns
    -------
    pandas.DataFrame
        The quotes with ``actor`` and ``source_group`` (``unattributed`` when there is no
        speaker) added; same row order.
    """
    quotes = source.quotes if hasattr(source, "quotes") else source
    missing = [c for c in ("article_id", "speaker", "n_words") if c not in quotes.columns]
    if missing:
        raise ValueError(f"quote_sources: the quotes table lacks column(s) {missing}")
    groups = speaker_groups(quotes["speaker"], gazetteer=gazetteer).set_index("speaker")
    speaker = quotes["speaker"].astype("str")
    out = quotes.copy()
    out["actor"] = speaker.map(groups["actor"]).astype("str")
    out["source_group"] = speaker.map(groups["source_group"]).fillna("unattributed").astype("str")
    return out.reset_index(drop=True)


def source_table(quotes: pd.DataFrame, articles: pd.DataFrame, *, by: str = "outlet",
                 units=None) -> pd.DataFrame:
    """Quotes and quoted words per group of articles and source group (long table).

    Parameters
    ----------
    quotes : pandas.DataFrame
        From :func:`quote_sources`.
    articles : pandas.DataFrame
        ``article_id``, ``by`` and ``n_words``.
    by : str, default "outlet"
    units : pandas.DataFrame, optional
        From :func:`analysis.stats.independent_units`: an article with ``c`` near-duplicate
        copies weighs ``1 / c`` in every count (quotes, words), so copies of one story count
        once; ``quotes`` and ``quoted_words`` may then be fractional.

    Returns
    -------
    pandas.DataFrame
        One row per (group, source group), every source group of :data:`GROUPS` present:
        ``by``, ``source_group``, ``quotes``, ``quoted_words``, ``share_of_quoted_words``
        (within the group; 0 when the group has no quote), ``words_in_group``,
        ``quoted_per_1000_words``, ``n_articles`` (independent articles in the group, copies
        of one story counted once with ``units``); sorted by group then the order of
        :data:`GROUPS`.
    """
    from .stats import as_counts, unit_weights

    missing = [c for c in ("article_id", by, "n_words") if c not in articles.columns]
    if missing:
        raise ValueError(f"source_table: articles lack column(s) {missing}")
    arts = articles[list(dict.fromkeys(["article_id", by, "n_words"]))].copy()
    arts["article_id"] = arts["article_id"].astype("str")
    aw = unit_weights(arts["article_id"], units)
    arts["_w"], arts["_unit"] = aw["weight"].to_numpy(), aw["unit_id"].to_numpy()
    words = (arts["n_words"] * arts["_w"]).groupby(arts[by]).sum().sort_index()
    n_articles = arts.groupby(by, sort=True)["_unit"].nunique()
    q = quotes[["article_id", "source_group", "n_words"]].copy()
    q["article_id"] = q["article_id"].astype("str")
    q = q.merge(arts[["article_id", by, "_w"]], on="article_id", how="inner")
    q["_words"] = q["n_words"] * q["_w"]
    agg = q.groupby([by, "source_group"]).agg(quotes=("_w", "sum"), quoted_words=("_words", "sum"))
    full = pd.MultiIndex.from_product([words.index, GROUPS], names=[by, "source_group"])
    out = agg.reindex(full, fill_value=0).reset_index()
    total = out.groupby(by)["quoted_words"].transform("sum").astype(float)
    out["share_of_quoted_words"] = np.where(
        total > 0, out["quoted_words"] / total.where(total > 0, 1), 0.0
    )
    out["words_in_group"] = as_counts(out[by].map(words).astype(float))
    w = out[by].map(words).astype(float)
    out["quoted_per_1000_words"] = np.where(
        w > 0, 1000 * out["quoted_words"] / w.where(w > 0, 1), 0.0
    )
    out["quotes"] = as_counts(out["quotes"].astype(float))
    out["quoted_words"] = as_counts(out["quoted_words"].astype(float))
    out["n_articles"] = out[by].map(n_articles).astype("int64")
    return out


def speaker_table(quotes: pd.DataFrame, articles: pd.DataFrame, *, by: str = "outlet") -> pd.DataFrame:
    """Who is quoted in each group: quotes and quoted words per speaker.

    Parameters
    ----------
    quotes : pandas.DataFrame
        From :func:`quote_sources`.
    articles : pandas.DataFrame
        ``article_id`` and ``by``.
    by : str, default "outlet"

    Returns
    -------
    pandas.DataFrame
        ``by``, ``speaker`` ("(unattributed)" when missing), ``actor``, ``source_group``,
        ``quotes``, ``quoted_words``; sorted by group then quoted words (descending).
    """
    q = quotes.astype({"article_id": "str"}).merge(
        articles[["article_id", by]].astype({"article_id": "str"}), on="article_id"
    )
    q["speaker"] = q["speaker"].fillna("(unattributed)")
    q["actor"] = q["actor"].fillna("")
    out = (
        q.groupby([by, "speaker", "actor", "source_group"])
        .agg(quotes=("n_words", "size"), quoted_words=("n_words", "sum"))
        .reset_index()
    )
    out = out.sort_values([by, "quoted_words", "speaker"], ascending=[True, False, True])
    return out.reset_index(drop=True)


def article_quote_share(source) -> pd.DataFrame:
    """Share of each article's words inside direct quotes.

    Parameters
    ----------
    source : analysis.corpus.Corpus

    Returns
    -------
    pandas.DataFrame
        ``article_id``, ``outlet``, ``outlet_group``, ``n_words``, ``quotes``, ``quoted_words``,
        ``quote_share_words`` (quoted words / article words) and the loader's character-based
        ``quote_share``; sorted by article.
    """
    arts = source.articles
    cols = [
        c
        for c in ("article_id", "outlet", "outlet_group", "n_words", "quote_share")
        if c in arts.columns
    ]
    out = arts[cols].copy()
    q = source.quotes.groupby("article_id").agg(
        quotes=("n_words", "size"), quoted_words=("n_words", "sum")
    )
    out = out.merge(q, left_on="article_id", right_index=True, how="left")
    out[["quotes", "quoted_words"]] = out[["quotes", "quoted_words"]].fillna(0).astype("int64")
    n = out["n_words"].astype(float)
    out["quote_share_words"] = np.where(n > 0, out["quoted_words"] / n.where(n > 0, 1), 0.0)
    order = [
        c
        for c in (
            "article_id",
            "outlet",
            "outlet_group",
            "n_words",
            "quotes",
            "quoted_words",
            "quote_share_words",
            "quote_share",
        )
        if c in out.columns
    ]
    return out[order].sort_values("article_id", kind="stable").reset_index(drop=True)


def plot_sources(
    table: pd.DataFrame,
    *,
    by: str = "outlet",
    value: str = "quoted_words",
    ax: plt.Axes | None = None,
) -> plt.Axes:
    """Stacked horizontal bars: ``value`` per group, split by source group.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`source_table`.
    by : str, default "outlet"
    value : str, default "quoted_words"
        ``"quoted_words"``, ``"share_of_quoted_words"`` or ``"quoted_per_1000_words"``.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    wide = table.pivot(index=by, columns="source_group", values=value)
    wide = wide.reindex(columns=[g for g in GROUPS if g in wide.columns]).fillna(0)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.6 * len(wide) + 1.6))
    left = np.zeros(len(wide))
    y = np.arange(len(wide))
    for g in wide.columns:
        vals = wide[g].to_numpy(dtype=float)
        ax.barh(y, vals, left=left, color=GROUP_COLOURS[g], label=g.replace("_", " "))
        left += vals
    if "n_articles" in table.columns:  # the articles behind each bar
        n_art = table.groupby(by)["n_articles"].first()
        ax.set_yticks(y, [f"{i} ({int(n_art.loc[i])} art.)" for i in wide.index])
    else:
        ax.set_yticks(y, [str(i) for i in wide.index])
    ax.invert_yaxis()
    ax.set_xlabel({"quoted_words": "quoted words (count)",
                   "share_of_quoted_words": "share of the group's quoted words (0–1)",
                   "quoted_per_1000_words": "quoted words per 1,000 words"}.get(
                       value, value.replace("_", " ")))
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18),
        ncol=len(wide.columns),
        frameon=False,
        fontsize=8,
    )
    return ax
