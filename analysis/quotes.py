"""Direct quotations: quote spans, their speakers, and the share of quoted text per sentence.

Spans
-----
One compiled regex (:data:`QUOTE_RE`) finds, inside one paragraph (never across a blank line):
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
Yi"), and a one-word name is replaced by the only full name in the same article that starts or
ends with it ("Wang" -> "Wang Yi", "Trump" -> "Donald Trump"); with zero or several candidates
the word is kept. A pronoun ("he", "she", "they") is resolved to the last speaker of the same
paragraph, else to the speaker of the previous sentence, and only when that speaker is a full
(multi-word) name, i.e. a person; otherwise the speaker is ``<NA>``. Speakers are never
invented: an unattributed quote has speaker ``<NA>`` and cue ``<NA>``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from . import segment

__all__ = ["QUOTE_RE", "article_quote_share", "find_quotes", "quote_share", "resolve_names"]

#: Quote spans inside one paragraph (curly, straight, or a curly quote left open at the end).
QUOTE_RE = re.compile(r"“(?P<c>[^“”\n]+)(?:”|(?=\n|\Z))|\"(?P<s>[^\"\n]+)\"")

_VERBS = (
    r"said|says|say|saying|added|adds|adding|noted|notes|stressed|stresses|emphasi[sz]ed|"
    r"emphasi[sz]es|told|tells|stated|states|warned|warns|urged|urges|observed|observes|"
    r"remarked|explained|explains|asked|asks|insisted|insists|argued|argues|wrote|writes|"
    r"declared|announced|acknowledged|reiterated|underscored|continued|concluded|recalled|"
    r"replied|responded|commented|affirmed|pointed out|put it|articulated|reinforced|"
    r"characteri[sz]ed|described|called|maintained|contended|suggested|cautioned|predicted|"
    r"was quoted as saying|is quoted as saying|were quoted as saying|told reporters"
)
_NAMEWORD = r"[A-Z][\w’'.-]*"
_NAME = rf"{_NAMEWORD}(?:\s+{_NAMEWORD}){{0,4}}"
_OFPHRASE = rf"(?:\s+(?:of|from|at|with)\s+(?:the\s+)?{_NAMEWORD}(?:\s+(?:of\s+)?{_NAMEWORD})*)*"
_APPOS = r"(?:,[^,“”\"\n]{1,200},)?"
_PRE_VERB = r"\s+(?:(?:has|have|had|is|was|were|are|also|then|later|further|again|\w+ly)\s+){0,3}"
_WHO = rf"(?P<name>{_NAME}|[Hh]e|[Ss]he|[Tt]hey)"

#: After the closing mark: "said Wang", "Guo said", "he also said", "according to X".
_TAIL_RE = re.compile(
    rf"^\s*,?\s*(?:(?P<verb1>{_VERBS})\s+(?P<name1>{_NAME}|he|she|they)\b"
    rf"|{_WHO}{_OFPHRASE}{_APPOS}{_PRE_VERB}(?P<verb2>{_VERBS})\b"
    rf"|(?P<verb3>according to)\s+(?:the\s+)?(?P<name3>{_NAME}))"
)
#: Before the opening mark, in the same sentence: "X said that ...", "As Xi put it, ".
_HEAD_RE = re.compile(
    rf"{_WHO}{_OFPHRASE}{_APPOS}{_PRE_VERB}(?P<verb>{_VERBS})\b[^“”\"\n]*$"
    rf"|(?P<verb3>according to)\s+(?:the\s+)?(?P<name3>{_NAME})[^“”\"\n]*$"
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


_FULLNAME_RE = r"\b([A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,3})\b"


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
        ``speakers`` with one-word names replaced by the unique two-to-four-word name of the
        article whose first or last word it is (after stripping titles), else unchanged.
    """
    out = speakers.astype(object).copy()
    single = out.notna() & ~out.astype(str).str.contains(" ", regex=False)
    if not single.any():
        return out
    need = pd.unique(article_ids[single])
    found = texts.reindex(need).astype(str).str.extractall(_FULLNAME_RE)[0]
    if not len(found):
        return out
    cand = pd.DataFrame({"article_id": found.index.get_level_values(0), "raw": found.to_numpy()})
    cand["full"] = [_strip_name(n) for n in cand["raw"]]
    cand = cand[cand["full"].str.contains(" ", regex=False)].drop_duplicates(["article_id", "full"])
    parts = cand["full"].str.split(" ")
    keys = pd.concat(
        [
            cand.assign(key=parts.str[0]),
            cand.assign(key=parts.str[-1]),
        ]
    ).drop_duplicates(["article_id", "key", "full"])
    uniq = keys.groupby(["article_id", "key"])["full"].agg(lambda s: s.iloc[0] if len(s) == 1 else None)
    lookup = uniq.dropna().to_dict()
    mapped = [
        lookup.get((a, s), s) if ok else s
        for a, s, ok in zip(article_ids, out, single, strict=True)
    ]
    return pd.Series(mapped, index=out.index, dtype=object)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the quoted words: no surrounding spaces, no trailing comma or colon."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return start, end


