"""Bad input: every input is loaded or listed in ``skipped``, with a warning naming it."""

from __future__ import annotations

import json
import string
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.corpus import CorpusError, CorpusWarning, load_corpus

BODY = (
    "Foreign Minister Wang Yi said on Monday that both sides should meet halfway. "
    "“We are ready to work with the U.S. side,” Wang said.\n\n"
    "The two presidents will meet in Busan later this month, officials said."
)
MANIFEST_HEADER = "article_id,outlet,outlet_group,published,headline,genre,attribution\n"


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def load_quietly(source, **kwargs):
    """Load while recording CorpusWarnings (returns corpus, list of warning messages)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        corpus = load_corpus(source, **kwargs)
    return corpus, [str(w.message) for w in caught if issubclass(w.category, CorpusWarning)]


def test_empty_file_is_skipped_with_warning(tmp_path):
    write(tmp_path, "a.txt", BODY)
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "blank.txt", b"  \n\n ")
    corpus, msgs = load_quietly(tmp_path)
    assert "empty.txt: skipped, empty file." in msgs
    assert list(corpus.articles["article_id"]) == ["a"]
    skipped = dict(zip(corpus.skipped["source"], corpus.skipped["reason"], strict=True))
    assert skipped["empty.txt"] == "empty file"
    assert skipped["blank.txt"] == "empty file"


def test_binary_file_is_skipped(tmp_path):
    write(tmp_path, "a.txt", BODY)
    write(tmp_path, "image.txt", bytes(range(256)) * 4)
    corpus, msgs = load_quietly(tmp_path)
    assert "image" not in set(corpus.articles["article_id"])
    reason = corpus.skipped.set_index("source").loc["image.txt", "reason"]
    assert reason.startswith("binary file")
    assert any("image.txt" in m and "binary" in m for m in msgs)


@pytest.mark.parametrize(
    ("raw", "encoding", "expected"),
    [
        ("Café “quoted” naïve".encode("cp1252"), "cp1252", "Café “quoted” naïve"),
        (b"Caf\xe9 \x81 end", "latin-1", "Café \x81 end"),
    ],
)
def test_legacy_encodings_decode_with_warning(tmp_path, raw, encoding, expected):
    text = expected + " is a sentence long enough to be a body of the article here."
    write(tmp_path, "legacy.txt", raw + text[len(expected):].encode("ascii"))
    corpus, msgs = load_quietly(tmp_path)
    row = corpus.articles.iloc[0]
    assert row["encoding"] == encoding
    assert row["text"].startswith(expected.replace("\x81", "\x81"))
    assert any("legacy.txt" in m and encoding in m for m in msgs)


def test_bom_and_crlf_are_normalised_silently(tmp_path):
    write(tmp_path, "manifest.csv", MANIFEST_HEADER + "bom,AP,international,2025-10-28,,news,x\n")
    write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + BODY.replace("\n", "\r\n").encode("utf-8"))
    corpus, msgs = load_quietly(tmp_path)
    text = corpus.articles.loc[0, "text"]
    assert not text.startswith("\ufeff")
    assert "\r" not in text
    assert corpus.articles.loc[0, "encoding"] == "utf-8-sig"
    assert corpus.paragraphs["text"].str.len().gt(0).all()
    assert msgs == []


def test_identical_files_are_both_loaded_and_the_second_flagged(tmp_path):
    write(tmp_path, "a.txt", BODY)
    write(tmp_path, "b.txt", BODY)
    corpus, _ = load_quietly(tmp_path)
    dup = dict(zip(corpus.articles["article_id"], corpus.articles["duplicate_of"], strict=True))
    assert pd.isna(dup["a"])
    assert dup["b"] == "a"


def test_manifest_row_without_file_and_file_without_row(tmp_path):
    write(
        tmp_path,
        "manifest.csv",
        MANIFEST_HEADER
        + "a,Associated Press,international,2025-10-28,Head,news,x\n"
        + "ghost,CGTN,chinese_state,2025-10-29,Ghost,news,x\n",
    )
    write(tmp_path, "articles/a.txt", BODY)
    write(tmp_path, "articles/orphan.txt", BODY + " An extra sentence makes it different.")
    corpus, msgs = load_quietly(tmp_path)
    skipped = dict(zip(corpus.skipped["source"], corpus.skipped["reason"], strict=True))
    assert "manifest.csv:row 2" in skipped
    assert "ghost" in skipped["manifest.csv:row 2"]
    orphan = corpus.articles.set_index("article_id").loc["orphan"]
    assert orphan["outlet"] == "unknown"
    assert orphan["outlet_group"] == "unknown"
    assert orphan["genre"] == "unknown"
    assert pd.isna(orphan["published"])
    assert any("articles/orphan.txt" in m and "no manifest row" in m for m in msgs)
    assert any("row 2" in m for m in msgs)


def test_malformed_date_is_nat_with_warning_and_conflict(tmp_path):
    write(tmp_path, "manifest.csv", MANIFEST_HEADER + "a,AP,international,2025-13-45,,news,x\n")
    write(tmp_path, "a.txt", BODY)
    corpus, msgs = load_quietly(tmp_path)
    assert pd.isna(corpus.articles.loc[0, "published"])
    assert any("a.txt" in m and "2025-13-45" in m for m in msgs)
    conflict = corpus.conflicts.iloc[0]
    assert (conflict["article_id"], conflict["field"], conflict["manifest_value"]) == (
        "a", "published", "2025-13-45",
    )


def test_malformed_manifest_date_falls_back_to_date_in_text(tmp_path):
    write(tmp_path, "manifest.csv", MANIFEST_HEADER + "a,AP,international,someday,,news,x\n")
    write(tmp_path, "a.txt", "date 2025-10-28 " + BODY)
    corpus, _ = load_quietly(tmp_path)
    assert corpus.articles.loc[0, "published"] == pd.Timestamp("2025-10-28")


def test_unknown_file_type_in_folder_is_skipped(tmp_path):
    write(tmp_path, "a.txt", BODY)
    write(tmp_path, "notes.pdf", b"%PDF-1.4")
    corpus, msgs = load_quietly(tmp_path)
    reason = corpus.skipped.set_index("source").loc["notes.pdf", "reason"]
    assert "unsupported file type '.pdf'" in reason
    assert any("notes.pdf" in m for m in msgs)


def test_nothing_loadable_raises_one_error_naming_the_inputs(tmp_path):
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "x.pdf", b"%PDF")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        with pytest.raises(CorpusError, match=r"nothing loadable.*empty\.txt.*x\.pdf"):
            load_corpus(tmp_path)


def test_empty_folder_raises(tmp_path):
    with pytest.raises(CorpusError, match="nothing loadable"):
        load_corpus(tmp_path)


def test_missing_source_raises(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("file,outlet\na,AP\n", r"no article_id column \(columns: \['file', 'outlet'\]\)"),
        ("article_id,outlet\na,AP\na,CGTN\n", r"repeats article_id\(s\) \['a'\]"),
    ],
)
def test_malformed_manifest_raises(tmp_path, manifest, message):
    write(tmp_path, "manifest.csv", manifest)
    write(tmp_path, "a.txt", BODY)
    with pytest.raises(CorpusError, match=message):
        load_corpus(tmp_path)


def test_table_without_text_column_lists_columns_and_the_fix(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"id": ["1"], "words": [BODY]}).to_csv(path, index=False)
    with pytest.raises(CorpusError, match=r"columns found: \['id', 'words'\].*text_column="):
        load_corpus(path)
    corpus = load_corpus(path, text_column="words")
    assert list(corpus.articles["article_id"]) == ["1"]


def test_csv_with_common_column_names(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame(
        {
            "id": ["x1", "x2"],
            "title": ["A headline here", "Another one"],
            "body": [BODY, BODY.replace("Busan", "Kuala Lumpur") + " A new sentence is here now."],
            "publisher": ["Reuters", "Global Times"],
            "date": ["2025-10-30", "Oct. 31, 2025"],
        }
    ).to_csv(path, index=False)
    corpus = load_corpus(path)
    art = corpus.articles.set_index("article_id")
    assert art.loc["x1", "outlet"] == "Reuters"
    assert art.loc["x1", "outlet_group"] == "international"
    assert art.loc["x2", "outlet_group"] == "chinese_state"
    assert art.loc["x2", "published"] == pd.Timestamp("2025-10-31")
    assert art.loc["x1", "headline"] == "A headline here"
    assert art.loc["x1", "source"] == "t.csv:row 1"


def test_table_rows_without_text_or_with_repeated_ids_are_skipped(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"id": ["a", "b", "a"], "text": [BODY, "", BODY]}).to_csv(path, index=False)
    corpus, msgs = load_quietly(path)
    assert list(corpus.articles["article_id"]) == ["a"]
    skipped = dict(zip(corpus.skipped["source"], corpus.skipped["reason"], strict=True))
    assert skipped["t.csv:row 2"] == "empty or missing text"
    assert skipped["t.csv:row 3"].startswith("duplicate article_id 'a'")
    assert len(msgs) == 2


def test_jsonl_with_a_broken_line_and_named_columns(tmp_path):
    path = tmp_path / "t.jsonl"
    lines = [
        json.dumps({"doc": "d1", "story": BODY, "paper": "CGTN", "when": "2025-10-29"}),
        "{not json",
        json.dumps({"doc": "d2", "story": BODY + " Another sentence.", "paper": "AP", "when": ""}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus, msgs = load_quietly(
        path, text_column="story", id_column="doc", outlet_column="paper", date_column="when"
    )
    assert list(corpus.articles["article_id"]) == ["d1", "d2"]
    assert corpus.articles.loc[0, "published"] == pd.Timestamp("2025-10-29")
    assert pd.isna(corpus.articles.loc[1, "published"])
    assert list(corpus.skipped["source"]) == ["t.jsonl:line 2"]
    assert any("t.jsonl:line 2" in m for m in msgs)


def test_json_array_table(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps([{"id": "j1", "content": BODY}, {"id": "j2", "content": BODY + " More."}]))
    corpus = load_corpus(path)
    assert list(corpus.articles["article_id"]) == ["j1", "j2"]


def test_parquet_table(tmp_path):
    path = tmp_path / "t.parquet"
    pd.DataFrame(
        {"article_id": ["p"], "content": [BODY], "published": [pd.Timestamp("2026-02-05")]}
    ).to_parquet(path)
    corpus = load_corpus(path)
    assert corpus.articles.loc[0, "published"] == pd.Timestamp("2026-02-05")
    assert corpus.articles.loc[0, "outlet"] == "unknown"


def test_named_column_that_does_not_exist_raises(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"text": [BODY]}).to_csv(path, index=False)
    with pytest.raises(CorpusError, match=r"column 'nope'.*columns are \['text'\]"):
        load_corpus(path, date_column="nope")


# --------------------------------------------------------------------------- property test

_CONTENTS = st.one_of(
    st.just(b""),
    st.binary(min_size=1, max_size=200),
    st.text(min_size=0, max_size=300).map(lambda t: t.encode("utf-8")),
    st.text(alphabet=string.printable + "éüñ“”’", max_size=300).map(
        lambda t: t.encode("cp1252", errors="replace")
    ),
    st.text(alphabet=string.ascii_letters + " .,\n", min_size=20, max_size=300).map(
        lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode("ascii")
    ),
    st.sampled_from([BODY.encode("utf-8"), b"CHOOSE YOUR LANGUAGE\n", b"\x00\x01\x02text"]),
)
_NAMES = st.text(alphabet=string.ascii_lowercase + string.digits + "_-", min_size=1, max_size=8)
_SUFFIXES = st.sampled_from([".txt", ".txt", ".txt", ".TXT", ".md", ".pdf", ".csv", ""])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    files=st.lists(st.tuples(_NAMES, _SUFFIXES, _CONTENTS), min_size=1, max_size=6),
)
def test_every_input_is_loaded_or_skipped(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("corpus")
    names = set()
    for stem, suffix, data in files:
        name = stem + suffix
        if name.lower() in {n.lower() for n in names} or name == "manifest.csv":
            continue
        names.add(name)
        write(folder, name, data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            corpus = load_corpus(folder)
        except CorpusError as err:
            # nothing loadable: the one error names every input
            for name in names:
                assert name in str(err)
            return
    loaded = set(corpus.articles["source"])
    skipped = set(corpus.skipped["source"])
    assert loaded.isdisjoint(skipped)
    assert loaded | skipped == names
    messages = " ".join(str(w.message) for w in caught)
    for name in skipped:
        assert name in messages
    for text, aid in zip(corpus.articles["text"], corpus.articles["article_id"], strict=True):
        assert text.strip(), aid


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "December 31, 9999", "3000-01-01T00:00"])
def test_date_outside_the_datetime_range_is_nat_with_warning(tmp_path, date):
    """A date pandas cannot hold in nanoseconds is missing, with a warning naming the row (#16)."""
    write(tmp_path, "manifest.csv", MANIFEST_HEADER + f'a,AP,international,"{date}",,news,x\n'
          + "b,AP,international,2025-10-28,,news,x\n")
    write(tmp_path, "a.txt", BODY)
    write(tmp_path, "b.txt", BODY + " More.")
    corpus, msgs = load_quietly(tmp_path)
    published = corpus.articles.set_index("article_id")["published"]
    assert pd.isna(published["a"]) and published["b"] == pd.Timestamp("2025-10-28")
    assert any("a.txt" in m and date in m and "2262-04-11" in m for m in msgs), msgs
    assert list(corpus.conflicts["manifest_value"]) == [date]


def test_date_stamp_outside_the_datetime_range_in_a_table(tmp_path):
    """``date 3000-01-01`` printed in the text of a table row: unknown date, warning naming the row."""
    path = tmp_path / "corpus.csv"
    pd.DataFrame({"id": ["a", "b"], "outlet": ["AP", "AP"],
                  "text": ["date 3000-01-01\n\n" + BODY, "date 2025-10-28\n\n" + BODY + " More."]}
                 ).to_csv(path, index=False)
    corpus, msgs = load_quietly(path)
    published = corpus.articles.set_index("article_id")["published"]
    assert pd.isna(published["a"]) and published["b"] == pd.Timestamp("2025-10-28")
    assert any("corpus.csv:row 1" in m and "date 3000-01-01" in m for m in msgs), msgs
    row = corpus.conflicts.iloc[0]
    assert (row["article_id"], row["text_value"], row["note"]) == ("a", "date 3000-01-01",
                                                                   "text date out of range")


def test_links_out_of_the_folder_hidden_entries_and_pipes_are_listed_not_read(tmp_path):
    """Issue #16: no link is followed out of the corpus folder, and nothing is dropped silently."""
    import os

    outside = tmp_path / "outside"
    write(outside, "secret.txt", "SECRET " + BODY)
    corpus_dir = tmp_path / "corpus"
    write(corpus_dir, "a.txt", BODY)
    write(corpus_dir, "sub/b.txt", BODY + " Second article.")
    write(corpus_dir, ".hidden.txt", BODY)
    write(corpus_dir, ".git/objects/x.txt", BODY)
    (corpus_dir / "passwd.txt").symlink_to(outside / "secret.txt")
    (corpus_dir / "etc.txt").symlink_to("/etc/passwd")
    (corpus_dir / "more").symlink_to(outside, target_is_directory=True)
    (corpus_dir / "loop").symlink_to(corpus_dir / "sub", target_is_directory=True)
    (corpus_dir / "gone.txt").symlink_to(corpus_dir / "missing.txt")
    (corpus_dir / "alias.txt").symlink_to(corpus_dir / "sub" / "b.txt")  # inside: read
    os.mkfifo(corpus_dir / "pipe.txt")
    corpus, msgs = load_quietly(corpus_dir)
    assert sorted(corpus.articles["source"]) == ["a.txt", "alias.txt", "sub/b.txt"]
    assert not corpus.articles["text"].str.contains("SECRET|root:", regex=True).any()
    reasons = dict(zip(corpus.skipped["source"], corpus.skipped["reason"], strict=True))
    assert set(reasons) == {".hidden.txt", ".git", "passwd.txt", "etc.txt", "more", "loop",
                            "gone.txt", "pipe.txt"}
    assert "hidden file" in reasons[".hidden.txt"] and "hidden folder" in reasons[".git"]
    for name in ("passwd.txt", "etc.txt", "more"):
        assert "out of the corpus folder" in reasons[name]
    assert "to a folder" in reasons["loop"] and "broken" in reasons["gone.txt"]
    assert "not a regular file" in reasons["pipe.txt"]
    for name in reasons:
        assert any(m.startswith(f"{name}: skipped") for m in msgs), name


@pytest.mark.parametrize("content, message", [
    ("id,text,outlet\n1,some text here,AP\n2,x,y,z\n",
     "read_table: corpus.csv line 3 has 4 fields but the header has 3; put text that holds"),
    ('id,text,outlet\n1,some text here,AP\n2,"never closed, text\n3,a,b\n',
     "read_table: corpus.csv row 2 opens a double quote that is never closed"),
    ("", "read_table: corpus.csv is empty"),
])
def test_malformed_csv_names_the_line_and_the_fix(tmp_path, content, message):
    """Issue #16: the parser's shape errors in words, naming the line or row and what to do."""
    write(tmp_path, "corpus.csv", content)
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path / "corpus.csv")
    assert str(err.value).startswith(message)
    assert "C error" not in str(err.value)


