"""Distinctive vocabulary between two groups of documents: the log-odds ratio with an
informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, "Fightin' words", eq. 16-22),
and a keyness plot in the manner of quanteda's ``textplot_keyness``.

For a word :math:`w`, counts :math:`y^i_w` in the target group and :math:`y^j_w` in the
reference group, group totals :math:`n^i, n^j`, and prior pseudo-counts :math:`\\alpha_w`
summing to :math:`\\alpha_0`:

.. math::

    \\delta_w = \\log\\frac{y^i_w + \\alpha_w}{n^i + \\alpha_0 - y^i_w - \\alpha_w}
              - \\log\\frac{y^j_w + \\alpha_w}{n^j + \\alpha_0 - y^j_w - \\alpha_w},\\qquad
    \\sigma^2(\\delta_w) \\approx \\frac{1}{y^i_w + \\alpha_w} + \\frac{1}{y^j_w + \\alpha_w},\\qquad
    z_w = \\delta_w / \\sqrt{\\sigma^2}.

With ``prior="corpus"`` the prior is the words' frequencies in the two groups pooled,
:math:`\\alpha_w = \\alpha_0\\,(y^i_w + y^j_w)/(n^i + n^j)` (Monroe et al.'s informative prior,
:math:`\\alpha_w = \\alpha_0 \\hat\\pi_w`). The prior's total weight :math:`\\alpha_0` is the
analyst's choice; the default is the **mean document length** of the compared documents, a prior
worth one average document. (Until issue #15 it was the pooled token count, which doubled every
count and shrank every :math:`\\delta` heavily towards 0; pass ``alpha0=`` the pooled count for
that.) Under any prior proportional to pooled frequencies a word absent from one side has
nearly the same :math:`\\delta` as every other such word, and its z grows with its count: the
only evidence about it is how often the other side uses it. ``prior="uniform"`` gives every word
:math:`\\alpha_0 / V` (default 0.01 per word).

*How the prior's scale compares with the paper and its implementations* (checked for issue
#15). Monroe et al. define the informative prior as :math:`\\alpha_w = \\alpha_0\\hat\\pi_w`
with :math:`\\hat\\pi_w` from a larger or pooled corpus and leave :math:`\\alpha_0` to the
analyst; we could not check, with the sources at hand, which :math:`\\alpha_0` their own
examples use, so none is quoted here. The common implementations take two other scales: the
Python script of J. Hessel (github.com/jmhessel/FightingWords, and the ``fightin-words``
package built on it) defaults to a *uniform* prior of 0.01 per word (our ``prior="uniform"``);
``tidylo::bind_log_odds`` (R) and github.com/kornosk/log-odds-ratio use the *raw* background
counts as :math:`\\alpha_w`, i.e. :math:`\\alpha_0` = the background's token count (the pooled
data when no background is given) - the scale this module used until issue #15 and still offers
with ``alpha0=`` the pooled count. We keep the mean document length as the default and document
it: the prior then weighs as much as one more average article, which neither swamps small
corpora (the pooled count doubles every count) nor vanishes (0.01 per word lets rare words
dominate the ranking). With a large background corpus, pass its frequencies' scale explicitly.

The z-scores treat tokens as independent draws; with few documents they measure how
different the texts are, not how reliably the *outlets* differ: a word used many times in one
article gets a large z. ``docs_target`` / ``docs_reference`` (documents using the word) show it.
Copies of one syndicated story would multiply both counts and document counts: pass ``units=``
(:func:`analysis.stats.independent_units`) and the copies of a story on one side are averaged
into one document first. :data:`Z_THRESHOLD` (1.96) is the line :func:`plot_keyness` draws.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import scipy.sparse as sp

from analysis._checks import check_one_of
from analysis.config import CHINESE_STATE, INTERNATIONAL
from analysis.stats import unit_of
from analysis.tokens import DFM

#: |z| drawn as a dashed line by :func:`plot_keyness` (two-sided 5 % under the token model).
Z_THRESHOLD = 1.96

COLUMNS = [
    "term",
    "count_target",
    "count_reference",
    "docs_target",
    "docs_reference",
    "freq_target",
    "freq_reference",
    "delta",
    "variance",
    "z",
]


def _group_masks(dfm: DFM, groups, target, reference) -> tuple[np.ndarray, np.ndarray, str, str]:
    if isinstance(groups, str):
        if groups not in dfm.docs.columns:
            raise ValueError(
                f"log_odds: groups={groups!r} is not a column of dfm.docs "
                f"({list(dfm.docs.columns)}); pass a column name or an array of labels"
            )
        groups = dfm.docs[groups]
    labels = pd.Series(np.asarray(groups, dtype=object))
    if len(labels) != dfm.matrix.shape[0]:
        raise ValueError(
            f"log_odds: {len(labels)} group labels for {dfm.matrix.shape[0]} dfm rows; "
            "give one label per row of dfm.docs"
        )
    if target is None:
        if not labels.isin([True, False]).all():
            raise ValueError("log_odds: give target=<label> when groups are not booleans")
        target = True
    is_target = (labels == target).to_numpy()
    if reference is None:
        is_reference = ~is_target & labels.notna().to_numpy()
        reference_name = "rest"
    else:
        is_reference = (labels == reference).to_numpy()
        reference_name = str(reference)
    if not is_target.any():
        raise ValueError(f"log_odds: no document has target label {target!r}")
    if not is_reference.any():
        raise ValueError(
            f"log_odds: the reference group ({reference_name}) is empty: "
            "a comparison needs documents on both sides"
        )
    return is_target, is_reference, str(target), reference_name


def _labels(dfm: DFM, groups):
    """One label per row: the column ``groups`` of ``dfm.docs``, or ``groups`` itself."""
    return dfm.docs[groups] if isinstance(groups, str) else groups


class _LabelTotals:
    """Each group label's word counts and documents using each word, summed once over its rows.

    A side of a comparison is a union of labels (one label, or every labelled row but the
    target's), so its totals are sums of label totals: for whole counts the same integers as
    summing its rows, at the cost of a few label rows instead of a pass over the matrix. Made
    once for the outlet column by :func:`comparisons`, whose outlet-against-the-rest comparisons
    all share it; the group comparison goes through :func:`log_odds`, which makes its own.
    """

    def __init__(self, x: sp.csr_matrix, labels):
        self.codes, uniques = pd.factorize(pd.Series(np.asarray(labels, dtype=object)))
        rows = np.flatnonzero(self.codes >= 0)
        g = sp.csr_matrix((np.ones(len(rows), dtype=np.int64), (self.codes[rows], rows)),
                          shape=(len(uniques), x.shape[0]))
        self.counts = sp.csr_matrix(g @ x)
        self.docs = sp.csr_matrix(g @ (x > 0))  # int64 (g is), rows with a positive count
        self.rows = np.bincount(self.codes[rows], minlength=len(uniques))

    def side(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, int] | None:
        """Totals of the rows ``mask``, or None when they are not a union of labels."""
        chosen = np.unique(self.codes[mask])
        if (chosen < 0).any() or not np.array_equal(np.isin(self.codes, chosen), mask):
            return None
        y = np.asarray(self.counts[chosen].sum(axis=0)).ravel().astype(float)
        d = np.asarray(self.docs[chosen].sum(axis=0)).ravel()
        return y, d, int(self.rows[chosen].sum())


def _whole(counts: np.ndarray) -> np.ndarray:
    """Counts as int64 when whole (always without copies), else the copies' mean counts."""
    return counts.astype(np.int64) if np.array_equal(counts, np.round(counts)) else counts


def _collapse_units(x: sp.csr_matrix, docs: pd.DataFrame, mask: np.ndarray,
                    units) -> sp.csr_matrix | None:
    """Rows ``mask`` of ``x``, copies of one unit averaged into one row; None when the side has
    no copies (or no units are given): then its documents are the rows ``x[mask]`` themselves."""
    if units is None:
        return None
    if "article_id" not in docs.columns:
        raise ValueError("log_odds: units= needs an article_id column in dfm.docs; "
                         "build the dfm from a corpus (dfm(tokens, level='article'))")
    ids = docs.loc[mask, "article_id"].astype(str)
    codes, _ = pd.factorize(ids.map(unit_of(units, "article_id")).fillna(ids), sort=True)
    size = np.bincount(codes)
    if (size == 1).all():
        # no copies on this side: the averaged rows would be the rows themselves (reordered),
        # and every use of the result (column sums, documents using a word, the row count)
        # gives the same numbers from ``x[mask]``: sums of whole counts are exact in any order
        return None
    agg = sp.csr_matrix((1.0 / size[codes], (codes, np.arange(len(codes)))),
                        shape=(len(size), len(codes)))
    return (agg @ x[mask]).tocsr()


def log_odds(
    dfm: DFM,
    groups,
    *,
    target=None,
    reference=None,
    prior: str = "corpus",
    alpha0: float | None = None,
    min_count: int = 1,
    units=None,
) -> pd.DataFrame:
    """Log-odds ratio with an informative Dirichlet prior, target group vs reference group.

    Parameters
    ----------
    dfm : analysis.tokens.DFM
        Counts (``weighting="count"``), any level; stopwords usually removed.
    groups : str, array-like of bool or labels
        A column of ``dfm.docs`` (e.g. ``"outlet_group"``) or one label per row.
    target : label, optional
        The target group's label; default ``True`` (boolean groups).
    reference : label, optional
        The reference group's label; default: every other row with a label ("rest").
    prior : {"corpus", "uniform"}, default "corpus"
        Prior frequencies: pooled frequencies of the two groups, or uniform.
    alpha0 : float, optional
        Total prior pseudo-count :math:`\\alpha_0`. Default: the mean document length
        (tokens per document of the two groups; ``"corpus"``) or ``0.01 * V`` (``"uniform"``).
    min_count : int, default 1
        Keep words used at least this often in the two groups together.
    units : pandas.DataFrame or pandas.Series, optional
        From :func:`analysis.stats.independent_units` (``article_id`` -> ``unit_id``), matched
        on ``dfm.docs["article_id"]``: rows of one unit on one side are averaged into one
        document (counts are then means over copies, so may be fractional). Without it every
        row is a document.

    Returns
    -------
    pandas.DataFrame
        One row per word: ``term``, ``count_target``, ``count_reference``, ``docs_target``,
        ``docs_reference`` (independent documents using it), ``freq_target``, ``freq_reference`` (per 1,000
        tokens of the group), ``delta`` (log-odds ratio), ``variance``, ``z``; sorted by ``z``
        (descending) then ``term``. ``attrs`` holds ``target``, ``reference``, ``n_target``,
        ``n_reference`` (token totals), ``docs_in_target``/``docs_in_reference``
        (independent documents), ``rows_in_target``/``rows_in_reference`` (dfm rows, copies
        included) and ``alpha0``.
    """
    return _log_odds(dfm, groups, target=target, reference=reference, prior=prior, alpha0=alpha0,
                     min_count=min_count, units=units)


def _log_odds(dfm: DFM, groups, *, target, reference, prior, alpha0, min_count, units,
              totals: _LabelTotals | None = None) -> pd.DataFrame:
    """:func:`log_odds`; ``totals``: the :class:`_LabelTotals` of ``groups`` when already made."""
    if dfm.weighting != "count":
        raise ValueError("log_odds: the dfm is not raw counts; build it with weighting='count'")
    check_one_of("prior", prior, ("corpus", "uniform"), func="log_odds")
    is_t, is_r, t_name, r_name = _group_masks(dfm, groups, target, reference)
    x = dfm.matrix.tocsr()
    sides = []
    for mask in (is_t, is_r):
        part = _collapse_units(x, dfm.docs, mask, units)
        found = None
        if part is None and np.issubdtype(x.dtype, np.integer):  # whole counts: label sums
            totals = totals if totals is not None else _LabelTotals(x, _labels(dfm, groups))
            found = totals.side(mask)
        if found is None:  # copies averaged, or fractional counts: the side's rows summed
            part = x[mask] if part is None else part
            found = (np.asarray(part.sum(axis=0)).ravel().astype(float),
                     np.asarray((part > 0).sum(axis=0)).ravel(), part.shape[0])
        sides.append(found)
    (y_t, d_t, docs_t), (y_r, d_r, docs_r) = sides
    keep = (y_t + y_r) >= max(min_count, 1)
    y_t, y_r, d_t, d_r = y_t[keep], y_r[keep], d_t[keep], d_r[keep]
    terms = dfm.features[keep]
    n_t, n_r = y_t.sum(), y_r.sum()
    pooled = y_t + y_r
    if prior == "corpus":
        n_docs = docs_t + docs_r
        a0 = float(pooled.sum()) / n_docs if alpha0 is None else float(alpha0)
        alpha = a0 * pooled / max(pooled.sum(), 1.0)
    else:
        a0 = 0.01 * len(terms) if alpha0 is None else float(alpha0)
        alpha = np.full(len(terms), a0 / max(len(terms), 1))
    delta = np.log((y_t + alpha) / (n_t + a0 - y_t - alpha)) - np.log(
        (y_r + alpha) / (n_r + a0 - y_r - alpha)
    )
    variance = 1.0 / (y_t + alpha) + 1.0 / (y_r + alpha)
    table = pd.DataFrame(
        {
            "term": pd.Series(terms, dtype="str"),
            "count_target": _whole(y_t),
            "count_reference": _whole(y_r),
            "docs_target": d_t.astype(np.int64),
            "docs_reference": d_r.astype(np.int64),
            "freq_target": 1000 * y_t / n_t if n_t else np.zeros_like(y_t),
            "freq_reference": 1000 * y_r / n_r if n_r else np.zeros_like(y_r),
            "delta": delta,
            "variance": variance,
            "z": delta / np.sqrt(variance),
        },
        columns=COLUMNS,
    )
    if terms.is_monotonic_increasing and terms.is_unique:
        # the same order as sort_values(["z", "term"], ascending=[False, True]): z descending
        # (NaN last), ties in term order, which is the rows' order here
        table = table.iloc[np.lexsort((np.arange(len(table)), -table["z"].to_numpy()))]
    else:
        table = table.sort_values(["z", "term"], ascending=[False, True], kind="stable")
    table = table.reset_index(drop=True)
    table.attrs.update(
        target=t_name,
        reference=r_name,
        n_target=int(n_t),
        n_reference=int(n_r),
        docs_in_target=int(docs_t),
        docs_in_reference=int(docs_r),
        rows_in_target=int(is_t.sum()),
        rows_in_reference=int(is_r.sum()),
        alpha0=a0,
    )
    return table


def distinctive_terms(table: pd.DataFrame, *, n: int = 15) -> pd.DataFrame:
    """The ``n`` most target-distinctive and ``n`` most reference-distinctive words.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`log_odds`.
    n : int, default 15

    Returns
    -------
    pandas.DataFrame
        ``table`` rows with positive z (top ``n``) then negative z (bottom ``n``), plus a
        ``side`` column (``"target"``/``"reference"``); sorted by z descending.
    """
    pos = table[table["z"] > 0].head(n).assign(side="target")
    neg = table[table["z"] < 0].tail(n).assign(side="reference")
    return pd.concat([pos, neg], ignore_index=True)


def plot_keyness(
    table: pd.DataFrame,
    *,
    n: int = 15,
    ax: plt.Axes | None = None,
    colours: tuple[str, str] = ("#d62728", "#7f7f7f"),
    target_label: str | None = None,
    reference_label: str | None = None,
) -> plt.Axes:
    """Horizontal bars of z for the most distinctive words of each side (quanteda style).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`log_odds`.
    n : int, default 15
        Words per side.
    ax : matplotlib.axes.Axes, optional
    colours : (str, str)
        Target and reference bar colours.
    target_label, reference_label : str, optional
        Legend labels; default ``table.attrs`` target/reference.

    Returns
    -------
    matplotlib.axes.Axes
    """
    top = distinctive_terms(table, n=n).iloc[::-1]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, max(2.5, 0.28 * len(top) + 1)))
    target_label = target_label or table.attrs.get("target", "target")
    reference_label = reference_label or table.attrs.get("reference", "reference")
    y = np.arange(len(top))
    is_t = (top["side"] == "target").to_numpy()
    for mask, colour, label in [
        (is_t, colours[0], target_label),
        (~is_t, colours[1], reference_label),
    ]:
        if mask.any():
            ax.barh(y[mask], top["z"].to_numpy()[mask], color=colour, label=label)
    for yi, (z, term) in enumerate(zip(top["z"], top["term"], strict=True)):
        ha = "left" if z >= 0 else "right"
        ax.text(z, yi, f" {term} ", va="center", ha=ha, fontsize=8)
    ax.set_yticks([])
    ax.axvline(0, color="black", linewidth=0.6)
    for side in (-Z_THRESHOLD, Z_THRESHOLD):
        ax.axvline(side, color="0.5", linewidth=0.6, linestyle="--")
    ax.set_xlabel(f"z-score of the log-odds ratio (standard deviations; informative Dirichlet prior); "
                  f"dashed: |z| = {Z_THRESHOLD}", fontsize=9)
    if len(top):
        lim = max(float(np.abs(top["z"]).max()) * 1.6, Z_THRESHOLD * 1.2)
        ax.set_xlim(-lim if (~is_t).any() else 0, lim if is_t.any() else 0)
        ax.legend(loc="lower right", frameon=False, fontsize=8)
    return ax


