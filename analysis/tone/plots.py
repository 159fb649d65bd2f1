"""Figures of the tone analysis (each returns its Figure; save with analysis.plots.save_figure)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def plot_validation(validation: pd.DataFrame):
    """Spearman correlation and sign accuracy of each measure with the hand codes, with intervals.

    Parameters
    ----------
    validation : pandas.DataFrame
        From :func:`validate_measures`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    v = validation.iloc[::-1].reset_index(drop=True)
    fig, axes = plt.subplots(1, 2, figsize=(9, 1.2 + 0.45 * len(v)), sharey=True)
    y = np.arange(len(v))
    for ax, (est, lo, hi, label) in zip(
        axes,
        [("spearman", "spearman_low", "spearman_high", "Spearman ρ with the hand codes (−1…1)"),
         ("sign_accuracy", "accuracy_low", "accuracy_high",
          "sign accuracy (share of sentences, pos / neutral / neg)")],
        strict=True,
    ):
        err = np.vstack([v[est] - v[lo], v[hi] - v[est]])
        colours = np.where(v["candidate"], "#333333", "#999999")
        for i in range(len(v)):
            ax.errorbar(v[est].iloc[i], y[i], xerr=np.nan_to_num(err[:, [i]]), fmt="o", color=colours[i], capsize=3)
        ax.axvline(0, color="#cccccc", lw=0.8)
        ax.set_xlabel(label)
    if "majority_accuracy" in v.columns and v["majority_accuracy"].notna().any():
        base = float(v["majority_accuracy"].iloc[0])
        axes[1].axvline(base, color="#b2182b", ls="--", lw=1)
        axes[1].annotate(f"majority class\n{base:.2f}", (base, 0.0), xycoords=("data", "axes fraction"),
                         xytext=(3, 3), textcoords="offset points", ha="left", va="bottom",
                         fontsize=8, color="#b2182b",
                         bbox={"facecolor": "white", "alpha": 0.8, "lw": 0, "pad": 0.5})
        axes[1].set_ylim(-0.9, len(v) - 0.5)  # room under the last row for the label
        axes[1].set_xlim(min(0, axes[1].get_xlim()[0]), 1.02)
    axes[0].set_xlim(-1.02, 1.02)
    axes[0].set_yticks(y, v["measure"])
    axes[0].set_title("95% article-bootstrap intervals; grey = not a tone measure", loc="left", fontsize=9)
    fig.tight_layout()
    return fig


