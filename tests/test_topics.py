"""Tests for analysis.topics: clustering, k-selection, c-TF-IDF, short units, shares, scale path."""

from __future__ import annotations

import math
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402

from analysis import topics  # noqa: E402
from analysis.handcoded import read_annotations  # noqa: E402
from analysis.tokens import LEVEL_KEYS, stopwords  # noqa: E402
from analysis.topics import minibatch  # noqa: E402
from analysis.topics import select as sel  # noqa: E402

POOLS = {
    "trade": "tariffs soybeans exports imports markets deficit farmers commerce supply "
             "factories shipping manufacturing",
    "security": "taiwan navy strait military drills missiles troops warships defense pentagon "
                "deterrence submarines",
    "climate": "climate emissions carbon solar energy warming renewable pollution glaciers wind "
               "batteries coal",
}
SHARED = "leaders summit beijing washington officials".split()


def make_corpus(n_articles=12, paras_per_article=5, n_outlets=3, seed=0, dates=True,
                heading=True, short=True):
    """A corpus object with the data-contract tables and known paragraph topics.

    Returns the corpus and a Series of true topics aligned with the sorted paragraphs.
    """
    rng = np.random.default_rng(seed)
    names = list(POOLS)
    words = {t: POOLS[t].split() for t in names}
    arts, paras, truth = [], [], []
    for a in range(n_articles):
        aid = f"a{a:03d}"
        texts = []
        if heading:
            texts.append(("Steering bilateral ties and the summit agenda today", True, None))
        for p in range(paras_per_article):
            topic = names[(a + p) % len(names)]
            body = list(rng.choice(words[topic], 10)) + list(rng.choice(SHARED, 3))
            rng.shuffle(body)
            texts.append((" ".join(body).capitalize() + ".", False, topic))
        if short:
            texts.append(("Beijing, Oct 28.", False, None))
        for i, (t, h, topic) in enumerate(texts):
            paras.append({"article_id": aid, "paragraph": i, "text": t, "is_heading": h})
            truth.append(topic)
        outlet = f"Outlet {a % n_outlets}"
        arts.append({
            "article_id": aid, "outlet": outlet,
            "outlet_group": "international" if a % n_outlets == 0 else "chinese_state",
            "published": pd.Timestamp("2025-10-01") + pd.Timedelta(days=15 * a) if dates
            else pd.NaT,
            "text": "\n\n".join(t for t, _, _ in texts),
        })
    articles = pd.DataFrame(arts)
    articles["published"] = pd.to_datetime(articles["published"])
    paragraphs = pd.DataFrame(paras)
    sentences = paragraphs.assign(sentence=paragraphs.groupby("article_id").cumcount())[
        ["article_id", "paragraph", "sentence", "text"]]
    corpus = SimpleNamespace(articles=articles, paragraphs=paragraphs, sentences=sentences)
    return corpus, pd.Series(truth, name="truth")


FAST = {"n_boot": 8, "n_seeds": 3, "k_range": range(2, 7)}


@pytest.fixture(scope="module")
def fitted():
    corpus, truth = make_corpus()
    return topics.TopicModel(**FAST).fit(corpus), corpus, truth


# ---- pure-matrix parts -----------------------------------------------------------------------
def test_canonical_labels_orders_by_size_then_first_appearance():
    labels = np.array([5, 2, 2, 7, 7, 7, -1, 5])
    out = topics.canonical_labels(labels)
    # 7 is largest -> 0; 5 and 2 both have two members, 5 appears first -> 1, 2 -> 2.
    assert out.tolist() == [1, 2, 2, 0, 0, 0, -1, 1]


def test_lsa_adapts_to_tiny_inputs():
    X = sp.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 1.0], [3.0, 1.0, 0.0]]))
    vec, pipe = topics.lsa(X, n_components=100, random_state=0)
    assert pipe is not None and pipe[0].n_components == 2  # < n_features and < n_units
    assert np.allclose(np.linalg.norm(vec, axis=1), 1.0)
    one, none = topics.lsa(X[:1], n_components=100)
    assert none is None and one.shape == (1, 3)
    assert np.isclose(np.linalg.norm(one), 1.0)


def blobs(n_per=25, centers=4, dim=12, seed=0, spread=0.08):
    rng = np.random.default_rng(seed)
    means = np.eye(dim)[:centers]
    X = np.vstack([m + spread * rng.standard_normal((n_per, dim)) for m in means])
    return X / np.linalg.norm(X, axis=1, keepdims=True), np.repeat(np.arange(centers), n_per)


def test_cluster_is_deterministic_for_a_seed():
    X, _ = blobs(spread=0.4)
    for method in topics.METHODS:
        a = topics.cluster(X, 4, method=method, random_state=3)
        b = topics.cluster(X, 4, method=method, random_state=3)
        assert np.array_equal(a, b)


