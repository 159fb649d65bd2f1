"""The tone analysis in words and the export: method settings, findings, exported columns."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import stats
from ..outputs import md_code, md_escape
from .lexicon import NEGATION_WINDOW, SMOOTHING_K, assertiveness_lexicon, framing_lexicon
from .model import load_tone_model
from .score import QUOTED_THRESHOLD
from .validate import NEUTRAL_BAND


def settings_table(*, n_boot: int) -> pd.DataFrame:
    """The fixed choices of the tone analysis, for the notebook's method section.

    Parameters
    ----------
    n_boot : int
        Bootstrap replicates used by the notebook.

    Returns
    -------
    pandas.DataFrame
        ``setting``, ``value``, ``meaning``.
    """
    rows = [
        ("negation window", NEGATION_WINDOW, "a negator reverses the first framing term starting within this many tokens after it"),
        ("smoothing k", SMOOTHING_K, "dictionary score = (P - N) / (P + N + k)"),
        ("neutral band", NEUTRAL_BAND, "|score| below this counts as neutral for sign accuracy"),
        ("quoted threshold", QUOTED_THRESHOLD, "sentence is quoted speech when this share of its characters is inside quotes"),
        ("bootstrap replicates", n_boot, "article (cluster) bootstrap"),
        ("permutation test", f"exact up to {stats.MAX_EXACT:,} relabellings, else {stats.N_PERM:,} random",
         "relabels independent articles; Monte Carlo p = (1 + hits) / (1 + relabellings)"),
        ("sequential stop (max_hits)", stats.MAX_HITS,
         f"Monte Carlo only: stop after this many as extreme as observed; p = {stats.MAX_HITS} / "
         "n_relabelings (Besag & Clifford 1991), ~10% relative error; no stop if p < "
         f"{stats.MAX_HITS / stats.N_PERM:g}"),
        ("tone model", f"{len(load_tone_model().vocabulary)} word types, 2 stages",
         "analysis/data/models/tone.json, fitted on the development corpus's train split"),
        ("framing lexicon", len(framing_lexicon().terms), "entries incl. blockers (framing_lexicon.csv)"),
        ("assertiveness lexicon", len(assertiveness_lexicon().terms), "entries incl. blockers (assertiveness_lexicon.csv)"),
    ]
    return pd.DataFrame([(a, str(b), c) for a, b, c in rows], columns=["setting", "value", "meaning"])


def _fmt_ci(est: float, lo: float, hi: float, sign: str = "+") -> str:
    if not np.isfinite(est):
        return "n/a"
    f = f"{{:{sign}.2f}}"
    if np.isfinite(lo) and np.isfinite(hi):
        return f"{f.format(est)} [{f.format(lo)}, {f.format(hi)}]"
    return f"{f.format(est)} (no interval)"


def _dev_lines(dev_validation: pd.DataFrame | None) -> list[str]:
    """The findings' out-of-sample bullet: the committed development-corpus validation."""
    from .validate import target_check

    if dev_validation is None or dev_validation.empty:
        return ["- **Out-of-sample validation:** the committed table `data/validation/tone.csv` is "
                "missing, so nothing is known about how `tone` holds on unseen coverage."]
    v = dev_validation.set_index("method")
    t, vd, fr = v.loc["tone"], v.loc["vader"], v.loc["framing"]
    checks = target_check(dev_validation)
    missed = checks[~checks["met"]]
    met = checks[checks["met"]]
    line = (
        f"- **Out-of-sample validation** (development corpus, locked `test` split: {int(t['n_sentences'])} "
        f"sentences of {int(t['n_articles'])} articles the model never saw; codes by two AI coders, not "
        f"human experts): `tone` has sentence-level Spearman "
        f"{_fmt_ci(t['spearman'], t['spearman_low'], t['spearman_high'], '')} against VADER's "
        f"{vd['spearman']:.2f} and the framing dictionary's {fr['spearman']:.2f}; sign accuracy "
        f"{t['sign_accuracy']:.2f} against {t['majority_accuracy']:.2f} for always guessing the majority "
        f"class; article-level Spearman {t['article_spearman']:.2f}. Its differential error between the "
        f"outlet groups is {_fmt_ci(t['differential_error'], t['differential_low'], t['differential_high'])}"
        f" (VADER's {vd['differential_error']:+.2f}), and the contrast it measures between the groups, "
        f"{t['contrast_measured']:+.2f}, has "
        + ("the same sign as" if bool(t["contrast_sign_matches"]) else "**the opposite sign to**")
        + f" the coders' {t['contrast_coded']:+.2f}."
    )
    out = [line]
    if len(met):
        out.append("- **Targets met:** " + "; ".join(met["target"]) + ".")
    if len(missed):
        out.append("- **Targets missed:** " + "; ".join(
            f"{r.target} {r.achieved:.2f} (required {r.required}, short by {r.shortfall:.2f})"
            for r in missed.itertuples(index=False))
            + ". A bag-of-words model fitted on about 1,800 coded sentences does not reach them; "
            "read sentence-level scores as noisy and group means over many articles as the unit "
            "the measure supports.")
    return out


