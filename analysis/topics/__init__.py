"""Topic clustering of paragraphs (or sentences, or articles): which topics make up the coverage?

The pipeline follows scikit-learn's "Clustering text documents using k-means"
example: a TF-IDF matrix (built from the ONE shared tokenizer, :mod:`analysis.tokens`)
is reduced by latent semantic analysis (``TruncatedSVD`` then ``Normalizer``), and the
unit vectors are clustered by k-means (or, as the alternative, Ward agglomerative
clustering). Everything random takes a ``random_state``.

Modules
-------
``select`` (LSA, clustering, the choice of k), ``labels`` (c-TF-IDF terms, labels, central
units), ``shares`` (topic shares by group and period, map coordinates), ``plots``,
``validate`` (agreement with hand-coded paragraphs), ``minibatch`` (the scale path),
``model`` (:class:`TopicModel`) and ``findings`` (the notebook's findings text). Every public
name is importable from ``analysis.topics``.

The k-means topics are an exploratory map. The **measurement** is the codebook-topic classifier:
``codebook`` (the committed model, seeds, :func:`assign_topics`), ``codebook_validate``
(validation against hand codes, shares with their articles, the crosstab with the k-means map)
and ``codebook_fit`` (fitting on the development corpus; ``python -m
analysis.topics.codebook_fit {cv,fit,score-test} --dev-corpus PATH``). Their public names are
importable from ``analysis.topics`` too; three that would clash with the k-means names are
re-exported as ``codebook_shares`` (:func:`codebook_validate.topic_shares`),
``validate_codebook`` (:func:`codebook_validate.validate`) and ``fit_codebook``
(:func:`codebook_fit.fit`).

Choosing k
----------
:func:`select_k` scores every candidate k by

* the mean silhouette of the k-means partition (how well separated it is), and
* its stability: the mean adjusted Rand index (ARI) between runs on different seeds
  (``stability_seed``) and between the full-data partition and partitions fitted on
  bootstrap resamples of the units, compared on the units drawn (``stability_boot``).

:func:`choose_k` then applies one documented rule: among the k whose bootstrap
stability is at least ``min_stability`` (0.6 by default), take the smallest k whose
silhouette is within 0.01 of the highest (so near-ties go to fewer topics). Silhouette alone
rewards splitting noise in small samples; the stability filter keeps only partitions
that come back when the data are resampled. 0.6 is borrowed from Hennig's (2007)
guideline for the bootstrap (Jaccard) stability of single clusters, below which a cluster
should not be trusted; applied here to the ARI of whole partitions it is a convention, not
a calibrated threshold (``min_stability`` changes it). If no k
reaches the threshold, the most stable k is taken (tie -> smaller k) and the reason
says so. A candidate k needs at least ``min_units_per_topic`` (3) fitted units per
topic on average; if no k qualifies (one short article, say) everything is one topic.

On a large corpus none of this grows with the units: :class:`TopicModel` selects k on a
seeded random sample of ``max_select_units`` fitted units (silhouette included), runs the
``n_init`` restarts of the final k-means on that sample and one k-means run over every unit
from the best centres (:func:`cluster` ``init_sample``), fits the LSA on at most
``max_lsa_units`` units and projects the others (:func:`lsa` ``fit_sample``), and
:meth:`TopicModel.sensitivity` fits LSA and k-selection on a sample of ``max_units``.

Short units
-----------
Headings (``is_heading``), datelines and any unit with fewer than ``min_tokens`` (5)
content words (stopwords removed) carry no topic of their own, and neither does a unit
none of whose words occurs in another unit (nothing links it to the rest). They are
**excluded from fitting** (they would otherwise form, or dilute, a junk cluster) and get
topic ``-1`` with the label ``"(too short)"``; ``units_.short_reason`` says why. They stay
in every table, so counts always add up to the number of units.

Representation choices
----------------------
The clustering vocabulary keeps words found in at least ``min_df`` (2) units, and LSA
keeps about one dimension per 15 fitted units (at most 100, :func:`auto_components`).
Both matter on small corpora, where the full TF-IDF space makes every paragraph nearly
orthogonal to every other; :meth:`TopicModel.sensitivity` shows how k moves with the
number of dimensions.

Topic labels
------------
Top terms per topic by class-based TF-IDF (BERTopic's c-TF-IDF, :func:`ctfidf`),
``topic_label`` = the top three joined with ``" / "``, and the most central units of each
topic (cosine similarity to the topic's centroid in LSA space, :func:`central_units`).

Scale
-----
:func:`fit_minibatch` clusters corpora that do not fit in memory: a hashing vectorizer
fed by the shared tokenizer, an optional fixed-IDF pass, and ``MiniBatchKMeans.partial_fit``
chunk by chunk. Memory is one chunk's matrix, a bounded buffer and the
``k x n_features`` centroids, whatever the corpus size.
"""

