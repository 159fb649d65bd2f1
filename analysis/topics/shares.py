"""Topic shares by outlet, group and period, and the 2-D map coordinates."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

from ..config import RANDOM_STATE


def _topic_names(topic: pd.Series, label: pd.Series) -> pd.Series:
    """``"id: label"`` display names of topics."""
    return topic.astype(str) + ": " + label.astype(str)


def _label_map(assignments: pd.DataFrame) -> pd.Series:
    return assignments.drop_duplicates("topic").set_index("topic")["topic_label"]


def topic_shares(assignments: pd.DataFrame, *, by: str = "outlet", units=None) -> pd.DataFrame:
    """Count and share of each topic within each outlet (or outlet group, genre...).

    Every (group, topic) pair appears, zeros included, and the too-short units
    (topic -1) are counted too, so the counts of a group add up to its number of units.

    Parameters
    ----------
    assignments : pandas.DataFrame
        One row per unit with ``article_id``, ``topic``, ``topic_label`` and the ``by``
        column (:attr:`TopicModel.assignments_`).
    by : str, default "outlet"
        Grouping column, e.g. ``"outlet_group"``.
    units : pandas.DataFrame, optional
        From :func:`analysis.stats.independent_units`: a paragraph of an article with ``c``
        near-duplicate copies weighs ``1 / c``, so copies of one story count once (``n`` and
        ``n_units`` may then be fractional).

    Returns
    -------
    pandas.DataFrame
        Columns ``<by>, topic, topic_label, n, n_units, share, n_articles``
        (``share = n / n_units``; ``n_articles``: independent articles behind the group's
        share, copies of one story counted once with ``units``), sorted by ``by`` then topic.
    """
    if by not in assignments.columns:
        raise KeyError(f"topic_shares: no column {by!r} in the assignments table.")
    from ..stats import as_counts, unit_weights

    ids = (assignments["article_id"] if "article_id" in assignments.columns
           else pd.Series(np.arange(len(assignments)).astype(str), index=assignments.index))
    # weights and units looked up once per article, then spread to its units (issue #18);
    # the units as integer codes: nunique counts the same units without comparing strings
    article, distinct = pd.factorize(ids, use_na_sentinel=False)
    w = unit_weights(distinct, units)
    unit_code = pd.factorize(w["unit_id"])[0]
    frame = pd.DataFrame({by: assignments[by].astype(str).to_numpy(),
                          "topic": assignments["topic"].to_numpy(),
                          "weight": w["weight"].to_numpy()[article],
                          "unit": unit_code[article]})
    counts = frame.pivot_table(index=by, columns="topic", values="weight", aggfunc="sum",
                               fill_value=0.0)
    long = counts.stack().rename("n").reset_index()
    long.columns = [by, "topic", "n"]
    long["n_units"] = long.groupby(by)["n"].transform("sum")
    long["share"] = long["n"] / long["n_units"]
    long["n_articles"] = long[by].map(frame.groupby(by)["unit"].nunique()).astype("int64")
    long["topic_label"] = long["topic"].map(_label_map(assignments))
    long["n"] = as_counts(long["n"])
    long["n_units"] = as_counts(long["n_units"])
    long = long.astype({"topic": int})
    return long.sort_values([by, "topic"], ignore_index=True)[
        [by, "topic", "topic_label", "n", "n_units", "share", "n_articles"]
    ]


def wide_shares(shares: pd.DataFrame, *, by: str = "outlet") -> pd.DataFrame:
    """Display form of :func:`topic_shares`: one row per topic, one column per group.

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`topic_shares`.
    by : str, default "outlet"

    Returns
    -------
    pandas.DataFrame of str
        Cells ``"43% (6)"`` (share, count); the last rows give each group's unit count
        and, when ``shares`` has it, its number of independent articles.
    """
    cell = (shares["share"] * 100).round().astype(int).astype(str) + "% (" + \
        shares["n"].astype(str) + ")"
    topic = _topic_names(shares["topic"], shares["topic_label"])
    wide = shares.assign(cell=cell, topic=topic).pivot(index="topic", columns=by, values="cell")
    order = shares.drop_duplicates("topic").sort_values("topic")
    wide = wide.loc[_topic_names(order["topic"], order["topic_label"]).to_numpy()]
    totals = shares.drop_duplicates(by).set_index(by)
    wide.loc["all units (n)"] = totals["n_units"].astype(str).loc[wide.columns].to_numpy()
    if "n_articles" in shares.columns:
        wide.loc["articles (n)"] = totals["n_articles"].astype(str).loc[wide.columns].to_numpy()
    wide.columns.name = by
    return wide


def largest_gap(shares: pd.DataFrame, *, by: str = "outlet_group") -> pd.Series | None:
    """The topic whose share differs most between two groups (too-short units ignored).

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`topic_shares`.
    by : str, default "outlet_group"

    Returns
    -------
    pandas.Series or None
        ``topic, topic_label, high, high_share, high_n, low, low_share, low_n`` (groups
        with the highest and lowest share of that topic); None with fewer than two groups
        or no topic. Ties go to the smaller topic id, then to the group sorted first.
    """
    topical = shares[shares["topic"] >= 0]
    if topical[by].nunique() < 2 or topical.empty:
        return None
    ranked = topical.sort_values(["topic", "share", by], ascending=[True, False, True])
    high = ranked.groupby("topic").head(1).set_index("topic")
    low = ranked.groupby("topic").tail(1).set_index("topic")
    gap = (high["share"] - low["share"]).round(12)
    t = gap.sort_index().idxmax()
    return pd.Series({
        "topic": int(t), "topic_label": high.loc[t, "topic_label"],
        "high": high.loc[t, by], "high_share": float(high.loc[t, "share"]),
        "high_n": int(high.loc[t, "n"]), "high_units": int(high.loc[t, "n_units"]),
        "low": low.loc[t, by], "low_share": float(low.loc[t, "share"]),
        "low_n": int(low.loc[t, "n"]), "low_units": int(low.loc[t, "n_units"]),
    })


def topics_over_time(
    assignments: pd.DataFrame, *, date: str = "published", freq: str = "M", units=None
) -> pd.DataFrame:
    """Count and share of each topic per period of the article date.

    Units of articles without a date are left out; with no dated unit at all the
    result is empty (same columns), so callers can say so and move on.

    Parameters
    ----------
    assignments : pandas.DataFrame
        One row per unit with ``topic``, ``topic_label`` and a datetime column ``date``.
    date : str, default "published"
    freq : str, default "M"
        A pandas period frequency ("M" month, "W" week, "D" day, "Y" year).
    units : pandas.DataFrame, optional
        As in :func:`topic_shares`.

    Returns
    -------
    pandas.DataFrame
        Columns ``period`` (str), ``topic, topic_label, n, n_units, share, n_articles``.
    """
    cols = ["period", "topic", "topic_label", "n", "n_units", "share", "n_articles"]
    if date not in assignments.columns:
        return pd.DataFrame(columns=cols)
    dated = assignments[assignments[date].notna()]
    if dated.empty:
        return pd.DataFrame(columns=cols)
    dated = dated.assign(period=pd.to_datetime(dated[date]).dt.to_period(freq).astype(str))
    return topic_shares(dated, by="period", units=units)[cols]


def articles_per_period(articles: pd.DataFrame, *, by: str = "outlet",
                        freq: str = "M") -> pd.DataFrame:
    """Number of articles per period (rows) and ``by`` group (columns); undated left out.

    Parameters
    ----------
    articles : pandas.DataFrame
        The corpus ``articles`` table (``published`` and ``by`` columns).
    by : str, default "outlet"
    freq : str, default "M"

    Returns
    -------
    pandas.DataFrame
        Empty when no article has a date.
    """
    dated = articles[articles["published"].notna()]
    period = pd.to_datetime(dated["published"]).dt.to_period(freq).astype(str).rename("period")
    return pd.crosstab(period, dated[by].astype(str))


def map_coordinates(vectors: np.ndarray, *, random_state: int | None = RANDOM_STATE) -> np.ndarray:
    """2-D coordinates of the units for a map: PCA of the LSA vectors.

    Parameters
    ----------
    vectors : numpy.ndarray, shape (n_units, n_dims)
    random_state : int or None, default 0
        Passed to PCA (used only by its randomized solver).

    Returns
    -------
    numpy.ndarray, shape (n_units, 2)
        Missing dimensions (one unit, one LSA dimension) are zero.
    """
    n, d = vectors.shape
    out = np.zeros((n, 2))
    m = min(2, n - 1, d) if n > 1 else 0
    if m >= 1:
        out[:, :m] = PCA(n_components=m, random_state=random_state).fit_transform(vectors)
    return out