def _validation_lines(validation: pd.DataFrame | None, primary: str,
                      dev_validation: pd.DataFrame | None = None) -> list[str]:
    """The findings' validation bullets: out of sample first, then the sample at hand."""
    out = _dev_lines(dev_validation)
    if validation is None or validation.empty:
        out.append("- **This corpus:** no hand-coded sample was given, so `tone` is not checked on "
                   "these texts; the out-of-sample figures above are all there is.")
        return out
    v = validation.set_index("measure")
    p = v.loc[primary]
    line = (
        f"- **This corpus's hand codes:** on {int(p['n_sentences'])} coded sentences from "
        f"{int(p['n_articles'])} articles, `tone` has Spearman "
        f"{_fmt_ci(p['spearman'], p['spearman_low'], p['spearman_high'])} and sign accuracy "
        f"{_fmt_ci(p['sign_accuracy'], p['accuracy_low'], p['accuracy_high'], '')}"
    )
    others = [m for m in ("vader", "framing") if m in v.index and m != primary]
    if others:
        line += "; " + ", ".join(f"`{m}` {v.loc[m, 'spearman']:.2f}" for m in others)
    out.append(line + ". With a handful of articles these intervals are wide, and the sample "
               "may share its coder's habits with the development corpus's coders.")
    return out


def _comparison_lines(comparison: pd.DataFrame, notes: list[str]) -> list[str]:
    """The findings' bullets on the two-group comparison, voice by voice, and what n supports."""
    out = [f"- **Comparison:** {md_escape(note)}" for note in notes]
    if comparison.empty:
        return out
    for r in comparison.itertuples(index=False):
        kind = getattr(r, "interval_kind", "bootstrap interval")  # range of articles below 5 (stats)
        interval = (f"[{r.diff_low:+.2f}, {r.diff_high:+.2f}] ({kind})" if np.isfinite(r.diff_low)
                    else "(no bootstrap interval: a group has a single article)")
        test = "exact article-level permutation" if r.p_exact else "Monte Carlo article-level permutation"
        out.append(
            f"- **{r.voice} sentences:** {md_code(r.group_a)} articles average {r.mean_a:+.2f} (n = {r.n_a} articles), "
            f"{md_code(r.group_b)} {r.mean_b:+.2f} (n = {r.n_b}); difference {r.diff:+.2f} {interval}; "
            f"{test} p = {r.p_perm:.3g}, where the smallest p this design can reach "
            f"is {r.min_p:.2g}; Hedges' g = {_fmt_ci(r.hedges_g, r.g_low, r.g_high)}."
        )
    small = comparison[["n_a", "n_b"]].min(axis=1).min()
    if small <= 2:
        out.append(
            f"- **What n supports:** the smaller group has {int(small)} article(s). A group mean over one article "
            "is that article's tone, not the outlet's; the difference above describes these articles and "
            "cannot be generalised to the outlets' coverage."
        )
    return out