def test_repeated_warnings_are_summed_up_after_twenty(tmp_path):
    """Issue #16: 30 empty files give 20 warnings naming them and one counting the other 10;
    every one is still in skipped, and a warning of another kind is still shown."""
    for i in range(30):
        write(tmp_path, f"empty{i:02d}.txt", "")
    write(tmp_path, "a.txt", BODY)
    write(tmp_path, "manifest.csv", MANIFEST_HEADER + "a,AP,international,9999-12-31,,news,x\n")
    corpus, msgs = load_quietly(tmp_path)
    assert len(corpus.skipped) == 30
    named = [m for m in msgs if m.startswith("empty") and m.endswith("skipped, empty file.")]
    assert len(named) == 20
    summary = [m for m in msgs if m.startswith("10 more warning(s)")]
    assert len(summary) == 1 and "empty file" in summary[0]
    assert any("9999-12-31" in m for m in msgs)
    corpus, msgs = load_quietly(tmp_path)  # a new load shows them again
    assert len([m for m in msgs if m.startswith("empty")]) == 20


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "manifest"])
def test_utf16_tables_and_manifests_are_read(tmp_path, fmt):
    """Issue #16: a table or manifest saved as UTF-16 (with its byte order mark, as Excel and
    Windows tools write it) is read as text, not as NUL-ridden column names."""
    frame = pd.DataFrame({"id": ["a", "b"], "text": [BODY, BODY + " Second article."],
                          "outlet": ["新华社", "AP"]})
    if fmt == "csv":
        path = tmp_path / "t.csv"
        frame.to_csv(path, index=False, encoding="utf-16")
    elif fmt == "jsonl":
        path = tmp_path / "t.jsonl"
        path.write_text(frame.to_json(orient="records", lines=True, force_ascii=False), encoding="utf-16")
    else:
        path = tmp_path
        for aid, text in zip(frame["id"], frame["text"], strict=True):
            write(tmp_path, f"{aid}.txt", text)
        (tmp_path / "manifest.csv").write_text("article_id,outlet\na,新华社\nb,AP\n", encoding="utf-16")
    corpus, msgs = load_quietly(path)
    assert corpus.articles.set_index("article_id")["outlet"].to_dict() == {"a": "新华社", "b": "AP"}
    assert not [m for m in msgs if "cp1252" in m]
    if fmt != "manifest":
        assert set(corpus.articles["encoding"]) == {"utf-16"}