def test_select_k_recovers_known_number_of_clusters():
    X, truth = blobs()
    table = topics.select_k(X, k_range=range(2, 8), random_state=0, n_boot=8, n_seeds=3)
    assert list(table.columns) == ["k", "silhouette", "stability_seed", "stability_boot"]
    assert table["k"].tolist() == list(range(2, 8))
    k, reason = topics.choose_k(table)
    assert k == 4 and "k=4" in reason
    labels = topics.cluster(X, k, random_state=0)
    assert adjusted_rand_score(truth, labels) >= 0.9
    row = table.set_index("k").loc[4]
    assert row["stability_boot"] > 0.9 and row["stability_seed"] > 0.9


def test_choose_k_rule_threshold_and_ties():
    sel = pd.DataFrame({"k": [2, 3, 4, 5], "silhouette": [0.30, 0.50, 0.50, 0.70],
                        "stability_seed": 1.0, "stability_boot": [0.9, 0.8, 0.8, 0.4]})
    k, _ = topics.choose_k(sel)  # k=5 has the best silhouette but is unstable; 3 and 4 tie
    assert k == 3
    near = sel.assign(silhouette=[0.30, 0.495, 0.50, 0.70])  # 3 within 0.01 of 4's best
    assert topics.choose_k(near)[0] == 3
    assert topics.choose_k(near, tolerance=0.001)[0] == 4
    k, reason = topics.choose_k(sel.assign(stability_boot=[0.2, 0.5, 0.5, 0.1]))
    assert k == 3 and "no k reached" in reason
    k, reason = topics.choose_k(sel.iloc[0:0])
    assert k == 1 and "one topic" in reason


def test_feasible_k_needs_units_per_topic():
    assert topics.feasible_k(10, range(2, 9)) == [2, 3]
    assert topics.feasible_k(4, range(2, 9)) == []


# ---- c-TF-IDF ----------------------------------------------------------------------------------
def test_ctfidf_matches_hand_computation():
    # terms: a b c d ; units 0, 2 in topic 0; units 1, 3 in topic 1; unit 4 too short (-1)
    counts = sp.csr_matrix(np.array([
        [2, 1, 0, 0],
        [0, 1, 3, 0],
        [1, 0, 0, 0],
        [0, 0, 0, 2],
        [0, 0, 9, 0],
    ]))
    labels = np.array([0, 1, 0, 1, -1])
    # topic 0: a=3 b=1 (4 words); topic 1: b=1 c=3 d=2 (6 words); A = 5
    # f: a=3 b=2 c=3 d=2 (the -1 unit is not counted)
    A = 5.0
    expected = np.array([
        [3 / 4 * math.log(1 + A / 3), 1 / 4 * math.log(1 + A / 2), 0.0, 0.0],
        [0.0, 1 / 6 * math.log(1 + A / 2), 3 / 6 * math.log(1 + A / 3),
         2 / 6 * math.log(1 + A / 2)],
    ])
    weights, classes = topics.ctfidf(counts, labels)
    assert classes.tolist() == [0, 1]
    assert np.allclose(weights, expected)
    terms = topics.top_terms(counts, labels, ["a", "b", "c", "d"], n_terms=2)
    # topic 1: c = 0.5*log(8/3) = 0.490 > d = (1/3)*log(3.5) = 0.418 > b
    assert terms[terms.topic == 1]["term"].tolist() == ["c", "d"]
    assert terms[terms.topic == 0]["term"].tolist() == ["a", "b"]
    assert topics.topic_labels(terms, n=2).loc[1] == "c / d"
    assert topics.topic_labels(terms).loc[-1] == topics.TOO_SHORT_LABEL


def test_central_units_are_closest_to_centroid():
    X = np.array([[1.0, 0.0], [0.9, 0.1], [0.6, 0.4], [0.0, 1.0], [0.1, 0.9]])
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    labels = np.array([0, 0, 0, 1, 1])
    central = topics.central_units(X, labels, n=2)
    centroid = X[:3].mean(axis=0)
    sims = X[:3] @ centroid / np.linalg.norm(centroid)
    assert central[central.topic == 0]["row"].tolist() == list(np.argsort(-sims)[:2])
    assert central.groupby("topic").size().tolist() == [2, 2]


# ---- the model on a synthetic corpus -----------------------------------------------------------
def test_model_recovers_known_topics(fitted):
    model, _, truth = fitted
    assert model.k_ == 3, model.k_reason_
    a = model.assignments_
    topical = truth.notna().to_numpy()
    assert adjusted_rand_score(truth[topical], a.loc[topical, "topic"]) >= 0.9
    # each topic's label is made of words from one pool
    for _, row in model.labels_[model.labels_.topic >= 0].iterrows():
        terms = row["topic_label"].split(" / ")
        assert len(terms) == 3
        assert any(set(terms) <= set(pool.split()) for pool in POOLS.values()), terms
    assert set(model.k_selection_["k"]) == set(FAST["k_range"])


