"""The Dask path gives the pandas path's results, on a two-worker LocalCluster."""

from __future__ import annotations

from pathlib import Path

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from analysis import corpus, tone, topics
from analysis import dask_path as dpath

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
MEASURES = ("vader", "framing", "assertiveness")
KEYS = ["article_id", "paragraph", "sentence"]


@pytest.fixture(scope="module")
def shards(tmp_path_factory) -> Path:
    """The bundled corpus as read by the loader, written to three Parquet shards."""
    raw, skipped = corpus.read_folder(RAW)
    assert skipped.empty
    folder = tmp_path_factory.mktemp("shards")
    for i, rows in enumerate(np.array_split(np.arange(len(raw)), 3)):
        raw.iloc[rows].to_parquet(folder / f"part-{i:02d}.parquet", index=False)
    return folder


@pytest.fixture(scope="module")
def pandas_path():
    built = corpus.load_corpus(RAW)
    table = tone.sentence_table(built, tone.score_sentences(built, measures=MEASURES))
    return built, table


@pytest.fixture(scope="module")
def client():
    distributed_ = pytest.importorskip("distributed")
    with distributed_.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address=None) as cluster:
        with distributed_.Client(cluster) as c:
            yield c


@pytest.fixture(scope="module")
def dask_path(shards, client):
    articles = dpath.read_articles(shards)
    tables = dpath.corpus_tables(articles, measures=MEASURES)
    names = ["articles", "paragraphs", "sentences", "quotes", "skipped"]
    computed = client.compute([tables[n] for n in names], sync=True)
    return articles.npartitions, dict(zip(names, computed, strict=True)), tables


def test_runs_partition_by_partition(dask_path):
    n_partitions, computed, tables = dask_path
    assert n_partitions == 3
    assert all(tables[n].npartitions == 3 for n in dpath.TABLES)
    assert computed["skipped"].empty


def test_same_paragraph_counts(pandas_path, dask_path):
    built, _ = pandas_path
    _, computed, _ = dask_path
    expected = built.paragraphs.groupby("article_id").size()
    got = computed["paragraphs"].groupby("article_id").size()
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)
    # and the same paragraphs, offsets and texts
    paragraphs = computed["paragraphs"].sort_values(["article_id", "paragraph"])
    pd.testing.assert_frame_equal(
        paragraphs.reset_index(drop=True), built.paragraphs, check_dtype=False
    )


def test_same_sentence_tone(pandas_path, dask_path):
    _, expected = pandas_path
    _, computed, _ = dask_path
    got = computed["sentences"].sort_values(KEYS).reset_index(drop=True)
    assert len(got) == len(expected)
    pd.testing.assert_frame_equal(got[KEYS], expected[KEYS], check_dtype=False)
    assert got["text"].tolist() == expected["text"].tolist()
    for measure in MEASURES:
        np.testing.assert_allclose(got[measure].to_numpy(), expected[measure].to_numpy(),
                                   rtol=0, atol=1e-12, err_msg=measure)
    np.testing.assert_allclose(got["quote_share"], expected["quote_share"], atol=1e-12)
    assert got["voice"].tolist() == expected["voice"].tolist()


def test_sentence_voice_is_the_corpus_voice(pandas_path, dask_path):
    """own / reported / quoted / mixed from analysis.voice, as Corpus.sentences has it."""
    built, _ = pandas_path
    _, computed, _ = dask_path
    got = computed["sentences"].sort_values(KEYS).reset_index(drop=True)
    corpus_voice = built.sentences.sort_values(KEYS).reset_index(drop=True)
    assert got[KEYS].values.tolist() == corpus_voice[KEYS].values.tolist()
    for column in ("voice", "voice_speaker"):
        assert got[column].astype(object).tolist() == corpus_voice[column].astype(object).tolist()
    # not the quote-mark voice (quoted when inside quotation marks, else own)
    assert "reported" in set(got["voice"])
    quote_marks = tone.voice_of(got["quote_share"])
    assert (got["voice"] != quote_marks).any()
    # the dictionary measures are not constant: the comparison is not vacuous
    assert got["framing"].nunique() > 5


def test_same_articles_and_quotes(pandas_path, dask_path):
    built, _ = pandas_path
    _, computed, _ = dask_path
    articles = computed["articles"].sort_values("article_id").reset_index(drop=True)
    for column in ("n_words", "n_paragraphs", "n_sentences", "quote_share", "outlet", "text"):
        assert articles[column].tolist() == built.articles[column].tolist(), column
    quotes = computed["quotes"].sort_values(["article_id", "quote"]).reset_index(drop=True)
    assert quotes[["article_id", "start", "end"]].values.tolist() == (
        built.quotes[["article_id", "start", "end"]].values.tolist()
    )