# --- issue #16: encodings, NUL bytes, HTML pages, and table shapes in the user's terms ---

GBK_TEXT = "外交部发言人表示，双方应相向而行。两国元首将于本月晚些时候会晤！"
CYRILLIC_TEXT = ("Министр заявил в понедельник, что стороны должны идти навстречу. "
                 "Встреча пройдет в конце месяца.")


@pytest.mark.parametrize(
    ("data", "encoding", "expected", "warned"),
    [
        (BODY.encode("utf-16-le"), "utf-16-le", BODY[:40], None),
        (BODY.encode("utf-16-be"), "utf-16-be", BODY[:40], None),
        (GBK_TEXT.encode("gbk"), "gb18030", GBK_TEXT, "decoded as gb18030"),
        (CYRILLIC_TEXT.encode("cp1251"), "cp1251", CYRILLIC_TEXT[:40], "decoded as cp1251"),
    ],
)
def test_utf16_without_bom_and_legacy_non_latin_encodings_are_decoded(tmp_path, data, encoding,
                                                                       expected, warned):
    write(tmp_path, "x.txt", data)
    corpus, msgs = load_quietly(tmp_path)
    row = corpus.articles.iloc[0]
    assert row["encoding"] == encoding
    assert row["text"].startswith(expected)
    file_msgs = [m for m in msgs if m.startswith("x.txt")]
    assert (file_msgs == []) if warned is None else any(warned in m for m in file_msgs)


