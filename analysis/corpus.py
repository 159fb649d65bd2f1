"""Loading a corpus: readers, manifest, cleaning, segmentation, quotes, near-duplicates.

:func:`load_corpus` is the one entry point. ``source`` is either

* a folder of ``.txt`` files (searched recursively; hidden files and folders, and symbolic links
  leading out of it or to a folder, are not read but listed in ``skipped``) with an optional
  ``manifest.csv`` next to them or in the folder (one row per article: ``article_id`` = file
  stem, plus any of ``outlet``, ``outlet_group``, ``published``, ``headline``, ``genre``,
  ``byline``, ``dateline``, ``attribution``), or
* one ``.csv``, ``.jsonl``/``.ndjson``/``.json`` (one object per line) or ``.parquet`` table
  with a text column.

Everything is then built by :func:`from_frame`, which runs the same stage functions a Dask
``map_partitions`` path can call on a partition: :func:`analysis.clean.clean_texts`,
:func:`analysis.segment.paragraphs`, :func:`analysis.segment.sentences`,
:func:`analysis.quotes.find_quotes` (with :func:`flag_duplicates` across the whole corpus
beside it, on a second thread on large corpora), :func:`analysis.quotes.quote_share`, then
:func:`analysis.voice.sentence_voice`.

Bad input never disappears silently. A problem with one input (an empty, binary or undecodable
file, a file type that is not read, a manifest row without a file, a table row without text,
a repeated id) skips that input with a :class:`CorpusWarning` naming it and a row in
``Corpus.skipped`` (past 20 warnings of one kind, one more warning counts the rest). Text that
is not UTF-8 is decoded by :func:`analysis.decoding.decode` with a warning naming the file (a few
stray bytes repaired, a legacy encoding of another script detected, else cp1252 and then
latin-1; NUL bytes removed; the encoding used is in ``articles.encoding``); a file, table or
manifest in UTF-16, with or without byte order mark, is read as UTF-16; a web page saved as
``.txt`` is reduced to its text with a warning; a UTF-8 BOM is stripped and CRLF line ends are
normalised silently. A file without a manifest row is loaded with unknown metadata and a
warning. An unreadable date becomes NaT with a warning and a row in ``conflicts``. Two
identical files are both loaded; the later one (by id) gets ``duplicate_of`` = the earlier.
A corpus with nothing loadable, a manifest without an id column or with repeated ids, or a
table without a text column raises one :class:`CorpusError` that says why and what to do.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from . import clean, config, quotes, segment, voice
from ._cache import code_fingerprint, read_entry, read_frame, write_entry, write_frame
from ._kernels import arrow_texts, block_map, byte_blocks, run_starts
from .readers import (
    METADATA_COLUMNS,
    CorpusError,
    CorpusWarning,
    empty_table,
    files_fingerprint,
    read_folder,
    read_manifest,
    read_table,
    recorded_warnings,
    standardize_table,
    summarised_warnings,
    warn_input,
)

__all__ = [
    "CACHE_MODULES",
    "Corpus",
    "CorpusError",
    "CorpusWarning",
    "DUPLICATE_THRESHOLD",
    "corpus_key",
    "export_tables",
    "flag_duplicates",
    "from_frame",
    "load_corpus",
    "read_folder",
    "read_manifest",
    "read_table",
    "removed_summary",
    "summary_table",
]

#: Jaccard similarity of sentence sets at or above which an article is a near-duplicate.
DUPLICATE_THRESHOLD = 0.8

GENRES = ("news", "analysis", "opinion")

_GENRE_SYNONYMS = {
    "commentary": "opinion", "editorial": "opinion", "op-ed": "opinion", "oped": "opinion",
    "column": "opinion", "comment": "opinion", "opinions": "opinion", "feature": "analysis",
    "explainer": "analysis", "report": "news", "article": "news", "brief": "news",
}

ARTICLE_COLUMNS = [
    "article_id", "outlet", "outlet_group", "published", "headline", "genre", "byline",
    "dateline", "attribution", "source", "text", "n_words", "n_paragraphs", "n_sentences",
    "quote_share", "duplicate_of", "encoding", "date_source",
]


@dataclass
class Corpus:
    """A loaded corpus: the tables of the data contract.

    Attributes
    ----------
    articles : pandas.DataFrame
        One row per article: ``article_id``, ``outlet``, ``outlet_group``, ``published``
        (datetime64, NaT if unknown), ``headline``, ``genre``, ``byline``, ``dateline``,
        ``attribution``, ``source``, ``text`` (clean; paragraphs separated by ``"\\n\\n"``),
        ``n_words``, ``n_paragraphs``, ``n_sentences``, ``quote_share``, ``duplicate_of``,
        ``encoding`` (how the file was decoded), ``date_source`` ("manifest" for a manifest or
        table column, "text" for a date printed in the text, "unknown").
    paragraphs, sentences, quotes : pandas.DataFrame
        See :mod:`analysis.segment` and :mod:`analysis.quotes`; ``sentences`` also has
        ``quote_share`` and ``speaker`` (of its direct quote), ``voice`` (own / reported /
        quoted / mixed) and ``voice_speaker`` (whose words it carries; :mod:`analysis.voice`).
    removed : pandas.DataFrame
        ``article_id``, ``line``, ``reason`` (+ ``line_no``): what cleaning took out.
    skipped : pandas.DataFrame
        ``source``, ``reason``: inputs that were not loaded.
    conflicts : pandas.DataFrame
        ``article_id``, ``field``, ``manifest_value``, ``text_value`` (+ ``note``): where the
        manifest and the text disagree, or a value could not be read.
    """

    articles: pd.DataFrame
    paragraphs: pd.DataFrame
    sentences: pd.DataFrame
    quotes: pd.DataFrame
    removed: pd.DataFrame
    skipped: pd.DataFrame = field(default_factory=lambda: empty_table(["source", "reason"]))
    conflicts: pd.DataFrame = field(
        default_factory=lambda: empty_table(["article_id", "field", "manifest_value", "text_value", "note"])
    )

    def __repr__(self) -> str:
        return (
            f"Corpus({len(self.articles)} articles, {len(self.paragraphs)} paragraphs, "
            f"{len(self.sentences)} sentences, {len(self.quotes)} quotes, "
            f"{len(self.skipped)} skipped, {len(self.conflicts)} conflicts)"
        )


def _outlet_groups() -> dict[str, str]:
    path = config.OUTLET_GROUPS_FILE
    if not path.exists():
        return {}
    table = pd.read_csv(path, dtype=str)
    return dict(zip(table["outlet"].str.casefold(), table["outlet_group"], strict=True))


def _norm(s: pd.Series) -> pd.Series:
    """Normalise strings for comparison: casefold, quotes/dashes unified, spaces collapsed."""
    s = s.astype("string").str.casefold()
    s = s.str.replace(r"[“”\"‘’']", "'", regex=True).str.replace(r"[–—-]", "-", regex=True)
    return s.str.replace(r"\s+", " ", regex=True).str.strip().str.rstrip(".")


_FIRST_DAY, _LAST_DAY = (f"{d:%Y-%m-%d}" for d in clean.DATE_RANGE)


def _parse_dates(values: pd.Series) -> pd.Series:
    """Parse manifest / table dates: ISO prefix fast path, then other formats; NaT if unreadable
    or outside :data:`analysis.clean.DATE_RANGE`."""
    s = values.astype("string").str.strip()
    iso = s.str.extract(r"^(\d{4}-\d{2}-\d{2})")[0]
    out = clean.ns_dates(pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce"))
    rest = out.isna() & s.notna()
    if rest.any():
        out[rest] = clean.parse_text_date(s[rest])
    return out


def _genre(values: pd.Series) -> pd.Series:
    g = values.astype("string").str.strip().str.casefold()
    g = g.replace(_GENRE_SYNONYMS)
    return g.where(g.isin(GENRES), "unknown").fillna("unknown").astype(str)


def _metadata(raw: pd.DataFrame, found: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Combine table/manifest metadata with metadata found in the text; list conflicts."""
    art = pd.DataFrame({"article_id": raw["article_id"].astype(str).to_numpy()})
    for key in METADATA_COLUMNS:
        art[key] = raw[key].astype("string").to_numpy() if key in raw else pd.array([pd.NA] * len(raw), dtype="string")
    conflicts = []
    found = found.reindex(art["article_id"])
    # dates
    parsed = _parse_dates(art["published"])
    text_date = pd.Series(found["date"].to_numpy(), index=art.index).astype("datetime64[ns]")
    bad = art["published"].notna() & parsed.isna()
    for i in np.flatnonzero(bad.to_numpy()):
        aid, val = art.at[i, "article_id"], art.at[i, "published"]
        td = text_date.iat[i]
        use = f"; the date in the text ({td:%Y-%m-%d}) is used" if pd.notna(td) else "; published is NaT"
        warn_input(f"{raw['source'].iat[i]}: date {val!r} cannot be read as a date from {_FIRST_DAY} "
                   f"to {_LAST_DAY}{use}. Write dates as YYYY-MM-DD.")
        conflicts.append((aid, "published", val, None if pd.isna(td) else f"{td:%Y-%m-%d}",
                          "manifest date unreadable"))
    both = np.flatnonzero((parsed.notna() & text_date.notna() & (parsed.dt.normalize() != text_date)).to_numpy())
    aid = art["article_id"].to_numpy(dtype=object)
    conflicts += zip(aid[both], ["published"] * len(both),
                     parsed.iloc[both].dt.strftime("%Y-%m-%d").to_numpy(dtype=object),
                     text_date.iloc[both].dt.strftime("%Y-%m-%d").to_numpy(dtype=object),
                     ["manifest wins"] * len(both), strict=True)
    outside = found["date_outside"] if "date_outside" in found else pd.Series(pd.NA, index=found.index)
    for i in np.flatnonzero(outside.notna().to_numpy()):
        stamp = outside.iat[i]
        if pd.isna(parsed.iat[i]):  # the manifest has no date either: say why it is unknown
            warn_input(f"{raw['source'].iat[i]}: the date in the text ({stamp!r}) is not between {_FIRST_DAY} "
                       f"and {_LAST_DAY}; it is treated as unknown. Correct the text or give the date "
                       "in the manifest.")
        conflicts.append((art.at[i, "article_id"], "published", art.at[i, "published"], stamp,
                          "text date out of range"))
    art["published"] = parsed.dt.normalize().fillna(text_date).astype("datetime64[ns]")
    art["date_source"] = np.where(
        parsed.notna(), "manifest", np.where(text_date.notna(), "text", "unknown")
    )
    # headline, byline, dateline: manifest wins, conflicts reported
    for key in ("headline", "byline", "dateline"):
        text_val = pd.Series(found[key].to_numpy(), index=art.index, dtype="string")
        differ = art[key].notna() & text_val.notna() & (_norm(art[key]) != _norm(text_val))
        rows = np.flatnonzero(differ.fillna(False).to_numpy())
        conflicts += zip(aid[rows], [key] * len(rows), art[key].to_numpy(dtype=object)[rows],
                         text_val.to_numpy(dtype=object)[rows], ["manifest wins"] * len(rows), strict=True)
        art[key] = art[key].fillna(text_val)
    groups = _outlet_groups()
    art["outlet"] = art["outlet"].fillna("unknown").astype(str)
    known = art["outlet"].str.casefold().map(groups)
    og = art["outlet_group"].astype("string").str.strip().str.casefold()
    og = og.where(og.isin(config.OUTLET_GROUPS))
    art["outlet_group"] = og.fillna(known).fillna("unknown").astype(str)
    art["genre"] = _genre(art["genre"])
    cols = ["article_id", "field", "manifest_value", "text_value", "note"]
    conf = pd.DataFrame(conflicts, columns=cols).astype(object) if conflicts else empty_table(cols)
    return art, conf.sort_values(["article_id", "field"], kind="stable").reset_index(drop=True)