def test_short_units_are_excluded_and_flagged(fitted):
    model, corpus, truth = fitted
    a = model.assignments_
    short = a["topic"] == topics.TOO_SHORT
    # headings (long enough in words, but flagged) and datelines (too few tokens) are -1
    assert short.tolist() == truth.isna().tolist()
    assert (a.loc[short, "topic_label"] == topics.TOO_SHORT_LABEL).all()
    assert a.loc[short, "similarity"].isna().all()
    assert model.vectors_.shape[0] == int((~short).sum())
    n_headings = int(corpus.paragraphs["is_heading"].sum())
    assert n_headings > 0 and (a.loc[corpus.paragraphs["is_heading"], "topic"] == -1).all()
    # too-short units never contribute terms
    assert not model.terms_["term"].isin(["oct"]).any()
    assert model.labels_.set_index("topic").loc[-1, "n_units"] == int(short.sum())
    assert model.labels_["n_units"].sum() == len(a)


def test_unit_without_shared_vocabulary_is_short():
    corpus, _ = make_corpus(heading=False, short=False)
    odd = pd.DataFrame([{"article_id": "a000", "paragraph": 99, "is_heading": False,
                         "text": "Zebra quokka narwhal axolotl pangolin okapi."}])
    corpus.paragraphs = pd.concat([corpus.paragraphs, odd], ignore_index=True)
    corpus.sentences = pd.concat([corpus.sentences, odd.assign(sentence=99)[
        ["article_id", "paragraph", "sentence", "text"]]], ignore_index=True)
    model = topics.TopicModel(**FAST).fit(corpus)
    row = model.units_[model.units_["paragraph"] == 99].iloc[0]
    assert row["n_content_tokens"] == 6 and row["is_short"]
    assert row["short_reason"] == "no word shared with another unit"
    assert (model.units_["short_reason"] != "").sum() == 1
    kept = topics.TopicModel(min_df=1, **FAST).fit(corpus)
    assert not kept.units_.loc[kept.units_["paragraph"] == 99, "is_short"].item()


def test_auto_components_and_sensitivity(fitted):
    assert topics.auto_components(10) == 2
    assert topics.auto_components(150) == 10
    assert topics.auto_components(10**6) == 100
    model, _, _ = fitted
    sens = model.sensitivity(n_components=[2, 3, 500])
    cap = min(model.tfidf_.shape) - 1  # below the number of units and of features
    assert sens["n_components"].tolist() == [2, 3, cap]  # 500 is capped
    assert (sens["k"] >= 1).all() and sens["stable"].dtype == bool
    assert sens["explained_variance"].is_monotonic_increasing


def test_min_tokens_parameter():
    corpus, _ = make_corpus(heading=False, short=False)
    long_enough = topics.TopicModel(k=3, min_tokens=5).fit(corpus)
    assert (long_enough.assignments_["topic"] >= 0).all()
    none = topics.TopicModel(k=3, min_tokens=100).fit(corpus)
    assert (none.assignments_["topic"] == -1).all() and none.k_ == 0


def test_labels_deterministic_for_fixed_seed():
    corpus, _ = make_corpus(seed=4)
    a = topics.TopicModel(random_state=7, **FAST).fit(corpus)
    b = topics.TopicModel(random_state=7, **FAST).fit(corpus)
    pd.testing.assert_frame_equal(a.assignments_, b.assignments_)
    pd.testing.assert_frame_equal(a.k_selection_, b.k_selection_)
    pd.testing.assert_frame_equal(a.labels_, b.labels_)


def test_agglomerative_alternative(fitted):
    model, corpus, truth = fitted
    alt = topics.TopicModel(method="agglomerative", **FAST).fit(corpus)
    topical = truth.notna().to_numpy()
    assert alt.k_ == 3
    assert adjusted_rand_score(truth[topical], alt.assignments_.loc[topical, "topic"]) >= 0.9


@pytest.mark.parametrize("level", ["sentence", "article"])
def test_other_levels(level):
    corpus, _ = make_corpus()
    model = topics.TopicModel(level=level, **FAST).fit(corpus)
    keys = LEVEL_KEYS[level]
    assert list(model.assignments_.columns[: len(keys)]) == keys
    assert len(model.assignments_) == len(getattr(
        corpus, {"sentence": "sentences", "article": "articles"}[level]))


def test_embed_hook():
    corpus, truth = make_corpus()
    calls = []

    def embed(texts):
        calls.append(len(texts))
        pools = [set(p.split()) for p in POOLS.values()]
        return np.array([[len(set(t.lower().strip(".").split()) & p) for p in pools]
                         for t in texts], dtype=float)

    model = topics.TopicModel(embed=embed, **FAST).fit(corpus)
    topical = truth.notna().to_numpy()
    assert calls == [int(topical.sum())]
    assert adjusted_rand_score(truth[topical], model.assignments_.loc[topical, "topic"]) >= 0.9


def test_tiny_corpora_do_not_crash():
    one, _ = make_corpus(n_articles=1, paras_per_article=2)
    model = topics.TopicModel().fit(one)
    assert model.k_ == 1 and "one topic" in model.k_reason_
    assert model.k_selection_.empty
    assert set(model.assignments_["topic"]) == {-1, 0}
    assert len(model.map_table()) == int((model.assignments_["topic"] == 0).sum())
    nothing = topics.TopicModel(min_tokens=1000).fit(one)
    assert nothing.k_ == 0 and (nothing.assignments_["topic"] == -1).all()
    assert nothing.central_.empty and nothing.map_table().empty
    plt.close(topics.plot_map(nothing.map_table()))
    plt.close(topics.plot_k_selection(model.k_selection_))
    plt.close(topics.plot_map(model.map_table()))