def test_stray_cp1252_byte_in_utf8_is_repaired_not_mojibake(tmp_path):
    """One cp1252 curly quote in a UTF-8 file: that byte is read as cp1252, the rest stays UTF-8
    (no 'â€œ' mojibake, no lost quote), and the warning names the file and the line."""
    data = BODY.encode("utf-8").replace(b"The two presidents", b"The \x93two\x94 presidents")
    write(tmp_path, "x.txt", data)
    corpus, msgs = load_quietly(tmp_path)
    text = corpus.articles.loc[0, "text"]
    assert "“We are ready" in text and "The “two” presidents" in text
    assert "â€" not in text
    assert corpus.articles.loc[0, "encoding"] == "utf-8 (repaired)"
    assert any(m.startswith("x.txt: UTF-8 with 2 byte(s)") and "line 3" in m for m in msgs)


def test_nul_bytes_are_removed_with_a_warning_naming_file_and_row(tmp_path):
    write(tmp_path, "x.txt", BODY.encode("utf-8").replace(b"Busan", b"Bu\x00san"))
    corpus, msgs = load_quietly(tmp_path)
    assert "\x00" not in corpus.articles.loc[0, "text"] and "Busan" in corpus.articles.loc[0, "text"]
    assert any(m.startswith("x.txt: 1 NUL byte(s) removed (line 3)") for m in msgs)
    table = tmp_path / "t.csv"
    pd.DataFrame({"id": ["a", "b"], "text": [BODY, BODY.replace("Busan", "Bu\x00san")]}).to_csv(table, index=False)
    corpus, msgs = load_quietly(table)
    assert not corpus.articles["text"].str.contains("\x00").any()
    assert any(m.startswith("t.csv: NUL characters removed from the text of 1 row(s) (row 2)") for m in msgs)