def _normalized(arr: pa.Array) -> pa.Array:
    """Sentences lower-cased, curly quotes made straight (only those that have any are edited)."""
    arr = pc.utf8_lower(arr)
    curly = np.flatnonzero(pc.match_substring_regex(arr, "[“”‘’]").to_numpy(zero_copy_only=False))
    if not len(curly):
        return arr
    sub = arr.take(pa.array(curly))
    for a, b in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'")):
        sub = pc.replace_substring(sub, a, b)
    index = np.arange(len(arr), dtype=np.int64)
    index[curly] = len(arr) + np.arange(len(curly))
    return pa.concat_arrays([arr, sub]).take(pa.array(index))


def _candidate_pairs(
    doc: np.ndarray, h: np.ndarray, df: np.ndarray, size: np.ndarray, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of docs (row < col) that can reach ``threshold``: prefix filtering.

    ``doc``, ``h``, ``df``: the countable (doc, sentence) pairs and each sentence's document
    frequency; ``size``: every doc's number of distinct sentences. A pair with ``inter / union
    >= t`` has ``inter >= t * size`` for both docs, so (pigeonhole) its rarest shared sentence
    is among the first ``m - need + 1`` countable sentences of each, sorted by (df, sentence);
    ``need`` is rounded down a little so that float rounding of the final test cannot lose a pair.
    """
    order = np.lexsort((h, df, doc))
    doc, h = doc[order], h[order]
    m = np.bincount(doc, minlength=len(size))
    need = np.maximum(np.ceil((threshold - 1e-9) * size), 1).astype(np.int64)
    starts = np.cumsum(m) - m
    rank = np.arange(len(doc)) - starts[doc]
    pre = rank < (m - need + 1)[doc]
    if not pre.any():
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    codes, uniq = pd.factorize(h[pre])
    p = sp.csr_matrix(
        (np.ones(len(codes), dtype=np.float32), (doc[pre], codes)), shape=(len(size), len(uniq))
    )
    pairs = sp.triu(p @ p.T, k=1).tocoo()
    return pairs.row.astype(np.int64), pairs.col.astype(np.int64)


#: Bytes of sentence text :func:`flag_duplicates` normalises per block (two blocks at a time).
_DUPLICATE_BLOCK_BYTES = 1 << 23


def flag_duplicates(
    sentences: pd.DataFrame,
    threshold: float = DUPLICATE_THRESHOLD,
    *,
    min_words: int = 5,
    max_df: int = 100,
) -> pd.Series:
    """Flag near-duplicate articles (the same story republished) by the sentences they share.

    Each article is the set of its sentences of at least ``min_words`` words, normalised
    (lower-cased, curly quotes made straight) and numbered with :func:`pandas.factorize`.
    Two articles are near-duplicates when the Jaccard similarity of these sets is at least
    ``threshold``. Only sentences that occur in 2 to ``max_df`` articles count as shared: a
    sentence found in more articles is a stock phrase, not evidence that two articles are one
    story (this keeps the cost linear in the corpus). Articles with exactly the same sentences are
    duplicates whatever ``max_df`` says. Candidate pairs come from prefix filtering (two sets
    with Jaccard >= t share one of the first ``m - ceil(t * size) + 1`` of each one's ``m``
    countable sentences, rarest first), and their shared sentences are then counted exactly,
    so the result is that of comparing every pair.

    Parameters
    ----------
    sentences : pandas.DataFrame
        ``article_id``, ``text`` and ``n_words`` of every sentence.
    threshold : float, default :data:`DUPLICATE_THRESHOLD` (0.8)
        Minimum Jaccard similarity.
    min_words : int, default 5
        Shorter sentences (headings, "He said.") are not used as evidence.
    max_df : int, default 100
        Sentences found in more articles than this are not used as evidence.

    Returns
    -------
    pandas.Series
        Indexed by article_id (sorted), the article_id of the earliest (by id) article it
        duplicates, else <NA>. Articles are never dropped.
    """
    art = sentences["article_id"].astype(str)
    ids = pd.Index(sorted(art.unique()), name="article_id")
    out = pd.Series(pd.NA, index=ids, dtype="string", name="duplicate_of")
    if len(ids) < 2:
        return out
    use = sentences["n_words"].to_numpy() >= min_words
    texts = arrow_texts(sentences["text"])
    blocks = block_map(lambda span: _normalized(texts.slice(span[0], span[1] - span[0])
                                                .filter(pa.array(use[span[0]:span[1]]))),
                       byte_blocks(texts, _DUPLICATE_BLOCK_BYTES))
    arr = pa.chunked_array(blocks, type=pa.large_string())
    del blocks
    h = pd.factorize(pd.Series(arr, dtype="str"))[0].astype(np.int64)  # sentence ids
    del arr
    codes, uniques = pd.factorize(art[use])
    doc = ids.get_indexer(uniques)[codes] if len(codes) else codes.astype(np.int64)
    # the distinct (doc, sentence) pairs, sorted by doc then sentence
    n_h = int(h.max()) + 1 if len(h) else 1
    key = np.sort(doc * n_h + h)
    key = key[run_starts(key)]
    docs, hs = key // n_h, key % n_h
    del key, h, doc
    size = np.bincount(docs, minlength=len(ids))
    later, earlier = [], []
    # identical sentence sets (exact republications, any number of copies): an
    # order-free fingerprint of each set (wrapping sum and xor of the hashes, and the size)
    hv = pd.util.hash_array(hs)  # spread the ids over 64 bits
    starts = run_starts(docs)
    if len(starts):
        fp = pd.DataFrame(
            {
                "doc": docs[starts],
                "sum": np.add.reduceat(hv, starts),
                "xor": np.bitwise_xor.reduceat(hv * np.uint64(0x9E3779B97F4A7C15), starts),
                "n": size[docs[starts]],
            }
        )
        fp["first"] = fp.groupby(["sum", "xor", "n"])["doc"].transform("min")
        same = fp["first"] != fp["doc"]
        later += fp.loc[same, "doc"].to_list()
        earlier += fp.loc[same, "first"].to_list()
    del hv
    # near-duplicates through shared sentences: only sentences found in 2 to max_df articles
    # count ("matchable"); candidate pairs by prefix filtering, then their exact overlap
    df = np.bincount(hs, minlength=n_h)[hs]
    keep = (df >= 2) & (df <= max_df)
    if keep.any():
        cand_row, cand_col = _candidate_pairs(docs[keep], hs[keep], df[keep], size, threshold)
        if len(cand_row):
            codes, uniq = pd.factorize(hs[keep])
            x = sp.csr_matrix(
                (np.ones(len(codes), dtype=np.float64), (docs[keep], codes)),
                shape=(len(ids), len(uniq)),
            )
            inter = np.asarray(x[cand_row].multiply(x[cand_col]).sum(axis=1)).ravel()
            union = size[cand_row] + size[cand_col] - inter
            hit = inter / np.maximum(union, 1) >= threshold
            later += list(cand_col[hit])
            earlier += list(cand_row[hit])
    if later:
        first = pd.DataFrame({"later": later, "earlier": earlier}).groupby("later")["earlier"].min()
        out.iloc[first.index.to_numpy()] = ids[first.to_numpy()].to_numpy()
    return out


def from_frame(
    df: pd.DataFrame,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    outlet_column: str | None = None,
    date_column: str | None = None,
    headline_column: str | None = None,
    duplicate_threshold: float = DUPLICATE_THRESHOLD,
) -> Corpus:
    """Build a :class:`Corpus` from an in-memory DataFrame of articles.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per article with a raw text column and optional metadata columns (names
        recognised as in :func:`load_corpus`; a ``source`` column that is not taken as the
        outlet is kept as the source, other columns are kept as extra article columns).
        Rows without text or with a repeated id are skipped (listed in ``skipped``).
    text_column, id_column, outlet_column, date_column, headline_column : str, optional
        Column names when they are not among the recognised ones.
    duplicate_threshold : float, default 0.8
        Jaccard threshold of :func:`flag_duplicates`.

    Returns
    -------
    Corpus

    Raises
    ------
    CorpusError
        If no text column is found, or nothing is loadable.
    """
    with summarised_warnings():
        raw, bad = standardize_table(
            df, "data frame", text_column=text_column, id_column=id_column,
            outlet_column=outlet_column, date_column=date_column, headline_column=headline_column,
        )
        given = pd.DataFrame(bad, columns=["source", "reason"]).astype(object)
        return _build(raw, given, duplicate_threshold)


def _nothing_loadable(skipped_rows: list[tuple[str, str]]) -> None:
    detail = "; ".join(f"{s}: {r}" for s, r in sorted(skipped_rows))
    raise CorpusError(
        "nothing loadable in the corpus" + (f" ({detail})" if detail else "")
        + ". Give .txt files with text, or a table with a text column."
    )


def _per_article(ids: pd.Series, keys: pd.Series, values: pd.Series | None = None) -> np.ndarray:
    """Row count (or sum of ``values``) of each of the unique ``ids`` in a table keyed by ``keys``."""
    codes, uniques = pd.factorize(keys)
    where = pd.Index(ids).get_indexer(uniques)
    codes = where[codes] if len(codes) else codes
    found = codes >= 0
    weights = None if values is None else values.to_numpy(dtype=np.int64)[found]
    total = np.zeros(len(ids), dtype=np.int64)
    np.add.at(total, codes[found], 1 if weights is None else weights)
    return total


#: Sentences from which :func:`_build` flags near-duplicates (and searches the voice patterns)
#: on a second thread while the quotes are found.
_SIDE_THREAD_MIN = 20_000


def _build(
    raw: pd.DataFrame | list[pd.DataFrame], skipped: pd.DataFrame, duplicate_threshold: float
) -> Corpus:
    """Clean, segment, find quotes and duplicates: the stages over standardized raw articles.

    ``raw`` may be given in a one-item list, which is emptied: then nothing else holds the raw
    texts, and they are freed once cleaned.
    """
    if isinstance(raw, list):
        raw = raw.pop()
    skipped_rows = list(skipped.itertuples(index=False, name=None))
    raw = raw.reset_index(drop=True)
    if "encoding" not in raw:
        raw["encoding"] = "utf-8"
    if raw.empty:
        _nothing_loadable(skipped_rows)
    clean_text, removed = clean.clean_texts(pd.Series(raw["text"].array, index=raw["article_id"]))
    raw = raw.drop(columns="text")
    empty = clean_text.str.strip() == ""
    if empty.any():
        for src in raw.loc[empty.to_numpy(), "source"]:
            skipped_rows.append((str(src), "nothing left after removing boilerplate"))
            warn_input(f"{src}: skipped, nothing is left after removing site boilerplate.")
        raw = raw[~empty.to_numpy()].reset_index(drop=True)
        clean_text = clean_text[~empty]
        removed = removed[removed["article_id"].isin(raw["article_id"])]
        if raw.empty:
            _nothing_loadable(skipped_rows)
    skipped_df = (
        pd.DataFrame(skipped_rows, columns=["source", "reason"]).astype(object)
        if skipped_rows else empty_table(["source", "reason"])
    ).sort_values(["source"], kind="stable").reset_index(drop=True)

    found = clean.extract_metadata(removed, pd.Index(raw["article_id"]))
    art, conflicts = _metadata(raw, found)
    art["source"] = raw["source"].astype(str).to_numpy()
    art["encoding"] = raw["encoding"].astype(str).to_numpy()
    art["text"] = clean_text.array
    del clean_text
    art = art.sort_values("article_id", kind="stable").reset_index(drop=True)

    paras = segment.paragraphs(art[["article_id", "text"]])
    sents = segment.sentences(paras)
    # the near-duplicates and the voice patterns that do not depend on the quotes (Arrow, numpy
    # and scipy kernels, which release the GIL) are computed on a second thread while the quotes
    # (Python) are found; each computation is the same as one after the other
    mine = sents[["article_id", "text", "n_words", "is_heading"]]  # its own frame (no copy)

    def side_work():
        return (flag_duplicates(mine, duplicate_threshold),
                voice.pattern_features(mine["text"], heading=mine["is_heading"]))

    if len(sents) < _SIDE_THREAD_MIN:  # one after the other: a thread costs more than it saves
        duplicate_of, patterns = side_work()
        quotes_df = quotes.find_quotes(art[["article_id", "text"]], sents)
    else:
        with ThreadPoolExecutor(max_workers=1) as pool:
            side = pool.submit(side_work)
            quotes_df = quotes.find_quotes(art[["article_id", "text"]], sents)
            duplicate_of, patterns = side.result()
    sents = quotes.quote_share(sents, quotes_df)
    sents = voice.sentence_voice(sents, found=patterns)
    del patterns

    art["n_words"] = _per_article(art["article_id"], paras["article_id"], paras["n_words"])
    art["n_paragraphs"] = _per_article(art["article_id"], paras["article_id"])
    art["n_sentences"] = _per_article(art["article_id"], sents["article_id"])
    art["quote_share"] = art["article_id"].map(quotes.article_char_share(sents)).fillna(0.0).astype(float)
    art["duplicate_of"] = art["article_id"].map(duplicate_of).astype("string")
    extra = sorted(c for c in raw.columns if c not in ARTICLE_COLUMNS)
    for c in extra:  # keep any other metadata of the table, e.g. url
        art[c] = raw.set_index("article_id")[c].reindex(art["article_id"]).to_numpy()
    for c in ("headline", "byline", "dateline", "attribution"):
        art[c] = art[c].astype("string")
    art = art[ARTICLE_COLUMNS + extra]
    removed = removed.sort_values(["article_id", "line_no"], kind="stable").reset_index(drop=True)
    del raw, found
    # the stages' Arrow temporaries are freed; hand the allocator's cached pages back to the
    # system so that they do not stay resident after loading
    pa.default_memory_pool().release_unused()
    return Corpus(
        articles=art,
        paragraphs=paras,
        sentences=sents,
        quotes=quotes_df,
        removed=removed,
        skipped=skipped_df,
        conflicts=conflicts,
    )


#: The modules that build a corpus (what ``import analysis.corpus`` imports): their source is
#: part of the cache key, so that a change to the code never serves a corpus it no longer builds.
CACHE_MODULES = (
    "__init__", "_cache", "_kernels", "clean", "config", "corpus", "decoding", "progress", "quotes",
    "readers", "segment", "speakers", "voice",
)
#: The tables of a :class:`Corpus`, each one file in the cache.
CORPUS_TABLES = ("articles", "paragraphs", "sentences", "quotes", "removed", "skipped", "conflicts")
#: Layout of a cache entry; a cache written with another layout is not read.
_CACHE_FORMAT = 3
_CACHE_PREFIX = "corpus-"


def corpus_key(source: str | Path, **options: object) -> str:
    """The key of a corpus in the cache of :func:`load_corpus`.

    It changes when any input file is added, removed, renamed, resized or touched
    (:func:`analysis.readers.files_fingerprint`: names, sizes, modification times, not contents),
    when ``source`` is given as another path, when any load option changes, and when the code or
    package data that builds the corpus changes (:data:`CACHE_MODULES`, ``analysis/data``, the
    versions of the package and of pandas, numpy, pyarrow and Python).

    Parameters
    ----------
    source : str or pathlib.Path
        As given to :func:`load_corpus`.
    **options
        Every other argument of :func:`load_corpus` that shapes the corpus (``manifest``
        included: its file is fingerprinted too).

    Returns
    -------
    str
        A hex sha256 digest.
    """
    path = Path(source)
    parts = {
        "format": _CACHE_FORMAT,
        "source": str(source),
        "resolved": str(path.resolve()),
        "files": files_fingerprint(path),
        "options": {k: None if v is None else str(v) for k, v in sorted(options.items())},
        "code": code_fingerprint(CACHE_MODULES),
    }
    manifest = options.get("manifest")
    if manifest is not None:
        parts["manifest"] = files_fingerprint(Path(manifest))
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8", "surrogateescape")).hexdigest()


def _write_cache(folder: Path, key: str, corpus: Corpus, shown: list[str]) -> None:
    """Write ``corpus`` as ``folder/corpus-<key>/`` atomically (:func:`analysis._cache.write_entry`:
    a reader never sees half an entry); entries of other keys are then removed."""
    def fill(tmp: Path) -> None:
        # two tables at a time on two threads (Arrow conversion and file writes release the GIL)
        block_map(lambda name: write_frame(getattr(corpus, name), tmp / name), list(CORPUS_TABLES))

    write_entry(folder, _CACHE_PREFIX, key, _CACHE_FORMAT, fill, {"warnings": shown})


def _read_cache(folder: Path, key: str) -> tuple[Corpus, list[str]] | None:
    """The cached corpus of ``key`` and the warnings its load gave, or None if there is none.
    An entry that cannot be read whole is removed with a warning (the caller rebuilds it)."""
    entry = folder / f"{_CACHE_PREFIX}{key}"

    def read(entry: Path, meta: dict) -> tuple[Corpus, list[str]]:
        tables = {name: read_frame(entry / name) for name in CORPUS_TABLES}
        return Corpus(**tables), [str(w) for w in meta["warnings"]]

    def damaged(exc: Exception) -> None:
        warnings.warn(f"load_corpus: the cached corpus in {str(entry)!r} cannot be read ({exc}); "
                      "it is ignored and rebuilt from the files.", CorpusWarning, stacklevel=5)

    return read_entry(entry, key, _CACHE_FORMAT, read, damaged)


def load_corpus(
    source: str | Path,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    outlet_column: str | None = None,
    date_column: str | None = None,
    headline_column: str | None = None,
    manifest: str | Path | None = None,
    duplicate_threshold: float = DUPLICATE_THRESHOLD,
    cache: str | Path | None = None,
    rebuild: bool = False,
) -> Corpus:
    """Load a corpus of news articles into the tables of the data contract.

    Parameters
    ----------
    source : str or pathlib.Path
        A folder of ``.txt`` files (with an optional ``manifest.csv``), or one ``.csv``,
        ``.jsonl`` or ``.parquet`` file with a text column.
    text_column, id_column, outlet_column, date_column, headline_column : str, optional
        Names of a table's columns when they are not among the recognised ones
        (text/body/content, id/article_id, outlet/source/publisher, date/published,
        headline/title).
    manifest : str or pathlib.Path, optional
        Manifest CSV for a folder (default ``source/manifest.csv`` if present).
    duplicate_threshold : float, default 0.8
        Jaccard similarity of sentence sets at or above which an article is flagged as a
        near-duplicate of an earlier one (``articles.duplicate_of``).
    cache : str or pathlib.Path, optional
        A folder where the loaded corpus is kept (the notebooks give ``output_paths(...).cache``,
        so notebook 01 loads the files and 02-04 read its result). A corpus is read from it
        instead of from the files when its key (:func:`corpus_key`: the files' names, sizes
        and modification times, ``source``, every option, and the code and package data that
        build a corpus) is the one it was written with; else it is built and written there
        (every table as Arrow IPC, atomically: a parallel load never reads half of it; older
        entries are removed). An entry that cannot be read is ignored with a warning and
        rebuilt. The input warnings of the load that wrote it are shown again when it is read.
        With a cache, one line on standard output says where the corpus came from.
    rebuild : bool, default False
        With ``cache``: build from the files even when the cache holds this corpus, and write it.

    Returns
    -------
    Corpus
        With ``articles``, ``paragraphs``, ``sentences``, ``quotes``, ``removed``, ``skipped``
        and ``conflicts``. See the module docstring for how bad input is handled.

    Raises
    ------
    CorpusError
        If ``source`` does not exist, nothing is loadable, the manifest is malformed, or a
        table has no text column.

    Examples
    --------
    >>> from analysis.config import RAW_DIR
    >>> corpus = load_corpus(RAW_DIR)
    >>> corpus
    Corpus(5 articles, 78 paragraphs, 110 sentences, 29 quotes, 0 skipped, 0 conflicts)
    >>> corpus.articles["outlet"].value_counts().sort_index().to_dict()
    {'Associated Press': 1, 'CGTN': 2, 'China Daily': 2}
    """
    path = Path(source)
    if not path.exists():
        raise CorpusError(
            f"corpus {str(source)!r} does not exist. Give a folder of .txt files or a "
            "CSV/JSONL/Parquet file."
        )
    options = {"text_column": text_column, "id_column": id_column, "outlet_column": outlet_column,
               "date_column": date_column, "headline_column": headline_column, "manifest": manifest,
               "duplicate_threshold": duplicate_threshold}
    if cache is None:
        return _load(path, **options)
    folder, key = Path(cache), corpus_key(source, **options)
    found = None if rebuild else _read_cache(folder, key)
    if found is not None:
        corpus, shown = found
        for msg in shown:
            warnings.warn(msg, CorpusWarning, stacklevel=2)
        print(f"corpus read from the cache in {folder} (written by an earlier load of the same "
              "files, with the same options and code)", flush=True)
        return corpus
    with recorded_warnings() as shown:
        corpus = _load(path, **options)
    try:
        _write_cache(folder, key, corpus, shown)
    except OSError as exc:  # a cache that cannot be written costs time, never the corpus
        warnings.warn(f"load_corpus: the corpus cannot be kept in {str(folder)!r} ({exc}); the "
                      "next notebooks load the files again. Check that the folder can be written.",
                      CorpusWarning, stacklevel=2)
        print("corpus loaded from its files; not cached", flush=True)
        return corpus
    print(f"corpus loaded from its files; cached in {folder} for the notebooks that follow",
          flush=True)
    return corpus


def _load(
    path: Path,
    *,
    text_column: str | None,
    id_column: str | None,
    outlet_column: str | None,
    date_column: str | None,
    headline_column: str | None,
    manifest: str | Path | None,
    duplicate_threshold: float,
) -> Corpus:
    """:func:`load_corpus` without the cache: read the files, then :func:`_build`."""
    with summarised_warnings():
        if path.is_dir():
            raw, skipped = read_folder(path, manifest)
        else:
            raw, skipped = read_table(
                path, text_column=text_column, id_column=id_column, outlet_column=outlet_column,
                date_column=date_column, headline_column=headline_column,
            )
        if raw.empty:
            detail = "; ".join(f"{s}: {r}" for s, r in skipped.itertuples(index=False, name=None))
            raise CorpusError(
                f"nothing loadable in {path.name!r}" + (f" ({detail})" if detail else " (no .txt files)")
                + ". Give .txt files with text, or a table with a text column."
            )
        box = [raw]
        del raw
        return _build(box, skipped, duplicate_threshold)


def summary_table(corpus: Corpus, decimals: int = 3) -> pd.DataFrame:
    """One row per article: what the loader made of it (for notebook 01's corpus table).

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    decimals : int, default 3
        Rounding of ``quote_share``.

    Returns
    -------
    pandas.DataFrame
        ``article_id``, ``outlet``, ``outlet_group``, ``published`` (ISO date string, "" if
        unknown), ``genre``, ``n_words``, ``n_paragraphs``, ``n_sentences``, ``n_quotes``,
        ``quote_share``, ``duplicate_of``; sorted by article_id.
    """
    art = corpus.articles
    n_quotes = corpus.quotes.groupby("article_id").size()
    out = art[["article_id", "outlet", "outlet_group"]].copy()
    out["published"] = art["published"].dt.strftime("%Y-%m-%d").fillna("")
    out["genre"] = art["genre"]
    for c in ("n_words", "n_paragraphs", "n_sentences"):
        out[c] = art[c]
    out["n_quotes"] = art["article_id"].map(n_quotes).fillna(0).astype("int64")
    out["quote_share"] = art["quote_share"].round(decimals)
    out["duplicate_of"] = art["duplicate_of"]
    return out.reset_index(drop=True)


def removed_summary(corpus: Corpus) -> pd.DataFrame:
    """Count of removed items per article (rows) and reason (columns), with a total column.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.

    Returns
    -------
    pandas.DataFrame
        Indexed by article_id (every article, sorted), int counts; reasons in the order of
        :data:`analysis.clean.REMOVAL_REASONS`, only those that occur.
    """
    ids = pd.Index(corpus.articles["article_id"], name="article_id")
    removed = corpus.removed[corpus.removed["article_id"].notna() & corpus.removed["reason"].notna()]
    seen = set(removed["reason"])
    cols = [r for r in clean.REMOVAL_REASONS if r in seen]
    # counted with one bincount (pandas.crosstab aggregates each article in Python)
    row = ids.get_indexer(removed["article_id"])
    col = pd.Index(cols, dtype=object).get_indexer(removed["reason"])
    ok = (row >= 0) & (col >= 0)
    counts = np.bincount(row[ok] * len(cols) + col[ok], minlength=len(ids) * len(cols))
    table = pd.DataFrame(counts.reshape(len(ids), len(cols)), index=ids, columns=cols).astype("int64")
    table["total"] = table.sum(axis=1)
    table.columns.name = None
    return table


def export_tables(corpus: Corpus, folder: str | Path) -> pd.DataFrame:
    """Write ``articles.csv`` (without the text), ``paragraphs.csv``, ``sentences.csv`` and
    ``quotes.csv`` to ``folder`` with :func:`analysis.outputs.write_table`.

    Parameters
    ----------
    corpus : Corpus
        A loaded corpus.
    folder : str or pathlib.Path
        Destination (``output_paths(...).processed``).

    Returns
    -------
    pandas.DataFrame
        ``file`` (name only), ``rows``, ``columns``: what was written.
    """
    from .outputs import write_table

    tables = {
        "articles.csv": corpus.articles.drop(columns="text"),
        "paragraphs.csv": corpus.paragraphs,
        "sentences.csv": corpus.sentences,
        "quotes.csv": corpus.quotes,
    }
    rows = []
    for name, table in tables.items():
        write_table(table, Path(folder) / name)
        rows.append((name, len(table), len(table.columns)))
    return pd.DataFrame(rows, columns=["file", "rows", "columns"])