from __future__ import annotations

from .codebook import (
    CodebookModel,
    article_chunks,
    assign_chunks,
    assign_topics,
    codebook_categories,
    load_model,
    load_seeds,
)
from .codebook_fit import (
    cross_validate,
    fit_dev,
    score_test,
)
from .codebook_fit import fit as fit_codebook
from .codebook_validate import (
    TARGETS,
    CodebookValidation,
    cluster_agreement,
    cluster_crosstab,
    describe_target,
    largest_codebook_gap,
    paragraph_table,
    read_validation,
    target_check,
    wide_codebook_shares,
)
from .codebook_validate import topic_shares as codebook_shares
from .codebook_validate import validate as validate_codebook
from .findings import (
    findings_markdown,
)
from .labels import (
    TOO_SHORT,
    TOO_SHORT_LABEL,
    central_units,
    centroid_similarity,
    ctfidf,
    top_terms,
    topic_labels,
)
from .minibatch import (
    MinibatchTopics,
    fit_minibatch,
    hashing_vectorizer,
    matrix_chunks,
)
from .model import (
    TopicModel,
    unit_table,
)
from .plots import (
    plot_codebook_shares,
    plot_k_selection,
    plot_map,
    plot_outlet_heatmap,
    plot_topics_over_time,
    topic_colours,
)
from .select import (
    METHODS,
    SELECTION_COLUMNS,
    SMALL,
    auto_components,
    canonical_labels,
    choose_k,
    cluster,
    feasible_k,
    lsa,
    n_distinct,
    select_k,
    stability_boot,
    stability_seed,
)
from .shares import (
    articles_per_period,
    largest_gap,
    map_coordinates,
    topic_shares,
    topics_over_time,
    wide_shares,
)
from .validate import (
    Validation,
    validate,
)

__all__ = [
    "METHODS",
    "SELECTION_COLUMNS",
    "SMALL",
    "TOO_SHORT",
    "TARGETS",
    "TOO_SHORT_LABEL",
    "CodebookModel",
    "CodebookValidation",
    "MinibatchTopics",
    "TopicModel",
    "Validation",
    "article_chunks",
    "articles_per_period",
    "assign_chunks",
    "assign_topics",
    "auto_components",
    "canonical_labels",
    "central_units",
    "centroid_similarity",
    "choose_k",
    "cluster",
    "cluster_agreement",
    "cluster_crosstab",
    "codebook_categories",
    "codebook_shares",
    "cross_validate",
    "ctfidf",
    "describe_target",
    "feasible_k",
    "findings_markdown",
    "fit_codebook",
    "fit_dev",
    "fit_minibatch",
    "hashing_vectorizer",
    "largest_codebook_gap",
    "largest_gap",
    "load_model",
    "load_seeds",
    "lsa",
    "map_coordinates",
    "matrix_chunks",
    "n_distinct",
    "paragraph_table",
    "plot_codebook_shares",
    "plot_k_selection",
    "plot_map",
    "plot_outlet_heatmap",
    "plot_topics_over_time",
    "read_validation",
    "score_test",
    "select_k",
    "stability_boot",
    "stability_seed",
    "target_check",
    "top_terms",
    "topic_colours",
    "topic_labels",
    "topic_shares",
    "topics_over_time",
    "unit_table",
    "validate",
    "validate_codebook",
    "wide_codebook_shares",
    "wide_shares",
]
