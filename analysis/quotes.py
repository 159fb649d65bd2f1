"""Direct quotations: quote spans, their speakers, and the share of quoted text per sentence.

Spans
-----
One regex (:data:`QUOTE_RE`, run as its two alternatives because each then starts with a
literal, which Python's engine scans for fast) finds, inside one paragraph (never across a
blank line):
curly quotes ``“...”``, straight quotes ``"..."`` (paired left to right), and a curly quote
that opens but does not close before the paragraph ends (the news convention for a quote that
continues in the next paragraph). Single quotes are not used: they cannot be told apart from
apostrophes reliably. ``start``/``end`` are the offsets of the quoted words, without the marks.
Scare quotes (one to three words, e.g. “landmark year”) are quotes too; ``n_words`` lets a
caller separate them.

Speakers (first rule that applies)
----------------------------------
1. After the closing mark, in the same sentence: ``said Wang`` / ``said Wei Zongyou, a
   professor ...`` (verb then name), ``Guo said`` / ``he also said`` / ``Wang was quoted as
   saying`` / ``Guo Jiakun, spokesperson ..., said`` (name then verb), ``according to X``.
2. Before the opening mark, in the same sentence: ``X said (that) ...“``, ``As Xi put it, “``,
   ``Professor Diao Daming of Renmin University observed that ... “``, ``X, a ..., said ...“``
   (the name may carry an ``of``/``at`` phrase or a comma appositive; adverbs and "also" may
   stand before the verb).
3. A later quote in the same sentence as an attributed quote gets that speaker ("same
   sentence").
4. A quote of at least four words that opens its sentence, with no attribution of its own,
   continues the last speaker named earlier in the same paragraph, by a quote or a reported
   speech verb ("continued").

Names: leading titles and possessives are stripped ("China's Foreign Minister Wang Yi" -> "Wang
Yi"), and a one-word name is replaced by the only full name seen earlier in the same article
(before the quote) that starts or ends with it ("Wang" -> "Wang Yi", "Trump" -> "Donald
Trump"); with zero or several candidates the word is kept. A pronoun ("he", "she", "they") is resolved to the last speaker of the same
paragraph, else to the speaker of the previous sentence, when that speaker is a person (a
multi-word name, :func:`analysis.speakers.is_person`); else to the last person named as a
speaker earlier in the article ("“...,” he also said" after a paragraph without a named
speaker); otherwise the speaker is ``<NA>``. Institutional sources ("the U.S. side", "the
Foreign Ministry", "the White House", :data:`analysis.speakers.INSTITUTION`) are speakers in
their canonical form. Speakers are never invented: an unattributed quote has speaker ``<NA>``
and cue ``<NA>``.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd

from . import progress, segment
from ._kernels import arrow_texts, byte_blocks
from .speakers import INSTITUTION, canonical, is_institution, is_person

#: :func:`analysis.speakers.is_person` of the names the speaker search asks about again and again.
_is_person = functools.lru_cache(maxsize=1 << 16)(is_person)

__all__ = [
    "QUOTE_COLUMNS", "QUOTE_RE", "article_char_share", "find_quotes", "quote_share", "resolve_names",
]

#: Quote spans inside one paragraph (curly, straight, or a curly quote left open at the end).
QUOTE_RE = re.compile(r"“(?P<c>[^“”\n]+)(?:”|(?=\n|\Z))|\"(?P<s>[^\"\n]+)\"")
# the two alternatives of QUOTE_RE on their own: each starts with a literal, which the regex
# engine finds fast, so two passes beat one pass of the alternation
_CURLY_RE = re.compile(r"“([^“”\n]+)(?:”|(?=\n|\Z))")
_STRAIGHT_RE = re.compile(r"\"([^\"\n]+)\"")

_VERBS = (
    r"said|says|say|saying|added|adds|adding|noted|notes|stressed|stresses|emphasi[sz]ed|"
    r"emphasi[sz]es|told|tells|stated|states|warned|warns|urged|urges|observed|observes|"
    r"remarked|explained|explains|asked|asks|insisted|insists|argued|argues|wrote|writes|"
    r"declared|announced|acknowledged|reiterated|underscored|continued|concluded|recalled|"
    r"replied|responded|commented|affirmed|pointed out|put it|articulated|reinforced|"
    r"characteri[sz]ed|described|called|maintained|contended|suggested|cautioned|predicted|"
    r"was quoted as saying|is quoted as saying|were quoted as saying"
)
_NAMEWORD = r"[A-Z][\w’'.-]*"
_NAME = rf"{_NAMEWORD}(?:\s+{_NAMEWORD}){{0,4}}"
_OFPHRASE = (
    rf"(?:\s+(?:of|from|at|with)\s+(?:the\s+)?{_NAMEWORD}(?:\s+{_NAMEWORD}){{0,5}}){{0,3}}"
)
_APPOS = r"(?:,[^,“”\"\n]{1,200},)?"
_PRE_VERB = r"\s+(?:(?:has|have|had|is|was|were|are|also|then|later|further|again|\w+ly)\s+){0,3}"
_WHO = rf"(?P<name>{INSTITUTION}|{_NAME}|[Hh]e|[Ss]he|[Tt]hey)"

#: After the closing mark: "said Wang", "Guo said", "he also said", "according to X".
_TAIL_RE = re.compile(
    rf"^\s*,?\s*(?:(?P<verb1>{_VERBS})\s+(?P<name1>{_NAME}|he|she|they)\b"
    rf"|{_WHO}{_OFPHRASE}{_APPOS}{_PRE_VERB}(?P<verb2>{_VERBS})\b"
    rf"|(?P<verb3>according to)\s+(?:the\s+)?(?P<name3>{_NAME}))"
)
#: Before the opening mark, in the same sentence: "X said that ...", "As Xi put it, ".
#: (Both searched patterns start with a look-ahead for the only characters a match can start
#: with, a capital, h, s, t (he, she, they) or a (according to): the same matches, found faster.)
_HEAD_RE = re.compile(
    rf"(?=[A-Zhsta])(?:{_WHO}{_OFPHRASE}{_APPOS}{_PRE_VERB}(?P<verb>{_VERBS})\b[^“”\"\n]*$"
    rf"|(?P<verb3>according to)\s+(?:the\s+)?(?P<name3>{_NAME})[^“”\"\n]*$)"
)

_TITLE_WORDS = {
    "President", "Vice", "Premier", "Prime", "Minister", "Foreign", "Secretary", "State",
    "Professor", "Prof.", "Dr.", "Dr", "Mr.", "Mr", "Ms.", "Ms", "Mrs.", "Mrs", "Spokesperson",
    "Spokesman", "Spokeswoman", "Chairman", "Chairwoman", "Chair", "Ambassador", "Senator",
    "Sen.", "Rep.", "Representative", "Gov.", "Governor", "General", "Gen.", "Chancellor",
    "King", "Queen", "Pope", "Chief", "Executive", "CEO", "Director", "Deputy", "Assistant",
    "Commerce", "Defense", "Defence", "Treasury", "Trade", "Leader", "Former", "Chinese", "U.S.",
    "US", "American", "Russian", "Canadian", "Finnish", "British", "Japanese", "Analyst",
    "Researcher", "Senior", "Fellow", "Associate", "Minister’s", "Councilor", "Envoy",
    "Special", "Commissioner", "Mayor", "Speaker", "House", "Party", "General-Secretary",
    "Ministry", "Spokesperson’s", "Journalist", "Reporter", "Editor", "Adviser", "Advisor",
}
_LEAD_WORDS = {
    "The", "A", "An", "But", "And", "As", "In", "On", "At", "For", "While", "When", "Also",
    "Then", "Meanwhile", "However", "Still", "Yet", "So", "Last", "This", "That", "These",
    "Those", "After", "Before", "During", "Speaking", "According", "Asked", "Earlier", "Later",
    "Now", "Today", "Yesterday", "Instead", "Separately", "Similarly", "Moreover", "Since",
    "Although", "Though", "If", "Because", "With", "From", "To", "By", "Of", "Here", "There",
}
_PRONOUNS = {"he", "she", "they"}
#: First words of the speech verbs (and "according"): a cheap test before a regex search.
_VERB_FIRST = frozenset(
    w.split()[0].replace("[sz]", "s") for w in _VERBS.split("|")
) | frozenset(w.split()[0].replace("[sz]", "z") for w in _VERBS.split("|")) | {"according"}


def _has_verb(text: str) -> bool:
    words = text.replace(",", " ").replace(":", " ").replace(".", " ").replace(";", " ").split()
    return not _VERB_FIRST.isdisjoint(words)
_SAYER_RE = re.compile(rf"(?=[A-Zhst]){_WHO}{_OFPHRASE}{_APPOS}{_PRE_VERB}(?:{_VERBS})\b")
_AFTER_NAME = re.compile(r"(?:[ -][A-Z][a-z]+){1,2}\b")
_CAPWORD = re.compile(r"[A-Z][a-z]+")


@functools.lru_cache(maxsize=1 << 16)
def _strip_name(name: str) -> str:
    """Drop possessive prefixes, sentence openers and titles from a captured name."""
    words = name.split()
    for i in range(len(words) - 1, -1, -1):  # "China's Foreign Minister Wang Yi" -> after 's
        if words[i].endswith(("'s", "’s")) and i < len(words) - 1:
            words = words[i + 1 :]
            break
    while len(words) > 1 and (words[0] in _LEAD_WORDS or words[0] in _TITLE_WORDS):
        words = words[1:]
    return " ".join(words).rstrip(".,")


@functools.lru_cache(maxsize=1 << 16)
def _clean_name(name: str) -> str:
    """An institutional source in its canonical form ("the U.S. side"), else _strip_name."""
    return canonical(name) if is_institution(name) else _strip_name(name)


def _full_names(text: str, word: str) -> dict[str, int]:
    """Two-to-three-word names in ``text`` that start or end with ``word`` (titles stripped),
    with the position of their first occurrence."""
    found: dict[str, int] = {}
    n = len(word)
    i = text.find(word)
    while i >= 0:
        j = i + n
        if (i == 0 or not text[i - 1].isalnum()) and (j == len(text) or not text[j].isalnum()):
            names = []
            after = _AFTER_NAME.match(text, j)
            if after:
                names.append(_strip_name(word + after.group(0).replace("-", " ")))
            if i > 0 and text[i - 1] in " -":
                cap = []
                for tok in reversed(text[max(0, i - 40) : i - 1].rsplit(" ", 2)[-2:]):
                    if not _CAPWORD.fullmatch(tok):
                        break
                    cap.insert(0, tok)
                if cap:
                    names.append(_strip_name(" ".join([*cap, word])))
            for name in names:
                if " " in name and name not in found:
                    found[name] = i
        i = text.find(word, j)
    return found


def resolve_names(speakers: pd.Series, article_ids: pd.Series, texts: pd.Series) -> pd.Series:
    """Map one-word speakers to the only full name in the same article that contains them.

    Parameters
    ----------
    speakers : pandas.Series of str
        Speaker names (<NA> allowed).
    article_ids : pandas.Series of str
        Article of each speaker, aligned with ``speakers``.
    texts : pandas.Series of str
        Clean article texts indexed by article id.

    Returns
    -------
    pandas.Series
        ``speakers`` with each one-word name replaced by the unique two-or-three-word name of
        the article that starts or ends with it, once titles are stripped ("Wang" -> "Wang Yi",
        "Trump" -> "Donald Trump"); unchanged when there are none or several.
    """
    lookup = dict(zip(texts.index.astype(str), texts.astype(str), strict=True))
    cache: dict[tuple[str, str], str] = {}
    out = []
    for aid, spk in zip(article_ids.astype(str), speakers, strict=True):
        if not isinstance(spk, str) or " " in spk or spk.lower() in _PRONOUNS:
            out.append(spk if isinstance(spk, str) else None)
            continue
        key = (aid, spk)
        if key not in cache:
            names = list(_full_names(lookup.get(aid, ""), spk))
            cache[key] = names[0] if len(names) == 1 else spk
        out.append(cache[key])
    return pd.Series(out, index=speakers.index, dtype=object)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the quoted words: no surrounding spaces, no trailing comma or colon."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return start, end


def _spans(texts: list[str]) -> pd.DataFrame:
    """All quote spans: doc (position in ``texts``), mark_start, mark_end, start, end.

    The two regexes run once over the texts joined by ``"\\n"``: no span crosses a line
    break, and an open curly quote stops at ``"\\n"`` as at the end of its text, so the spans
    are those of each text on its own.
    """
    joined = "\n".join(texts)
    step = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) + 1
    first = np.cumsum(step) - step  # each text's first character in ``joined``
    rows = [
        (m.start(), m.end(), *_trim(joined, *m.span(1)))
        for rx in (_CURLY_RE, _STRAIGHT_RE)
        for m in rx.finditer(joined)
    ]
    pos = np.array(rows, dtype=np.int64).reshape(len(rows), 4)
    doc = np.searchsorted(first, pos[:, 0], "right") - 1
    pos -= first[doc][:, None]
    q = pd.DataFrame(
        {"doc": doc, "mark_start": pos[:, 0], "mark_end": pos[:, 1], "start": pos[:, 2], "end": pos[:, 3]}
    )
    q = q.sort_values(["doc", "mark_start"], kind="stable").reset_index(drop=True)
    # a straight-quoted span nested inside a curly one (or vice versa) is not a second quote
    prev_end = q.groupby("doc")["mark_end"].cummax().groupby(q["doc"]).shift(1)
    return q[~(prev_end > q["mark_start"]).to_numpy()].reset_index(drop=True)


_INT_COLS = ("quote", "paragraph", "sentence", "start", "end", "n_words", "last_sentence")
QUOTE_COLUMNS = ["article_id", "quote", "paragraph", "sentence", "start", "end", "text",
                 "speaker", "cue", "n_words", "last_sentence"]


def find_quotes(articles: pd.DataFrame, sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """Find direct quotations and their speakers in clean article texts.

    Parameters
    ----------
    articles : pandas.DataFrame
        Columns ``article_id`` and ``text`` (the clean text).
    sentences : pandas.DataFrame, optional
        The sentences of these articles (:func:`analysis.segment.sentences`); computed when
        not given.

    Returns
    -------
    pandas.DataFrame
        One row per quote: ``article_id``, ``quote`` (0-based within article), ``paragraph``,
        ``sentence`` (first sentence it touches), ``start``, ``end`` (offsets of the quoted
        words), ``text``, ``speaker`` (<NA> if unattributed), ``cue`` (the verb or rule that
        attributes it: "said", "according to", "same sentence", "continued"; <NA> if none),
        ``n_words``, ``last_sentence`` (last sentence it touches). Sorted by article_id, quote.
        See the module docstring for the rules.
    """
    if sentences is None:
        sentences = segment.sentences(segment.paragraphs(articles))
    ids = articles["article_id"].astype(str).to_numpy(dtype=object)
    texts = arrow_texts(articles["text"])
    codes, uniques = pd.factorize(sentences["article_id"].astype(str))
    s_doc = pd.Index(ids).get_indexer(uniques)[codes] if len(codes) else codes.astype(np.int64)
    # articles in blocks of about _BLOCK_BYTES of text (their Python strings are made one
    # block at a time), when the sentences come grouped by article in article order
    if len(s_doc) and (s_doc.min() < 0 or np.any(s_doc[1:] < s_doc[:-1])):
        spans = [(0, len(ids))]
    else:
        spans = byte_blocks(texts, _BLOCK_BYTES)
    found = []
    for a, b in progress.track(spans, len(ids), "quotes", size=lambda span: span[1] - span[0]):
        if len(spans) > 1:
            lo, hi = np.searchsorted(s_doc, [a, b]).tolist()
        else:
            lo, hi = 0, len(s_doc)
        block = _find_block(ids[a:b], texts.slice(a, b - a).to_pylist(), sentences.iloc[lo:hi], s_doc[lo:hi] - a)
        if block is not None:
            found.append(block)
    if not found:
        return pd.DataFrame(
            {c: pd.Series(dtype="int64" if c in _INT_COLS else object) for c in QUOTE_COLUMNS}
        )
    cols = {
        c: np.concatenate([f[c] for f in found]) if isinstance(found[0][c], np.ndarray)
        else [x for f in found for x in f[c]]
        for c in found[0]
    }
    del found
    cols["text"] = pd.Series(cols["text"], dtype="str")
    cols["speaker"] = pd.Series(cols["speaker"], dtype="string")
    cols["cue"] = pd.Series(cols["cue"], dtype="string")
    out = pd.DataFrame(cols).astype({c: "int64" for c in _INT_COLS})
    return out.sort_values(["article_id", "quote"], kind="stable").reset_index(drop=True)


#: Bytes of article text :func:`find_quotes` turns into Python strings at a time.
_BLOCK_BYTES = 1 << 23


def _find_block(
    ids: np.ndarray, texts: list[str], sentences: pd.DataFrame, s_doc: np.ndarray
) -> dict | None:
    """:func:`find_quotes` on some articles and their sentences (``s_doc``: article of each
    sentence, a position in ``ids``): the columns of their quotes, None when there is none.

    Why one long function: it is the per-block kernel of the quotes stage (spans, sentence
    lookup, speaker search, columns), written as one pass over plain Python lists for speed
    (the loops index local lists; helpers would pass a dozen of them back and forth), and the
    benchmark measures it as one step.
    """
    q = _spans(texts)
    if q.empty:
        return None
    # locate quotes in sentences on one global axis: article offset + position
    doc_len = np.array([len(t) + 1 for t in texts], dtype=np.int64)
    base = np.concatenate([[0], np.cumsum(doc_len)[:-1]])
    s_glob = base[s_doc] + sentences["start"].to_numpy(dtype=np.int64)
    order = np.argsort(s_glob, kind="stable")
    s_sorted = s_glob[order]
    d = q["doc"].to_numpy()
    first = order[np.searchsorted(s_sorted, base[d] + q["mark_start"].to_numpy(), "right") - 1]
    last = order[np.searchsorted(s_sorted, base[d] + q["mark_end"].to_numpy() - 1, "right") - 1]
    s_para = sentences["paragraph"].to_numpy(dtype=np.int64)
    s_num = sentences["sentence"].to_numpy(dtype=np.int64)
    s_start = sentences["start"].to_numpy(dtype=np.int64)
    s_end = sentences["end"].to_numpy(dtype=np.int64)
    s_text = arrow_texts(sentences["text"])  # read one sentence at a time, when needed
    # Python ints for the per-quote loops below (numpy scalars are slow to index and compare)
    doc_of, para_of = s_doc.tolist(), s_para.tolist()
    start_of, end_of = s_start.tolist(), s_end.tolist()
    d_list, first_list = d.tolist(), first.tolist()

    mark_start, mark_end = q["mark_start"].to_list(), q["mark_end"].to_list()
    starts, ends = q["start"].to_list(), q["end"].to_list()
    quote_text = [texts[k][a:b] for k, a, b in zip(d_list, starts, ends, strict=True)]
    n_words = [t.count(" ") + 1 for t in quote_text]
    speakers: list[str | None] = []
    cues: list[str | None] = []
    last_by_sentence: dict[int, str] = {}  # sentence row -> last quote speaker in it
    sayer_cache: dict[int, str | None] = {}
    name_cache: dict[tuple[int, str], dict[str, int]] = {}

    def full(k: int, name: str | None, before: int) -> str | None:
        """The one full name of article ``k`` seen before position ``before`` ending or starting
        with the one-word ``name``; else ``name``."""
        if name is None or " " in name or name.lower() in _PRONOUNS:
            return name
        if (k, name) not in name_cache:
            name_cache[(k, name)] = _full_names(texts[k], name)
        seen = [full_name for full_name, pos in name_cache[(k, name)].items() if pos < before]
        return seen[0] if len(seen) == 1 else name

    def sayer(row: int) -> str | None:
        """Named person a sentence reports speech from ("Wang Yi ..., said that ...")."""
        if row not in sayer_cache:
            text = s_text[row].as_py()
            m = _SAYER_RE.search(text) if _has_verb(text) else None
            name = _clean_name(m.group("name")) if m else None
            sayer_cache[row] = (
                None if name is None or name.lower() in _PRONOUNS
                else full(doc_of[row], name, end_of[row])
            )
        return sayer_cache[row]

    def earlier_in_paragraph(row: int) -> str | None:
        r, doc, para = row, doc_of[row], para_of[row]
        while r >= 0 and doc_of[r] == doc and para_of[r] == para:
            name = last_by_sentence.get(r) if r != row else None
            name = name or sayer(r)
            if name:
                return name
            r -= 1
        return None

    def earlier_person(row: int) -> str | None:
        """The last person named as a speaker before ``row`` in its article."""
        r, doc = row - 1, doc_of[row]
        while r >= 0 and doc_of[r] == doc:
            for name in (last_by_sentence.get(r), sayer(r)):
                if _is_person(name):
                    return name
            r -= 1
        return None

    # explicit attributions: after the closing mark, else before the opening mark
    tails = [texts[k][a:b] for k, a, b in zip(d_list, mark_end, s_end[last].tolist(), strict=True)]
    tails = [t.split("“", 1)[0].split('"', 1)[0] for t in tails]
    names = np.full(len(q), None, dtype=object)
    verbs = np.full(len(q), None, dtype=object)
    for i, tail in enumerate(tails):  # anchored at the closing mark: fails fast
        m = _TAIL_RE.match(tail) if tail else None
        if m:
            g = m.groupdict()
            names[i] = g["name1"] or g["name"] or g["name3"]
            verbs[i] = g["verb1"] or g["verb2"] or g["verb3"]
    for i in np.flatnonzero(pd.isna(names)):  # before the opening mark, same sentence
        head = texts[d_list[i]][start_of[first_list[i]]:mark_start[i]]
        m = _HEAD_RE.search(head) if _has_verb(head) else None
        if m:
            g = m.groupdict()
            names[i], verbs[i] = g["name"] or g["name3"], g["verb"] or g["verb3"]

    # then, in text order: full names, pronouns, same-sentence and continued quotes
    for i in range(len(q)):
        k, fr = d_list[i], first_list[i]
        name = _clean_name(names[i]) if isinstance(names[i], str) else None
        cue = verbs[i].lower() if isinstance(verbs[i], str) else None
        if name is not None and name.lower() in _PRONOUNS:
            # he/she/they: last speaker of the paragraph, else of the previous sentence, when a
            # person; else the last person named as a speaker earlier in the article
            ref = earlier_in_paragraph(fr)
            if ref is None and fr > 0 and doc_of[fr - 1] == k:
                ref = last_by_sentence.get(fr - 1) or sayer(fr - 1)
            name = ref if _is_person(ref) else earlier_person(fr)
        elif name is not None:
            name = full(k, name, mark_start[i])
        elif fr in last_by_sentence:
            name, cue = last_by_sentence[fr], "same sentence"
        elif mark_start[i] == start_of[fr] and n_words[i] >= 4:
            name = earlier_in_paragraph(fr)
            cue = "continued" if name else None
        speakers.append(name)
        cues.append(cue if name else None)
        if name:
            last_by_sentence[fr] = name
    return {
        "article_id": ids[d],
        "quote": q.groupby("doc").cumcount().to_numpy(dtype=np.int64),
        "paragraph": s_para[first],
        "sentence": s_num[first],
        "start": starts,
        "end": ends,
        "text": quote_text,
        "speaker": speakers,
        "cue": cues,
        "n_words": n_words,
        "last_sentence": s_num[last],
    }


def quote_share(sentences: pd.DataFrame, quotes: pd.DataFrame) -> pd.DataFrame:
    """Share of each sentence's characters inside direct quotes, and its main speaker.

    Parameters
    ----------
    sentences : pandas.DataFrame
        ``article_id``, ``sentence``, ``start``, ``end`` (see :func:`analysis.segment.sentences`).
    quotes : pandas.DataFrame
        The output of :func:`find_quotes`.

    Returns
    -------
    pandas.DataFrame
        ``sentences`` with two columns added (replaced if present): ``quote_share`` (float in
        [0, 1]: characters of the sentence inside quote spans / sentence characters) and
        ``speaker`` (speaker of the quote that covers most characters of the sentence, <NA>
        if none or unattributed).
    """
    out = sentences.drop(columns=["quote_share", "speaker"], errors="ignore").copy()
    out["quote_share"] = 0.0
    out["speaker"] = pd.Series(pd.NA, index=out.index, dtype="string")
    if quotes.empty or out.empty:
        return out
    # each quote against the sentences it spans (first .. last sentence)
    q = quotes[["article_id", "sentence", "last_sentence", "start", "end", "speaker"]]
    span = (q["last_sentence"] - q["sentence"] + 1).to_numpy()
    rep = q.loc[q.index.repeat(span)].rename(columns={"start": "qs", "end": "qe"})
    rep["sentence"] = rep["sentence"] + rep.groupby(level=0).cumcount()
    pairs = out[["article_id", "sentence", "start", "end"]].reset_index().merge(
        rep.drop(columns="last_sentence"), on=["article_id", "sentence"]
    )
    pairs["overlap"] = (np.minimum(pairs["end"], pairs["qe"]) - np.maximum(pairs["start"], pairs["qs"])).clip(lower=0)
    pairs = pairs[pairs["overlap"] > 0]
    if pairs.empty:
        return out
    covered = pairs.groupby("index")["overlap"].sum()
    length = (out["end"] - out["start"]).clip(lower=1)
    out.loc[covered.index, "quote_share"] = (covered / length[covered.index]).clip(upper=1.0).to_numpy()
    top = pairs.sort_values(["index", "overlap"], ascending=[True, False], kind="stable").drop_duplicates("index")
    out.loc[top["index"].to_numpy(), "speaker"] = top["speaker"].astype("string").to_numpy()
    return out


def article_char_share(sentences: pd.DataFrame) -> pd.Series:
    """Per article share of sentence characters inside quotes (a float Series by article_id)."""
    length = sentences["end"] - sentences["start"]
    quoted = sentences["quote_share"] * length
    g = pd.DataFrame({"article_id": sentences["article_id"], "q": quoted, "n": length})
    agg = g.groupby("article_id").sum()
    return (agg["q"] / agg["n"].where(agg["n"] > 0)).fillna(0.0)
