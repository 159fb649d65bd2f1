"""The topic analysis in words: what this corpus can and cannot show about topics."""

from __future__ import annotations

import pandas as pd

from ..outputs import md_escape
from .shares import articles_per_period
from .validate import Validation


def _span(counts: pd.Series) -> str:
    """``"3"`` when all counts are equal, else ``"1 to 4"``."""
    return f"{counts.min()}" if counts.min() == counts.max() else f"{counts.min()} to {counts.max()}"


def findings_markdown(model, articles: pd.DataFrame, validation: Validation | None = None) -> str:
    """Notebook 03's findings, written from the fitted model and the corpus articles.

    Parameters
    ----------
    model : analysis.topics.TopicModel
        Fitted.
    articles : pandas.DataFrame
        The corpus ``articles`` table (``outlet``, ``outlet_group``, ``published``).
    validation : analysis.topics.Validation, optional
        :meth:`analysis.topics.TopicModel.validate` of a hand-coded sample (None: none given).

    Returns
    -------
    str
        Markdown: size, what the outlets' handful of articles supports, stability, time,
        validation and what the topics can show. Outlet groups go through
        :func:`analysis.outputs.md_escape`.
    """

    per_period = articles_per_period(articles, by="outlet", freq="M").sum(axis=1)
    per_outlet = articles["outlet"].value_counts()
    per_group = articles["outlet_group"].value_counts().sort_index()
    chosen = model.k_selection_.set_index("k")
    stab = chosen.loc[model.k_, "stability_boot"] if model.k_ in chosen.index else float("nan")
    return f"""
- **Size.** {len(articles)} article(s) from {len(per_outlet)} outlet(s)
  ({", ".join(f"{n} {md_escape(g)}" for g, n in per_group.items())}); {len(model.units_)} paragraphs, of which
  {len(model.fit_rows_)} were clustered. The topics describe these paragraphs; they are not
  estimates of what the outlets cover in general.
- **Outlets are a handful of articles.** Each outlet is represented by {_span(per_outlet)}
  article(s). A difference in topic shares between outlets or groups is a
  difference between these particular articles (their genre, date and news peg), not a
  measured outlet effect, and paragraphs of one article are not independent draws, so no
  test is reported.
- **Stability.** {f"The chosen k = {model.k_} has a bootstrap stability of {stab:.2f}; the "
  "sensitivity table shows how the choice moves with the number of LSA dimensions."
  if stab == stab else f"k = {model.k_} was not chosen by the stability rule ({model.k_reason_})"} Read the partition as one reasonable grouping of these
  paragraphs, useful to navigate them, not as *the* topics of the coverage.
- **Time.** {"No article is dated, so nothing can be said about change over time." if per_period.empty
  else f"{len(per_period)} month(s) with dated articles, {_span(per_period)} article(s) each: "
  "time, outlet and news event are confounded."}
- **Validation.** {"No hand-coded sample was given: the topics are not validated." if validation is None
  else f"Agreement with the hand coding is ARI {validation.ari:.2f} and NMI "
  f"{validation.nmi:.2f} on {validation.n_compared} paragraphs (1 = identical partitions, "
  "0 = chance); the confusion table shows which a-priori categories a topic merges or splits, "
  "and a topic's c-TF-IDF label is a description of its words, not a category."}
- **What it can show.** Which words travel together within paragraphs, which paragraphs are
  typical of each group, and where each article spends its paragraphs: a map for close
  reading, and a pipeline that runs unchanged on a corpus large enough to compare outlets with
  article-level resampling (`analysis.stats`).
"""