def vocabulary_summary(dfm: DFM, *, by: str = "outlet", n: int = 10) -> pd.DataFrame:
    """Vocabulary size and most frequent terms per group.

    Parameters
    ----------
    dfm : analysis.tokens.DFM
        Counts (stopwords usually removed).
    by : str, default "outlet"
    n : int, default 10
        Terms listed per group (ties broken alphabetically).

    Returns
    -------
    pandas.DataFrame
        ``by``, ``documents``, ``tokens``, ``types`` (distinct terms used), ``top_terms``
        ("term (count), ..."); sorted by group.
    """
    x = dfm.matrix.tocsr()
    codes, labels = pd.factorize(dfm.docs[by], sort=True)
    rows = []
    for k, label in enumerate(labels):
        sums = np.asarray(x[codes == k].sum(axis=0)).ravel()
        order = np.lexsort((dfm.features.to_numpy(), -sums))[:n]
        top = ", ".join(f"{dfm.features[i]} ({int(sums[i])})" for i in order if sums[i] > 0)
        rows.append((label, int((codes == k).sum()), int(sums.sum()), int((sums > 0).sum()), top))
    return pd.DataFrame(rows, columns=[by, "documents", "tokens", "types", "top_terms"])


def comparisons(
    dfm: DFM, *, group_col: str = "outlet_group", outlet_col: str = "outlet", **kwargs
) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The suite's standard keyness comparisons, skipping those a corpus cannot support.

    ``international`` vs ``chinese_state`` (when both groups are present), then each outlet
    vs all other outlets (when there are at least two outlets).

    Parameters
    ----------
    dfm : analysis.tokens.DFM
        Counts with ``group_col`` and ``outlet_col`` in ``docs``.
    group_col, outlet_col : str
    **kwargs
        Passed to :func:`log_odds`.

    Returns
    -------
    tables : dict of str to pandas.DataFrame
        Name (``"international vs chinese_state"``, ``"<outlet> vs rest"``) to table.
    notes : list of str
        Why comparisons were skipped.
    """
    tables: dict[str, pd.DataFrame] = {}
    notes: list[str] = []
    options = {"prior": "corpus", "alpha0": None, "min_count": 1, "units": None, **kwargs}
    groups = set(dfm.docs[group_col].dropna()) if group_col in dfm.docs else set()
    if {INTERNATIONAL, CHINESE_STATE} <= groups:
        tables[f"{INTERNATIONAL} vs {CHINESE_STATE}"] = log_odds(
            dfm, group_col, target=INTERNATIONAL, reference=CHINESE_STATE, **kwargs
        )
    else:
        notes.append(
            f"international vs chinese_state skipped: the corpus has outlet groups {sorted(groups)}"
        )
    outlets = sorted(set(dfm.docs[outlet_col].dropna())) if outlet_col in dfm.docs else []
    if len(outlets) >= 2:
        totals = None  # each outlet's totals, summed once for all its comparisons
        if np.issubdtype(dfm.matrix.dtype, np.integer):
            totals = _LabelTotals(dfm.matrix.tocsr(), dfm.docs[outlet_col])
        for outlet in outlets:
            tables[f"{outlet} vs rest"] = _log_odds(dfm, outlet_col, target=outlet, reference=None,
                                                    totals=totals, **options)
    else:
        notes.append(f"outlet vs rest skipped: the corpus has {len(outlets)} outlet(s)")
    return tables, notes


def keyness_long(tables: dict[str, pd.DataFrame], *, n: int = 50) -> pd.DataFrame:
    """Stack comparison tables for export: the ``n`` most distinctive terms of each side.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        From :func:`comparisons`.
    n : int, default 50

    Returns
    -------
    pandas.DataFrame
        ``comparison``, ``target``, ``reference``, ``side`` then the :func:`log_odds` columns;
        rows by comparison (given order) then z descending.
    """
    frames = [
        distinctive_terms(t, n=n).assign(
            comparison=name, target=t.attrs["target"], reference=t.attrs["reference"]
        )
        for name, t in tables.items()
    ]
    cols = ["comparison", "target", "reference", "side", *COLUMNS]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in cols})
    return pd.concat(frames, ignore_index=True)[cols]


def comparison_summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """What each comparison rests on: documents and tokens on each side.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        From :func:`comparisons`.

    Returns
    -------
    pandas.DataFrame
        ``comparison``, ``target``, ``reference``, ``docs_target``, ``docs_reference``,
        ``tokens_target``, ``tokens_reference``.
    """
    rows = [
        (
            name,
            t.attrs["target"],
            t.attrs["reference"],
            t.attrs["docs_in_target"],
            t.attrs["docs_in_reference"],
            t.attrs["n_target"],
            t.attrs["n_reference"],
        )
        for name, t in tables.items()
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "comparison",
            "target",
            "reference",
            "docs_target",
            "docs_reference",
            "tokens_target",
            "tokens_reference",
        ],
    )


def plot_keyness_grid(
    tables: dict[str, pd.DataFrame], *, n: int = 10, ncols: int = 3, colours=("#ff7f0e", "#7f7f7f"),
    group_of: dict[str, str] | None = None, max_panels: int | None = 12,
) -> plt.Figure:
    """One keyness panel per comparison (e.g. each outlet vs the rest).

    The figure's size grows with the panels, so at most ``max_panels`` are drawn (the first
    ones, in the order of ``tables``) and the figure's title says how many were left out;
    every comparison stays in the exported table.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Name to :func:`log_odds` table.
    n : int, default 10
        Words per side and panel.
    ncols : int, default 3
    colours : (str, str)
        Target and reference colours of a panel whose outlet has no known group.
    group_of : dict of str to str, optional
        Outlet to outlet group: a panel named ``"<outlet> vs rest"`` then draws its target side
        in the group's colour (:data:`analysis.plots.GROUP_COLOURS`), so an outlet looks the same
        in every figure of the suite.
    max_panels : int or None, default 12
        Most panels drawn; None = all.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .plots import GROUP_COLOURS

    n_all = len(tables)
    if max_panels and n_all > max_panels:
        tables = dict(list(tables.items())[:max_panels])
    k = max(len(tables), 1)
    ncols = min(ncols, k)
    nrows = -(-k // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.6 * ncols, 0.3 * 2 * n * nrows + 1.2 * nrows), squeeze=False
    )
    for ax, (name, table) in zip(axes.ravel(), tables.items(), strict=False):
        outlet = name.removesuffix(" vs rest")
        group = (group_of or {}).get(outlet)
        panel = (GROUP_COLOURS[group], colours[1]) if group in GROUP_COLOURS else colours
        plot_keyness(table, n=n, ax=ax, colours=panel)
        ax.set_title(name + (f" ({group})" if group else ""), fontsize=10)
        ax.set_xlabel("z of the log-odds (standard deviations)", fontsize=8)
    for ax in axes.ravel()[len(tables) :]:
        ax.set_visible(False)
    if len(tables) < n_all:
        fig.suptitle(f"First {len(tables)} of {n_all} comparisons (all of them in keyness.csv)",
                     fontsize=11)
    fig.tight_layout()
    return fig
