"""The topic analysis in words: what this corpus can and cannot show about topics.

Every number in the text is computed from the objects passed in (the committed out-of-sample
validation, the codebook assignments, the hand-code validations, the k-means model); nothing is
typed by hand.
"""

from __future__ import annotations

import pandas as pd

from ..outputs import md_escape
from .codebook_validate import (
    CodebookValidation,
    cluster_agreement,
    describe_target,
    largest_codebook_gap,
    target_check,
    topic_shares,
)
from .shares import articles_per_period
from .validate import Validation


def _span(counts: pd.Series) -> str:
    """``"3"`` when all counts are equal, else ``"1 to 4"``."""
    return f"{counts.min()}" if counts.min() == counts.max() else f"{counts.min()} to {counts.max()}"


def _name(category: str) -> str:
    return f"`{category}`"


def _measurement(dev: CodebookValidation, local: CodebookValidation | None) -> str:
    """The bullet on the out-of-sample validation and the targets."""
    check = target_check(dev, local).set_index("measure")
    per = dev.per_category.set_index("category")
    weak = per[per["support"] > 0].sort_values(["recall", "support"]).head(2)
    taiwan = (f" Taiwan recall {dev.recall('taiwan'):.2f} "
              f"({round(per.loc['taiwan', 'recall'] * per.loc['taiwan', 'support'])} of "
              f"{int(per.loc['taiwan', 'support'])})." if "taiwan" in per.index else "")
    return (
        f"- **Measurement.** Paragraphs are assigned to the codebook's {len(per)} categories by "
        f"the committed classifier. Scored once on {dev.n_compared} held-out paragraphs of the "
        f"development corpus: accuracy {dev.accuracy:.3f}, macro-F1 "
        f"{describe_target(check.loc['macro-F1'])}.{taiwan} The weakest categories are "
        + ", ".join(f"{_name(c)} (recall {r.recall:.2f}, {int(r.support)} paragraphs)"
                    for c, r in weak.iterrows())
        + ". Those codes come from two AI coders following the codebook, not from human "
        "experts: the figures measure agreement with that kind of coder.\n")


def _local(local: CodebookValidation | None, kmeans: Validation | None, dev, agreement) -> str:
    """The bullet on this corpus's hand codes."""
    if local is None:
        return ("- **This corpus's hand codes.** No hand-coded sample was given: the codebook "
                "topics are checked only out of sample (above).\n")
    nmi = target_check(dev, local).set_index("measure").loc["NMI"]
    km = (f"; the k-means clusters reach NMI {kmeans.nmi:.3f} (ARI {kmeans.ari:.3f}) on "
          f"{kmeans.n_compared} paragraphs" if kmeans is not None else "")
    return (
        f"- **This corpus's hand codes.** On {local.n_compared} coded paragraphs the codebook "
        f"topics reach accuracy {local.accuracy:.3f}, macro-F1 {local.macro_f1:.3f}, NMI "
        f"{describe_target(nmi)} and ARI {local.ari:.3f}{km}. The k-means clusters and the "
        f"codebook topics share NMI {agreement['nmi']:.3f} (ARI {agreement['ari']:.3f}, "
        f"{int(agreement['n'])} paragraphs): the map is not the measurement.\n")


def _groups(assigned: pd.DataFrame, articles: pd.DataFrame) -> str:
    """The bullet on the largest difference between outlet groups."""
    shares = topic_shares(assigned, articles, by="outlet_group")
    counts = shares.groupby("topic", sort=False)["n"].sum()
    top = counts.sort_values(ascending=False, kind="stable").head(3)
    total = int(counts.sum())
    lead = ", ".join(f"{_name(c)} {n / total:.0%} ({n})" for c, n in top.items())
    gap = largest_codebook_gap(shares, by="outlet_group")
    if gap is None:
        diff = "Only one outlet group holds paragraphs: no comparison between groups."
    else:
        diff = (f"The largest difference between groups is {_name(gap['topic'])}: "
                f"{gap['high_share']:.0%} of the {md_escape(gap['high'])} paragraphs ({gap['high_n']} of "
                f"{gap['high_paragraphs']}, {gap['high_articles']} article(s)) against "
                f"{gap['low_share']:.0%} of the {md_escape(gap['low'])} ones ({gap['low_n']} of "
                f"{gap['low_paragraphs']}, {gap['low_articles']} article(s)).")
    return (f"- **Topics.** Of the {total} paragraphs, the most frequent codebook topics are "
            f"{lead}. {diff}\n")


