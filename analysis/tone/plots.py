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
        [("spearman", "spearman_low", "spearman_high", "Spearman correlation with hand codes"),
         ("sign_accuracy", "accuracy_low", "accuracy_high", "accuracy on the sign (pos / neutral / neg)")],
        strict=True,
    ):
        err = np.vstack([v[est] - v[lo], v[hi] - v[est]])
        colours = np.where(v["candidate"], "#333333", "#999999")
        for i in range(len(v)):
            ax.errorbar(v[est].iloc[i], y[i], xerr=np.nan_to_num(err[:, [i]]), fmt="o", color=colours[i], capsize=3)
        ax.axvline(0, color="#cccccc", lw=0.8)
        ax.set_xlabel(label)
    axes[0].set_yticks(y, v["measure"])
    axes[0].set_title("95% article-bootstrap intervals; grey = not a tone measure", loc="left", fontsize=9)
    fig.tight_layout()
    return fig


def plot_dev_validation(dev_validation: pd.DataFrame, *, band: float = 0.05):
    """The out-of-sample validation: agreement with the codes and differential error, per method.

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
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 1.4 + 0.45 * len(v)), sharey=True)
    for ax, (est, lo, hi, label) in zip(
        axes,
        [("spearman", "spearman_low", "spearman_high", "sentence-level Spearman with the codes"),
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
    axes[1].axvspan(-band, band, color="#e8e8e8", zorder=0)
    axes[1].axvline(0, color="#bbbbbb", lw=0.8)
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
    ax.scatter(dots["all"], dots[by].astype(str).map(pos) + 0.38, s=14, color="#aaaaaa",
               label="one article (all sentences)", zorder=1)
    ax.axvline(0, color="#cccccc", lw=0.8)
    ax.set_yticks(range(len(groups)), groups)
    ax.set_ylim(-0.6, len(groups) - 0.4 + 0.2)
    ax.invert_yaxis()
    ax.set_xlabel("mean sentence tone (each article counts once)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
    ax.set_title("Tone by outlet and voice; bars = 95% article-bootstrap intervals from 5 articles on, "
                 "else the range of the articles (none with one article)",
                 loc="left", fontsize=9)
    fig.tight_layout()
    return fig


def plot_topic_tone(topic_table: pd.DataFrame, *, by: str = "outlet"):
    """Heatmap of mean tone per topic (rows) and group (columns), annotated with n sentences.

    Rows are labelled by the codebook category, or by ``"id: label"`` for k-means clusters.

    Parameters
    ----------
    topic_table : pandas.DataFrame
        From :func:`tone_by_topic`.
    by : str, default "outlet"

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
            ax.text(j, i, f"{val:+.2f}\nn={int(n.iloc[i, j])}", ha="center", va="center", fontsize=7)
    ax.set_xticks(range(mean.shape[1]), mean.columns, rotation=30, ha="right")
    ax.set_yticks(range(mean.shape[0]), [r if len(r) <= 45 else r[:44] + "…" for r in mean.index])
    fig.colorbar(im, ax=ax, label="mean tone", shrink=0.8)
    ax.set_title("Tone by topic and outlet (n = sentences)", loc="left", fontsize=9)
    fig.tight_layout()
    return fig
