"""Whose words a sentence carries: the outlet's own voice, reported speech, direct quotation.

Classes (the definitions the development corpus was coded with)
-----------------------------------------------------------------
``quoted``
    Most of the sentence (about two thirds or more) is inside direct quotation marks.
``reported``
    The sentence relays what a source said, stressed, urged, believes or announced, or what a
    statement, readout or spokesperson says, without quotation marks for most of it ("X said
    (that) ...", "according to X", "X's readout said ...", "the two sides agreed to ...",
    "..., he added"). Short embedded quotes stay ``reported``.
``mixed``
    A substantial direct quotation and a substantial part of narration or reported speech,
    neither clearly dominant.
``own``
    The outlet's own narration, description, background, analysis or opinion.

How it is measured
------------------
Each sentence gets 27 interpretable features (:data:`FEATURES`): the share of its characters
inside direct quotes (``quote_share``, from :mod:`analysis.quotes`) and its shape (quote at the
start or the end, words left outside the quotes); attribution patterns (:data:`PATTERNS`: a
speech verb after a named, pronoun or institutional subject, readouts, statements and
spokespersons included; that-clauses; "according to"; an inverted ", said X"; participial
leads and tails; "the two sides agreed"; stance and announcement verbs; headline speech verbs;
transcript speaker labels); and attribution in the neighbouring sentences and the rest of the
article. A multinomial logistic regression over these features gives the class.
Its coefficients are a data file (``analysis/data/models/voice.json``) fitted on the ``train``
split of the development corpus (:mod:`analysis.devcorpus`), which is not distributed:
``python -m analysis.voice_validation fit --dev-corpus PATH`` refits it, and the suite scores any corpus
without the development corpus. How the method was chosen and how well it agrees with the
(AI) coders: ``data/validation/README.md``.

The speaker of a sentence (``voice_speaker``): the speaker of its direct quote when it has one
(:func:`analysis.quotes.quote_share`), else the source its reported speech is attributed to
(subject of the speech verb, "according to X", "..., said X"), with pronouns, one-word names and
institutional sources resolved by :func:`analysis.speakers.resolve`; a reported sentence without
an attribution of its own (a statement's content continued) takes the last speaker of its
paragraph. ``own`` sentences have none.

Speed: every pattern is an RE2 regex run by ``pyarrow.compute`` over the whole sentence column
(:func:`pattern_features`); the patterns that need a reporting verb run only on the sentences
that contain one (one pass finds them: :data:`GATE`, itself the feature ``verb_word``), the
quote-shape patterns only on sentences with quoted text, the speaker regex only on reported and
mixed sentences. The patterns test the one word before a verb rather than a whole subject so
that RE2 runs them as small DFAs. Python runs once per distinct speaker name, never per
sentence; :func:`reference_features` is the plain per-sentence version the tests compare with.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import speakers
from ._kernels import arrow_texts
from .config import DATA_DIR

__all__ = [
    "CLASSES",
    "FEATURES",
    "MODEL_FILE",
    "PATTERNS",
    "VoiceModel",
    "feature_matrix",
    "fit_model",
    "load_model",
    "pattern_features",
    "reference_features",
    "reported_speakers",
    "sentence_sources",
    "sentence_voice",
    "training_data",
    "voice_counts",
    "with_voice",
    "write_model",
]

#: The four voices, in the order of the model's rows.
CLASSES = ("own", "reported", "quoted", "mixed")
#: The committed model: coefficients fitted on the development corpus's ``train`` split.
MODEL_FILE = DATA_DIR / "models" / "voice.json"

# ----------------------------------------------------------------------------- patterns
# Every pattern is valid for RE2 (pyarrow.compute) and for Python's ``re`` with re.ASCII, and
# means the same in both (ASCII \w, \b and \s; no look-around).
_CAP = r"[A-Z][\w.'’-]*"
_NAME = rf"{_CAP}(?:\s+{_CAP}){{0,4}}"
_PRON = r"(?:[Hh]e|[Ss]he|[Tt]hey|[Ii]t|[Ww]e|I)"
_ROLE = (
    r"(?:spokes(?:person|man|woman|people)|ministry|department|office|side|government|embassy|"
    r"officials?|analysts?|experts?|sources?|observers?|diplomats?|statement|readout|report|"
    r"minister|administration|agency|council|committee|authorities|negotiators?|economists?|"
    r"scholars?|researchers?|critics?|lawmakers?|aides?|insiders?|leaders?|president|premier|"
    r"secretary|ambassador|envoy|professor|people|group|firm|company|media|newspaper|article|"
    r"editorial|commentary|survey|poll|study|document|notice|announcement|release|letter|post|"
    r"court|Pentagon|Xinhua|sides|countries|nations|parties|delegations|teams|presidents)"
)
_DET = r"(?:[Tt]he|[Aa]n?|[Oo]ne|[Tt]wo|[Ss]ome|[Mm]any|[Oo]ther|[Ss]enior|[Tt]op|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir)"
#: The word just before a speech verb that makes it attributed speech: a pronoun, a capitalised
#: name word or a source noun ("spokesperson", "ministry", "officials"). Patterns test this one
#: word, not the whole subject ("Chinese Foreign Ministry spokesperson Zhao Lei said" has "Lei
#: said"): the same sentences match, and RE2 runs them as a small DFA.
_SUBJ = rf"(?:{_PRON}|{_CAP}|{_ROLE})"
#: A full subject, for naming the speaker (Python only, on the short text before the verb).
_SUBJECT_TAIL = (
    rf"(?:(?P<institution>{speakers.INSTITUTION})|(?P<name>{_NAME})|(?P<pronoun>{_PRON})"
    rf"|(?P<role>(?:{_DET}\s+)?(?:[\w.'’-]+\s+){{0,3}}?{_ROLE}))$"
)
_ADV = (
    r"(?:(?:has|have|had|is|was|were|are|also|then|later|further|again|once|previously|"
    r"recently|repeatedly|on\s+\w+|\w+ly)\s+)*"
)
_V_SAY = (
    r"said|says|say|told|tells|stated|states|added|adds|noted|notes|wrote|writes|remarked|"
    r"commented|replied|explained|explains|recalled|observed|put it|pointed out|went on to say"
)
_V_EMPH = (
    r"stressed|stresses|emphasi[sz]ed|emphasi[sz]es|underscored|underlined|reiterated|"
    r"reiterates|insisted|insists|affirmed|reaffirmed|asserted|declared|maintained|highlighted"
)
_V_DIR = (
    r"urged|urges|called on|called for|calls on|calls for|demanded|asked|warned|warns|"
    r"cautioned|vowed|pledged|promised|proposed|requested|appealed"
)
_V_ATT = (
    r"expressed|voiced|believes|believed|hoped|hopes|thinks|argued|argues|claimed|claims|"
    r"accused|criticized|criticised|slammed|condemned|denounced|welcomed|hailed|praised|"
    r"opposes|opposed|rejected|refuted|lambasted|described|characteri[sz]ed|labell?ed|dubbed|"
    r"branded|acknowledged|admitted|conceded|denied|predicted|suggested|estimated|expects|"
    r"expected|cast|framed|touted|lauded|signaled|signalled|indicated"
)
_V_ANN = r"announced|announces|confirmed|revealed|disclosed|reported|unveiled"
_V_STRONG = f"{_V_SAY}|{_V_EMPH}|{_V_DIR}"
_V_ALL = f"{_V_STRONG}|{_V_ATT}|{_V_ANN}|agreed"
_PART = (
    r"saying|adding|noting|stressing|urging|calling on|calling for|warning|emphasi[sz]ing|"
    r"expressing|reiterating|arguing|insisting|pointing out|vowing|pledging|describing|"
    r"accusing|asserting|claiming|hoping|underlining|underscoring|highlighting|explaining|"
    r"voicing|telling|asking|demanding|declaring|affirming|reaffirming|acknowledging|"
    r"welcoming|condemning|criticizing|criticising|slamming|denouncing|suggesting"
)
_LEADS = (
    r"Speaking|Addressing|Responding|Asked|Commenting|Referring|Noting|Stressing|Writing|"
    r"Talking|Briefing|Answering|Replying|Reiterating|Echoing"
)
_V_AGREE = r"agreed|reached|exchanged|consented|committed"
_SIDES = (
    r"(?:[Tt]he|[Bb]oth)\s+(?:two\s+)?(?:sides|countries|leaders|presidents|nations|"
    r"heads\s+of\s+state|delegations|teams|parties)"
)
_CALLED = (
    r"called|calls|described|describes|labell?ed|branded|dubbed|termed|hailed|characteri[sz]ed"
)

#: The patterns: name -> regex. Each runs on the sentences its scope selects (:data:`_SCOPE`).
PATTERNS: dict[str, str] = {
    # attributed speech, any of its forms (one regex): "according to X", an inverted
    # ", said X", "X / he / the ministry (also) said, stressed, urged ...", a verb with a
    # that-clause ("stressed on Monday that"), a participial tail (", saying ..."), an
    # agreement of the two sides ("the two sides agreed", "both countries pledged")
    "attribution": (
        r"(?i:\baccording to\b)"
        rf"|,\s*(?:{_V_SAY}|{_V_EMPH})\s+(?:{_CAP}|the\s|an?\s)"
        rf"|\b{_SUBJ}\s+{_ADV}(?:{_V_STRONG})\b"
        rf"|\b(?:{_V_ALL})\s+(?:[\w,'’-]+\s+){{0,4}}?that\b"
        rf"|,\s*(?:{_PART})\b"
        rf"|\b{_SIDES}\s+{_ADV}(?:agreed|reached|pledged|vowed|consented|committed)\b"
    ),
    # a speech verb anywhere ("said", "stressed", "urged", "told", ...)
    "speech_verb": rf"\b(?:{_V_STRONG})\b",
    # a participial clause after a comma: ", saying ...", ", adding that ..."
    "participial": rf",\s*(?:{_PART})\b",
    # a stance, announcement or agreement verb after a subject ("Trump hailed", "the ministry
    # announced", "the two sides agreed"), or naming with a quote ("Xi called it “a new start”")
    "stance_verb": (
        rf"\b{_SUBJ}\s+{_ADV}(?:{_V_ATT}|{_V_ANN}|{_V_AGREE})\b"
        rf"|\b(?:{_CALLED})\s+(?:it|this|that|them|him|her|the\s+\w+|{_CAP}(?:\s+{_CAP}){{0,3}})"
        r"\s+(?:as\s+)?(?:an?\s+|the\s+)?[“\"‘]"
    ),
    # a participial or circumstantial lead: "Speaking at ..., X said", "In a statement, ..."
    "lead_participle": (
        rf"^(?:{_LEADS}|In (?:a|an|his|her|the|its) (?:statement|interview|speech|post|letter|"
        r"readout|call|remarks|address|message))\b"
    ),
    # a transcript's speaker label: "TRUMP: ...", "Amb. Nicholas Burns: ..."
    "speaker_label": r"^(?:[A-Z][\w.'’-]*\s*){1,4}(?:,[^:]{0,40})?:\s",
    "quote_start": r"^\W{0,3}[“\"‘]",
    "quote_end": r"[”\"’]\W{0,2}$",
    # a quote introduced by a colon or comma: "X said: “...”"
    "colon_quote": r"[:,]\s*[“\"]",
    # a headline's speech verb or source ("China Urges ...", "...: FM")
    "headline_verb": (
        r"(?i)\b(?:says?|urges?|slams?|warns?|vows?|calls?|hails?|touts?|confirms?|asks?|tells?|"
        r"denies|rejects?|accuses|condemns?|opposes|hopes?|expects?|welcomes?|pledges?|stresses|"
        r"insists?|refutes?|blasts?)\b|:\s*(?:FM|experts?|officials?|analysts?|spokes\w+|ministry|"
        r"MOFCOM|envoy|ambassador)\W*$"
    ),
}

#: Words one of which every "gate"-scoped pattern contains (matched case-insensitively, as
#: word starts): sentences without any are not searched for those patterns.
GATE = rf"(?i)\b(?:{_V_ALL}|{_PART}|according|{_V_AGREE}|{_CALLED})\b"
#: Where each pattern is searched: "all" sentences, "gate" (those matching :data:`GATE`),
#: "quoted" (quote_share > 0) or "heading" (is_heading). Patterns anchored at the start or
#: the end of the sentence cost little anywhere.
_SCOPE = {
    "attribution": "gate", "speech_verb": "gate", "participial": "gate", "stance_verb": "gate",
    "colon_quote": "quoted", "headline_verb": "heading",
}

#: The model's inputs, in order: pattern features, then quote-share and context features.
FEATURES = (
    "verb_word", *PATTERNS,
    "quote_share", "quote_high", "quote_mid", "quote_low", "rest_short", "rest_mid",
    "rest_long", "quote_long", "quote_start_low", "quote_start_high",
    "previous_quoted", "next_quoted", "previous_attribution", "next_attribution",
    "article_attribution", "first_sentence",
)


def _scope(name: str) -> str:
    return _SCOPE.get(name, "all")


# ----------------------------------------------------------------------------- features


def _arrow(values) -> pa.Array | pa.ChunkedArray:
    """Sentence texts as Arrow strings, without a copy when they already are (chunks kept)."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    if values.dtype == "str" and not values.isna().any():
        return pa.array(values)
    return arrow_texts(values)


