"""Who speaks: institutional sources, speakers of reported speech, pronouns resolved.

Shared by :mod:`analysis.quotes` (speakers of direct quotes) and :mod:`analysis.voice`
(speakers of reported speech, per sentence).

Institutional sources
---------------------
"the U.S. side", "the Chinese side", "the Foreign Ministry", "the Commerce Ministry", "the
White House", "the State Department", "a Foreign Ministry spokesperson", ... are speakers in
their own right (:data:`INSTITUTION`), kept in one canonical form (leading "The" lowered,
spaces collapsed: "the U.S. side"). Their country comes from the gazetteer
(``analysis/data/gazetteer.csv``) through :func:`analysis.sources.speaker_groups`: "U.S." and
"Washington" name the United States, "the Chinese side" and "Beijing" China, "Foreign
Ministry" the Chinese Foreign Ministry, and so on. Capitals and countries ("Beijing",
"Washington", "China") are already speakers by the name rules.

Pronouns and definite references
--------------------------------
"he" / "she" stand for the last *person* named as a speaker earlier in the article (the last
of the paragraph when the paragraph names one, since it is the most recent); "it", "they" and
"we" for the last institution, country or group of officials (:func:`speaker_kind`; the
gazetteer tells "Beijing" from "Wang"). A bare "the spokesperson" /
"the spokesman" / "the spokeswoman" / "the minister" / "the official" stands for the last
person too. A person is a capitalised name of two or more words that names no institution ("Wang
Yi"; not "Wang", "the U.S. side" or "Foreign Ministry"). Without such an antecedent the speaker stays missing:
speakers are never invented.

Everything here works on whole columns: regexes are RE2 (``pyarrow.compute``) and resolution is
a forward fill per article; Python runs once per *distinct* name, not per sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

# The actor gazetteer (config.GAZETTEER_FILE): its names tell people from countries and institutions.
from .config import GAZETTEER_FILE

__all__ = [
    "INSTITUTION",
    "canonical",
    "is_institution",
    "is_person",
    "official_group",
    "reference_kind",
    "resolve",
    "speaker_kind",
]

_COUNTRY_ADJ = r"(?:U\.S\.|US|American|Chinese|China's|China’s)"
#: Institutional sources (a Python ``re`` and RE2 pattern without groups; "the" may be capitalised).
INSTITUTION = (
    rf"(?:[Tt]he\s+{_COUNTRY_ADJ}\s+side"
    rf"|(?:[Tt]he|[Aa])\s+(?:{_COUNTRY_ADJ}\s+)?(?:Foreign|Commerce|Defen[cs]e|Finance|Education)"
    r"\s+Ministry(?:\s+spokes(?:person|man|woman))?"
    rf"|(?:[Tt]he|[Aa])\s+(?:{_COUNTRY_ADJ}\s+)?(?:Ministry\s+of\s+(?:Foreign\s+Affairs|Commerce))"
    r"(?:\s+spokes(?:person|man|woman))?"
    rf"|[Tt]he\s+(?:{_COUNTRY_ADJ}\s+)?(?:State|Commerce|Treasury)\s+Department"
    r"|[Tt]he\s+White\s+House|[Tt]he\s+Pentagon"
    rf"|(?:[Tt]he|[Aa])\s+(?:{_COUNTRY_ADJ}\s+)?(?:government|embassy)\s+spokes(?:person|man|woman)"
    rf"|[Tt]he\s+{_COUNTRY_ADJ}\s+(?:government|embassy))"
)
_INSTITUTION_RE = re.compile(INSTITUTION)
#: Words that make a capitalised name an institution rather than a person.
INSTITUTION_WORDS = re.compile(
    r"\b(?:Ministry|Department|House|Office|Council|Embassy|Administration|Pentagon|Agency|"
    r"Xinhua|Commission|Bureau|Command|Committee|Congress|Government|University|Institute|"
    r"Center|Centre|Studies|Side|Navy|Army|Forces)\b")
#: Definite references to a person mentioned before ("the spokesperson said").
_PERSON_REFS = frozenset({"he", "she", "the spokesperson", "the spokesman", "the spokeswoman",
                          "the minister", "the official", "the ambassador", "the president"})


#: Officials named by nationality only ("Chinese officials", "a U.S. embassy spokesperson"):
#: the source group of their country (the gazetteer names no actor in them).
_OFFICIAL_RE = re.compile(
    r"(?:(?:the|a|an|some|two|senior|top|other)\s+)?"
    r"(?P<adj>Chinese|China's|China’s|Beijing's|Beijing’s|U\.S\.|US|American|Washington's|Washington’s)"
    r"\s+(?:[\w.'’-]+\s+){0,2}(?:officials?|spokes(?:person|man|woman|people)|side|government|"
    r"embassy|ministry|authorities|diplomats?|envoy|ambassador|delegation|negotiators?|military|"
    r"administration)", re.IGNORECASE)
_COUNTRY_GROUP = {"chinese": "chinese_official", "china's": "chinese_official",
                  "china’s": "chinese_official", "beijing's": "chinese_official",
                  "beijing’s": "chinese_official", "u.s.": "us_official", "us": "us_official",
                  "american": "us_official", "washington's": "us_official",
                  "washington’s": "us_official"}


def official_group(name) -> str | None:
    """``chinese_official`` / ``us_official`` for officials named only by nationality ("Chinese
    officials", "a U.S. embassy spokesperson", "the American side"); None otherwise."""
    if not isinstance(name, str):
        return None
    m = _OFFICIAL_RE.fullmatch(" ".join(name.split()))
    return _COUNTRY_GROUP[m.group("adj").lower()] if m else None


def canonical(name: str) -> str:
    """Spaces collapsed and a leading "The"/"A" lowered: the one form of a source's name."""
    name = " ".join(name.split())
    if name.startswith(("The ", "A ")):
        name = name[0].lower() + name[1:]
    return name


def is_institution(name) -> bool:
    """Whether ``name`` is an institutional source ("the U.S. side", "the White House")."""
    return isinstance(name, str) and _INSTITUTION_RE.fullmatch(" ".join(name.split())) is not None


def is_person(name) -> bool:
    """A speaker that a "he" or "she" can stand for: two or more words, not an institution,
    not a definite reference."""
    return (isinstance(name, str) and " " in name.strip() and not is_institution(name)
            and name.lower() not in _PERSON_REFS
            and not name.lower().startswith(("the ", "a ", "an "))
            and name[:1].isupper() and INSTITUTION_WORDS.search(name) is None)


@lru_cache(maxsize=1)
def _gazetteer_types() -> dict[str, str]:
    """Name or alias -> actor_type (person, country, institution) from the gazetteer."""
    table = pd.read_csv(GAZETTEER_FILE, dtype="str", keep_default_na=False)
    types: dict[str, str] = {}
    for row in table.itertuples(index=False):
        for name in f"{row.names}|{row.aliases}".split("|"):
            if name.strip():
                types.setdefault(canonical(name.strip()), row.actor_type)
    return types


def speaker_kind(name) -> int:
    """1 for a person, 2 for an institution, country or group of officials, 0 unknown.

    A person: a capitalised name of two or more words naming no institution, or a gazetteer
    person ("Wang"). An institution: :data:`INSTITUTION`, a name with an institution word, a
    lower-case source phrase ("the ministry", "US officials"), or a gazetteer country or
    institution ("Beijing", "China").
    """
    if not isinstance(name, str) or not name.strip():
        return 0
    gaz = _gazetteer_types().get(canonical(name))
    if gaz is not None:
        return 1 if gaz == "person" else 2
    if is_person(name):
        return 1
    if is_institution(name) or INSTITUTION_WORDS.search(name) or name[:1].islower():
        return 2 if reference_kind(name) is None else 0
    return 0


def reference_kind(name) -> str | None:
    """``"person"`` for he/she/the spokesperson..., ``"institution"`` for it/they/we; None for a
    name (or a missing value)."""
    if not isinstance(name, str):
        return None
    low = " ".join(name.lower().split())
    if low in _PERSON_REFS:
        return "person"
    if low in ("it", "they", "we"):
        return "institution"
    return None


def _last_before(group: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Position of the last row before each row, in the same group, where ``mask`` holds (-1
    if none). Rows of a group are consecutive."""
    n = len(mask)
    pos = np.where(mask, np.arange(n), -1)
    prev = np.full(n, -1, dtype=np.int64)
    if n > 1:
        prev[1:] = np.maximum.accumulate(pos)[:-1]
    ok = prev >= 0
    ok[ok] = group[prev[ok]] == group[ok]
    return np.where(ok, prev, -1)


def _full_names(group: np.ndarray, code: np.ndarray, uniq: np.ndarray, person: np.ndarray,
                extra: np.ndarray | None = None) -> np.ndarray:
    """``code`` with each one-word name replaced by the one person name of its group (among the
    names coded there, in ``code`` or ``extra``) that starts or ends with that word; unchanged
    when none or several."""
    has = code >= 0
    both = code if extra is None else np.concatenate([code, extra])
    groups = group if extra is None else np.concatenate([group, group])
    n_codes = len(uniq) + 1
    keys = np.unique(groups[both >= 0].astype(np.int64) * n_codes + both[both >= 0])
    if not len(keys):
        return code
    pairs = pd.DataFrame({"group": keys // n_codes, "code": keys % n_codes})
    words = pd.Series(uniq, dtype=object).str.split()
    single = (words.str.len() == 1).to_numpy()
    full = pairs[person[pairs["code"].to_numpy()]]
    ask = pairs[single[pairs["code"].to_numpy()]]
    if full.empty or ask.empty:
        return code
    first = words.str[0].to_numpy(dtype=object)
    last = words.str[-1].to_numpy(dtype=object)
    cand = pd.concat([
        pd.DataFrame({"group": full["group"].to_numpy(), "word": first[full["code"].to_numpy()],
                      "full": full["code"].to_numpy()}),
        pd.DataFrame({"group": full["group"].to_numpy(), "word": last[full["code"].to_numpy()],
                      "full": full["code"].to_numpy()}),
    ]).drop_duplicates()
    cand = cand.drop_duplicates(["group", "word"], keep=False)
    look = pd.DataFrame({"group": ask["group"].to_numpy(), "word": first[ask["code"].to_numpy()],
                         "code": ask["code"].to_numpy()})
    hit = look.merge(cand, on=["group", "word"], how="inner")
    if hit.empty:
        return code
    # rows whose (group, code) pair has a full name
    key_rows = group.astype(np.int64) * n_codes + code
    key_hit = hit["group"].to_numpy(dtype=np.int64) * n_codes + hit["code"].to_numpy(dtype=np.int64)
    order = np.argsort(key_hit)
    key_hit, repl = key_hit[order], hit["full"].to_numpy(dtype=np.int64)[order]
    at = np.searchsorted(key_hit, key_rows)
    at = np.minimum(at, len(key_hit) - 1)
    found = has & (key_hit[at] == key_rows)
    return np.where(found, repl[at], code)


def resolve(article_ids, names, *, known=None) -> np.ndarray:
    """Resolve one-word names, pronouns and definite references to named speakers.

    Parameters
    ----------
    article_ids : array-like
        Article of each row; the rows of an article are consecutive and in text order.
    names : array-like of str or None
        The speaker found in each row as written, titles stripped ("Wang Yi", "Wang", "he",
        "the U.S. side"); None where none was found.
    known : array-like of str or None, optional
        Speakers already resolved in the same rows (e.g. the speaker of a direct quote in the
        sentence): used where ``names`` has none, and as antecedents of later pronouns.

    Returns
    -------
    numpy.ndarray of object
        One-word names replaced by the article's one full name among the speakers starting or
        ending with them ("Wang" -> "Wang Yi"); he/she/the spokesperson by the last person named
        as a speaker earlier in the article, "it"/"they"/"we" by the last institution, country
        or group of officials; None where there is no such antecedent. Institutions in their
        canonical form.
    """
    group = np.asarray(article_ids)
    if group.dtype.kind not in "iu":
        group = pd.factorize(group)[0]
    names = np.asarray(names, dtype=object)
    n = len(names)
    # per distinct name, with a last entry for "none" (code -1 indexes it)
    codes, uniq = pd.factorize(names)
    canon = np.array([canonical(u) if is_institution(u) else u for u in uniq] + [None], dtype=object)
    ref = np.array([reference_kind(u) for u in uniq] + [None], dtype=object)
    row_ref = ref[codes]
    named = np.where(pd.isna(row_ref), canon[codes], None)
    known = np.full(n, None, dtype=object) if known is None else np.asarray(known, dtype=object)
    named = np.where(pd.isna(named) & ~pd.isna(known), known, named)
    both, uniq = pd.factorize(np.concatenate([named, known]))
    code, known_code = both[:n], both[n:]
    uniq = np.array([*uniq, None], dtype=object)
    kinds = np.array([speaker_kind(u) for u in uniq[:-1]] + [0], dtype=np.int8)
    person = np.array([is_person(u) for u in uniq[:-1]], dtype=bool)
    code = _full_names(group, code, uniq[:-1], person, extra=known_code)
    kind = kinds[code]
    out = code.copy()
    for want, mask in (("person", kind == 1), ("institution", kind == 2)):
        rows = row_ref == want
        if rows.any():
            prev = _last_before(group, mask)
            out[rows] = np.where(prev[rows] >= 0, code[prev[rows]], -1)
    return uniq[out]
