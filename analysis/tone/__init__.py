"""Sentence tone toward China–US relations: three measures, validation, outlet comparison.

Modules
-------
``lexicon`` (reading and compiling the dictionaries), ``match`` (vectorised matching and the
dictionary score), ``vader`` (VADER's compound score for whole corpora), ``score`` (all measures
over a corpus, voice, the sentence table), ``validate`` (agreement with hand codes), ``compare``
(articles, groups, voices, topics), ``plots`` and ``findings`` (method settings, findings text,
exported columns). Every public name is importable from ``analysis.tone``.

Measures (one value per sentence, each on [-1, 1])
--------------------------------------------------
``vader``
    VADER's compound score (Hutto & Gilbert 2014; ``vaderSentiment``), computed on the raw
    sentence text. General sentiment, the field's common baseline. vaderSentiment scores one
    sentence per Python call; :mod:`analysis.tone.vader` gives the same numbers for whole blocks of
    sentences (about 20 times faster; the tests compare it with vaderSentiment sentence by
    sentence).
``framing``
    The suite's cooperation–conflict framing dictionary
    (``analysis/data/framing_lexicon.csv``, documented in ``framing_lexicon.md``).
``assertiveness``
    Assertiveness (+) versus hedging (-) (``analysis/data/assertiveness_lexicon.csv``,
    ``assertiveness_lexicon.md``). A second dimension, not a tone: it is reported and validated
    for information but never chosen as ``tone``.

Dictionary scoring (both dictionaries)
--------------------------------------
Text is tokenized once by the shared tokenizer (:mod:`analysis.tokens`); lexicon terms are
normalised by the same code (:func:`analysis.tokens.normalize_terms`), so "Win-win", "win win"
and "U.S." match the way the text is tokenized. Matching is greedy, left to right, longest
term first (a term is matched at the first position where it starts; "trade war" is one match
of weight 2, not "trade war" + "war"). Zero-weight "blocker" entries consume names such as
"Asia-Pacific Economic Cooperation" so that their words are not scored.

Negation (framing dictionary only, because only it lists negators): a negator or polarity
shifter ("not", "no", "never", "without", "cannot", "don't", ..., "avoid", "prevent", "reduce",
"oppose", ...) reverses the sign of the FIRST matched term that starts within
:data:`NEGATION_WINDOW` tokens after it ("not sustainable", "no intention of decoupling",
"avoid miscalculation"). Each negator acts on one term at most, so "not confrontation but
cooperation" reverses "confrontation" only. Pseudo-negations ("not only", "no doubt") do not
negate.

With ``P`` the summed weight of cooperation (positive) matches and ``N`` that of conflict
(negative) matches after negation, the sentence score is ``(P - N) / (P + N + k)`` with
``k = SMOOTHING_K = 1``: the balance of cooperation over conflict vocabulary, shrunk toward 0
when there is little evidence (one weight-1 term gives ±0.5, two give ±0.67; a sentence
without any term scores 0). It is bounded in (-1, 1), does not depend on sentence length
beyond the vocabulary it contains, and is the smoothed form of the "relative proportional
difference" (R - L) / (R + L) used for dictionary and manifesto scaling (Lowe et al. 2011).

All of this is vectorized over the whole corpus: one pyarrow split of the space-joined tokens,
a dictionary encoding, a trie walk over candidate positions with numpy, and sparse count
matrices (term counts and negated-term counts) multiplied by weight vectors. A per-sentence
pure-Python version, :func:`reference_score_sentence`, exists only so tests can check that the
vectorized scores equal it.

``tone``
    The primary sentence score: ``learned`` (:data:`PRIMARY`), the target-aware model of
    :mod:`analysis.tone.model`, fitted on the coded ``train`` sentences of the development corpus
    and validated on its locked ``test`` split (``data/validation/tone.csv``, read by
    :func:`read_dev_validation`; :func:`target_check` compares it with the targets). VADER and the
    framing dictionary stay as baselines. It is fixed, not chosen by agreement with the sample at
    hand: a choice made on five articles would be a choice fitted to them.
"""

from __future__ import annotations

from ..config import ASSERTIVENESS_LEXICON, FRAMING_LEXICON
from . import vader
from .compare import (
    COMPARISON_COLUMNS,
    add_events,
    article_tone,
    compare_groups,
    comparison_table,
    exemplars,
    group_estimates,
    paragraph_topics,
    read_topics,
    tone_by_topic,
)
from .findings import (
    EXPORT_COLUMNS,
    export_table,
    findings_markdown,
    settings_table,
)
from .lexicon import (
    NEGATION_WINDOW,
    SMOOTHING_K,
    Lexicon,
    assertiveness_lexicon,
    framing_lexicon,
    load_lexicon,
)
from .match import (
    TokenStream,
    lexicon_counts,
    lexicon_score,
    reference_score_sentence,
    term_frequencies,
    token_stream,
)
from .model import ToneModel, load_tone_model, target_features
from .plots import (
    plot_dev_validation,
    plot_group_tone,
    plot_topic_tone,
    plot_validation,
)
from .score import (
    DEFAULT_MEASURES,
    MEASURES,
    QUOTED_THRESHOLD,
    TONE_CANDIDATES,
    coverage,
    score_sentences,
    sentence_table,
    vader_compound,
    voice_of,
)
from .validate import (
    NEUTRAL_BAND,
    PRIMARY,
    TARGETS,
    align_annotations,
    compare_correlations,
    disagreements,
    read_dev_validation,
    recalibrate,
    sign_class,
    target_check,
    validate_measures,
    voice_agreement,
)

__all__ = [
    "ASSERTIVENESS_LEXICON",
    "COMPARISON_COLUMNS",
    "EXPORT_COLUMNS",
    "FRAMING_LEXICON",
    "Lexicon",
    "MEASURES",
    "NEGATION_WINDOW",
    "NEUTRAL_BAND",
    "QUOTED_THRESHOLD",
    "SMOOTHING_K",
    "TONE_CANDIDATES",
    "TokenStream",
    "add_events",
    "align_annotations",
    "compare_correlations",
    "article_tone",
    "assertiveness_lexicon",
    "DEFAULT_MEASURES",
    "PRIMARY",
    "TARGETS",
    "ToneModel",
    "load_tone_model",
    "read_dev_validation",
    "recalibrate",
    "target_check",
    "target_features",
    "compare_groups",
    "comparison_table",
    "coverage",
    "disagreements",
    "exemplars",
    "export_table",
    "findings_markdown",
    "framing_lexicon",
    "group_estimates",
    "lexicon_counts",
    "lexicon_score",
    "load_lexicon",
    "plot_dev_validation",
    "plot_group_tone",
    "plot_topic_tone",
    "plot_validation",
    "paragraph_topics",
    "read_topics",
    "reference_score_sentence",
    "score_sentences",
    "sentence_table",
    "settings_table",
    "sign_class",
    "term_frequencies",
    "token_stream",
    "tone_by_topic",
    "vader",
    "vader_compound",
    "validate_measures",
    "voice_agreement",
    "voice_of",
]
