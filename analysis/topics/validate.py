"""Agreement of the topics with a hand-coded paragraph sample (ARI, NMI, confusion)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from .shares import _topic_names


def _squash(text: pd.Series) -> pd.Series:
    return text.fillna("").astype(str).str.replace(r"\s+", " ", regex=True).str.strip()


@dataclass
class Validation:
    """Agreement between topics and a hand-coded sample.

    Attributes
    ----------
    ari : float
        Adjusted Rand index over the matched units with a topic (>= 0); NaN if < 2 units.
    nmi : float
        Normalised mutual information over the same units.
    n_annotated : int
        Coded rows in the annotation file.
    n_compared : int
        Units entering ARI and NMI.
    n_too_short : int
        Matched units that the model left out as too short (topic -1).
    confusion : pandas.DataFrame
        Topic (rows, ``"id: label"``) x hand label (columns), counts, matched units only.
    mismatches : pandas.DataFrame
        Annotation rows not used: ``article_id, paragraph, problem, annotation_text,
        corpus_text``.
    """

    ari: float
    nmi: float
    n_annotated: int
    n_compared: int
    n_too_short: int
    confusion: pd.DataFrame
    mismatches: pd.DataFrame = field(repr=False)

    def summary(self) -> pd.DataFrame:
        """The scalar results as a one-column table (rounded to 3 decimals)."""
        values = [round(self.ari, 3), round(self.nmi, 3), self.n_annotated, self.n_compared,
                  self.n_too_short, len(self.mismatches)]
        return pd.DataFrame(
            {"value": pd.Series(values, dtype=object)},
        ).set_index(pd.Index(["adjusted Rand index", "normalised mutual information",
                              "annotated paragraphs", "compared (with a topic)",
                              "too short (topic -1)", "not matched to the corpus"],
                             name="measure"))

    def majority(self) -> pd.DataFrame:
        """For each topic, the hand label most of its units carry (ties: first label).

        Returns
        -------
        pandas.DataFrame
            ``topic`` (``"id: label"``), ``hand_label``, ``n`` (units with that label),
            ``n_topic`` (coded units in the topic), ``purity`` (``n / n_topic``).
        """
        conf = self.confusion
        if conf.empty:
            return pd.DataFrame(columns=["topic", "hand_label", "n", "n_topic", "purity"])
        n_topic = conf.sum(axis=1)
        out = pd.DataFrame({"topic": conf.index, "hand_label": conf.idxmax(axis=1).to_numpy(),
                            "n": conf.max(axis=1).to_numpy(), "n_topic": n_topic.to_numpy()})
        out["purity"] = out["n"] / out["n_topic"].where(out["n_topic"] > 0)
        return out.reset_index(drop=True)


def validate(assignments: pd.DataFrame, annotations: pd.DataFrame) -> Validation:
    """Compare paragraph topics with hand labels: ARI, NMI and a confusion table.

    Annotation rows are joined to the corpus on ``article_id`` + ``paragraph``; the
    annotation's text must equal the corpus paragraph (whitespace-insensitive),
    otherwise the row is reported in ``mismatches``, left out, and a warning is raised
    (the annotator probably coded a different version or numbering of the corpus).

    Parameters
    ----------
    assignments : pandas.DataFrame
        Paragraph-level assignments (``article_id, paragraph, text, topic, topic_label``).
    annotations : pandas.DataFrame
        Output of :func:`read_annotations`.

    Returns
    -------
    Validation
    """
    missing = [c for c in ("paragraph", "topic") if c not in assignments.columns]
    if missing or "sentence" in assignments.columns:
        raise ValueError("validate: hand-coded topics are paragraph-level; fit the model with "
                         "level='paragraph'.")
    keys = ["article_id", "paragraph"]
    merged = annotations.merge(
        assignments[keys + ["text", "topic", "topic_label"]].rename(
            columns={"text": "corpus_text", "topic_label": "model_label"}),
        on=keys, how="left", validate="one_to_one",
    )
    absent = merged["topic"].isna()
    differs = ~absent & (_squash(merged["text"]) != _squash(merged["corpus_text"]))
    problem = np.where(absent, "no such paragraph in the corpus",
                       np.where(differs, "text differs from the corpus paragraph", ""))
    mismatches = merged.assign(problem=problem)[absent | differs].rename(
        columns={"text": "annotation_text"}
    )[["article_id", "paragraph", "problem", "annotation_text", "corpus_text"]]
    if len(mismatches):
        warnings.warn(
            f"{len(mismatches)} annotated paragraph(s) do not match the corpus (first: "
            f"{mismatches.iloc[0]['article_id']} paragraph {mismatches.iloc[0]['paragraph']}: "
            f"{mismatches.iloc[0]['problem']}); they are left out of the validation.",
            UserWarning, stacklevel=2,
        )
    ok = merged[~(absent | differs)].astype({"topic": int})
    coded = ok[ok["topic"] >= 0]
    enough = len(coded) >= 2
    ari = adjusted_rand_score(coded["topic_label"], coded["topic"]) if enough else float("nan")
    nmi = (normalized_mutual_info_score(coded["topic_label"], coded["topic"])
           if enough else float("nan"))
    confusion = pd.crosstab(
        _topic_names(ok["topic"], ok["model_label"]).rename("topic"),
        ok["topic_label"].rename("hand label"),
    )
    order = sorted(confusion.index, key=lambda c: int(c.split(":", 1)[0]))
    return Validation(
        ari=float(ari), nmi=float(nmi), n_annotated=len(annotations), n_compared=len(coded),
        n_too_short=int((ok["topic"] < 0).sum()), confusion=confusion.loc[order],
        mismatches=mismatches.reset_index(drop=True),
    )
