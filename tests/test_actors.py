"""Tests for analysis.actors: gazetteer, mentions and mention tables."""

from __future__ import annotations

import functools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import actors


@pytest.fixture(scope="module")
def alias_table() -> pd.DataFrame:
    return actors.aliases(actors.read_gazetteer())


def test_gazetteer_has_required_actors(alias_table):
    g = actors.read_gazetteer().set_index("actor")
    for person in [
        "Xi Jinping",
        "Donald Trump",
        "Wang Yi",
        "Marco Rubio",
        "Guo Jiakun",
        "Vladimir Putin",
        "Mark Carney",
        "Petteri Orpo",
        "Keir Starmer",
    ]:
        assert g.loc[person, "actor_type"] == "person"
    assert g.loc["Xi Jinping", "country"] == "China"
    assert g.loc["Donald Trump", "country"] == "United States"
    lookup = alias_table.set_index("alias")["actor"]
    for alias, actor in [
        ("Xi", "Xi Jinping"),
        ("President Xi", "Xi Jinping"),
        ("President Xi Jinping", "Xi Jinping"),
        ("the Chinese President", "Xi Jinping"),
        ("Chinese President Xi Jinping", "Xi Jinping"),
        ("Beijing", "China"),
        ("Washington", "United States"),
        ("Taipei", "Taiwan"),
        ("ROK", "South Korea"),
        ("Republic of Korea", "South Korea"),
        ("U.N. Security Council", "UN Security Council"),
        ("APEC", "APEC"),
        ("G20", "G20"),
        ("Foreign Ministry", "Chinese Foreign Ministry"),
        ("State Council Taiwan Affairs Office", "State Council Taiwan Affairs Office"),
        ("White House", "White House"),
        ("Peterson Institute", "Peterson Institute for International Economics"),
        ("Renmin University", "Renmin University of China"),
        ("Fudan University", "Fudan University"),
        ("Peking University", "Peking University"),
        ("China Institute of International Studies", "China Institute of International Studies"),
    ]:
        assert lookup[alias] == actor, alias


def test_every_alias_found_in_a_sentence_that_uses_it(alias_table):
    sentences = pd.DataFrame(
        {
            "article_id": [f"a{i:03d}" for i in range(len(alias_table))],
            "paragraph": 0,
            "sentence": 0,
            "text": [f"On Monday {a} spoke, it was said." for a in alias_table["alias"]],
        }
    )
    m = actors.mentions(sentences)
    # exactly one mention per sentence, of the right actor, through the alias used
    assert m["article_id"].tolist() == sentences["article_id"].tolist()
    assert m["actor"].tolist() == alias_table["actor"].tolist()
    assert m["alias"].tolist() == alias_table["alias"].tolist()


def test_longest_alias_first_and_boundaries():
    s = pd.DataFrame(
        {
            "article_id": ["a", "b", "c", "d"],
            "text": [
                "Chinese President Xi Jinping met President Trump.",
                "The U.N. Security Council and the United Nations met; Xi’s aides too.",
                "He told us that Xinhua and USA Today wrote about China-US ties.",
                "The Chinese President and China’s Foreign Minister Wang Yi spoke in Beijing.",
            ],
        }
    )
    m = actors.mentions(s)
    by = m.groupby("article_id")["actor"].apply(list).to_dict()
    assert by["a"] == ["Xi Jinping", "Donald Trump"]
    assert by["b"] == ["UN Security Council", "United Nations", "Xi Jinping"]
    # no pronoun "us", no "Xi" inside "Xinhua"; "USA" is the country; hyphen splits the dyad
    assert by["c"] == ["Xinhua", "United States", "China", "United States"]
    assert by["d"] == ["Xi Jinping", "Wang Yi", "China"]
    assert m.loc[m["article_id"] == "d", "matched"].iloc[0] == "The Chinese President"
    assert m[["paragraph", "sentence"]].isna().all().all()


def test_mention_table_counts_and_zeros():
    s = pd.DataFrame(
        {
            "article_id": ["a", "a", "b"],
            "sentence": [0, 1, 0],
            "text": ["Xi and Trump.", "Xi again.", "Trump."],
        }
    )
    arts = pd.DataFrame(
        {"article_id": ["a", "b", "c"], "outlet": ["X", "Y", "Y"], "n_words": [100, 50, 50]}
    )
    t = actors.mention_table(actors.mentions(s), arts, by="outlet").set_index(["actor", "outlet"])
    assert t.loc[("Xi Jinping", "X"), "mentions"] == 2
    assert t.loc[("Xi Jinping", "X"), "articles"] == 1
    assert t.loc[("Xi Jinping", "Y"), "mentions"] == 0
    assert t.loc[("Donald Trump", "Y"), "per_1000_words"] == pytest.approx(1000 * 1 / 100)
    assert t.loc[("Donald Trump", "Y"), "articles_in_group"] == 2
    ax = actors.plot_heatmap(t.reset_index(), value="mentions")
    assert [tl.get_text() for tl in ax.get_yticklabels()] == ["Donald Trump", "Xi Jinping"]
    plt.close(ax.figure)


def test_no_mentions():
    m = actors.mentions(pd.DataFrame({"article_id": ["a"], "text": ["nothing here"]}))
    assert m.empty and list(m.columns) == actors.MENTION_COLUMNS


def test_bad_gazetteer(tmp_path):
    p = tmp_path / "g.csv"
    header = "actor,actor_type,country,role,source_group,names,titles,aliases\n"
    p.write_text(header + "A,person,X,,other,Wang,,\nB,person,Y,,other,Wang,,\n")
    with pytest.raises(ValueError, match="several actors"):
        actors.read_gazetteer(p)
    p.write_text(header + "A,robot,X,,other,Wang,,\n")
    with pytest.raises(ValueError, match="actor_type"):
        actors.read_gazetteer(p)