def _spans(articles: pd.DataFrame) -> pd.DataFrame:
    rows = [
        (aid, m.start(), m.end(), *_trim(text, *(m.span("c") if m.group("c") is not None else m.span("s"))))
        for aid, text in zip(articles["article_id"], articles["text"], strict=True)
        for m in QUOTE_RE.finditer(text)
    ]
    cols = ["article_id", "mark_start", "mark_end", "start", "end"]
    return pd.DataFrame(rows, columns=cols).astype(
        {"article_id": str, **{c: "int64" for c in cols[1:]}}
    )


def _match_fields(m: re.Match | None) -> tuple[str | None, str | None]:
    if m is None:
        return None, None
    g = m.groupdict()
    name = g.get("name") or g.get("name1") or g.get("name3")
    verb = g.get("verb") or g.get("verb1") or g.get("verb2") or g.get("verb3")
    return name, verb


def _sayers(sents: pd.DataFrame) -> pd.Series:
    """Name of the person a sentence reports speech from ("Wang Yi ..., said that ..."), or None."""
    has_verb = sents["text"].str.contains(rf"\b(?:{_VERBS})\b", regex=True)
    out = pd.Series(None, index=sents.index, dtype=object)
    for i, t in sents.loc[has_verb, "text"].items():
        m = re.search(rf"{_WHO}{_OFPHRASE}{_APPOS}{_PRE_VERB}(?:{_VERBS})\b", t)
        if m:
            out[i] = m.group("name")
    return out


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
        ``n_words``. Sorted by article_id, quote. See the module docstring for the rules.
    """
    if sentences is None:
        sentences = segment.sentences(segment.paragraphs(articles))
    texts = pd.Series(articles["text"].astype(str).to_numpy(), index=articles["article_id"].astype(str))
    q = _spans(articles)
    cols = ["article_id", "quote", "paragraph", "sentence", "start", "end", "text", "speaker",
            "cue", "n_words", "last_sentence"]
    if q.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c in {"quote", "paragraph", "sentence", "start", "end", "n_words", "last_sentence"} else object) for c in cols})
    q = q.sort_values(["article_id", "start"], kind="stable").reset_index(drop=True)
    sents = sentences[["article_id", "paragraph", "sentence", "start", "end", "text"]].astype(
        {"article_id": str}
    )
    # the sentence holding the opening mark, and the one holding the closing mark
    left = pd.merge_asof(
        q[["mark_start"]].assign(article_id=q["article_id"], _i=np.arange(len(q))).sort_values("mark_start"),
        sents.rename(columns={"start": "s_start", "end": "s_end", "text": "s_text"}).sort_values("s_start"),
        left_on="mark_start", right_on="s_start", by="article_id",
    ).sort_values("_i")
    right = pd.merge_asof(
        (q[["mark_end"]] - 1).assign(article_id=q["article_id"], _i=np.arange(len(q))).sort_values("mark_end"),
        sents[["article_id", "sentence", "start", "end"]].rename(columns={"sentence": "e_sentence", "start": "e_start", "end": "e_end"}).sort_values("e_start"),
        left_on="mark_end", right_on="e_start", by="article_id",
    ).sort_values("_i")
    q["paragraph"] = left["paragraph"].to_numpy()
    q["sentence"] = left["sentence"].to_numpy()
    q["last_sentence"] = right["e_sentence"].to_numpy()
    full = texts.reindex(q["article_id"]).to_numpy(dtype=object)
    head = [t[a:b] for t, a, b in zip(full, left["s_start"].to_numpy(), q["mark_start"], strict=True)]
    tail = [t[a:b] for t, a, b in zip(full, q["mark_end"], right["e_end"].to_numpy(), strict=True)]
    q["text"] = [t[a:b] for t, a, b in zip(full, q["start"], q["end"], strict=True)]
    q["n_words"] = segment.word_count(q["text"])
    # the next quote opening in the tail ends the tail
    tail = [t.split("“")[0].split('"')[0] if t else t for t in tail]
    names, cues = [], []
    for h, t in zip(head, tail, strict=True):
        name, verb = _match_fields(_TAIL_RE.match(t))
        if name is None:
            name, verb = _match_fields(_HEAD_RE.search(h))
        names.append(_strip_name(name) if name else None)
        cues.append(verb.lower() if verb else None)
    q["speaker"] = pd.Series(names, dtype=object)
    q["cue"] = pd.Series(cues, dtype=object)
    q["_opens"] = q["mark_start"].to_numpy() == left["s_start"].to_numpy()

    # reported-speech sayers per sentence (for pronouns and continued quotes)
    sayer = _sayers(sents)
    sent_key = pd.MultiIndex.from_frame(sents[["article_id", "sentence"]])
    sayer.index = sent_key
    para_of = pd.Series(sents["paragraph"].to_numpy(), index=sent_key)
    lower = q["speaker"].where(q["speaker"].isna(), q["speaker"].str.lower())
    # resolve one-word names to full names before pronoun resolution
    is_pron = lower.isin(_PRONOUNS)
    q["speaker"] = resolve_names(q["speaker"].where(~is_pron), q["article_id"], texts).where(~is_pron, q["speaker"])
    sayer_full = resolve_names(
        pd.Series(sayer.map(lambda n: _strip_name(n) if isinstance(n, str) and n.lower() not in _PRONOUNS else None).to_numpy(), dtype=object),
        pd.Series(sents["article_id"].to_numpy()),
        texts,
    )
    sayer_full.index = sent_key
    is_pron_sayer = sayer.map(lambda n: isinstance(n, str) and n.lower() in _PRONOUNS)

    # sequential rules per article: cheap (a few quotes per article)
    speakers = q["speaker"].to_list()
    cue = q["cue"].to_list()
    last_by_sentence: dict[tuple[str, int], str] = {}
    for i in range(len(q)):
        aid, s, p = q.at[i, "article_id"], int(q.at[i, "sentence"]), int(q.at[i, "paragraph"])
        spk = speakers[i]
        if isinstance(spk, str) and spk.lower() in _PRONOUNS:
            spk = _resolve_pronoun(aid, s, p, last_by_sentence, sayer_full, is_pron_sayer, para_of)
        elif spk is None:
            prev = last_by_sentence.get((aid, s))
            if prev is not None:
                spk, cue[i] = prev, "same sentence"
            elif q.at[i, "_opens"] and q.at[i, "n_words"] >= 4:
                spk = _last_in_paragraph(aid, s, p, last_by_sentence, sayer_full, para_of)
                cue[i] = "continued" if spk else None
        speakers[i] = spk
        if spk:
            last_by_sentence[(aid, s)] = spk
    q["speaker"] = pd.Series(speakers, dtype=object)
    q["cue"] = pd.Series(cue, dtype=object).where(q["speaker"].notna())
    q["quote"] = q.groupby("article_id", sort=False).cumcount().astype("int64")
    out = q[cols].copy()
    for c in ("speaker", "cue", "text"):
        out[c] = out[c].astype("string") if c != "text" else out[c].astype(str)
    for c in ("paragraph", "sentence", "last_sentence"):
        out[c] = out[c].astype("int64")
    return out.reset_index(drop=True)


def _earlier_speakers(aid, s, p, last_by_sentence, sayer_full, para_of):
    """Speakers of earlier sentences of the same paragraph, most recent first."""
    for k in range(s, -1, -1):
        key = (aid, k)
        if key not in para_of.index or para_of[key] != p:
            break
        for name in (last_by_sentence.get(key), sayer_full.get(key)):
            if isinstance(name, str):
                yield k, name


def _last_in_paragraph(aid, s, p, last_by_sentence, sayer_full, para_of):
    for _, name in _earlier_speakers(aid, s, p, last_by_sentence, sayer_full, para_of):
        return name
    return None


def _resolve_pronoun(aid, s, p, last_by_sentence, sayer_full, is_pron_sayer, para_of):
    name = _last_in_paragraph(aid, s, p, last_by_sentence, sayer_full, para_of)
    if name is None and s > 0:
        prev = (aid, s - 1)
        name = last_by_sentence.get(prev) or (
            sayer_full.get(prev) if not is_pron_sayer.get(prev, False) else None
        )
    return name if isinstance(name, str) and " " in name else None


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


def article_quote_share(sentences: pd.DataFrame) -> pd.Series:
    """Per article share of sentence characters inside quotes (a float Series by article_id)."""
    length = sentences["end"] - sentences["start"]
    quoted = sentences["quote_share"] * length
    g = pd.DataFrame({"article_id": sentences["article_id"], "q": quoted, "n": length})
    agg = g.groupby("article_id").sum()
    return (agg["q"] / agg["n"].where(agg["n"] > 0)).fillna(0.0)