# ---- shares, time, plots ---------------------------------------------------------------------
@pytest.mark.parametrize("by", ["outlet", "outlet_group"])
def test_shares_sum_to_unit_counts(fitted, by):
    model, _, _ = fitted
    shares = model.shares(by=by)
    a = model.assignments_
    per_group = shares.groupby(by)["n"].sum()
    assert per_group.to_dict() == a[by].value_counts().to_dict()
    assert shares["n"].sum() == len(a)
    # complete grid, shares add to one within a group, counts match a direct count
    assert len(shares) == a[by].nunique() * a["topic"].nunique()
    assert np.allclose(shares.groupby(by)["share"].sum(), 1.0)
    direct = a.groupby([by, "topic"]).size()
    for (g, t), n in direct.items():
        assert shares.loc[(shares[by] == g) & (shares.topic == t), "n"].item() == n


def test_topics_over_time_and_no_dates(fitted):
    model, _, _ = fitted
    ot = model.over_time()
    assert ot.groupby("period")["n"].sum().sum() == len(model.assignments_)
    corpus, _ = make_corpus(dates=False)
    undated = topics.TopicModel(**FAST).fit(corpus)
    assert undated.over_time().empty


def test_plots_return_figures_with_many_outlets():
    corpus, _ = make_corpus(n_articles=24, n_outlets=12)
    model = topics.TopicModel(**FAST).fit(corpus)
    for fig in (topics.plot_k_selection(model.k_selection_, k=model.k_),
                topics.plot_outlet_heatmap(model.shares(by="outlet"), by="outlet"),
                topics.plot_topics_over_time(model.over_time()),
                topics.plot_map(model.map_table())):
        assert isinstance(fig, plt.Figure)
        plt.close(fig)


# ---- validation ------------------------------------------------------------------------------
def write_annotations(tmp_path, corpus, truth, corrupt=0):
    rows = corpus.paragraphs.assign(topic_label=truth.map(
        {"trade": "Economy", "security": "Security", "climate": "Environment"}))
    rows = rows[rows["topic_label"].notna()][["article_id", "paragraph", "text", "topic_label"]]
    rows = rows.reset_index(drop=True)
    for i in range(corrupt):
        rows.loc[i, "text"] = "Some other paragraph text."
    path = tmp_path / "paragraph_topics.csv"
    rows.to_csv(path, index=False)
    return path, len(rows)


def test_validation_perfect_labels(tmp_path, fitted):
    model, corpus, truth = fitted
    path, n = write_annotations(tmp_path, corpus, truth)
    v = model.validate(str(path))
    assert v.n_annotated == n and v.n_compared == n and v.mismatches.empty
    assert v.ari == pytest.approx(1.0) and v.nmi == pytest.approx(1.0)
    assert v.confusion.to_numpy().sum() == n
    assert (v.confusion.astype(bool).sum(axis=0) == 1).all()  # each hand label -> one topic
    assert (v.majority()["purity"] == 1).all()
    assert sorted(v.majority()["hand_label"]) == ["Economy", "Environment", "Security"]


def test_validation_reports_text_mismatches(tmp_path, fitted):
    model, corpus, truth = fitted
    path, n = write_annotations(tmp_path, corpus, truth, corrupt=2)
    ann = read_annotations(path, level="paragraph")
    extra = pd.DataFrame([{"article_id": "zzz", "paragraph": 0, "text": "x", "topic_label": "E"}])
    with pytest.warns(UserWarning, match="do not match the corpus"):
        v = model.validate(pd.concat([ann, extra], ignore_index=True))
    assert len(v.mismatches) == 3 and v.n_compared == n - 2
    assert set(v.mismatches["problem"]) == {"text differs from the corpus paragraph",
                                            "no such paragraph in the corpus"}


def test_validation_absent_sample(fitted):
    model, _, _ = fitted
    assert model.validate("") is None
    assert model.validate("does/not/exist.csv") is None


def test_read_annotations_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("article_id,paragraph,label\na,0,x\n")
    with pytest.raises(ValueError, match="missing column"):
        read_annotations(bad, level="paragraph")
    bad.write_text("article_id,paragraph,text,topic_label\na,1.5,x,y\n")
    with pytest.raises(ValueError, match="not an integer"):
        read_annotations(bad, level="paragraph")


