"""The whole notebook suite on test corpora of every format and edge case (through papermill).

One run per corpus (module-scoped, two corpora at a time in worker processes); the tests
then read the executed notebooks under each run's OUT. See tests/corpora.py for the corpora.
"""

from __future__ import annotations

import csv
import hashlib
import io
import multiprocessing
import os
import re
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

import corpora
import nbformat
import pytest
from test_report import Page, assert_no_script, assert_offline

from analysis import report, runner
from analysis.corpus import CorpusError, load_corpus

pytestmark = pytest.mark.slow

LEGAL = [name for name, (_, legal) in corpora.BUILDERS.items() if legal]
ILLEGAL = [name for name, (_, legal) in corpora.BUILDERS.items() if not legal]
PARAMETER_TAGS = {"parameters", runner.INJECTED_TAG}
COMMITTED = [runner.NOTEBOOK_DIR, runner.ROOT / "figures", runner.ROOT / "data" / "processed"]


def fingerprint() -> dict[str, tuple[int, str]]:
    """(mtime, sha256) of every committed output file."""
    return {
        str(p.relative_to(runner.ROOT)): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for folder in COMMITTED if folder.exists() for p in sorted(folder.rglob("*")) if p.is_file()
    }


class Run:
    """One suite run: the corpus, its OUT and the pending result (the list of failures)."""

    def __init__(self, corpus: Path, out: Path, future: Future):
        self.corpus, self.out, self.future = corpus, out, future

    def failures(self) -> list[tuple[str, str]]:
        return self.future.result()

    def notebooks(self) -> dict[str, nbformat.NotebookNode]:
        self.failures()
        return {p.name: nbformat.read(p, as_version=4)
                for p in runner.list_notebooks(self.out / "notebooks")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Start the suite on every test corpus; yields {name: Run} and the fingerprint before."""
    assert runner.list_notebooks(), "no notebooks/NN_*.ipynb to run"
    base = tmp_path_factory.mktemp("suite")
    before = fingerprint()
    pool = ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1),
                               mp_context=multiprocessing.get_context("spawn"))
    result = {}
    for name in corpora.BUILDERS:  # many_outlets (the slowest) first
        corpus = corpora.build(name, base / name / "input")
        out = base / name / "out"
        result[name] = Run(corpus, out, pool.submit(corpora.run_suite, str(corpus), str(out)))
    yield result, before
    pool.shutdown(wait=True, cancel_futures=True)


def outputs_of(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


@pytest.mark.parametrize("name", LEGAL)
def test_every_notebook_completes(runs, name):
    run = runs[0][name]
    assert run.failures() == [], f"the suite failed on corpus {name!r}"
    notebooks = run.notebooks()
    assert list(notebooks) == [p.name for p in runner.list_notebooks()]
    for nb_name, nb in notebooks.items():
        assert not [o for o in outputs_of(nb) if o.output_type == "error"], nb_name
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.execution_count is not None for c in code), f"{nb_name} stopped early"


@pytest.mark.parametrize("name", LEGAL)
def test_outputs_land_under_out(runs, name):
    run = runs[0][name]
    run.failures()
    numbers = {p.name[:2] for p in runner.list_notebooks()}
    figures = sorted((run.out / "figures").glob("*.png"))
    assert figures, f"no figure written for corpus {name!r}"
    assert all(p.name[:2] in numbers for p in figures), [p.name for p in figures]
    assert [p for p in (run.out / "data" / "processed").rglob("*") if p.is_file()]


@pytest.mark.parametrize("name", ILLEGAL)
def test_illegal_corpus_stops_in_first_cell_with_the_loader_message(runs, name):
    run = runs[0][name]
    with pytest.raises(CorpusError) as loader:
        load_corpus(run.corpus)
    failures = run.failures()
    assert [nb for nb, _ in failures] == [p.name for p in runner.list_notebooks()]
    for nb_name, nb in run.notebooks().items():
        code = [c for c in nb.cells if c.cell_type == "code"]
        first = next(i for i, c in enumerate(code) if not PARAMETER_TAGS & set(c.metadata.get("tags", [])))
        errors = [o for o in code[first].get("outputs", []) if o.output_type == "error"]
        assert errors, f"{nb_name}: the first cell after the parameters did not stop"
        assert errors[0].ename == "CorpusError" and errors[0].evalue == str(loader.value), nb_name
        assert all(c.execution_count is None for c in code[first + 1:]), nb_name


def test_other_language_is_warned_about(runs):
    """Articles in German and Spanish: some output must say the tokenizer expects English."""
    run = runs[0]["other_language"]
    run.failures()
    shown = []
    for nb in run.notebooks().values():
        for out in outputs_of(nb):
            if out.output_type == "stream":
                shown.append(out.text)
            else:
                data = out.get("data", {})
                shown.append(data.get("text/markdown", "") or data.get("text/plain", ""))
    assert re.search(r"\b(English|language)\b", "\n".join(shown), flags=re.I)


def test_report_of_a_run_on_another_corpus(runs):
    run = runs[0]["many_outlets"]
    run.failures()
    written = report.build_report(run.out / "notebooks", run.out / "report")
    assert [p.name for p in written[1:]] == [p.stem + ".html" for p in runner.list_notebooks()]
    for page in written:
        parsed = Page(page.read_text(encoding="utf-8"))
        assert_offline(parsed)
        if page.name != "index.html":
            assert parsed.attrs("img", "src"), f"{page.name} shows no figure"
    index = Page(written[0].read_text(encoding="utf-8"))
    assert len(index.attrs("img", "src")) == len(written) - 1  # one key figure per notebook


def test_hostile_corpus_runs_no_script_in_outputs_or_report(runs):
    """Issue #16: outlet names with script, backticks, $ and formulas; impossible dates."""
    run = runs[0]["hostile"]
    assert run.failures() == []
    for nb in run.notebooks().values():  # escaped where it enters Markdown (JupyterLab too)
        for out in outputs_of(nb):
            markdown = out.get("data", {}).get("text/markdown")
            if markdown:
                assert_no_script(report._markdown(markdown))
    written = report.build_report(run.out / "notebooks", run.out / "report")
    shown = ""
    for page in written:
        text = page.read_text(encoding="utf-8")
        assert_no_script(text)
        assert_offline(Page(text))
        shown += text
    assert "&lt;svg onload=" in shown and "$x^{$" in shown  # the names are shown, as text
    processed = run.out / "data" / "processed"
    raw = (processed / "articles.csv").read_text(encoding="utf-8")
    safe = (processed / "articles_spreadsheet.csv").read_text(encoding="utf-8")
    assert '"=HYPERLINK(""http://evil"") US$"' in raw
    assert '"\'=HYPERLINK(""http://evil"") US$"' in safe
    cells = [cell for row in csv.reader(io.StringIO(safe)) for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "@")) or re.match(r"-(?![\d.])", c)]