def test_html_page_saved_as_txt_is_reduced_to_its_text_with_a_warning(tmp_path):
    page = ("<!DOCTYPE html>\n<html><head><title>Site</title><script>track()</script>"
            "<style>p{}</style></head><body><nav>Home | World</nav><p>"
            + BODY.replace("\n\n", "</p>\n<p>").replace("“", "&ldquo;").replace("”", "&rdquo;")
            + "</p><footer>Copyright</footer></body></html>")
    write(tmp_path, "page.txt", page)
    corpus, msgs = load_quietly(tmp_path)
    text = corpus.articles.loc[0, "text"]
    assert "<" not in text and "track()" not in text and "Home | World" not in text
    assert "Copyright" not in text and "“We are ready" in text
    assert corpus.articles.loc[0, "n_paragraphs"] == 2
    assert any(m.startswith("page.txt: an HTML page, not plain text") for m in msgs)


def test_json_object_keyed_by_id_is_read_one_article_per_key(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"a1": {"text": BODY, "outlet": "AP"},
                                "a2": {"text": BODY + " More.", "outlet": "Xinhua"}}))
    corpus, msgs = load_quietly(path)
    assert corpus.articles.set_index("article_id")["outlet"].to_dict() == {"a1": "AP", "a2": "Xinhua"}
    assert any("t.json: a JSON object keyed by article id" in m for m in msgs)
    line = tmp_path / "t.jsonl"
    line.write_text(json.dumps({"a1": {"text": BODY}, "a2": {"text": BODY + " More."}}) + "\n")
    corpus, _ = load_quietly(line)
    assert list(corpus.articles["article_id"]) == ["a1", "a2"]