# ---- scale path ------------------------------------------------------------------------------
def test_minibatch_runs_chunk_by_chunk_and_agrees_with_kmeans(fitted):
    model, corpus, truth = fitted
    texts = corpus.paragraphs.sort_values(["article_id", "paragraph"])[["text", "is_heading"]]
    sizes = []

    def chunks():
        for start in range(0, len(texts), 16):
            chunk = texts.iloc[start:start + 16]
            sizes.append(len(chunk))
            yield chunk

    mb = topics.fit_minibatch(chunks, n_clusters=3, batch_size=20, random_state=0)
    n_chunks = math.ceil(len(texts) / 16)
    assert len(sizes) == 2 * n_chunks and max(sizes) <= 16  # IDF pass + fit pass, by chunk
    assert mb.n_units == len(texts)
    labels = np.concatenate(list(mb.predict(chunks)))
    assert len(labels) == len(texts)
    full = model.assignments_["topic"].to_numpy()
    topical = truth.notna().to_numpy()
    assert (labels[~topical] == -1).all()  # same units left out: headings and datelines
    assert adjusted_rand_score(full[topical], labels[topical]) >= 0.9


def test_minibatch_one_shot_iterator():
    corpus, _ = make_corpus()
    texts = corpus.paragraphs["text"]
    gen = (texts.iloc[i:i + 10] for i in range(0, len(texts), 10))
    with pytest.raises(ValueError, match="one-shot iterator"):
        topics.fit_minibatch(gen, n_clusters=3, batch_size=10)
    gen = (texts.iloc[i:i + 10].tolist() for i in range(0, len(texts), 10))
    mb = topics.fit_minibatch(gen, n_clusters=3, batch_size=10, idf=False)
    assert mb.idf is None and mb.n_fitted > 3


def _paragraph_dfm(corpus):
    from analysis import tokens

    toks = tokens.Tokens.from_corpus(corpus, level="sentence")
    return tokens.dfm(toks, level="paragraph")


