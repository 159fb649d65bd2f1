"""Codebook topics: validation against hand codes, shares, and the relation to the k-means map.

:func:`validate` compares :func:`analysis.topics.codebook.assign_topics` with a hand-coded
paragraph sample (accuracy, macro-F1, per-category precision / recall / F1, confusion, NMI, ARI);
:func:`read_validation` reads the committed out-of-sample figures of the development corpus's
``test`` split (``data/validation/topics.csv``, codes by two AI coders, not human experts).
:func:`topic_shares` gives topic shares per outlet, outlet group or event (optionally per
period) with the number of articles behind each share; :func:`cluster_crosstab` and
:func:`cluster_agreement` relate the exploratory k-means clusters to the codebook topics, and
:func:`paragraph_table` writes both assignments side by side (``paragraph_topics.csv``);
:func:`target_check` says whether the targets of issue #14 are met, from the tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    adjusted_rand_score,
    f1_score,
    normalized_mutual_info_score,
    precision_recall_fscore_support,
)

from ..handcoded import read_annotations
from .codebook import KEYS, VALIDATION_DIR

__all__ = [
    "TARGETS",
    "CodebookValidation",
    "cluster_agreement",
    "cluster_crosstab",
    "describe_target",
    "largest_codebook_gap",
    "paragraph_table",
    "read_validation",
    "target_check",
    "topic_shares",
    "validate",
    "wide_codebook_shares",
]


# --------------------------------------------------------------------------------------
# Validation against a hand-coded sample
# --------------------------------------------------------------------------------------
@dataclass
class CodebookValidation:
    """Agreement between codebook topics and hand codes.

    Attributes
    ----------
    accuracy, macro_f1, nmi, ari : float
        Over the compared paragraphs; macro-F1 averages the categories present in the codes or
        the predictions.
    n_annotated, n_compared : int
        Coded rows given, and matched to the assignments.
    per_category : pandas.DataFrame
        One row per category: ``category, precision, recall, f1, support`` (coded paragraphs),
        ``predicted`` (paragraphs assigned to it).
    confusion : pandas.DataFrame
        Counts, coded category (rows, ``coded``) x assigned topic (columns, ``assigned``), every
        category of the model on both axes.
    mismatches : pandas.DataFrame
        Annotation rows left out: ``article_id, paragraph, problem``.
    """

    accuracy: float
    macro_f1: float
    nmi: float
    ari: float
    n_annotated: int
    n_compared: int
    per_category: pd.DataFrame
    confusion: pd.DataFrame
    mismatches: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    def recall(self, category: str) -> float:
        """Recall of one category (NaN when the sample codes none)."""
        row = self.per_category.set_index("category")
        return float(row.loc[category, "recall"]) if category in row.index else float("nan")

    def summary(self) -> pd.DataFrame:
        """The overall figures as a ``measure, value`` table (3 decimals)."""
        values = {"accuracy": self.accuracy, "macro-F1": self.macro_f1,
                  "normalised mutual information": self.nmi, "adjusted Rand index": self.ari,
                  "taiwan recall": self.recall("taiwan"), "annotated paragraphs": self.n_annotated,
                  "compared": self.n_compared}
        return pd.DataFrame({"measure": list(values),
                             "value": pd.Series([round(v, 3) if isinstance(v, float) else v
                                                 for v in values.values()], dtype=object)})

    def to_frame(self) -> pd.DataFrame:
        """Tidy form ``category, measure, value`` (``category`` = "all" for the overall rows)."""
        overall = pd.DataFrame({"category": "all", "measure": [
            "accuracy", "macro_f1", "nmi", "ari", "n_annotated", "n_compared"], "value": [
            self.accuracy, self.macro_f1, self.nmi, self.ari, self.n_annotated,
            self.n_compared]})
        measures = ["precision", "recall", "f1", "support", "predicted"]
        per = self.per_category.set_index("category")[measures].stack().reset_index()
        per.columns = ["category", "measure", "value"]
        return pd.concat([overall, per], ignore_index=True)

    @classmethod
    def from_frames(cls, tidy: pd.DataFrame, confusion: pd.DataFrame) -> CodebookValidation:
        """Inverse of :meth:`to_frame` (plus the confusion table); no mismatches."""
        overall = tidy[tidy["category"] == "all"].set_index("measure")["value"].astype(float)
        rows = tidy[tidy["category"] != "all"]
        per = (rows.pivot(index="category", columns="measure", values="value")
               .loc[pd.unique(rows["category"])].reset_index())
        per = per[["category", "precision", "recall", "f1", "support", "predicted"]]
        per = per.astype({"support": int, "predicted": int})
        per.columns.name = None
        return cls(float(overall["accuracy"]), float(overall["macro_f1"]), float(overall["nmi"]),
                   float(overall["ari"]), int(overall["n_annotated"]),
                   int(overall["n_compared"]), per, confusion,
                   pd.DataFrame(columns=[*KEYS, "problem"]))


def _read_codes(annotations) -> pd.DataFrame:
    """The coded paragraphs: a table as given, or a file read by ``read_annotations``."""
    if isinstance(annotations, pd.DataFrame):
        return annotations
    codes = read_annotations(annotations, level="paragraph")
    if codes is None:
        raise FileNotFoundError(f"validate: no paragraph annotations at {annotations!r}; pass a "
                                "CSV in the columns of data/annotations/paragraph_topics.csv.")
    return codes


def validate(assignments: pd.DataFrame, annotations, *,
             categories: Iterable[str] | None = None) -> CodebookValidation:
    """Compare codebook topics with a hand-coded paragraph sample.

    Annotation rows join the assignments on ``article_id`` + ``paragraph``; when both carry
    ``text``, a row whose text differs (whitespace aside) is left out and listed in
    ``mismatches``, as is a row with no such paragraph.

    Parameters
    ----------
    assignments : pandas.DataFrame
        :func:`assign_topics` output.
    annotations : pandas.DataFrame, str or pathlib.Path
        ``article_id, paragraph, topic_label`` (and ``text``), or a CSV in the columns of
        ``data/annotations/paragraph_topics.csv`` (read by
        :func:`analysis.handcoded.read_annotations`).
    categories : iterable of str, optional
        Rows and columns of the tables; default the ``p_<category>`` columns of the assignments.

    Returns
    -------
    CodebookValidation
    """
    codes = _read_codes(annotations)
    cats = (list(categories) if categories is not None else
            [c[2:] for c in assignments.columns if c.startswith("p_")])
    cols = [*KEYS, "topic"] + (["text"] if "text" in assignments.columns else [])
    merged = codes.merge(assignments[cols], on=KEYS, how="left", suffixes=("", "_corpus"),
                         validate="one_to_one")
    absent = merged["topic"].isna()
    differs = np.zeros(len(merged), dtype=bool)
    if "text" in codes.columns and "text_corpus" in merged.columns:
        def squash(s):
            return s.fillna("").astype(str).str.split().str.join(" ")
        differs = ~absent & (squash(merged["text"]) != squash(merged["text_corpus"]))
    problem = np.where(absent, "no such paragraph in the assignments",
                       np.where(differs, "text differs from the corpus paragraph", ""))
    mismatches = merged.assign(problem=problem)[problem != ""][[*KEYS, "problem"]]
    ok = merged[problem == ""]
    y, pred = ok["topic_label"].astype(str).to_numpy(), ok["topic"].astype(str).to_numpy()
    labels = list(cats) + sorted(set(y) - set(cats))
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
    per = pd.DataFrame({"category": labels, "precision": p, "recall": r, "f1": f,
                        "support": s.astype(int),
                        "predicted": [int((pred == c).sum()) for c in labels]})
    confusion = pd.crosstab(pd.Categorical(y, categories=labels),
                            pd.Categorical(pred, categories=labels), dropna=False)
    confusion.index.name, confusion.columns.name = "coded", "assigned"
    enough = len(ok) >= 2
    return CodebookValidation(
        accuracy=float(accuracy_score(y, pred)) if len(ok) else float("nan"),
        macro_f1=float(f1_score(y, pred, average="macro", zero_division=0)) if len(ok)
        else float("nan"),
        nmi=float(normalized_mutual_info_score(y, pred)) if enough else float("nan"),
        ari=float(adjusted_rand_score(y, pred)) if enough else float("nan"),
        n_annotated=len(codes), n_compared=len(ok), per_category=per,
        confusion=pd.DataFrame(confusion), mismatches=mismatches.reset_index(drop=True))


#: The methods scored once on ``test``, and the suffix of their tables in :data:`VALIDATION_DIR`.
SCORED_METHODS = {"committed": "", "lr_only": "_lr_only"}


def read_validation(folder: str | Path | None = None, *, method: str = "committed"
                    ) -> CodebookValidation:
    """The committed validation of the model on the development corpus's ``test`` split.

    Parameters
    ----------
    folder : str or pathlib.Path, optional
        Default :data:`VALIDATION_DIR` (``topics.csv`` and ``topics_confusion.csv``).
    method : {"committed", "lr_only"}, default "committed"
        ``"committed"``: the committed model (logistic regression averaged with complement
        naive Bayes); ``"lr_only"``: the earlier method, logistic regression alone, scored
        once before it (``topics_lr_only.csv``, ``topics_confusion_lr_only.csv``).

    Returns
    -------
    CodebookValidation
        Figures from codes by two AI coders (not human experts), scored once.

    Examples
    --------
    >>> from analysis.topics import read_validation
    >>> read_validation(method="lr_only").n_compared == read_validation().n_compared
    True
    """
    if method not in SCORED_METHODS:
        raise ValueError(f"read_validation: unknown method {method!r}; use one of "
                         f"{sorted(SCORED_METHODS)}.")
    folder = Path(folder or VALIDATION_DIR)
    suffix = SCORED_METHODS[method]
    tidy = pd.read_csv(folder / f"topics{suffix}.csv", keep_default_na=False)
    confusion = pd.read_csv(folder / f"topics_confusion{suffix}.csv", index_col=0)
    confusion.index.name, confusion.columns.name = "coded", "assigned"
    return CodebookValidation.from_frames(tidy, confusion)


# --------------------------------------------------------------------------------------
# Shares, and the relation to the exploratory clusters
# --------------------------------------------------------------------------------------
def topic_shares(assignments: pd.DataFrame, articles: pd.DataFrame, *, by: str = "outlet",
                 period: str | None = None, events: pd.DataFrame | None = None,
                 column: str = "topic", units=None) -> pd.DataFrame:
    """Topic shares per outlet, outlet group or event, optionally per period, with their articles.

    Parameters
    ----------
    assignments : pandas.DataFrame
        :func:`assign_topics` output (``article_id`` and ``column``).
    articles : pandas.DataFrame
        The corpus's ``articles`` table (``article_id``, ``published`` and the ``by`` column).
    by : str, default "outlet"
        An ``articles`` column (``"outlet"``, ``"outlet_group"``, ``"genre"`` ...) or
        ``"event"``: the event each article most likely reports
        (:func:`analysis.timeline.assign_events`: within 7 days and using the event's
        vocabulary; "(no event)" when none matches).
    period : str, optional
        A pandas period frequency (``"M"`` = month): one row per group, period and topic;
        undated articles are then left out.
    events : pandas.DataFrame, optional
        For ``by="event"``; default :func:`analysis.timeline.load_events`.
    column : str, default "topic"
        The assignment column counted (``"secondary"`` counts secondary topics).
    units : pandas.DataFrame, optional
        From :func:`analysis.stats.independent_units`: an article with ``c`` near-duplicate
        copies weighs ``1 / c`` in every count and mean, so copies of one story count once
        (``n`` and ``n_paragraphs`` may then be fractional); ``n_articles`` and
        ``n_articles_with_topic`` count independent articles.

    Returns
    -------
    pandas.DataFrame
        ``<by>``, [``period``], ``topic``, ``n`` (paragraphs with the topic), ``n_paragraphs``
        (in the group), ``share`` (``n / n_paragraphs``), ``article_share`` (mean over the
        group's articles of the topic's share of each article's paragraphs: every article
        weighs the same), ``n_articles_with_topic``, ``n_articles`` (articles behind the
        share). Every category appears in every group, zeros included.
    """
    from ..timeline import assign_events, load_events

    cats = ([c[2:] for c in assignments.columns if c.startswith("p_")]
            or sorted(set(assignments[column]) - {""}))
    meta = articles.drop_duplicates("article_id").set_index("article_id")
    if by == "event":
        group = assign_events(meta, load_events() if events is None else events)
        group = group.astype(object).where(group.notna(), "(no event)")
    elif by in meta.columns:
        group = meta[by].astype(object).where(meta[by].notna(), "(unknown)")
    else:
        raise KeyError(f"topic_shares: the articles table has no column {by!r}; use one of "
                       f"{list(meta.columns)} or 'event'.")
    keys = [by]
    ids = assignments["article_id"]
    topic = assignments[column].astype(str).to_numpy()
    art = pd.DataFrame({by: group})
    if period:
        # the period of each article, then its paragraphs (not one conversion per paragraph)
        dates = pd.to_datetime(meta["published"])
        art["period"] = dates.dt.to_period(period).astype(str).where(dates.notna())
        dated = ids.map(dates.notna()).fillna(False).to_numpy(dtype=bool)
        ids, topic = ids[dated], topic[dated]
        keys.append("period")
    from ..stats import as_counts, unit_weights

    per_article = _per_article_counts(ids, topic, cats)
    share_in_article = per_article.div(per_article.sum(axis=1).where(lambda s: s > 0), axis=0)
    art_keys = art.reindex(per_article.index)[keys]
    by_group = [art_keys[k] for k in keys]
    wu = unit_weights(per_article.index, units)
    weight = pd.Series(wu["weight"].to_numpy(), index=per_article.index)
    unit = pd.Series(wu["unit_id"].to_numpy(), index=per_article.index)
    weighted = per_article.mul(weight, axis=0)
    wsum = weight.groupby(by_group).sum()

    has = per_article.gt(0).to_numpy()
    rows, cols = np.nonzero(has)
    present = pd.DataFrame({k: art_keys[k].to_numpy()[rows] for k in keys})
    present["topic"] = np.asarray(per_article.columns, dtype=object)[cols]
    present["unit"] = unit.to_numpy()[rows]
    with_topic = present.groupby([*keys, "topic"])["unit"].nunique()
    out = pd.concat({
        "n": weighted.groupby(by_group).sum().stack(),
        "article_share": share_in_article.fillna(0.0).mul(weight, axis=0).groupby(by_group).sum()
                         .div(wsum, axis=0).stack(),
    }, axis=1)
    out.index.names = [*keys, "topic"]
    out["n_articles_with_topic"] = with_topic.reindex(out.index).fillna(0).to_numpy()
    out = out.reset_index()
    out.columns = [*keys, "topic", "n", "article_share", "n_articles_with_topic"]
    totals = weighted.sum(axis=1).groupby(by_group).sum().rename("n_paragraphs")
    n_art = unit.groupby(by_group).nunique().rename("n_articles")
    out = out.join(totals, on=keys).join(n_art, on=keys)
    out["n"] = as_counts(out["n"])
    out["n_paragraphs"] = as_counts(out["n_paragraphs"])
    out["share"] = out["n"] / out["n_paragraphs"].where(out["n_paragraphs"] > 0)
    out = out.astype({"n_articles": int, "n_articles_with_topic": int, "topic": str})
    out["topic"] = pd.Categorical(out["topic"], cats)
    out = out.sort_values([*keys, "topic"], ignore_index=True)
    out["topic"] = out["topic"].astype(str)
    return out[[*keys, "topic", "n", "n_paragraphs", "share", "article_share",
                "n_articles_with_topic", "n_articles"]]


def _per_article_counts(ids: pd.Series, topic: np.ndarray, cats: list) -> pd.DataFrame:
    """Paragraphs of each article (rows, sorted ids) per category (columns, ``cats`` order).

    What ``pd.crosstab(ids, pd.Categorical(topic, cats), dropna=False)`` gives (topics outside
    ``cats`` are not counted; an article with none of ``cats`` keeps a row of zeros), counted with
    one ``bincount`` instead of pandas' per-group Python aggregation (issue #18).
    """
    codes = pd.Index(cats, dtype=object).get_indexer(topic)
    rows, index = pd.factorize(ids, sort=True)
    keep = codes >= 0
    counts = np.bincount(rows[keep] * len(cats) + codes[keep],
                         minlength=len(index) * len(cats)).reshape(len(index), len(cats))
    columns = pd.CategoricalIndex(cats, categories=cats, name="col_0")
    return pd.DataFrame(counts.astype("int64"), index=pd.Index(index, name="article_id"),
                        columns=columns)


def _joined(kmeans: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    need = [*KEYS, "topic"]
    for name, frame in (("kmeans", kmeans), ("codebook", codebook)):
        if any(c not in frame.columns for c in need):
            raise ValueError(f"cluster_crosstab: the {name} table needs columns {need}.")
    left = kmeans[need + (["topic_label"] if "topic_label" in kmeans.columns else [])]
    if _same_unique_keys(left, codebook):  # rows already matched: no merge (issue #18)
        return left.rename(columns={"topic": "topic_kmeans"}).reset_index(drop=True).assign(
            topic=codebook["topic"].array)
    return left.merge(codebook[need], on=KEYS, suffixes=("_kmeans", ""), validate="one_to_one")


def cluster_crosstab(kmeans: pd.DataFrame, codebook: pd.DataFrame, *,
                     normalize: bool = False) -> pd.DataFrame:
    """How the exploratory k-means clusters relate to the codebook topics.

    Parameters
    ----------
    kmeans : pandas.DataFrame
        ``TopicModel.assignments_`` (``article_id, paragraph, topic, topic_label``).
    codebook : pandas.DataFrame
        :func:`assign_topics` output.
    normalize : bool, default False
        True: shares of each cluster's paragraphs (rows sum to 1) instead of counts.

    Returns
    -------
    pandas.DataFrame
        Rows: clusters (``"id: label"``, -1 = too short); columns: codebook categories.
    """
    joined = _joined(kmeans, codebook)
    label = joined.get("topic_label", pd.Series("", index=joined.index)).astype(str)
    rows = joined["topic_kmeans"].astype(int).astype(str) + ": " + label
    cats = [c[2:] for c in codebook.columns if c.startswith("p_")] or sorted(set(joined["topic"]))
    topic = pd.Series(pd.Categorical(joined["topic"].astype(str), cats), index=joined.index,
                      name="codebook topic")
    table = pd.crosstab(rows.rename("k-means cluster"), topic, dropna=False,
                        normalize="index" if normalize else False)
    order = sorted(table.index, key=lambda s: int(s.split(":", 1)[0]))
    return table.loc[order]


def cluster_agreement(kmeans: pd.DataFrame, codebook: pd.DataFrame) -> pd.Series:
    """NMI and ARI between the k-means clusters (too-short units left out) and codebook topics.

    Returns
    -------
    pandas.Series
        ``nmi, ari, n`` (paragraphs compared).
    """
    joined = _joined(kmeans, codebook)
    joined = joined[joined["topic_kmeans"].astype(int) >= 0]
    # the categories as integer codes in sorted order (np.unique's order of the strings, so the
    # same contingency table): scikit-learn sorts integers much faster than strings
    a = joined["topic_kmeans"].to_numpy()
    b = pd.factorize(joined["topic"].to_numpy(), sort=True)[0]
    enough = len(joined) >= 2
    return pd.Series({"nmi": normalized_mutual_info_score(a, b) if enough else np.nan,
                      "ari": adjusted_rand_score(a, b) if enough else np.nan,
                      "n": len(joined)})


def paragraph_table(kmeans_table: pd.DataFrame, codebook: pd.DataFrame) -> pd.DataFrame:
    """``paragraph_topics.csv`` with both assignments.

    Parameters
    ----------
    kmeans_table : pandas.DataFrame
        ``TopicModel.to_table()`` (``article_id, paragraph, text, topic, topic_label``).
    codebook : pandas.DataFrame
        :func:`assign_topics` output.

    Returns
    -------
    pandas.DataFrame
        The k-means columns unchanged, then ``codebook_topic``, ``codebook_secondary``,
        ``codebook_probability`` and ``p_<category>``.
    """
    probs = [c for c in codebook.columns if c.startswith("p_")]
    right = codebook[[*KEYS, "topic", "secondary", "probability", *probs]].rename(columns={
        "topic": "codebook_topic", "secondary": "codebook_secondary",
        "probability": "codebook_probability"})
    if _same_unique_keys(kmeans_table, right):
        # the rows already match one to one: the columns are put side by side, and the
        # paragraph texts are not copied by a merge (issue #18)
        out = kmeans_table.reset_index(drop=True)
        # .array: positional, and keeps every dtype (categorical, nullable) as the merge did
        return out.assign(**{c: right[c].array for c in right.columns if c not in KEYS})
    return kmeans_table.merge(right, on=KEYS, how="left", validate="one_to_one")


def _same_unique_keys(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    """Whether both tables hold the same keys in the same order, strictly increasing (so unique)."""
    if len(left) != len(right) or not all(
            np.array_equal(left[k].to_numpy(), right[k].to_numpy()) for k in KEYS):
        return False
    index = pd.MultiIndex.from_frame(left[KEYS])
    return bool(index.is_monotonic_increasing and index.is_unique)


# --------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------
#: The targets of issue #14: macro-F1 on the development corpus's ``test`` split, and the
#: normalised mutual information with a corpus's own hand codes.
TARGETS = {"macro_f1": 0.70, "nmi": 0.60}


def target_check(dev: CodebookValidation, local: CodebookValidation | None = None
                 ) -> pd.DataFrame:
    """Whether the codebook topics reach the targets (:data:`TARGETS`), from the validation tables.

    Parameters
    ----------
    dev : CodebookValidation
        The out-of-sample validation (:func:`read_validation`): macro-F1 is checked there.
    local : CodebookValidation, optional
        The validation against the corpus's own hand codes (:func:`validate`): NMI is checked
        there. None (no hand codes): that row says "not measured".

    Returns
    -------
    pandas.DataFrame
        ``measure, sample, n_paragraphs, result, target, met, gap`` (``gap = result - target``;
        ``met`` is None when the result is not available).

    Examples
    --------
    >>> check = target_check(read_validation())
    >>> check[["measure", "target"]].to_dict("list")
    {'measure': ['macro-F1', 'NMI'], 'target': [0.7, 0.6]}
    >>> bool(check["met"].iloc[0])
    False
    """
    nmi = local.nmi if local is not None else float("nan")
    rows = [("macro-F1", "development corpus, test split (AI coders)", dev.n_compared,
             dev.macro_f1, TARGETS["macro_f1"]),
            ("NMI", "this corpus's hand codes", local.n_compared if local is not None else 0,
             nmi, TARGETS["nmi"])]
    out = pd.DataFrame(rows, columns=["measure", "sample", "n_paragraphs", "result", "target"])
    known = out["result"].notna()
    out["met"] = pd.Series([bool(r >= t) if k else None for r, t, k in
                            zip(out["result"], out["target"], known, strict=True)], dtype=object)
    out["gap"] = out["result"] - out["target"]
    return out


def describe_target(row) -> str:
    """One row of :func:`target_check` in words ("0.630 (target 0.70: missed by 0.070)").

    Parameters
    ----------
    row : pandas.Series or namedtuple
        A row of :func:`target_check`.

    Returns
    -------
    str
    """
    if row.met is None:
        return f"not measured (target {row.target:.2f})"
    verdict = "met" if row.met else f"missed by {-row.gap:.3f}"
    return f"{row.result:.3f} (target {row.target:.2f}: {verdict})"


# --------------------------------------------------------------------------------------
# Display forms of the shares
# --------------------------------------------------------------------------------------
def wide_codebook_shares(shares: pd.DataFrame, *, by: str = "outlet") -> pd.DataFrame:
    """Display form of :func:`topic_shares`: one row per group, one column per category.

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`topic_shares` (without ``period``, or with ``by="period"`` to show
        one row per period of a single group).
    by : str, default "outlet"

    Returns
    -------
    pandas.DataFrame of str
        Cells ``"43% (6)"`` (share of the group's paragraphs, paragraphs); the columns
        ``articles`` and ``paragraphs`` give what stands behind each row.
    """
    cats = list(pd.unique(shares["topic"]))
    cell = shares["share"].map(lambda v: "–" if pd.isna(v) else f"{v:.0%}") + \
        " (" + shares["n"].astype(str) + ")"
    wide = shares.assign(cell=cell).pivot(index=by, columns="topic", values="cell")[cats]
    first = shares.drop_duplicates(by).set_index(by)
    wide.insert(0, "paragraphs", first.loc[wide.index, "n_paragraphs"].astype(str))
    wide.insert(0, "articles", first.loc[wide.index, "n_articles"].astype(str))
    wide.columns.name = "topic"
    return wide


def largest_codebook_gap(shares: pd.DataFrame, *, by: str = "outlet_group") -> pd.Series | None:
    """The category whose paragraph share differs most between two groups.

    Parameters
    ----------
    shares : pandas.DataFrame
        Output of :func:`topic_shares` (no ``period``).
    by : str, default "outlet_group"

    Returns
    -------
    pandas.Series or None
        ``topic, high, high_share, high_n, high_paragraphs, high_articles`` and the same for
        ``low`` (the groups with the highest and lowest share); None with fewer than two groups
        holding paragraphs. Ties go to the category listed first, then to the group sorted first.
    """
    rows = shares[shares["n_paragraphs"] > 0]
    if rows[by].nunique() < 2:
        return None
    order = {c: i for i, c in enumerate(pd.unique(rows["topic"]))}
    ranked = rows.assign(order=rows["topic"].map(order)).sort_values(
        ["order", "share", by], ascending=[True, False, True], kind="stable")
    high = ranked.groupby("order").head(1).set_index("order")
    low = ranked.groupby("order").tail(1).set_index("order")
    t = (high["share"] - low["share"]).round(12).idxmax()
    out = {"topic": high.loc[t, "topic"]}
    for side, frame in (("high", high), ("low", low)):
        out.update({side: frame.loc[t, by], f"{side}_share": float(frame.loc[t, "share"]),
                    f"{side}_n": int(frame.loc[t, "n"]),
                    f"{side}_paragraphs": int(frame.loc[t, "n_paragraphs"]),
                    f"{side}_articles": int(frame.loc[t, "n_articles"])})
    return pd.Series(out)