def test_minibatch_clustering_on_workers(dask_path, client):
    _, computed, tables = dask_path
    paragraphs = client.persist(tables["paragraphs"])
    model, labels = dpath.cluster_paragraphs(
        paragraphs, n_clusters=3, random_state=0, min_tokens=3, batch_size=16
    )
    got = labels.compute().sort_values(["article_id", "paragraph"]).reset_index(drop=True)
    expected_keys = computed["paragraphs"].sort_values(["article_id", "paragraph"])
    assert got[["article_id", "paragraph"]].values.tolist() == (
        expected_keys[["article_id", "paragraph"]].values.tolist()
    )
    assert set(got["topic"]) <= {-1, 0, 1, 2}
    assert (got["topic"] >= 0).sum() == model.n_fitted
    # the same model predicts the same topics in this process (workers add nothing)
    local = np.concatenate(list(model.predict([expected_keys["text"]])))
    assert got["topic"].tolist() == local.tolist()


def test_empty_partition_gives_empty_tables(shards):
    raw = pd.read_parquet(shards / "part-00.parquet")
    empty = dd.from_pandas(raw.iloc[:0], npartitions=1)
    tables = dpath.corpus_tables(empty, measures=("framing",))
    with dask.config.set(scheduler="sync"):
        sentences, skipped = dask.compute(tables["sentences"], tables["skipped"])
    assert sentences.empty and skipped.empty
    assert "framing" in sentences.columns


def test_partition_with_nothing_loadable_is_listed_as_skipped(shards):
    raw = pd.read_parquet(shards / "part-00.parquet")
    broken = raw.assign(text="   ")
    frame = dd.from_pandas(pd.concat([raw, broken.assign(article_id="x" + broken["article_id"])]),
                           npartitions=1)
    frame = dd.concat([frame, dd.from_pandas(broken, npartitions=1)])
    tables = dpath.corpus_tables(frame, measures=("framing",))
    with dask.config.set(scheduler="sync"), pytest.warns(corpus.CorpusWarning, match="empty"):
        articles, skipped = dask.compute(tables["articles"], tables["skipped"])
    # the first partition loads its good articles and lists its empty ones
    assert sorted(articles["article_id"]) == sorted(raw["article_id"])
    is_whole = skipped["source"].str.startswith("partition with articles")
    whole, single = skipped[is_whole], skipped[~is_whole]
    assert len(single) == len(raw)
    assert (single["reason"] == "empty or missing text").all()
    # the second has nothing loadable: one row naming its articles and the loader's message
    assert len(whole) == 1
    assert all(aid in whole["source"].iloc[0] for aid in broken["article_id"])
    assert "nothing loadable" in whole["reason"].iloc[0]


def test_run_writes_every_table_and_the_codebook_topics(shards, pandas_path, client, tmp_path):
    """run: the tables to Parquet, the paragraphs read back, topics with the committed model."""
    built, expected = pandas_path
    written = dpath.run(shards, tmp_path / "out", measures=MEASURES)
    assert written == [*dpath.TABLES, "topics"]
    for name in written:
        assert list((tmp_path / "out" / name).glob("*.parquet")), name
    sentences = pd.read_parquet(tmp_path / "out" / "sentences").sort_values(KEYS)
    assert sentences[KEYS].values.tolist() == expected[KEYS].values.tolist()
    got = pd.read_parquet(tmp_path / "out" / "topics").sort_values(["article_id", "paragraph"])
    assigned = topics.assign_topics(built)  # the notebooks' call, the committed parameters
    assert got[["article_id", "paragraph"]].values.tolist() == (
        assigned[["article_id", "paragraph"]].values.tolist())
    assert got["topic"].tolist() == assigned["topic"].tolist()
    assert got["secondary"].tolist() == assigned["secondary"].tolist()
    probabilities = [c for c in assigned if c.startswith("p_")]
    np.testing.assert_allclose(got[probabilities], assigned[probabilities], rtol=0, atol=1e-12)
    assert got["topic"].nunique() > 1  # not vacuous


def test_run_with_minibatch_clusters(shards, client, tmp_path):
    written = dpath.run(shards, tmp_path / "out", measures=("framing",), n_clusters=2)
    assert written[-2:] == ["topics", "clusters"]
    clusters = pd.read_parquet(tmp_path / "out" / "clusters")
    paragraphs = pd.read_parquet(tmp_path / "out" / "paragraphs")
    assert len(clusters) == len(paragraphs)
    assert set(clusters["topic"]) <= {-1, 0, 1}


def test_run_refuses_a_folder_with_tables_already(shards, tmp_path):
    (tmp_path / "out" / "sentences").mkdir(parents=True)
    (tmp_path / "out" / "sentences" / "part.00007.parquet").write_bytes(b"")
    with pytest.raises(ValueError, match=r"run: .* already holds the tables \['sentences'\]"):
        dpath.run(shards, tmp_path / "out", measures=("framing",))
    with pytest.raises(ValueError, match="write_corpus_tables: .* already holds"):
        dpath.write_corpus_tables(dpath.read_articles(shards), tmp_path / "out")