def test_mention_matrix_and_alias_usage():
    s = pd.DataFrame(
        {"article_id": ["a", "a", "b"], "text": ["President Xi and Trump.", "Xi again.", "Xi, Xi."]}
    )
    arts = pd.DataFrame({"article_id": ["a", "b"], "outlet": ["X", "Y"], "n_words": [10, 10]})
    m = actors.mentions(s)
    t = actors.mention_table(m, arts)
    mm = actors.mention_matrix(t)
    assert mm.index.tolist() == ["Xi Jinping", "Donald Trump"]
    assert mm.loc["Xi Jinping"].tolist() == [2, 2]
    assert actors.mention_matrix(t, top=1).index.tolist() == ["Xi Jinping"]
    usage = actors.alias_usage(m, arts, "Xi Jinping")
    assert usage.index.tolist() == ["Xi", "President Xi"]
    assert usage.loc["Xi"].tolist() == [1, 2]


def test_trie_regex_equals_longest_first_alternation():
    """The compiled trie finds what the plain alternation of the aliases, longest first, finds."""
    import re
    from pathlib import Path

    from analysis import actors
    from analysis.config import GAZETTEER_FILE, RAW_DIR
    from analysis.corpus import load_corpus

    rx, table = actors._compiled(str(Path(GAZETTEER_FILE).resolve()))
    ordered = sorted(table.index, key=lambda a: (-len(a), a))
    plain = re.compile(r"(?<!\w)(?:" + "|".join(map(actors._alias_pattern, ordered)) + r")(?!\w)")
    texts = [
        "Chinese President Xi Jinping met the U.S. President; President Xi and Xi spoke.",
        "The Chinese President, the  United\nStates, Wang Yi's call; Wang-Yi, aXi, Xis, Xi_",
        "U.N. Security Council, the UN, Beijing's Washington\u2019s Taipei. The the the",
        "Foreign Minister Wang Yi, Foreign Ministry spokesperson Lin Jian, Lin Jianx",
    ]
    texts += load_corpus(RAW_DIR).sentences["text"].tolist()
    for text in texts:
        assert [m.span() for m in rx.finditer(text)] == [m.span() for m in plain.finditer(text)]


def _mentions_text_by_text(units: pd.DataFrame) -> pd.DataFrame:
    """The plain form of actors.mentions (each text searched alone, every match looked up):
    the oracle the one-pass search is compared with."""
    from pathlib import Path

    rx, table = actors._compiled(str(Path(actors.GAZETTEER_FILE).resolve()))
    units = units.reset_index(drop=True)
    rows = [(i, m.start(), m.end(), m.group(0))
            for i, text in enumerate(units["text"].fillna("").astype("str").tolist())
            for m in rx.finditer(text)]
    hits = pd.DataFrame(rows, columns=["row", "start", "end", "matched"])
    hits["alias"] = [actors._canonical(s) for s in hits["matched"].tolist()]
    info = table.loc[hits["alias"], ["actor", "actor_type", "country"]].reset_index(drop=True)
    keys = [c for c in ("article_id", "paragraph", "sentence") if c in units.columns]
    meta = units[keys].iloc[hits["row"].to_numpy()].reset_index(drop=True)
    out = pd.DataFrame({"article_id": meta["article_id"].astype("str")})
    for key in ("paragraph", "sentence"):
        out[key] = meta[key].to_numpy() if key in meta else pd.NA
    out = pd.concat([out, hits[["start", "end"]], info, hits[["alias", "matched"]]], axis=1)
    out = out.astype({"paragraph": "Int64", "sentence": "Int64", "start": "int64", "end": "int64",
                      "actor": "str", "actor_type": "str", "country": "str", "alias": "str",
                      "matched": "str"})
    out = out.sort_values(["article_id", "paragraph", "sentence", "start"], kind="stable")
    return out[actors.MENTION_COLUMNS].reset_index(drop=True)


@functools.cache
def _units_cases():
    from analysis import from_frame, load_corpus
    from analysis.synthetic import make_synthetic_corpus

    bundled = load_corpus("data/raw").sentences
    synthetic = from_frame(make_synthetic_corpus(60, random_state=4, vocabulary="heaps")).sentences
    edges = pd.DataFrame({
        "article_id": ["b", "a", "a", "c", "c", "d"],
        "text": ["Xi.", None, "Trump\u2019s aides; the\nWhite House", "", "Wang Yi\tmet U.N. staff",
                 "Beijing"],
    })
    return {
        "bundled": bundled,
        "synthetic": synthetic,
        "shuffled": synthetic.sample(frac=1, random_state=0),  # unsorted units, another index
        "edges": edges,  # missing and empty texts, aliases at both ends of texts, no keys
        "nul": edges.assign(text=edges["text"].str.replace("aides", "ai\0des")),  # NUL: one by one
        "none": edges.iloc[[3]],
    }


@pytest.mark.parametrize("block", [None, 4])
@pytest.mark.parametrize("case", ["bundled", "synthetic", "shuffled", "edges", "nul", "none"])
def test_one_pass_mentions_equal_text_by_text(case, block, monkeypatch):
    if block:  # several blocks, one of them (nul) searched text by text
        monkeypatch.setattr(actors, "_BLOCK_TEXTS", block)
    units = _units_cases()[case]
    expected = _mentions_text_by_text(units)
    assert case == "none" or len(expected)
    pd.testing.assert_frame_equal(actors.mentions(units), expected, check_exact=True)
