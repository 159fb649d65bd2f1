"""Tests of analysis.tone: dictionary matching, negation, vectorized = reference, validation, comparison."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import tokens, tone
from analysis.corpus import load_corpus
from analysis.handcoded import read_annotations

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(RAW)


@pytest.fixture(scope="module")
def scored(corpus):
    return tone.score_sentences(corpus)


@pytest.fixture(scope="module")
def table(corpus, scored):
    return tone.sentence_table(corpus, scored, tone="framing")


def _write_lexicon(path: Path, rows: list[tuple]) -> Path:
    df = pd.DataFrame(rows, columns=["term", "direction", "weight", "category"]).assign(note="")
    df.to_csv(path, index=False)
    return path


@pytest.fixture
def small_lexicon(tmp_path):
    rows = [
        ("win-win", 1, 2, "principle"),
        ("mutual respect", 1, 1.5, "principle"),
        ("meet halfway", 1, 1, "cooperation"),
        ("trade war", -1, 2, "conflict"),
        ("war", -1, 1, "conflict"),
        ("decoupling", -1, 1, "conflict"),
        ("sustainable", 1, 1, "state"),
        ("confrontation", -1, 1, "conflict"),
        ("cooperation", 1, 1, "cooperation"),
        ("U.S. pressure", -1, 1, "conflict"),
        ("economic cooperation organization", 0, 0, "blocker"),
        ("not", 0, 0, "negator"),
        ("no", 0, 0, "negator"),
        ("don't", 0, 0, "negator"),
        ("avoid", 0, 0, "shifter"),
        ("not only", 0, 0, "pseudo_negation"),
    ]
    return tone.load_lexicon(_write_lexicon(tmp_path / "small_lexicon.csv", rows))


def _counts(texts: list[str], lexicon) -> pd.DataFrame:
    tok = tokens.tokens_from_frame(pd.DataFrame({"article_id": [f"a{i:06d}" for i in range(len(texts))], "text": texts}))
    d = tone.lexicon_counts(tok, lexicon)
    return pd.DataFrame(d.matrix.toarray(), columns=d.features)


def _score(texts: list[str], lexicon) -> np.ndarray:
    tok = tokens.tokens_from_frame(pd.DataFrame({"article_id": [f"a{i:06d}" for i in range(len(texts))], "text": texts}))
    return tone.lexicon_score(tone.lexicon_counts(tok, lexicon), lexicon)["score"].to_numpy()


# ----------------------------------------------------------------- lexicon files


def test_lexicon_loader_separates_rules_and_normalises_terms(small_lexicon):
    assert small_lexicon.negation
    assert {"not", "no", "don't", "avoid"} == set(small_lexicon.negators)
    assert ("not", "only") in small_lexicon.pseudo_negations
    norms = set(small_lexicon.terms["norm"])
    assert "united_states pressure" in norms  # "U.S." written the way the tokenizer writes it
    assert "not" not in norms


def test_lexicon_loader_names_file_and_row_of_bad_entry(tmp_path):
    path = _write_lexicon(tmp_path / "bad_lexicon.csv", [("peace", 1, 1, "x"), ("war", 2, 1, "x")])
    with pytest.raises(ValueError, match=r"bad_lexicon\.csv, row 3 \('war'\)"):
        tone.load_lexicon(path)
    dup = _write_lexicon(tmp_path / "dup_lexicon.csv", [("Win-win", 1, 1, "x"), ("win win", 1, 2, "x")])
    with pytest.raises(ValueError, match="normalise to the same tokens"):
        tone.load_lexicon(dup)


@pytest.mark.parametrize("lexicon", [tone.framing_lexicon, tone.assertiveness_lexicon])
def test_every_bundled_term_matches_itself_with_its_direction(lexicon):
    lex = lexicon()
    scored = lex.terms[lex.terms["weight"] > 0]
    got = np.sign(_score(scored["term"].tolist(), lex))
    wrong = scored.loc[got != scored["direction"].to_numpy(), "term"].tolist()
    assert wrong == []


def test_bundled_framing_lexicon_has_the_required_vocabulary():
    lex = tone.framing_lexicon().terms.set_index("term")
    for term in ["win-win", "mutual respect", "meet halfway", "dialogue", "stability"]:
        assert lex.loc[term, "direction"] == 1
    for term in ["red line", "trade war", "at loggerheads", "arms sales", "decoupling", "confrontation",
                 "tariffs", "export controls", "miscalculation", "zero-sum", "bloc confrontation"]:
        assert lex.loc[term, "direction"] == -1
    assert not tone.assertiveness_lexicon().negation  # hedging is not reversed by "not"


# ----------------------------------------------------------------- matching


def test_multiword_phrases_and_hyphenated_compounds_match(small_lexicon):
    c = _counts(
        [
            "A Win-win deal, a win win deal and a win–win deal.",  # hyphen, space, en dash
            "They showed mutual respect and agreed to meet halfway.",
            "The trade war is a war.",
            "U.S. pressure grew.",
            "The Economic Cooperation Organization met.",
        ],
        small_lexicon,
    )
    assert c.loc[0, "win-win"] == 3
    assert c.loc[1, "mutual respect"] == 1 and c.loc[1, "meet halfway"] == 1
    # longest match first: "trade war" once, and the second "war" on its own
    assert c.loc[2, "trade war"] == 1 and c.loc[2, "war"] == 1
    assert c.loc[3, "united_states pressure"] == 1
    # the blocker consumes the name: no "cooperation" is counted
    assert c.loc[4, "cooperation"] == 0 and c.loc[4, "economic cooperation organization"] == 1
    assert c.iloc[:, c.columns.str.startswith("NOT ")].to_numpy().sum() == 0


def test_negation_flips_the_sign(small_lexicon):
    s = _score(
        [
            "This arrangement is sustainable.",
            "This arrangement is not sustainable.",
            "Decoupling is coming.",
            "We have no intention of decoupling.",
            "We don't want a trade war.",
            "They seek to avoid confrontation.",
        ],
        small_lexicon,
    )
    assert s[0] > 0 and s[1] == pytest.approx(-s[0])
    assert s[2] < 0 and s[3] == pytest.approx(-s[2])
    assert s[4] > 0 and s[5] > 0


def test_negation_scope_window_and_first_term_only(small_lexicon):
    c = _counts(
        [
            "not one two three sustainable",  # 4 tokens away: outside the window
            "not one two sustainable",  # 3 tokens away: inside
            "not confrontation but cooperation",  # only the first term is reversed
            "not only cooperation",  # pseudo-negation
        ],
        small_lexicon,
    )
    assert c.loc[0, "sustainable"] == 1 and c.loc[0, "NOT sustainable"] == 0
    assert c.loc[1, "NOT sustainable"] == 1
    assert c.loc[2, "NOT confrontation"] == 1 and c.loc[2, "cooperation"] == 1
    assert c.loc[3, "cooperation"] == 1 and c.loc[3, "NOT cooperation"] == 0


def test_score_scale_is_the_smoothed_balance(small_lexicon):
    s = _score(["Nothing here.", "cooperation", "cooperation cooperation", "war", "trade war",
                "cooperation war"], small_lexicon)
    k = tone.SMOOTHING_K
    np.testing.assert_allclose(s, [0.0, 1 / (1 + k), 2 / (2 + k), -1 / (1 + k), -2 / (2 + k), 0.0])
    assert np.all(np.abs(s) < 1)


def test_vectorized_scores_equal_reference_on_the_seeds(corpus, scored):
    texts = corpus.sentences.sort_values(["article_id", "paragraph", "sentence"])["text"]
    for name, lex in (("framing", tone.framing_lexicon()), ("assertiveness", tone.assertiveness_lexicon())):
        ref = np.array([tone.reference_score_sentence(t, lexicon=lex) for t in texts])
        np.testing.assert_allclose(scored[name].to_numpy(), ref, atol=1e-12, err_msg=name)
    assert (scored["framing_terms"] > 0).any()


_WORDS = ["win-win", "mutual", "respect", "meet", "halfway", "trade", "war", "not", "no", "only",
          "avoid", "economic", "cooperation", "organization", "decoupling", "sustainable", "the", "of"]


@pytest.fixture(scope="module")
def overlap_lexicon(tmp_path_factory):
    rows = [("mutual respect", 1, 1.5, "p"), ("respect", 1, 0.5, "p"), ("meet halfway", 1, 1, "c"),
            ("halfway", 1, 0.5, "c"), ("trade war", -1, 2, "c"), ("war", -1, 1, "c"),
            ("war of", -1, 0.5, "c"),  # overlaps "trade war": greedy order matters
            ("economic cooperation organization", 0, 0, "blocker"), ("cooperation", 1, 1, "c"),
            ("decoupling", -1, 1, "c"), ("sustainable", 1, 1, "s"), ("win-win", 1, 2, "p"),
            ("not", 0, 0, "negator"), ("no", 0, 0, "negator"), ("avoid", 0, 0, "shifter"),
            ("not only", 0, 0, "pseudo_negation")]
    return tone.load_lexicon(_write_lexicon(tmp_path_factory.mktemp("lex") / "prop_lexicon.csv", rows))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), min_size=0, max_size=14), min_size=1, max_size=6))
def test_vectorized_equals_reference_on_random_token_sequences(overlap_lexicon, docs):
    texts = [" ".join(d) for d in docs]
    vec = _score(texts, overlap_lexicon)
    ref = [tone.reference_score_sentence(t, lexicon=overlap_lexicon) for t in texts]
    np.testing.assert_allclose(vec, ref, atol=1e-12)


def test_token_stream_in_blocks_equals_one_pass(corpus):
    tok = tokens.Tokens.from_corpus(corpus)
    words = tone.framing_lexicon().words | tone.assertiveness_lexicon().words
    one = tone.token_stream(tok.joined, words, block=len(tok.joined) + 1)
    many = tone.token_stream(tok.joined, words, block=7)
    for field in ("codes", "ends", "positions"):
        np.testing.assert_array_equal(getattr(many, field), getattr(one, field))
    assert one.ends[-1] == len(one.codes) == int(tok.docs["n_tokens"].sum())
    assert (one.codes >= 0).any()


def test_score_sentences_columns_and_ranges(scored, corpus):
    assert len(scored) == len(corpus.sentences)
    for m in (*tone.MEASURES, "framing_vader"):
        assert scored[m].between(-1, 1).all()
    np.testing.assert_allclose(scored["framing_vader"], (scored["framing"] + scored["vader"]) / 2)
    fast = tone.score_sentences(tokens.Tokens.from_corpus(corpus), measures=("framing",))
    np.testing.assert_allclose(fast["framing"], scored["framing"])
    with pytest.raises(ValueError, match="raw texts"):
        tone.score_sentences(tokens.Tokens.from_corpus(corpus), measures=("vader",))


# ----------------------------------------------------------------- validation


def _synthetic_annotations(table: pd.DataFrame, path: Path) -> Path:
    """A coder who agrees with the sign of the framing score, plus three deliberate problems."""
    ann = table[["article_id", "sentence", "text"]].copy()
    ann["tone_code"] = np.sign(table["framing"]).astype(int) * np.where(table["framing"].abs() > 0.6, 2, 1)
    ann.loc[0, "text"] = "A different sentence."  # text differs
    ann = ann.drop(index=1)  # not annotated
    extra = pd.DataFrame([{"article_id": "zzz", "sentence": 0, "text": "Orphan.", "tone_code": 0}])
    pd.concat([ann, extra]).to_csv(path, index=False)
    return path


def test_annotations_missing_or_empty_give_none(tmp_path):
    assert read_annotations("", level="sentence") is None
    assert read_annotations(None, level="sentence") is None
    assert read_annotations(tmp_path / "absent.csv", level="sentence") is None


def test_annotations_bad_code_is_reported(tmp_path):
    path = tmp_path / "codes.csv"
    pd.DataFrame({"article_id": ["a", "a"], "sentence": [0, 1], "text": ["x", "y"], "tone_code": [1, 3]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"codes\.csv, row 3"):
        read_annotations(path, level="sentence")


def test_alignment_joins_on_keys_checks_text_and_reports(table, tmp_path):
    ann = read_annotations(_synthetic_annotations(table, tmp_path / "sentence_tone.csv"), level="sentence")
    joined, mism = tone.align_annotations(ann, table)
    problems = dict(zip(mism["problem"], mism["sentence"], strict=True))
    assert set(problems) == {"text differs", "not annotated", "not in corpus"}
    assert problems["text differs"] == table.loc[0, "sentence"]
    assert len(joined) == len(table) - 2
    # typographic quotes and spacing do not count as a difference
    ann2 = ann.copy()
    ann2["text"] = ann2["text"].str.replace("\u201c", '"').str.replace(" ", "  ")
    joined2, mism2 = tone.align_annotations(ann2, table)
    assert set(mism2["problem"]) == {"text differs", "not annotated", "not in corpus"}
    assert len(joined2) == len(joined)


def test_validation_against_hand_codes(table, tmp_path):
    ann = read_annotations(_synthetic_annotations(table, tmp_path / "sentence_tone.csv"), level="sentence")
    joined, _ = tone.align_annotations(ann, table)
    val = tone.validate_measures(joined, ["vader", "framing", "assertiveness", "framing_vader"], n_boot=200)
    val = val.set_index("measure")
    # the synthetic coder follows the framing sign exactly
    assert val.loc["framing", "sign_accuracy"] == pytest.approx(1.0)
    assert val.loc["framing", "spearman"] > val.loc["vader", "spearman"]
    assert val.loc["framing", "spearman_low"] <= val.loc["framing", "spearman"] <= val.loc["framing", "spearman_high"]
    assert not val.loc["assertiveness", "candidate"]
    # tone is fixed by the out-of-sample validation, never chosen on the sample at hand
    assert tone.PRIMARY == "learned"
    top = tone.disagreements(joined, "vader", n=3)
    gaps = (joined["vader"] - joined["tone_code"] / 2).abs()
    assert top["gap"].abs().iloc[0] == pytest.approx(gaps.max())


# ----------------------------------------------------------------- comparison


def test_one_outlet_only_gives_a_note_not_a_comparison(table):
    one = table[table["outlet_group"] == "chinese_state"]
    cmp, notes = tone.compare_groups(one, n_boot=100)
    assert cmp.empty
    assert len(notes) == 1 and "only one outlet_group" in notes[0]


def test_group_comparison_on_the_seeds_is_article_level(table):
    cmp, notes = tone.compare_groups(table, n_boot=200)
    row = cmp.set_index("voice").loc["all"]
    assert (row["n_a"], row["n_b"]) == (4, 1)
    assert row["p_exact"] and row["min_p"] == pytest.approx(0.2)
    art = tone.article_tone(table, value="tone").set_index("article_id")["all"]
    state = table.loc[table["outlet_group"] == "chinese_state", "article_id"].unique()
    assert row["mean_a"] == pytest.approx(art[state].mean())
    est = tone.group_estimates(table, by="outlet_group", n_boot=200)
    intl = est[(est["voice"] == "all") & (est["outlet_group"] == "international")].iloc[0]
    assert intl["n_clusters"] == 1 and np.isnan(intl["ci_low"])  # one article: no interval


def test_group_estimates_in_two_threads_are_those_of_one(monkeypatch):
    """On a large corpus the voices are bootstrapped two at a time: the same table."""
    from analysis.tone import compare

    rng = np.random.default_rng(12)
    sizes = rng.integers(3, 12, 40)
    frame = pd.DataFrame({
        "article_id": np.repeat([f"a{i:02d}" for i in range(40)], sizes),
        "outlet": np.repeat(np.where(np.arange(40) % 3 == 0, "AP", "CGTN"), sizes),
        "voice": rng.choice(["own", "reported", "quoted", "mixed"], sizes.sum()),
        "tone": rng.normal(0, 0.3, sizes.sum()),
    })
    monkeypatch.setattr(compare, "_THREADED_MIN", 1 << 62)
    one = tone.group_estimates(frame, by="outlet", n_boot=300, random_state=4)
    monkeypatch.setattr(compare, "_THREADED_MIN", 0)
    two = tone.group_estimates(frame, by="outlet", n_boot=300, random_state=4)
    pd.testing.assert_frame_equal(two, one, check_exact=True)
    assert (one["interval_kind"] == "95% bootstrap").all() and len(one) == 8


@pytest.mark.parametrize("n", [1, 2, 5])
def test_exemplars_sort_only_candidates_and_find_the_same_rows(monkeypatch, n):
    """exemplars sorts only the rows at or below each group's n-th key: the same table as
    sorting every row (ties, a missing group, sentence numbers repeated across paragraphs)."""
    from analysis.tone import compare

    rng = np.random.default_rng(n)
    rows = 600
    frame = pd.DataFrame({
        "article_id": np.repeat([f"a{i:02d}" for i in range(30)], rows // 30),
        "paragraph": np.tile(np.repeat([0, 1], rows // 60), 30),
        "sentence": np.tile(np.arange(rows // 60), 60),
        "outlet": pd.Series(rng.choice(["AP", "CGTN", None], rows), dtype="str"),
        "tone": rng.choice([-0.5, -0.25, 0.0, 0.25, 0.5, 0.75], rows),
        "voice": "own",
        "text": [f"t{i}" for i in range(rows)],
    })
    got = tone.exemplars(frame, by="outlet", value="tone", n=n)
    monkeypatch.setattr(compare, "_top_candidates", lambda groups, key, n: np.ones(len(key), bool))
    pd.testing.assert_frame_equal(got, tone.exemplars(frame, by="outlet", value="tone", n=n),
                                  check_exact=True)
    assert len(got) == 4 * n


@pytest.mark.parametrize("n, reverse", [(1, False), (3, True), (1000, True)])
def test_exemplars_carry_context(table, n, reverse):
    ex = tone.exemplars(table.iloc[::-1] if reverse else table, by="outlet", value="framing", n=n)
    for direction, sign in (("most positive", 1), ("most negative", -1)):  # every such sentence
        expected = (np.sign(table["framing"]) == sign).groupby(table["outlet"]).sum().clip(upper=n)
        got = ex[ex["direction"] == direction].groupby("outlet").size()
        assert got.reindex(expected.index, fill_value=0).tolist() == expected.tolist()
    for r in ex.itertuples(index=False):
        s = table[(table["article_id"] == r.article_id)].set_index("sentence")["text"]
        assert r.text == s[r.sentence]
        assert r.previous == s.get(r.sentence - 1, "")
        assert r.next == s.get(r.sentence + 1, "")
        assert (r.value > 0) == (r.direction == "most positive")


def test_tone_by_topic_joins_on_paragraph(table):
    topics = table[["article_id", "paragraph"]].drop_duplicates().assign(
        topic=lambda d: d["paragraph"] % 2, topic_label=lambda d: np.where(d["paragraph"] % 2, "odd", "even")
    )
    out = tone.tone_by_topic(table, topics, by="outlet", value="framing")
    assert out["n_sentences"].sum() == len(table)
    assert tone.tone_by_topic(table, None) is None


def test_annotations_folder_is_accepted(tmp_path, table):
    folder = tmp_path / "codes"
    folder.mkdir()
    _synthetic_annotations(table, folder / "sentence_tone.csv")
    assert read_annotations(folder, level="sentence") is not None
    assert read_annotations(tmp_path, level="sentence") is None  # a folder without the file


def test_no_quoted_sentences_give_a_note_per_voice(table):
    unquoted = table.assign(quote_share=0.0, voice="own")
    cmp, notes = tone.compare_groups(unquoted, n_boot=100)
    assert set(cmp["voice"]) == {"all", "own"}
    # one note per empty voice (reported speech is a voice of its own)
    assert notes == ["No reported sentences in the corpus: nothing to compare in that voice.",
                     "No quoted sentences in the corpus: nothing to compare in that voice."]


def test_findings_state_missing_validation_and_small_n(table):
    cmp, notes = tone.compare_groups(table, n_boot=100)
    est = tone.group_estimates(table, by="outlet", n_boot=100)
    text = tone.findings_markdown(None, "framing", cmp, notes, est, tone.article_tone(table))
    assert "no hand-coded sample was given" in text
    assert "the smaller group has 1 article(s)" in text
    row = cmp.set_index("voice").loc["all"]
    assert f"{row['diff']:+.2f}" in text and f"{row['min_p']:.2g}" in text
    one = table[table["outlet_group"] == "chinese_state"]
    cmp1, notes1 = tone.compare_groups(one, n_boot=100)
    text1 = tone.findings_markdown(None, "framing", cmp1, notes1,
                                   tone.group_estimates(one, by="outlet", n_boot=100), tone.article_tone(one))
    assert "only one outlet_group" in text1


def test_export_table_has_the_documented_columns(table):
    out = tone.export_table(table.assign(tone=table["framing"]))
    assert list(out.columns) == tone.EXPORT_COLUMNS
    assert len(out) == len(table)
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert all(f"`{c}`" in readme for c in tone.EXPORT_COLUMNS)


def test_recalibration_needs_enough_articles_and_is_cross_validated():
    rng = np.random.default_rng(0)
    rows = []
    for a in range(12):
        for _ in range(6):
            code = int(rng.integers(-2, 3))
            rows.append({"article_id": f"a{a}", "tone_code": code, "learned": 0.3 * code / 2 + 0.2})
    joined = pd.DataFrame(rows)
    summary, calibrated, note = tone.recalibrate(joined)
    # a biased, compressed measure: the map removes the bias on held-out articles
    assert summary.loc[0, "mean_error"] == pytest.approx((joined["learned"] - joined["tone_code"] / 2).mean())
    assert abs(summary.loc[1, "mean_error"]) < abs(summary.loc[0, "mean_error"])
    assert calibrated.attrs["slope"] == pytest.approx(1 / 0.3)
    few = joined[joined["article_id"].isin(["a0", "a1", "a2"])]
    assert tone.recalibrate(few)[0] is None and "fewer than 10" in tone.recalibrate(few)[2]


def test_target_check_reads_the_committed_out_of_sample_table():
    dev = tone.read_dev_validation()
    checks = tone.target_check(dev).set_index("target")
    row = dev.set_index("method").loc["tone"]
    assert checks.loc["sentence-level Spearman", "achieved"] == pytest.approx(row["spearman"])
    assert checks.loc["sentence-level Spearman", "met"] == (row["spearman"] >= tone.TARGETS["spearman"])
    assert (checks["shortfall"] >= 0).all()
    assert (checks.loc[checks["met"], "shortfall"] == 0).all()


def test_tone_by_topic_prefers_the_codebook_topic(table):
    topics = table[["article_id", "paragraph"]].drop_duplicates().assign(
        topic=0, topic_label="kmeans", codebook_topic=lambda d: np.where(d["paragraph"] % 2, "taiwan", "other"))
    out = tone.tone_by_topic(table, topics, by="outlet", value="framing")
    assert set(out["topic"]) == {"taiwan", "other"} and set(out["scheme"]) == {"codebook"}
    assert out["n_sentences"].sum() == len(table)
    old = tone.tone_by_topic(table, topics.drop(columns="codebook_topic"), by="outlet", value="framing")
    assert set(old["scheme"]) == {"k-means"}


def test_read_topics_without_text_equals_the_full_table_minus_text(tmp_path):
    """tone.paragraph_topics reads notebook 03's export without its text column (most of its
    bytes); the other columns are read exactly as before."""
    from analysis.outputs import write_table
    from analysis.tone.compare import read_topics

    table = pd.DataFrame({"article_id": ["007", "a,b"], "paragraph": [0, 1],
                          "text": ['He said "no", twice.\nThen left.', ""], "topic": [1, -1],
                          "topic_label": ["x", "too short"], "codebook_topic": ["taiwan", None]})
    write_table(table, tmp_path / "paragraph_topics.csv", spreadsheet=False)
    full = read_topics(tmp_path)
    lean = read_topics(tmp_path, text=False)
    assert "text" in full and "text" not in lean
    assert lean["article_id"].tolist() == ["007", "a,b"]
    pd.testing.assert_frame_equal(full.drop(columns="text"), lean)