def _match(texts, pattern: str, within: np.ndarray | None = None) -> np.ndarray:
    """Boolean per text: ``pattern`` found; only the texts ``within`` (a mask) searched when
    given (Arrow's filter keeps the chunks; a take would join them)."""
    if within is None:
        return pc.match_substring_regex(texts, pattern).to_numpy(zero_copy_only=False)
    out = np.zeros(len(texts), dtype=bool)
    if within.any():
        sub = texts.filter(pa.array(within))
        out[within] = pc.match_substring_regex(sub, pattern).to_numpy(zero_copy_only=False)
    return out


def pattern_features(texts, *, quote_share=None, heading=None, only=None) -> dict[str, np.ndarray]:
    """Every pattern of :data:`PATTERNS` over a column of sentences, vectorised.

    Parameters
    ----------
    texts : pandas.Series or pyarrow.Array of str
        Sentence texts.
    quote_share : array-like of float, optional
        Each sentence's share of characters inside direct quotes; the quote-shape patterns are
        searched only where it is positive (all zero when not given).
    heading : array-like of bool, optional
        Whether each sentence is a heading; ``headline_verb`` is searched only there.
    only : sequence of str, optional
        The features to compute (names among ``verb_word`` and :data:`PATTERNS`); default all.

    Returns
    -------
    dict of str to numpy.ndarray of bool
        ``verb_word`` (:data:`GATE`), then one array per pattern in the order of
        :data:`PATTERNS` (those of ``only``); equal to :func:`reference_features`.
    """
    arr = _arrow(texts)
    n = len(arr)
    names = ("verb_word", *PATTERNS) if only is None else tuple(only)
    share = np.zeros(n) if quote_share is None else np.asarray(quote_share, dtype=float)
    head = np.zeros(n, dtype=bool) if heading is None else np.asarray(heading, dtype=bool)
    gate = bool(n) and ("verb_word" in names or any(_scope(name) == "gate" for name in names))
    within = {"all": None, "quoted": share > 0, "heading": head,
              "gate": _match(arr, GATE) if gate else np.zeros(n, dtype=bool)}
    gated = arr.filter(pa.array(within["gate"])) if gate else arr
    out = {"verb_word": within["gate"]} if "verb_word" in names else {}
    for name, pattern in PATTERNS.items():
        if name not in names:
            continue
        scope = _scope(name)
        if scope == "gate":
            found = np.zeros(n, dtype=bool)
            if len(gated):
                found[within["gate"]] = pc.match_substring_regex(gated, pattern).to_numpy(
                    zero_copy_only=False)
            out[name] = found
        else:
            out[name] = _match(arr, pattern, within[scope])
    return out