def _check_lines(comparison: pd.DataFrame, coded_comparison: pd.DataFrame | None,
                 agreement: pd.DataFrame | None) -> list[str]:
    """The findings' bullets checking ``tone`` against the hand codes and the coded voice."""
    out = []
    if coded_comparison is not None and not coded_comparison.empty and not comparison.empty:
        both = comparison.merge(coded_comparison, on="voice", suffixes=("", "_coded"))
        same = int((np.sign(both["diff"]) == np.sign(both["diff_coded"])).sum())
        parts = ", ".join(f"{r.voice} {r.diff_coded:+.2f}" for r in both.itertuples(index=False))
        out.append(
            f"- **Check with the hand codes:** with the codes (/2) in place of `tone`, the group differences are "
            f"{parts}; the sign agrees with `tone` in {same} of {len(both)} voices."
        )
    if agreement is not None and "own" in agreement.index:
        own_row = agreement.loc["own"]
        other = int(own_row.drop(labels=["own"], errors="ignore").sum())
        out.append(
            f"- **Voice:** of the {int(own_row.sum())} sentences the suite assigns to the outlets' own "
            f"voice, the coder attributes {other} to a quoted (which in this sample includes reported) "
            "or mixed voice."
        )
    return out


def _group_lines(estimates: pd.DataFrame, articles: pd.DataFrame, by: str) -> list[str]:
    """The findings' bullets on the highest and lowest group and on own voice against quoted."""
    out = []
    allv = estimates[estimates["voice"] == "all"].sort_values("estimate", ascending=False)
    if len(allv) >= 2:
        top, bottom = allv.iloc[0], allv.iloc[-1]
        out.append(
            f"- **By {by}:** highest mean tone {md_code(top[by])} {top['estimate']:+.2f} ({int(top['n_clusters'])} article(s)), "
            f"lowest {md_code(bottom[by])} {bottom['estimate']:+.2f} ({int(bottom['n_clusters'])} article(s))."
        )
    own = articles.dropna(subset=["own", "quoted"])
    if len(own):
        gap = (own["quoted"] - own["own"]).mean()
        out.append(
            f"- **Own voice vs quoted:** in the {len(own)} article(s) with both, the mean of the quoted sentences "
            f"minus the mean of the outlet's own sentences is {gap:+.2f} on average (reported speech "
            "is a voice of its own, in neither)."
        )
    return out


def findings_markdown(
    validation: pd.DataFrame | None,
    primary: str,
    comparison: pd.DataFrame,
    notes: list[str],
    estimates: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    by: str = "outlet",
    coded_comparison: pd.DataFrame | None = None,
    agreement: pd.DataFrame | None = None,
    dev_validation: pd.DataFrame | None = None,
) -> str:
    """The notebook's findings, written from the computed tables.

    Parameters
    ----------
    validation : pandas.DataFrame or None
        From :func:`analysis.tone.validate_measures` (None: no hand codes were given).
    primary : str
        The measure used as ``tone`` (:data:`analysis.tone.PRIMARY`).
    comparison : pandas.DataFrame
        From :func:`analysis.tone.compare_groups`.
    notes : list of str
        Notes returned by :func:`analysis.tone.compare_groups`.
    estimates : pandas.DataFrame
        From :func:`analysis.tone.group_estimates` by ``by``.
    articles : pandas.DataFrame
        From :func:`analysis.tone.article_tone`.
    by : str, default "outlet"
    coded_comparison : pandas.DataFrame, optional
        :func:`analysis.tone.compare_groups` run on the hand codes instead of ``tone``.
    agreement : pandas.DataFrame, optional
        From :func:`analysis.tone.voice_agreement`.
    dev_validation : pandas.DataFrame, optional
        From :func:`analysis.tone.read_dev_validation` (the committed out-of-sample validation).

    Returns
    -------
    str
        Markdown; corpus values (outlets, groups) go through :func:`analysis.outputs.md_code`
        and :func:`analysis.outputs.md_escape`.
    """
    return "\n".join([
        "## Findings", "",
        *_validation_lines(validation, primary, dev_validation),
        *_comparison_lines(comparison, notes),
        *_check_lines(comparison, coded_comparison, agreement),
        *_group_lines(estimates, articles, by),
    ])


#: Columns of ``sentence_tone.csv``, the notebook's export (see ``data/README.md``).
EXPORT_COLUMNS = ["article_id", "paragraph", "sentence", "text", "quote_share", "voice",
                  "target", "vader", "framing", "assertiveness", "framing_vader", "learned", "tone"]


def export_table(table: pd.DataFrame) -> pd.DataFrame:
    """The exported sentence table (``sentence_tone.csv``): :data:`EXPORT_COLUMNS` of ``table``.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`analysis.tone.sentence_table` with ``tone`` set.

    Returns
    -------
    pandas.DataFrame
    """
    return table[EXPORT_COLUMNS]