def test_json_of_another_shape_says_what_shape_is_expected(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"count": 2, "note": "x"}))
    with pytest.raises(CorpusError, match=r"t.json holds a JSON object that is not a list of articles; expected \["):
        load_corpus(path)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_text_column_holding_lists_is_joined_as_paragraphs(tmp_path, fmt):
    paras = BODY.split("\n\n")
    frame = pd.DataFrame({"id": ["a", "b"], "text": [paras, paras + ["Officials confirmed it."]]})
    path = tmp_path / f"t.{fmt}"
    if fmt == "jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        frame.assign(text=frame["text"].map(json.dumps)).to_csv(path, index=False)
    corpus, msgs = load_quietly(path)
    assert list(corpus.articles["n_paragraphs"]) == [2, 3]
    assert any(m.startswith(f"t.{fmt}: the text column 'text' holds lists in 2 row(s)") for m in msgs)


@pytest.mark.parametrize("sep", [";", "\t"])
def test_csv_with_another_separator_is_read_with_a_warning(tmp_path, sep):
    path = tmp_path / "t.csv"
    pd.DataFrame({"id": ["a"], "text": [BODY], "outlet": ["AP"]}).to_csv(path, index=False, sep=sep)
    corpus, msgs = load_quietly(path)
    assert corpus.articles.loc[0, "outlet"] == "AP"
    assert any(m.startswith("t.csv: columns are separated by") and "not commas" in m for m in msgs)