def test_minibatch_on_precomputed_matrix_agrees_with_text_path(fitted):
    model, corpus, truth = fitted
    par = _paragraph_dfm(corpus)
    keys = par.docs[["article_id", "paragraph"]]
    paras = corpus.paragraphs.sort_values(["article_id", "paragraph"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(keys, paras[["article_id", "paragraph"]])
    par.docs["is_heading"] = paras["is_heading"].to_numpy()
    mb = topics.fit_minibatch(topics.matrix_chunks(par, size=16), n_clusters=3, batch_size=20,
                              random_state=0)
    assert mb.vectorizer is None and mb.features is not None
    assert not mb.features.isin(stopwords()).any()
    assert mb.n_units == len(paras)
    labels = np.concatenate(list(mb.predict(topics.matrix_chunks(par, size=16))))
    text = topics.fit_minibatch([paras[["text", "is_heading"]]], n_clusters=3, batch_size=20,
                                random_state=0)
    text_labels = next(text.predict([paras[["text", "is_heading"]]]))
    topical = truth.notna().to_numpy()
    assert ((labels == -1) == (text_labels == -1)).all()
    assert (labels[~topical] == -1).all()
    known = pd.factorize(truth[topical])[0]
    assert adjusted_rand_score(known, labels[topical]) >= 0.9
    assert adjusted_rand_score(text_labels[topical], labels[topical]) >= 0.9
    # a plain sparse matrix works too, and a fitted model refuses the other kind of chunk
    body = np.flatnonzero(~paras["is_heading"].to_numpy(dtype=bool))  # no heading flag here
    plain = topics.fit_minibatch([par.matrix[body]], n_clusters=3, batch_size=20, random_state=0)
    plain_labels = np.full(len(paras), -1)
    plain_labels[body] = next(plain.predict([par.matrix[body]]))
    assert adjusted_rand_score(known, plain_labels[topical]) >= 0.9
    with pytest.raises(ValueError, match="matrix chunks"):
        next(plain.predict([paras["text"]]))
    with pytest.raises(ValueError, match="columns"):
        next(plain.predict([par.matrix[:, :-1]]))


def test_minibatch_matrix_chunks_are_consumed_lazily():
    corpus, truth = make_corpus(n_articles=30)
    par = _paragraph_dfm(corpus)
    blocks = topics.matrix_chunks(par, size=10)
    live = []

    def chunks():
        for block in blocks():
            live.append(block.shape[0])
            assert len(live) <= math.ceil(par.shape[0] / 10) * 2  # at most two passes
            yield block

    gen = chunks()
    assert live == []  # nothing read before the model asks
    mb = topics.fit_minibatch(chunks, n_clusters=3, batch_size=20, max_features=8,
                              random_state=0)
    assert max(live) <= 10 and len(live) == 2 * math.ceil(par.shape[0] / 10)
    assert len(mb.columns) == 8 and (np.diff(mb.columns) > 0).all()
    del gen
    # a one-shot generator of blocks needs the document-frequency pass: refused
    with pytest.raises(ValueError, match="one-shot iterator"):
        topics.fit_minibatch(iter(list(blocks())), n_clusters=3, batch_size=20)


@pytest.mark.parametrize("max_features", [None, 8])
def test_minibatch_centres_do_not_depend_on_batch_labels(monkeypatch, max_features):
    """fit_minibatch skips the labels partial_fit computes after each update (unused);
    the centres and predictions equal those of a model that computes them."""
    corpus, _ = make_corpus(n_articles=30)
    par = _paragraph_dfm(corpus)
    chunks = topics.matrix_chunks(par, size=25)
    kwargs = dict(n_clusters=3, batch_size=20, random_state=0, max_features=max_features)
    fast = topics.fit_minibatch(chunks, **kwargs)
    real = minibatch.MiniBatchKMeans

    def with_labels(**params):
        return real(**{**params, "compute_labels": True})

    monkeypatch.setattr(minibatch, "MiniBatchKMeans", with_labels)
    slow = topics.fit_minibatch(chunks, **kwargs)
    assert hasattr(slow.model, "labels_") and not hasattr(fast.model, "labels_")
    np.testing.assert_array_equal(fast.model.cluster_centers_, slow.model.cluster_centers_)
    for a, b in zip(fast.predict(chunks), slow.predict(chunks), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("max_features", [None, 8])
def test_matrix_rows_equal_the_plain_steps(max_features):
    from sklearn.preprocessing import normalize

    corpus, _ = make_corpus(n_articles=20)
    par = _paragraph_dfm(corpus)
    mb = topics.fit_minibatch(topics.matrix_chunks(par, size=30), n_clusters=3, batch_size=20,
                              random_state=0, max_features=max_features)
    counts = sp.csr_matrix(par.matrix, dtype=np.float64)  # the plain order of the steps
    short = np.asarray(counts @ mb.keep).ravel() < mb.min_tokens
    plain = counts[np.flatnonzero(~short)][:, mb.columns]
    plain.data *= mb.idf[plain.indices]
    plain = normalize(plain)
    got, got_short = mb.transform(par)
    np.testing.assert_array_equal(got_short, short)
    assert got.shape == plain.shape
    for a in ("data", "indices", "indptr"):
        np.testing.assert_array_equal(getattr(got, a), getattr(plain, a))


# ---- the subsample rule on large corpora (issue #18) ----------------------------------------
def _record_silhouette(monkeypatch):
    """Record the number of units every silhouette is computed on."""
    from analysis.topics import select

    seen, original = [], select.silhouette_score

    def recording(X, labels, **kw):
        seen.append(len(X) if kw.get("sample_size") is None else min(len(X), kw["sample_size"]))
        return original(X, labels, **kw)

    monkeypatch.setattr(select, "silhouette_score", recording)
    return seen


def test_k_selection_runs_on_the_stated_sample_and_seed(monkeypatch):
    corpus, _ = make_corpus(n_articles=30, paras_per_article=6)  # 180 clustered paragraphs
    seen = _record_silhouette(monkeypatch)
    model = topics.TopicModel(max_select_units=60, random_state=3, **FAST).fit(corpus)
    n_fit = len(model.fit_rows_)
    assert n_fit == 180
    assert len(model.select_rows_) == 60 and len(set(model.select_rows_)) == 60
    expected = np.sort(np.random.default_rng(3).choice(n_fit, 60, replace=False))
    np.testing.assert_array_equal(model.select_rows_, expected)  # the seed is honoured
    assert seen and max(seen) <= 60  # never on all units: the silhouette is quadratic
    # every unit is still assigned (the final k-means runs over all of them)
    assert (model.assignments_["topic"] >= 0).sum() == n_fit
    other = topics.TopicModel(max_select_units=60, random_state=4, **FAST).fit(corpus)
    assert not np.array_equal(other.select_rows_, model.select_rows_)
    # below the stated size the sample is the whole corpus (the bundled corpus' case)
    whole = topics.TopicModel(max_select_units=500, random_state=3, **FAST).fit(corpus)
    np.testing.assert_array_equal(whole.select_rows_, np.arange(n_fit))


def test_subsampled_fit_is_deterministic():
    corpus, _ = make_corpus(n_articles=30, paras_per_article=6)
    a = topics.TopicModel(max_select_units=60, **FAST).fit(corpus)
    b = topics.TopicModel(max_select_units=60, **FAST).fit(corpus)
    pd.testing.assert_frame_equal(a.assignments_, b.assignments_)
    pd.testing.assert_frame_equal(a.k_selection_, b.k_selection_)


def test_cluster_restarts_run_on_the_sample_and_assign_every_unit(monkeypatch):
    from analysis.topics import select

    fits = []

    class Recording(select.KMeans):
        def fit(self, X, y=None, sample_weight=None):
            fits.append((len(X), self.n_init))
            return super().fit(X, y, sample_weight)

    monkeypatch.setattr(select, "KMeans", Recording)
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(c, 0.2, (200, 3)) for c in (0.0, 3.0, 6.0)])
    labels = select.cluster(X, 3, init_sample=50, n_init=10)
    assert fits == [(50, 10), (600, 1)]  # restarts on 50 units, one run over all 600
    assert len(labels) == 600 and np.bincount(labels).tolist() == [200, 200, 200]
    fits.clear()
    np.testing.assert_array_equal(select.cluster(X, 3, init_sample=None, n_init=10),
                                  select.cluster(X, 3, init_sample=600, n_init=10))
    assert fits == [(600, 10), (600, 10)]  # no sample when the units are not more


def test_sensitivity_fits_lsa_and_selection_on_its_sample(monkeypatch):
    from analysis.topics import model as model_module

    corpus, _ = make_corpus(n_articles=30, paras_per_article=6)
    fitted = topics.TopicModel(max_select_units=60, **FAST).fit(corpus)
    shapes, original = [], model_module.lsa

    def recording(X, **kw):
        shapes.append(X.shape[0])
        return original(X, **kw)

    monkeypatch.setattr(model_module, "lsa", recording)
    seen = _record_silhouette(monkeypatch)
    sens = fitted.sensitivity(n_components=[2, 4], max_units=40)
    assert shapes == [40, 40] and max(seen) <= 40
    assert len(sens) == 2


def test_map_draws_a_stated_sample():
    rng = np.random.default_rng(0)
    points = pd.DataFrame({"x": rng.normal(size=300), "y": rng.normal(size=300),
                           "topic": rng.integers(0, 3, 300), "topic_label": "t",
                           "outlet": "A", "outlet_group": "international"})
    points["topic_label"] = "topic " + points["topic"].astype(str)
    fig = topics.plot_map(points, max_points=100)
    drawn = sum(len(c.get_offsets()) for c in fig.axes[0].collections)
    assert drawn == 100
    assert "random sample of 100 of 300 units" in fig.axes[0].get_title()
    whole = topics.plot_map(points, max_points=None)
    assert sum(len(c.get_offsets()) for c in whole.axes[0].collections) == 300
    assert "sample" not in whole.axes[0].get_title()
    plt.close("all")


def test_lsa_fitted_on_a_sample_projects_every_unit():
    from analysis.topics import select

    X = sp.random(400, 60, density=0.2, random_state=1, format="csr")
    vectors, pipe = select.lsa(X, n_components=5, fit_sample=100, random_state=2)
    rows = np.sort(np.random.default_rng(2).choice(400, 100, replace=False))
    _, on_sample = select.lsa(X[rows], n_components=5, random_state=2)
    np.testing.assert_allclose(pipe[0].components_, on_sample[0].components_)  # fitted on the sample
    assert vectors.shape == (400, 5)  # every unit projected
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0)
    full, _ = select.lsa(X, n_components=5, fit_sample=400, random_state=2)
    np.testing.assert_allclose(full, select.lsa(X, n_components=5, random_state=2)[0])