def test_committed_outputs_untouched(runs):
    result, before = runs
    for run in result.values():
        run.failures()
    assert fingerprint() == before


def test_mixed_encodings_are_all_loaded_decoded_and_warned_about(runs):
    """Issue #16: UTF-16 without BOM, GBK, cp1251, a stray cp1252 byte, NUL bytes and an HTML page
    saved as .txt: every file loaded and decoded, each problem named in a warning in notebook 01,
    no NUL, tag or script in the texts, and no glyph warning, kernel log or progress bar in any
    executed notebook."""
    run = runs[0]["mixed_encodings"]
    assert run.failures() == []
    with pytest.warns(Warning):
        corpus = load_corpus(run.corpus)
    assert sorted(corpus.articles["source"]) == sorted(p.name for p in run.corpus.glob("*.txt"))
    assert corpus.skipped.empty
    enc = dict(zip(corpus.articles["article_id"], corpus.articles["encoding"], strict=True))
    assert enc["zh01"] == "gb18030" and enc["ru01"] == "cp1251"
    assert sorted(enc.values()).count("utf-16-le") == 1 and "utf-8 (repaired)" in enc.values()
    assert not corpus.articles["text"].str.contains("\x00|<p>|alert\\(", regex=True).any()
    counts = corpus.articles.set_index("article_id")["n_sentences"]
    assert counts["zh01"] == 5 and counts["ru01"] == 4
    shown = {name: "\n".join(o.get("text", "") if o.output_type == "stream"
                             else str(o.get("data", {}).get("text/plain", "")) for o in outputs_of(nb))
             for name, nb in run.notebooks().items()}
    first = shown[runner.list_notebooks()[0].name]
    for said in ("decoded as gb18030", "decoded as cp1251", "NUL byte(s) removed", "an HTML page",
                 "byte(s) that are not UTF-8"):
        assert said in first, said
    for name, text in shown.items():
        assert "Glyph" not in text and "without encryption" not in text, name
        assert not re.search(r"\d+it/s|\|\s*\d+/\d+ \[", text), name  # no tqdm bar