def test_utf16_csv_without_bom_is_read(tmp_path):
    path = tmp_path / "t.csv"
    csv_text = pd.DataFrame({"id": ["a"], "text": [BODY], "outlet": ["新华社"]}).to_csv(index=False)
    path.write_bytes(csv_text.encode("utf-16-le"))
    corpus, _ = load_quietly(path)
    assert corpus.articles.loc[0, "outlet"] == "新华社"
    assert corpus.articles.loc[0, "encoding"] == "utf-16-le"


def test_manifest_row_with_extra_fields_names_the_line(tmp_path):
    write(tmp_path, "a.txt", BODY)
    write(tmp_path, "manifest.csv", "article_id,outlet\na,AP\nb,AP,extra,field\n")
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path)
    assert str(err.value).startswith("read_manifest: manifest.csv line 3 has 4 fields but the header has 2")
    assert "C error" not in str(err.value)


def test_chinese_republication_is_flagged_as_a_duplicate(tmp_path):
    """Issue #16: short-sentence languages: Chinese sentences (no spaces, one 'word' each before)
    now count as evidence, so a republished Chinese article is flagged."""
    sents = ["外交部发言人在例行记者会上表示双方应相向而行。", "两国元首将于本月晚些时候在釜山会晤。",
             "双方工作团队正在保持密切沟通。", "此次会晤备受国际社会关注。"]
    write(tmp_path, "a.txt", "".join(sents))
    write(tmp_path, "b.txt", "".join(sents) + "\n\n记者：张三")
    write(tmp_path, "c.txt", "另一篇完全不同的文章讨论贸易问题。其中没有相同的句子。经济学家发表了看法。")
    corpus, _ = load_quietly(tmp_path)
    assert corpus.articles.set_index("article_id")["duplicate_of"].fillna("").to_dict() == {
        "a": "", "b": "a", "c": ""}
    assert corpus.articles.set_index("article_id").loc["a", "n_sentences"] == 4