def test_distinct_rows_counted_as_before():
    # n_distinct compares rows as bytes since issue #18: same count as np.unique(axis=0),
    # -0.0 and 0.0 equal, rounding to 10 decimals kept; cluster's cheaper check agrees
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    X = np.vstack([X, X[:40], -0.0 * X[:5], 0.0 * X[:5], X[:3] + 1e-12])
    expected = np.unique(np.round(X, 10), axis=0).shape[0]
    assert topics.n_distinct(X) == expected == 300 + 1
    assert topics.n_distinct(np.zeros((0, 3))) == 0
    assert topics.n_distinct(np.zeros((4, 0))) == 1
    assert sel._at_least_distinct(np.vstack([np.zeros((500, 2)), np.eye(2)]), 3)
    assert not sel._at_least_distinct(np.vstack([np.zeros((500, 2)), np.eye(2)]), 4)


def test_select_k_in_parallel_processes_gives_the_same_table():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(c, 0.3, (200, 3)) for c in (0, 2, 4)])
    assert len(X) >= sel.PARALLEL_FROM
    opts = dict(k_range=range(2, 5), n_boot=3, n_seeds=2, n_init=2, random_state=0)
    pd.testing.assert_frame_equal(sel.select_k(X, **opts), sel.select_k(X, n_jobs=2, **opts),
                                  check_exact=True)


def test_cluster_on_a_read_only_matrix():
    # the final run over all units centres X in place (copy_x=False) only when X is writeable
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 0.1, (300, 2)), rng.normal(3, 0.1, (100, 2))])
    X.flags.writeable = False
    assert np.bincount(topics.cluster(X, 2, init_sample=50)).tolist() == [300, 100]


def test_sensitivity_scores_seed_stability_of_the_chosen_k_as_the_full_table_does(fitted):
    # sensitivity asks select_k for no seed stability and computes it for the chosen k alone
    # (issue #18): the table is the one the full k-selection gives
    model, _, _ = fitted
    sens = model.sensitivity(n_components=[3, 6])
    opts = dict(k_range=model.k_range, random_state=model.random_state, n_boot=model.n_boot,
                n_seeds=model.n_seeds, method=model.method, n_init=model.n_init)
    for row in sens.itertuples():
        vectors, _ = sel.lsa(model.tfidf_, n_components=row.n_components,
                             random_state=model.random_state)
        full = sel.select_k(vectors, **opts)
        k, _ = sel.choose_k(full, min_stability=model.min_stability,
                            tolerance=model.k_tolerance)
        expected = full.set_index("k").loc[k]
        assert row.k == k
        assert (row.silhouette, row.stability_seed, row.stability_boot) == (
            expected["silhouette"], expected["stability_seed"], expected["stability_boot"])
        partial = sel.select_k(vectors, seed_stability=False, **opts)
        assert partial["stability_seed"].isna().all()
        pd.testing.assert_frame_equal(partial.drop(columns="stability_seed"),
                                      full.drop(columns="stability_seed"), check_exact=True)