@lru_cache(maxsize=1)
def _compiled() -> dict[str, re.Pattern]:
    return {name: re.compile(p, re.ASCII) for name, p in {"verb_word": GATE, **PATTERNS}.items()}


def reference_features(texts, *, quote_share=None, heading=None) -> dict[str, np.ndarray]:
    """:func:`pattern_features` one sentence at a time with Python's ``re`` (for tests).

    Every pattern is searched in every sentence of its scope, without first finding the
    sentences with a verb word (:data:`GATE`, itself the feature ``verb_word``).
    """
    texts = list(texts)
    n = len(texts)
    share = np.zeros(n) if quote_share is None else np.asarray(quote_share, dtype=float)
    head = np.zeros(n, dtype=bool) if heading is None else np.asarray(heading, dtype=bool)
    within = {"all": np.ones(n, dtype=bool), "gate": np.ones(n, dtype=bool),
              "quoted": share > 0, "heading": head}
    out = {}
    for name, rx in _compiled().items():
        scope = within[_scope(name)] if name != "verb_word" else within["all"]
        out[name] = np.array([bool(scope[i]) and rx.search(t) is not None
                              for i, t in enumerate(texts)], dtype=bool)
    return out


def _context(sentences: pd.DataFrame, found: dict[str, np.ndarray], *,
             article: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Quote-share bins, the words outside quotes, and the neighbours' features."""
    q = sentences["quote_share"].to_numpy(dtype=float)
    words = sentences["n_words"].to_numpy(dtype=float)
    art = pd.factorize(sentences["article_id"])[0] if article is None else article
    para = sentences["paragraph"].to_numpy()
    n = len(q)
    same_art = np.r_[False, art[1:] == art[:-1]] if n else np.zeros(0, dtype=bool)
    same_para = same_art & np.r_[False, para[1:] == para[:-1]] if n else same_art
    same_next = np.r_[same_para[1:], False] if n else same_para
    rest = words * (1 - q)
    some = q > 0.2
    attr = found["attribution"]
    prev = np.r_[False, attr[:-1]] if n else attr
    nxt = np.r_[attr[1:], False] if n else attr
    per_article = np.bincount(art, weights=attr, minlength=art.max() + 1 if n else 0)
    size = np.bincount(art, minlength=art.max() + 1 if n else 0)
    others = (per_article[art] - attr) / np.maximum(size[art] - 1, 1) if n else q
    high = q >= 0.5
    return {
        "quote_share": q,
        "quote_high": q >= 0.67,
        "quote_mid": (q >= 0.35) & (q < 0.67),
        "quote_low": (q > 0) & (q < 0.35),
        "rest_short": some & (rest <= 5),
        "rest_mid": some & (rest > 5) & (rest <= 12),
        "rest_long": some & (rest > 12),
        "quote_long": words * q >= 8,
        "quote_start_low": found["quote_start"] & (q < 0.35),
        "quote_start_high": found["quote_start"] & (q >= 0.35),
        "previous_quoted": same_para & (np.r_[False, high[:-1]] if n else high),
        "next_quoted": same_next & (np.r_[high[1:], False] if n else high),
        "previous_attribution": same_art & prev,
        "next_attribution": same_next & nxt,
        "article_attribution": others,
        "first_sentence": sentences["sentence"].to_numpy() == 0,
    }


def feature_matrix(sentences: pd.DataFrame, *, found: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """The model's inputs (:data:`FEATURES`) for each sentence.

    Parameters
    ----------
    sentences : pandas.DataFrame
        ``article_id``, ``paragraph``, ``sentence``, ``text``, ``n_words``, ``is_heading`` and
        ``quote_share`` (the loader's sentences table), in text order within each article.
    found : dict, optional
        :func:`pattern_features` of these sentences, when already computed.

    Returns
    -------
    pandas.DataFrame
        One float32 column per feature, same index as ``sentences``.
    """
    missing = [c for c in ("article_id", "paragraph", "sentence", "text", "n_words",
                           "is_heading", "quote_share") if c not in sentences.columns]
    if missing:
        raise ValueError(f"feature_matrix: the sentences lack column(s) {missing}; "
                         "pass the loader's sentences table (Corpus.sentences)")
    if found is None:
        found = pattern_features(sentences["text"], quote_share=sentences["quote_share"],
                                 heading=sentences["is_heading"])
    cols = {**found, **_context(sentences, found)}
    data = np.column_stack([np.asarray(cols[f], dtype=np.float32) for f in FEATURES]) \
        if len(sentences) else np.zeros((0, len(FEATURES)), dtype=np.float32)
    return pd.DataFrame(data, columns=list(FEATURES), index=sentences.index)


# ----------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class VoiceModel:
    """A multinomial logistic regression over :data:`FEATURES`.

    Attributes
    ----------
    classes : tuple of str
        Row order of ``coef`` and ``intercept``.
    features : tuple of str
        Column order of ``coef``.
    coef : numpy.ndarray
        ``(len(classes), len(features))``.
    intercept : numpy.ndarray
        ``(len(classes),)``.
    info : dict
        How it was fitted (data, split, settings, cross-validated figures).
    """

    classes: tuple[str, ...]
    features: tuple[str, ...]
    coef: np.ndarray
    intercept: np.ndarray
    info: dict

    def scores(self, x: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Linear scores (log-odds up to a constant), one column per class."""
        data = x[list(self.features)].to_numpy(dtype=np.float64) if isinstance(x, pd.DataFrame) \
            else np.asarray(x, dtype=np.float64)
        return data @ self.coef.T + self.intercept

    def predict(self, x: pd.DataFrame | np.ndarray) -> np.ndarray:
        """Class index (into ``classes``) with the highest score for each row."""
        return np.argmax(self.scores(x), axis=1) if len(x) else np.zeros(0, dtype=np.int64)

    def classify(self, columns: dict, n: int, *, block: int = 1 << 16) -> np.ndarray:
        """:meth:`predict` from one array per feature, ``block`` rows at a time (the feature
        matrix of a large corpus is never built whole; column-major, so filling it is fast)."""
        out = np.zeros(n, dtype=np.int64)
        x = np.empty((min(block, n), len(self.features)), dtype=np.float64, order="F")
        for a in range(0, n, block):
            b = min(a + block, n)
            for j, name in enumerate(self.features):
                x[: b - a, j] = columns[name][a:b]
            out[a:b] = np.argmax(x[: b - a] @ self.coef.T + self.intercept, axis=1)
        return out

    def to_json(self) -> dict:
        return {
            "model": "multinomial logistic regression (scikit-learn LogisticRegression)",
            "classes": list(self.classes),
            "features": list(self.features),
            "coef": [[round(float(v), 6) for v in row] for row in self.coef],
            "intercept": [round(float(v), 6) for v in self.intercept],
            "info": self.info,
        }


def load_model(path: str | Path = MODEL_FILE) -> VoiceModel:
    """Read a model file (JSON, as written by ``python -m analysis.voice_validation fit``).

    Raises
    ------
    ValueError
        When its features or classes are not those this version of the suite computes.
    """
    path = Path(path)
    spec = json.loads(path.read_text(encoding="utf-8"))
    features, classes = tuple(spec["features"]), tuple(spec["classes"])
    if set(features) - set(FEATURES) or set(classes) != set(CLASSES):
        raise ValueError(
            f"load_model: {path} has features or classes this suite does not compute "
            f"({sorted(set(features) - set(FEATURES))}, {classes}); refit it with "
            "`python -m analysis.voice_validation fit --dev-corpus PATH`")
    coef = np.asarray(spec["coef"], dtype=np.float64)
    intercept = np.asarray(spec["intercept"], dtype=np.float64)
    if coef.shape != (len(classes), len(features)) or intercept.shape != (len(classes),):
        raise ValueError(f"load_model: {path}: coef must be {len(classes)} x {len(features)}")
    return VoiceModel(classes, features, coef, intercept, spec.get("info", {}))


@lru_cache(maxsize=1)
def _default_model() -> VoiceModel:
    return load_model(MODEL_FILE)


# ----------------------------------------------------------------------------- speakers

#: Who a reported sentence's speech is attributed to: the object of "according to", the name
#: after an inverted ", said X", the words before a speech verb (the clause up to its subject;
#: :func:`_speaker_name` keeps the subject), or a leading he/she/they. RE2 sets the group of
#: the leftmost match.
_WHO_RE = (
    r"[Aa]ccording to\s+(?P<according>[^,;:“”\"]+)"
    rf"|,\s*(?:{_V_SAY}|{_V_EMPH})\s+(?P<inverted>(?:{_CAP}\s+)*{_CAP})"
    rf"|(?P<subject>(?:[\w.'’-]+\s+)*?{_SUBJ})\s+{_ADV}(?:{_V_STRONG}|{_V_ATT}|{_V_ANN}|{_V_AGREE})\b"
    r"|^(?P<pronoun>He|She|They)\b"
)
#: Searched only where :data:`_WHO_RE` finds nothing: a name with an appositive ("Guo Jiakun,
#: spokesperson for the Foreign Ministry, said"), or the subject of a sentence whose speech is
#: a participial tail ("Premier Li met the delegation, urging ...").
_APPOSITIVE_RE = (
    rf"(?P<appositive>{_CAP}(?:\s+{_CAP})*),[^,;“”\"]+,\s+{_ADV}(?:{_V_STRONG}|{_V_ATT}|{_V_ANN})\b"
    rf"|^(?P<lead>{_NAME}|{_PRON})\s[^,;“”\"]*,\s*(?:{_PART})\b"
)
_SUBJECT_RE = re.compile(_SUBJECT_TAIL)
_AFTER_SOURCE_RE = re.compile(r"\s+(?:on|in|at|during|after|which|who|that|as|when|while)\b.*$")
_DETERMINERS = frozenset({"A", "An", "The", "Both", "Some", "Many", "Its", "His", "Her", "Their",
                          "One", "Two", "Other", "Senior", "Top"})
_OF_PHRASE = re.compile(r"\s+(?:of|at|from|with)\s+")


def _speaker_name(kind: str, text: str) -> str | None:
    """The speaker named by an extracted attribution (``kind``: a group of :data:`_WHO_RE` or
    :data:`_APPOSITIVE_RE`): an institution in canonical form, a pronoun in lower case, a
    source noun phrase as written ("US officials", "the ministry"), a name without titles."""
    from .quotes import _LEAD_WORDS, _strip_name

    text = " ".join(text.split()).rstrip(".")
    role = False
    if kind == "according":
        text = _AFTER_SOURCE_RE.sub("", text)
    elif kind in ("subject", "appositive", "lead"):
        # "Professor Diao Daming of Renmin University" -> the person; "China's Ministry of
        # Commerce" stays whole
        head = _OF_PHRASE.split(text, maxsplit=1)[0]
        if head != text and not speakers.INSTITUTION_WORDS.search(head):
            text = head
        # no subject form spans more than 7 words: the last 8 give the same match, faster
        m = _SUBJECT_RE.search(" ".join(text.split()[-8:]))
        text = m.group(0) if m else ""
        role = m is not None and m.group("role") is not None
    if not text:
        return None
    if speakers.is_institution(text):
        return speakers.canonical(text)
    if speakers.reference_kind(text) is not None:
        return text.lower()
    first = text.split()[0]
    if first in _DETERMINERS:
        text = first.lower() + text[len(first):]
    if role or text[0].islower() or speakers.INSTITUTION_WORDS.search(text):
        return text  # "the ministry", "US officials", "China's Foreign Ministry": as written
    name = _strip_name(text)
    return None if not name or name in _LEAD_WORDS else name


def _names_of(captured: pa.Array, kind: str) -> np.ndarray:
    """:func:`_speaker_name` of each captured string (None where null or empty), computed once
    per distinct string."""
    enc = captured.dictionary_encode()
    names = np.array([_speaker_name(kind, w) if w else None
                      for w in enc.dictionary.to_pylist()] + [None], dtype=object)
    idx = enc.indices.to_numpy(zero_copy_only=False)
    return names[np.where(pd.isna(idx), len(names) - 1, idx).astype(np.int64)]


def _extract_names(texts, pattern: str, kinds: tuple[str, ...]) -> np.ndarray:
    """The speaker name of each text by ``pattern``'s named groups (None where none)."""
    found = pc.extract_regex(texts, pattern)
    if isinstance(found, pa.ChunkedArray):
        found = found.combine_chunks()
    out = np.full(len(found), None, dtype=object)
    for kind in kinds:
        named = _names_of(pc.if_else(found.is_valid(), found.field(kind), None), kind)
        out = np.where(pd.isna(out), named, out)
    return out


def reported_speakers(texts, rows: np.ndarray) -> pd.Series:
    """The source each of ``rows`` attributes its speech to, as written (titles stripped).

    Parameters
    ----------
    texts : pandas.Series or pyarrow.Array of str
        Sentence texts.
    rows : numpy.ndarray of int
        Positions of the sentences to search, increasing.

    Returns
    -------
    pandas.Series of object
        Indexed by ``rows``: the first attribution found ("according to X", ", said X" or the
        subject of a speech verb), None where none.
    """
    arr = _arrow(texts)
    rows = np.asarray(rows, dtype=np.int64)
    out = np.full(len(rows), None, dtype=object)
    if not len(rows):
        return pd.Series(out, index=rows, dtype=object)
    if np.any(rows[1:] <= rows[:-1]):
        raise ValueError("reported_speakers: rows must be increasing positions without repeats")
    mask = np.zeros(len(arr), dtype=bool)
    mask[rows] = True
    out = _extract_names(arr.filter(pa.array(mask)), _WHO_RE,
                         ("according", "inverted", "subject", "pronoun"))
    rest = pd.isna(out)
    if rest.any():
        mask[rows[~rest]] = False
        out[rest] = _extract_names(arr.filter(pa.array(mask)), _APPOSITIVE_RE,
                                   ("appositive", "lead"))
    return pd.Series(out, index=rows, dtype=object)


# ----------------------------------------------------------------------------- voice


def sentence_voice(sentences: pd.DataFrame, *, model: VoiceModel | None = None,
                   found: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """The voice and speaker of every sentence.

    Parameters
    ----------
    sentences : pandas.DataFrame
        The loader's sentences table with ``quote_share`` and ``speaker``
        (:func:`analysis.quotes.quote_share`); the sentences of an article consecutive and in
        text order.
    model : VoiceModel, optional
        Default: the committed model (:data:`MODEL_FILE`).
    found : dict, optional
        :func:`pattern_features` of these sentences computed before their quotes were known
        (``heading`` given, ``quote_share`` not), e.g. on another thread while the quotes were
        found: only the patterns searched in quoted sentences are then searched here.

    Returns
    -------
    pandas.DataFrame
        ``sentences`` with ``voice`` (categorical: own / reported / quoted / mixed) and
        ``voice_speaker`` (string; <NA> for ``own`` and where no source is found) added
        (replaced if present).
    """
    model = model or _default_model()
    out = sentences.drop(columns=["voice", "voice_speaker"], errors="ignore")
    n = len(out)
    if not n:
        out["voice"] = pd.Categorical([], categories=list(CLASSES))
        out["voice_speaker"] = pd.Series([], dtype="string", index=out.index)
        return out
    texts = _arrow(out["text"])
    if found is None:
        found = pattern_features(texts, quote_share=out["quote_share"], heading=out["is_heading"])
    else:
        quoted = [name for name in PATTERNS if _scope(name) == "quoted"]
        found = {**found, **pattern_features(texts, quote_share=out["quote_share"],
                                             heading=out["is_heading"], only=quoted)}
    article = pd.factorize(out["article_id"])[0]
    cols = {**found, **_context(out, found, article=article)}
    order = np.array([CLASSES.index(c) for c in model.classes], dtype=np.int8)
    voice = order[model.classify(cols, n)]
    del cols
    out["voice"] = pd.Categorical.from_codes(voice, categories=list(CLASSES))
    attributed = found["attribution"] | found["stance_verb"]
    out["voice_speaker"] = _voice_speakers(out, texts, voice, attributed, article)
    return out


_OWN, _REPORTED, _QUOTED, _MIXED = range(4)


def _voice_speakers(sentences: pd.DataFrame, texts, voice: np.ndarray, attributed: np.ndarray,
                    article: np.ndarray) -> pd.Series:
    """Speaker per sentence: the quote's, else the reported speech's source, else the
    paragraph's last speaker for reported sentences; <NA> for own."""
    n = len(sentences)
    rows = np.flatnonzero(voice != _OWN)  # only these get a speaker
    if "speaker" in sentences:
        quote_speaker = sentences["speaker"].to_numpy(dtype=object, na_value=None)[rows]
    else:
        quote_speaker = np.full(len(rows), None, dtype=object)
    v = voice[rows]
    use_quote = ((v == _QUOTED) | (v == _MIXED)) & ~pd.isna(quote_speaker)
    search = ((v == _REPORTED) | (v == _MIXED)) & attributed[rows] & ~use_quote
    raw = np.full(len(rows), None, dtype=object)
    raw[search] = reported_speakers(texts, rows[search]).to_numpy(dtype=object)
    group = article[rows]
    found = speakers.resolve(group, raw, known=quote_speaker)
    found[use_quote] = quote_speaker[use_quote]
    # a reported sentence without an attribution of its own: the paragraph's last speaker
    para = group.astype(np.int64) * (int(sentences["paragraph"].max()) + 1) \
        + sentences["paragraph"].to_numpy(dtype=np.int64)[rows]
    prev = speakers._last_before(para, ~pd.isna(found))
    fill = (v == _REPORTED) & pd.isna(found) & (prev >= 0)
    found[fill] = found[prev[fill]]
    out = np.full(n, None, dtype=object)
    out[rows] = found
    return pd.Series(pa.array(out, type=pa.large_string()), index=sentences.index,
                     dtype=pd.StringDtype("pyarrow"))


def voice_counts(sentences: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Sentences per voice (and per ``by`` group): the voice table of the notebooks.

    Parameters
    ----------
    sentences : pandas.DataFrame
        With ``voice`` (Corpus.sentences) and ``by`` when given.
    by : str, optional
        A column to group by (e.g. ``outlet``, after merging the articles' metadata).

    Returns
    -------
    pandas.DataFrame
        One row per group (or one row ``all``): a count column per voice of :data:`CLASSES`,
        ``sentences`` (their sum, the number of sentences) and a share column per voice.
    """
    if "voice" not in sentences.columns:
        raise ValueError("voice_counts: the sentences have no voice column; load the corpus "
                         "with analysis.load_corpus (it adds one)")
    voice = pd.Categorical(sentences["voice"], categories=list(CLASSES)).codes.astype(np.int64)
    key = sentences[by].to_numpy() if by else np.full(len(sentences), "all", dtype=object)
    # the groups sorted, a missing key one group of its own placed first (as pandas.crosstab
    # orders them); counted with one bincount, not a Python aggregation per group
    group, groups = pd.factorize(key, sort=True)
    if (group < 0).any():
        group = group + 1
        groups = np.concatenate([np.array([np.nan], dtype=object), np.asarray(groups, dtype=object)]) \
            if groups.dtype.kind != "f" else np.concatenate([[np.nan], groups])
    known = voice >= 0  # a voice outside CLASSES, or missing, is not counted
    counts = np.bincount(group[known] * len(CLASSES) + voice[known],
                         minlength=len(groups) * len(CLASSES)).reshape(len(groups), len(CLASSES))
    table = pd.DataFrame(counts, index=pd.Index(groups, name=by or "group"), columns=list(CLASSES))
    table["sentences"] = table[list(CLASSES)].sum(axis=1)
    for c in CLASSES:
        table[f"share_{c}"] = np.where(table["sentences"] > 0,
                                       table[c] / table["sentences"].clip(lower=1), 0.0)
    return table.reset_index().astype({c: "int64" for c in (*CLASSES, "sentences")})


def sentence_sources(source, *, by: str = "outlet") -> pd.DataFrame:
    """Each non-own sentence with the actor and source group of the speaker it carries.

    Parameters
    ----------
    source : analysis.corpus.Corpus
        A loaded corpus (its ``sentences`` have ``voice`` and ``voice_speaker``).
    by : str, default "outlet"
        Article column added to each sentence.

    Returns
    -------
    pandas.DataFrame
        ``article_id``, ``sentence``, ``by``, ``voice``, ``voice_speaker``, ``actor`` and
        ``source_group`` (:func:`analysis.sources.speaker_groups`: chinese_official,
        us_official, analyst_academic, other; ``unattributed`` without a speaker), one row per
        ``reported``, ``quoted`` or ``mixed`` sentence.
    """
    from .sources import speaker_groups

    sents = source.sentences
    if "voice" not in sents.columns:
        raise ValueError("sentence_sources: the sentences have no voice column; load the corpus "
                         "with analysis.load_corpus (it adds one)")
    cols = ["article_id", "sentence", "voice", "voice_speaker"]
    out = sents.loc[sents["voice"] != "own", cols].merge(
        source.articles[["article_id", by]], on="article_id", how="left")
    groups = speaker_groups(out["voice_speaker"]).set_index("speaker")
    speaker = out["voice_speaker"].astype(object)
    out["actor"] = speaker.map(groups["actor"]).astype("str")
    out["source_group"] = speaker.map(groups["source_group"]).fillna("unattributed").astype("str")
    out["voice"] = out["voice"].astype("str")
    return out[["article_id", "sentence", by, "voice", "voice_speaker", "actor", "source_group"]]


def with_voice(table: pd.DataFrame, source) -> pd.DataFrame:
    """A sentence table (e.g. :func:`analysis.tone.sentence_table`) with the loader's four-way
    ``voice`` and ``voice_speaker`` in place of its quote-mark ``voice``.

    Parameters
    ----------
    table : pandas.DataFrame
        Keyed by ``article_id`` and ``sentence``.
    source : analysis.corpus.Corpus

    Returns
    -------
    pandas.DataFrame
        ``table`` (same rows and order) with ``voice`` (own / reported / quoted / mixed, as
        str) and ``voice_speaker``; the tone comparisons then run per voice, e.g.
        ``tone.compare_groups(with_voice(table, corpus), ..., voices=("all", "own",
        "reported", "quoted"))``.
    """
    keys = ["article_id", "sentence"]
    measured = source.sentences[[*keys, "voice", "voice_speaker"]].astype({"voice": "str"})
    out = table.drop(columns=["voice", "voice_speaker"], errors="ignore").merge(
        measured, on=keys, how="left", validate="one_to_one")
    out.index = table.index
    return out


# ----------------------------------------------------------------------------- fitting

#: Settings of the committed model, chosen by article-grouped cross-validation on ``train``
#: (data/validation/README.md lists the alternatives and their figures).
FIT_SETTINGS = {"C": 0.3, "class_weight": "balanced", "max_iter": 5000}


def fit_model(dev_corpus, *, settings: dict | None = None) -> VoiceModel:
    """Fit the voice model on the ``train`` split of the development corpus.

    Parameters
    ----------
    dev_corpus : analysis.devcorpus.DevCorpus or str or Path
        The loaded development corpus, or its folder.
    settings : dict, optional
        LogisticRegression settings; default :data:`FIT_SETTINGS`.

    Returns
    -------
    VoiceModel
        Fitted on the ``train`` sentences both coders agree on (``voice`` not empty).
    """
    from sklearn.linear_model import LogisticRegression

    from . import devcorpus

    dev = dev_corpus if isinstance(dev_corpus, devcorpus.DevCorpus) else \
        devcorpus.load_dev_corpus(dev_corpus)
    settings = {**FIT_SETTINGS, **(settings or {})}
    x, y = training_data(dev, "train")
    lr = LogisticRegression(**settings).fit(x.to_numpy(dtype=np.float64), y)
    order = [list(lr.classes_).index(c) for c in CLASSES]
    info = {
        "fitted_on": "development corpus, split train, sentences with an agreed voice code",
        "sentences": int(len(y)),
        "per_class": {c: int((y == c).sum()) for c in CLASSES},
        "settings": settings,
        "codes": devcorpus.CODER_CAVEAT,
        "refit": "python -m analysis.voice_validation fit --dev-corpus PATH",
    }
    return VoiceModel(CLASSES, FEATURES, lr.coef_[order], lr.intercept_[order], info)


def training_data(dev, split: str, *, with_articles: bool = False):
    """Features and agreed voice codes of one split of the development corpus.

    Parameters
    ----------
    dev : analysis.devcorpus.DevCorpus
    split : str
        ``"train"`` or ``"test"``.
    with_articles : bool, default False
        Also return each sentence's article id (for grouped cross-validation).

    Returns
    -------
    x : pandas.DataFrame
        :func:`feature_matrix` rows of the sentences of ``split`` that both coders agree on.
    y : numpy.ndarray of str
        Their agreed voice.
    articles : numpy.ndarray of str
        Only with ``with_articles``.
    """
    sents = dev.corpus.sentences
    x = feature_matrix(sents)
    coded = dev.sentences[["article_id", "sentence", "voice", "split"]]
    keyed = sents[["article_id", "sentence"]].merge(coded, on=["article_id", "sentence"],
                                                     how="left", validate="one_to_one")
    keep = ((keyed["split"] == split) & keyed["voice"].isin(CLASSES)).to_numpy()
    out = (x[keep].reset_index(drop=True), keyed.loc[keep, "voice"].to_numpy(dtype=object))
    if with_articles:
        out = (*out, keyed.loc[keep, "article_id"].to_numpy(dtype=object))
    return out


def write_model(model: VoiceModel, path: str | Path = MODEL_FILE) -> Path:
    """Write a model as JSON (sorted, rounded, one trailing newline)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    return path
