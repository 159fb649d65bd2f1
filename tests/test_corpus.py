"""The loader's data contract on the bundled corpus, metadata precedence, from_frame, duplicates."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from analysis import Corpus, from_frame, load_corpus
from analysis.corpus import CorpusWarning, flag_duplicates

CONTRACT = {
    "articles": ["article_id", "outlet", "outlet_group", "published", "headline", "genre", "byline",
                 "dateline", "attribution", "source", "text", "n_words", "n_paragraphs",
                 "n_sentences", "quote_share", "duplicate_of"],
    "paragraphs": ["article_id", "paragraph", "start", "end", "text", "n_words", "is_heading"],
    "sentences": ["article_id", "paragraph", "sentence", "start", "end", "text", "n_words",
                  "quote_share", "speaker"],
    "quotes": ["article_id", "quote", "paragraph", "sentence", "start", "end", "text", "speaker",
               "cue", "n_words"],
    "removed": ["article_id", "line", "reason"],
    "skipped": ["source", "reason"],
    "conflicts": ["article_id", "field", "manifest_value", "text_value"],
}
KEYS = {
    "articles": ["article_id"], "paragraphs": ["article_id", "paragraph"],
    "sentences": ["article_id", "sentence"], "quotes": ["article_id", "quote"],
}


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    with warnings.catch_warnings():
        warnings.simplefilter("error", CorpusWarning)  # the bundled corpus loads cleanly
        return load_corpus("data/raw")


def test_contract_columns_order_and_index(corpus):
    for name, cols in CONTRACT.items():
        table = getattr(corpus, name)
        assert set(cols) <= set(table.columns), name
        assert table.index.equals(pd.RangeIndex(len(table))), name
    for name, keys in KEYS.items():
        table = getattr(corpus, name)
        assert not table.duplicated(keys).any(), name
        assert table[keys].equals(table[keys].sort_values(keys).reset_index(drop=True)), name


def test_articles_match_the_manifest(corpus):
    manifest = pd.read_csv("data/raw/manifest.csv", dtype=str)
    art = corpus.articles.set_index("article_id")
    assert list(art.index) == sorted(manifest["article_id"])
    for row in manifest.itertuples(index=False):
        got = art.loc[row.article_id]
        assert got["outlet"] == row.outlet
        assert got["outlet_group"] == row.outlet_group
        assert got["published"] == pd.Timestamp(row.published)
        assert got["headline"] == row.headline
        assert got["genre"] == row.genre
        assert got["source"] == f"articles/{row.article_id}.txt"
    assert corpus.skipped.empty and corpus.conflicts.empty
    assert art["duplicate_of"].isna().all()
    assert pd.api.types.is_datetime64_any_dtype(corpus.articles["published"])
    assert art.loc["000_3a02e190c8cb9772", "byline"] == "TA | AP Brief"
    assert art.loc["004_30fd85d0f1613148", "dateline"] == "2025.10.29 23:38 GMT+8"


def test_counts_agree_across_tables(corpus):
    art = corpus.articles.set_index("article_id")
    assert (corpus.paragraphs.groupby("article_id").size() == art["n_paragraphs"]).all()
    assert (corpus.sentences.groupby("article_id").size() == art["n_sentences"]).all()
    assert (corpus.paragraphs.groupby("article_id")["n_words"].sum() == art["n_words"]).all()
    assert (art["n_words"] == art["text"].str.split().str.len()).all()


def test_headline_not_left_in_body(corpus):
    for headline, text in zip(corpus.articles["headline"], corpus.articles["text"], strict=True):
        assert not text.startswith(headline)


def test_manifest_wins_and_conflicts_are_listed(tmp_path):
    (tmp_path / "a.txt").write_text(
        "A headline written in the text\n\n2025.10.29 23:38 GMT+8\n\n"
        "The body of the story has one sentence that is long enough to count.",
        encoding="utf-8",
    )
    (tmp_path / "manifest.csv").write_text(
        "article_id,outlet,published,headline\na,CGTN,2025-10-30,Another headline\n", encoding="utf-8"
    )
    c = load_corpus(tmp_path)
    art = c.articles.iloc[0]
    assert art["headline"] == "Another headline"
    assert art["published"] == pd.Timestamp("2025-10-30")
    got = {(r.field, r.manifest_value, r.text_value) for r in c.conflicts.itertuples()}
    assert got == {
        ("headline", "Another headline", "A headline written in the text"),
        ("published", "2025-10-30", "2025-10-29"),
    }


def test_text_metadata_used_without_manifest():
    c = from_frame(pd.DataFrame({"text": [
        "By: Jane Doe\n\nTrade talks resume in Geneva\n\ndate 2025-11-02 The talks resumed on "
        "Monday after a pause of several weeks, officials said."
    ]}))
    art = c.articles.iloc[0]
    assert (art["headline"], art["byline"]) == ("Trade talks resume in Geneva", "Jane Doe")
    assert art["published"] == pd.Timestamp("2025-11-02")
    assert art["outlet"] == "unknown" and art["genre"] == "unknown"
    assert art["text"].startswith("The talks resumed")


def test_from_frame_equals_loading_the_same_articles(corpus):
    frame = corpus.articles[["article_id", "outlet", "text"]]
    again = from_frame(frame)
    pd.testing.assert_frame_equal(
        again.sentences[["article_id", "sentence", "start", "end", "text"]],
        corpus.sentences[["article_id", "sentence", "start", "end", "text"]],
    )


def test_stages_on_partitions_equal_the_whole(corpus):
    """The Dask path: the same stage functions on partitions give the same rows."""
    raw = corpus.articles[["article_id", "text"]]
    whole = from_frame(raw)
    parts = [from_frame(raw.iloc[:2]), from_frame(raw.iloc[2:])]
    for name in ("paragraphs", "sentences", "quotes"):
        joined = pd.concat([getattr(p, name) for p in parts], ignore_index=True)
        pd.testing.assert_frame_equal(joined, getattr(whole, name), check_dtype=False)


def test_near_duplicates_flagged_not_dropped(corpus):
    base = corpus.articles[["article_id", "text"]]
    extra = base.iloc[[0, 1]].assign(
        article_id=["zz_copy", "zz_other"],
        text=[base["text"].iloc[0] + "\n\nOne added closing paragraph of the republished story.",
              base["text"].iloc[2]],
    )
    c = from_frame(pd.concat([base, extra], ignore_index=True))
    dup = dict(zip(c.articles["article_id"], c.articles["duplicate_of"], strict=True))
    assert dup["zz_copy"] == "000_3a02e190c8cb9772"
    assert dup["zz_other"] == "002_f0ddb30598327aff"
    assert len(c.articles) == 7
    assert sum(pd.notna(v) for v in dup.values()) == 2


def test_duplicate_threshold():
    a = " ".join(f"Sentence number {i} is here in the text." for i in range(10))
    b = " ".join(f"Sentence number {i} is here in the text." for i in range(8))
    sents = from_frame(pd.DataFrame({"article_id": ["a", "b"], "text": [a, b]})).sentences
    flags = flag_duplicates(sents, 0.8)
    assert pd.isna(flags["a"]) and flags["b"] == "a"  # Jaccard 8/10
    assert pd.isna(flag_duplicates(sents, 0.9)["b"])


def test_stage_functions_accept_empty_input():
    from analysis import clean, quotes, segment

    texts, removed = clean.clean_texts(pd.Series([], dtype="str"))
    assert texts.empty and removed.empty
    arts = pd.DataFrame({"article_id": pd.Series([], dtype="str"), "text": pd.Series([], dtype="str")})
    paras = segment.paragraphs(arts)
    sents = segment.sentences(paras)
    assert paras.empty and sents.empty
    q = quotes.find_quotes(arts, sents)
    assert q.empty and quotes.quote_share(sents, q).empty


def test_frame_with_only_empty_texts_raises_one_error():
    from analysis import CorpusError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        with pytest.raises(CorpusError, match="nothing loadable.*row 1: empty or missing text"):
            from_frame(pd.DataFrame({"text": ["  ", ""]}))


def _plain_duplicates(sents: pd.DataFrame, threshold: float, min_words: int) -> dict[str, str]:
    """Reference: Jaccard of every pair of normalised sentence sets, in plain Python."""
    norm = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
    sets: dict[str, set[str]] = {aid: set() for aid in sents["article_id"]}
    for aid, text, n in sents[["article_id", "text", "n_words"]].itertuples(index=False):
        if n >= min_words:
            sets[aid].add(text.lower().translate(norm))
    ids = sorted(sets)
    out = {}
    for j, later in enumerate(ids):
        for earlier in ids[:j]:
            a, b = sets[earlier], sets[later]
            if (a & b and len(a & b) / len(a | b) >= threshold) or (a and a == b):
                out[later] = earlier
                break
    return out


@pytest.mark.parametrize(("threshold", "min_words"), [(0.8, 5), (0.5, 1), (0.3, 0), (0.0, 5), (1.0, 5)])
def test_duplicates_equal_plain_jaccard(corpus, threshold, min_words):
    base = corpus.articles[["article_id", "text"]]
    rows = [base]
    for i, text in enumerate(base["text"]):
        paras = text.split("\n\n")
        rows.append(pd.DataFrame({"article_id": [f"c{i}a", f"c{i}b", f"0{i}"],
                                  "text": ["\n\n".join(paras[: max(1, len(paras) * 3 // 4)]),
                                           text.upper().replace("“", '"'), text.lower()]}))
    c = from_frame(pd.concat(rows, ignore_index=True))
    got = flag_duplicates(c.sentences, threshold, min_words=min_words)
    want = _plain_duplicates(c.sentences, threshold, min_words)
    assert got.dropna().to_dict() == want
    assert len(want) >= 5  # the exact copies at least


def test_threaded_build_equals_the_sequential_one(corpus, monkeypatch):
    """Blocks on two threads, and the near-duplicates and voice patterns on a second thread
    while the quotes are found, give the corpus that one thread gives."""
    from analysis import _kernels, clean, segment
    from analysis import corpus as corpus_mod

    base = corpus.articles[["article_id", "outlet", "text"]]
    frame = pd.concat([base.assign(article_id=base["article_id"] + f"-{i}",
                                   text=base["text"] + ("" if i % 3 else f"\n\nCopy {i} of the story."))
                       for i in range(8)], ignore_index=True)

    def build(threads: int, side_min: int, block: int) -> Corpus:
        monkeypatch.setattr(_kernels, "BLOCK_THREADS", threads)
        monkeypatch.setattr(corpus_mod, "_SIDE_THREAD_MIN", side_min)
        monkeypatch.setattr(clean, "_BLOCK_BYTES", block)
        monkeypatch.setattr(segment, "_BLOCK_BYTES", block)
        monkeypatch.setattr(corpus_mod, "_DUPLICATE_BLOCK_BYTES", block)
        return from_frame(frame)

    one, two = build(1, 10**9, 1 << 23), build(2, 0, 3000)
    assert one.articles["duplicate_of"].notna().any()
    for name in corpus_mod.CORPUS_TABLES:
        pd.testing.assert_frame_equal(getattr(two, name), getattr(one, name))


def test_export_tables_with_columns_formatted_on_two_threads_writes_the_files_of_one(corpus, tmp_path, monkeypatch):
    from analysis import _kernels
    from analysis.corpus import export_tables

    written = {}
    for threads in (1, 2):
        monkeypatch.setattr(_kernels, "BLOCK_THREADS", threads)
        folder = tmp_path / str(threads)
        summary = export_tables(corpus, folder)
        assert summary["file"].tolist() == ["articles.csv", "paragraphs.csv", "sentences.csv", "quotes.csv"]
        assert summary["rows"].tolist() == [len(corpus.articles), len(corpus.paragraphs),
                                            len(corpus.sentences), len(corpus.quotes)]
        written[threads] = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    assert len(written[1]) == 8 and written[1] == written[2]
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "2" / "quotes.csv")[["quote", "start", "end"]],
                                  corpus.quotes[["quote", "start", "end"]])


def _crosstab_removed_summary(corpus: Corpus) -> pd.DataFrame:
    """removed_summary as it was written with pandas.crosstab: the reference for the bincount."""
    from analysis import clean

    ids = pd.Index(corpus.articles["article_id"], name="article_id")
    table = pd.crosstab(corpus.removed["article_id"], corpus.removed["reason"])
    cols = [r for r in clean.REMOVAL_REASONS if r in table.columns]
    table = table.reindex(index=ids, columns=cols, fill_value=0).astype("int64")
    table["total"] = table.sum(axis=1)
    table.columns.name = None
    return table


def test_removed_summary_equals_the_crosstab(corpus):
    from analysis.corpus import removed_summary

    assert len(corpus.removed) and corpus.removed["reason"].nunique() > 1
    pd.testing.assert_frame_equal(removed_summary(corpus), _crosstab_removed_summary(corpus))
    rem = corpus.removed
    odd = Corpus(  # an article with nothing removed, a row of an unknown article, a missing id
        articles=pd.concat([corpus.articles, corpus.articles.iloc[:1].assign(article_id="zz")]),
        paragraphs=corpus.paragraphs, sentences=corpus.sentences, quotes=corpus.quotes,
        removed=pd.concat([rem, rem.iloc[:2].assign(article_id="not-loaded"),
                           rem.iloc[:1].assign(article_id=None)], ignore_index=True))
    pd.testing.assert_frame_equal(removed_summary(odd), _crosstab_removed_summary(odd))
    none = Corpus(articles=corpus.articles, paragraphs=corpus.paragraphs, sentences=corpus.sentences,
                  quotes=corpus.quotes, removed=rem.iloc[:0])
    pd.testing.assert_frame_equal(removed_summary(none), _crosstab_removed_summary(none))