def findings_markdown(model, articles: pd.DataFrame, validation: Validation | None = None, *,
                      assigned: pd.DataFrame | None = None,
                      dev: CodebookValidation | None = None,
                      local: CodebookValidation | None = None) -> str:
    """Notebook 03's findings, written from the validations, the assignments and the corpus.

    Parameters
    ----------
    model : analysis.topics.TopicModel
        Fitted (the exploratory k-means map).
    articles : pandas.DataFrame
        The corpus ``articles`` table (``outlet``, ``outlet_group``, ``published``).
    validation : analysis.topics.Validation, optional
        :meth:`analysis.topics.TopicModel.validate` of a hand-coded sample (None: none given).
    assigned : pandas.DataFrame, optional
        :func:`analysis.topics.assign_topics` of the corpus (the codebook topics). None: the
        findings describe the k-means map only.
    dev : CodebookValidation, optional
        The committed out-of-sample validation (:func:`analysis.topics.read_validation`);
        needed with ``assigned``.
    local : CodebookValidation, optional
        :func:`analysis.topics.validate_codebook` against the corpus's hand codes (None: none).

    Returns
    -------
    str
        Markdown: measurement and targets, hand codes, topics by group, size, outlets, the map's
        stability, time and what the topics can show.
    """
    per_period = articles_per_period(articles, by="outlet", freq="M").sum(axis=1)
    per_outlet = articles["outlet"].value_counts()
    per_group = articles["outlet_group"].value_counts().sort_index()
    chosen = model.k_selection_.set_index("k")
    stab = chosen.loc[model.k_, "stability_boot"] if model.k_ in chosen.index else float("nan")
    codebook = ""
    if assigned is not None and dev is not None:
        agreement = cluster_agreement(model.assignments_, assigned)
        codebook = (_measurement(dev, local) + _local(local, validation, dev, agreement)
                    + _groups(assigned, articles))
    kmeans_validation = "" if assigned is not None else (
        "- **Validation.** " + ("No hand-coded sample was given: the topics are not validated."
                                if validation is None else
                                f"Agreement with the hand coding is ARI {validation.ari:.2f} and "
                                f"NMI {validation.nmi:.2f} on {validation.n_compared} paragraphs "
                                "(1 = identical partitions, 0 = chance).") + "\n")
    return codebook + f"""- **Size.** {len(articles)} article(s) from {len(per_outlet)} outlet(s)
  ({", ".join(f"{n} {md_escape(g)}" for g, n in per_group.items())}); {len(model.units_)} paragraphs. The
  topic shares describe these paragraphs; they are not estimates of what the outlets cover in
  general.
- **Outlets are a handful of articles.** Each outlet is represented by {_span(per_outlet)}
  article(s). A difference in topic shares between outlets or groups is a
  difference between these particular articles (their genre, date and news peg), not a
  measured outlet effect, and paragraphs of one article are not independent draws, so no
  test is reported.
- **The exploratory map.** {f"k-means chose k = {model.k_} with a bootstrap stability of {stab:.2f}"
  if stab == stab else f"k = {model.k_} was not chosen by the stability rule ({model.k_reason_})"}
  on {len(model.fit_rows_)} clustered paragraphs. Read it as one reasonable grouping of these
  paragraphs, useful to navigate them, not as *the* topics of the coverage; a cluster's
  c-TF-IDF label describes its words, not a category.
{kmeans_validation}- **Time.** {"No article is dated, so nothing can be said about change over time."
  if per_period.empty else f"{len(per_period)} month(s) with dated articles, "
  f"{_span(per_period)} article(s) each: time, outlet and news event are confounded."}
- **What it can show.** How much room each outlet gives the codebook's categories in these
  articles, with a measured (and imperfect) accuracy, and a pipeline that runs unchanged on a
  corpus large enough to compare outlets with article-level resampling (`analysis.stats`).
"""