def test_weighted_rows_cluster_as_the_repeated_rows():
    # a bootstrap replicate is clustered as its distinct units with their counts (issue #18):
    # the same k-means++ draws and Lloyd steps as on the rows repeated, so the same partition
    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal(c, 0.6, (120, 5)) for c in (0.0, 1.0, 2.0)])
    for seed in range(6):
        idx = np.sort(rng.integers(0, len(X), len(X)))
        distinct, first, copies = np.unique(idx, return_index=True, return_counts=True)
        for k in (2, 3, 5):
            repeated = sel.cluster(X[idx], k, random_state=seed, n_init=4)[first]
            weighted = sel.cluster(X[distinct], k, random_state=seed, n_init=4,
                                   sample_weight=copies)
            np.testing.assert_array_equal(weighted, repeated)
    with pytest.raises(ValueError, match="sample_weight"):
        sel.cluster(X, 2, sample_weight=np.ones(len(X), dtype=int), method="agglomerative")
    with pytest.raises(ValueError, match="sample_weight"):
        sel.cluster(X, 2, sample_weight=np.full(len(X), 0.5))


def test_bootstrap_stability_as_on_the_rows_drawn():
    # stability_boot clusters the distinct units weighted by their copies: the same scores as
    # clustering the rows drawn, replicate by replicate
    rng = np.random.default_rng(4)
    X = np.vstack([rng.normal(c, 0.8, (100, 4)) for c in (0.0, 1.5, 3.0)])
    for k in (2, 4):
        reference = sel.cluster(X, k, random_state=0, n_init=3)
        draws = np.random.default_rng(0)
        scores = []
        for seed in sel._seeds(0, 6):
            idx = np.sort(draws.integers(0, len(X), len(X)))
            distinct, first = np.unique(idx, return_index=True)
            labels = sel.cluster(X[idx], k, random_state=seed, n_init=3)[first]
            scores.append(adjusted_rand_score(reference[distinct], labels))
        assert sel.stability_boot(X, k, random_state=0, n_boot=6, n_init=3) == np.mean(scores)


def test_shares_with_copies_weigh_and_count_units_per_paragraph(fitted):
    # the weights are looked up once per article since issue #18: the same counts, shares and
    # independent articles as weighing every paragraph on its own
    from analysis.stats import independent_units, unit_weights

    model, corpus, _ = fitted
    ids = corpus.articles["article_id"].tolist()
    units = independent_units(corpus.articles.assign(
        duplicate_of=[None, ids[0], None, ids[2], ids[2]] + [None] * (len(ids) - 5)))
    a = model.assignments_
    shares = model.shares(by="outlet", units=units)
    w = unit_weights(a["article_id"], units)
    frame = a.assign(weight=w["weight"].to_numpy(), unit=w["unit_id"].to_numpy())
    n = frame.groupby(["outlet", "topic"])["weight"].sum()
    articles = frame.groupby("outlet")["unit"].nunique()
    for row in shares.itertuples():
        assert row.n == pytest.approx(n.get((row.outlet, row.topic), 0.0), abs=1e-6)
        assert row.n_articles == articles[row.outlet]
    assert (w["weight"] < 1).any()  # the copies are weighed down


def test_lsa_on_a_sample_is_fitted_on_the_words_the_sample_uses():
    # issue #18: words absent from the sample are dropped from the SVD fit and get zero loadings;
    # the pipeline still transforms matrices of the full width
    from sklearn.decomposition import TruncatedSVD

    X = sp.random(400, 80, density=0.1, random_state=5, format="csr")
    X = sp.hstack([X, sp.random(400, 40, density=0.002, random_state=6)], format="csr")
    rows = np.sort(np.random.default_rng(2).choice(400, 100, replace=False))
    used = np.flatnonzero(X[rows].getnnz(axis=0))
    assert len(used) < X.shape[1]  # some words are absent from the sample
    vectors, pipe = sel.lsa(X, n_components=5, fit_sample=100, random_state=2)
    own = TruncatedSVD(n_components=5, random_state=2).fit(X[rows][:, used])
    np.testing.assert_array_equal(pipe[0].components_[:, used], own.components_)
    assert not pipe[0].components_[:, np.setdiff1d(np.arange(X.shape[1]), used)].any()
    np.testing.assert_allclose(pipe[0].explained_variance_ratio_, own.explained_variance_ratio_)
    expected = own.transform(X[:, used])
    expected /= np.linalg.norm(expected, axis=1, keepdims=True).clip(1e-300)
    np.testing.assert_allclose(vectors, expected, atol=1e-12)
    assert pipe.transform(X[:3]).shape == (3, 5)