def plot_dev_validation(dev_validation: pd.DataFrame, *, band: float = 0.05):
    """The out-of-sample validation: agreement with the codes and differential error, per method.

    Three panels: sentence-level Spearman (with its interval), sign accuracy next to the
    majority-class baseline (dashed), and the differential error with its target band.

    Parameters
    ----------
    dev_validation : pandas.DataFrame
        From :func:`analysis.tone.read_dev_validation`.
    band : float, default 0.05
        The target band of the differential error, drawn in grey.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    v = dev_validation[dev_validation["method"] != "majority"].iloc[::-1].reset_index(drop=True)
    names = v["method"].replace({"tone": "tone (learned)", "words": "words stage only"})
    y = np.arange(len(v))
    fig, axes = plt.subplots(1, 3, figsize=(13, 1.6 + 0.45 * len(v)), sharey=True,
                             gridspec_kw={"width_ratios": [1.1, 0.8, 1.1]})
    axes[1].scatter(v["sign_accuracy"], y, color=np.where(v["method"] == "tone", "#222222", "#8a8a8a"),
                    zorder=3)
    base = dev_validation.loc[dev_validation["method"] == "majority", "sign_accuracy"]
    if len(base):
        axes[1].axvline(float(base.iloc[0]), color="#b2182b", ls="--", lw=1)
        axes[1].annotate(f"majority class\n{float(base.iloc[0]):.2f}", (float(base.iloc[0]), 0.0),
                         xycoords=("data", "axes fraction"), xytext=(3, 3),
                         textcoords="offset points", ha="left", va="bottom", fontsize=8,
                         color="#b2182b", bbox={"facecolor": "white", "alpha": 0.8, "lw": 0, "pad": 0.5})
        axes[1].set_ylim(-0.9, len(v) - 0.5)  # room under the last row for the label
    acc = np.concatenate([v["sign_accuracy"].to_numpy(float), base.to_numpy(float)])
    acc = acc[np.isfinite(acc)]
    if len(acc):
        axes[1].set_xlim(max(0.0, acc.min() - 0.08), min(1.0, acc.max() + 0.08))
    axes[1].set_xlabel("sign accuracy\n(share of sentences, pos / neutral / neg)")
    for ax, (est, lo, hi, label) in zip(
        axes[[0, 2]],
        [("spearman", "spearman_low", "spearman_high",
          "sentence-level Spearman ρ with the codes (−1…1)"),
         ("differential_error", "differential_low", "differential_high",
          "differential error, chinese_state − international\n(mean error of article means, −1…1 scale)")],
        strict=True,
    ):
        err = np.vstack([v[est] - v[lo], v[hi] - v[est]])
        colours = np.where(v["method"] == "tone", "#222222", "#8a8a8a")
        for i in range(len(v)):
            ax.errorbar(v[est].iloc[i], y[i], xerr=np.nan_to_num(err[:, [i]]), fmt="o",
                        color=colours[i], capsize=3)
        ax.set_xlabel(label)
    axes[2].axvspan(-band, band, color="#e8e8e8", zorder=0)
    axes[2].axvline(0, color="#bbbbbb", lw=0.8)
    axes[0].set_yticks(y, names)
    fig.suptitle(f"Out of sample (development corpus, locked test split: {int(v['n_sentences'].iloc[0])} "
                 f"sentences, {int(v['n_articles'].iloc[0])} articles; AI-coded). 95% article-bootstrap "
                 f"intervals; grey band: target ±{band:.2f}", x=0.01, ha="left", fontsize=9)
    fig.tight_layout()
    return fig


def plot_group_tone(estimates: pd.DataFrame, articles: pd.DataFrame, *, by: str = "outlet"):
    """Mean tone per group in each voice, with article-bootstrap intervals and article dots.

    One row per group (legible with many outlets: the figure grows with the number of groups).

    Parameters
    ----------
    estimates : pandas.DataFrame
        From :func:`group_estimates`.
    articles : pandas.DataFrame
        From :func:`article_tone` (dots: each article's mean over all its sentences).
    by : str, default "outlet"

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    groups = sorted(map(str, estimates[by].dropna().unique()))
    fig, ax = plt.subplots(figsize=(8, 1.4 + 0.55 * max(len(groups), 1)))
    pos = {g: i for i, g in enumerate(groups)}
    offsets = {"all": -0.27, "own": -0.09, "reported": 0.09, "quoted": 0.27}
    styles = {"all": ("o", "#333333"), "own": ("s", "#1b9e77"), "reported": ("D", "#7570b3"),
              "quoted": ("^", "#d95f02")}
    for voice, part in estimates.groupby("voice", sort=False):
        yv = part[by].astype(str).map(pos).to_numpy() + offsets.get(voice, 0.0)
        err = np.vstack([part["estimate"] - part["ci_low"], part["ci_high"] - part["estimate"]])
        marker, colour = styles.get(voice, ("o", "#777777"))
        ax.errorbar(part["estimate"], yv, xerr=np.nan_to_num(err), fmt=marker, color=colour, capsize=3,
                    label=f"{voice} sentences", ms=6)
    dots = articles.dropna(subset=["all"])
    from ..plots import separate_overlaps

    dx, dy = separate_overlaps(dots["all"], dots[by].astype(str).map(pos) + 0.38, tol=0.01,
                               step=0.03)
    ax.scatter(dx, dy, s=14, color="#aaaaaa", label="one article (all sentences)", zorder=1)
    ax.axvline(0, color="#cccccc", lw=0.8)
    whole = estimates[estimates["voice"] == "all"] if "voice" in estimates.columns else estimates
    if "n_clusters" in whole.columns and len(whole):
        n_art = whole.assign(_g=whole[by].astype(str)).groupby("_g")["n_clusters"].first()
        ax.set_yticks(range(len(groups)), [f"{g} ({int(n_art.get(g, 0))} art.)" for g in groups])
    else:
        ax.set_yticks(range(len(groups)), groups)
    ax.set_ylabel(by.replace("_", " ") + " (independent articles)")
    ax.set_ylim(-0.6, len(groups) - 0.4 + 0.2)
    ax.invert_yaxis()
    ax.set_xlabel("mean sentence tone, −1…1 (each article counts once)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    ax.set_title("Tone by outlet and voice; bars = 95% article-bootstrap intervals from 5 articles on, "
                 "else the range of the articles (none with one article)",
                 loc="left", fontsize=9)
    fig.tight_layout()
    return fig


#: Cells of the tone-by-topic heatmap resting on fewer sentences than this are hatched and
#: their mean greyed: a mean of 1-4 sentences says almost nothing about a topic.
FEW_SENTENCES = 5


def plot_topic_tone(topic_table: pd.DataFrame, *, by: str = "outlet", few: int = FEW_SENTENCES):
    """Heatmap of mean tone per topic (rows) and group (columns), annotated with n sentences.

    Rows are labelled by the codebook category, or by ``"id: label"`` for k-means clusters.
    Cells with fewer than ``few`` sentences are hatched, their text grey (the title says so).

    Parameters
    ----------
    topic_table : pandas.DataFrame
        From :func:`tone_by_topic`.
    by : str, default "outlet"
    few : int, default :data:`FEW_SENTENCES` (5)

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    topic, label = topic_table["topic"].astype(str), topic_table["topic_label"].astype(str)
    t = topic_table.assign(row=topic.where(topic == label, topic + ": " + label))
    mean = t.pivot_table(index="row", columns=by, values="mean", aggfunc="first")
    n = t.pivot_table(index="row", columns=by, values="n_sentences", aggfunc="first")
    fig, ax = plt.subplots(figsize=(2.5 + 1.1 * mean.shape[1], 1.2 + 0.5 * mean.shape[0]))
    im = ax.imshow(mean.to_numpy(float), cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
    for (i, j), val in np.ndenumerate(mean.to_numpy(float)):
        if np.isfinite(val):
            k = int(n.iloc[i, j])
            small = k < few
            if small:
                ax.add_patch(plt.Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///",
                                           edgecolor="0.55", lw=0))
            ax.text(j, i, f"{val:+.2f}\nn={k}", ha="center", va="center", fontsize=7,
                    color="0.45" if small else "black",
                    bbox={"facecolor": "white", "alpha": 0.7, "lw": 0, "pad": 0.5} if small else None)
    ax.set_xticks(range(mean.shape[1]), mean.columns, rotation=30, ha="right")
    ax.set_xlabel(by.replace("_", " "))
    ax.set_yticks(range(mean.shape[0]), [r if len(r) <= 45 else r[:44] + "…" for r in mean.index])
    ax.set_ylabel("topic")
    fig.colorbar(im, ax=ax, label="mean sentence tone (−1…1)", shrink=0.8)
    ax.set_title(f"Tone by topic and {by.replace('_', ' ')} (n = sentences;\nhatched, grey: "
                 f"fewer than {few} sentences)", loc="left", fontsize=9)
    fig.tight_layout()
    return fig
