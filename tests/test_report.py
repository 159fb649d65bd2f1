"""Tests of analysis.report on hand-built executed notebooks (no kernel, no real notebooks)."""

from __future__ import annotations

import base64
import html
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import nbformat
import pytest

from analysis import report

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

KERNELSPEC = {
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python"},
}


def png_b64(colour: str) -> str:
    """A small real PNG (one coloured bar), base64 as Jupyter stores it."""
    fig, ax = plt.subplots(figsize=(2, 1), dpi=40)
    ax.bar([0], [1], color=colour)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def image_output(b64: str):
    return nbformat.v4.new_output("display_data", data={"image/png": b64, "text/plain": "<Figure>"})


def code(source, outputs=(), tags=(), count=None):
    cell = nbformat.v4.new_code_cell(source, outputs=list(outputs), execution_count=count)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def markdown(source, tags=()):
    cell = nbformat.v4.new_markdown_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def write_nb(path: Path, cells) -> Path:
    nb = nbformat.v4.new_notebook(metadata=KERNELSPEC, cells=list(cells))
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i:02d}"
    nbformat.write(nb, path)
    return path


WIDE_TABLE = "<table class='dataframe'><tr>" + "".join(f"<th>column_{i}</th>" for i in range(40)) + "</tr></table>"


@pytest.fixture
def executed(tmp_path):
    """Three executed notebooks: tagged cells, untagged defaults, and one that failed."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    first, key = png_b64("red"), png_b64("blue")
    write_nb(folder / "01_alpha.ipynb", [
        markdown("# 01 Alpha: what is said\n\nThe question of alpha."),
        code('corpus = "../data/raw"\noutput_dir = ".."', tags=["parameters"], count=1),
        code("df", [nbformat.v4.new_output("execute_result", data={"text/html": WIDE_TABLE, "text/plain": "df"},
                                           execution_count=2)], count=2),
        code("plot_a()", [image_output(first)], count=3),
        code("plot_b()", [image_output(key)], tags=["key-figure"], count=4),
        code("findings()", [nbformat.v4.new_output(
            "display_data", data={"text/markdown": "**Alpha finding:** 3 of 5 articles.", "text/plain": "x"})],
             tags=["findings"], count=5),
    ])
    write_nb(folder / "02_beta.ipynb", [
        markdown("# 02 Beta\n\nBeta compares *tone* across outlets."),
        code('corpus = "../data/raw"', tags=["parameters"], count=1),
        code("plot()", [image_output(first)], count=2),
        markdown("## Findings\n\nBeta finds little.", tags=["findings"]),
    ])
    write_nb(folder / "03_gamma.ipynb", [
        markdown("# 03 Gamma"),
        code('corpus = "../data/raw"', tags=["parameters"], count=1),
        code('corpus = "/data/my corpus.csv"', tags=["injected-parameters"], count=2),
        code("corpus_ = load_corpus(corpus)", [nbformat.v4.new_output(
            "error", ename="ValueError", evalue="my corpus.csv has no 'text' column: add one",
            traceback=["Traceback..."])], count=3),
        code("never_run()"),
    ])
    (folder / "scratch.ipynb").write_text("not a numbered notebook")
    return {"folder": folder, "first": first, "key": key}


class Page(HTMLParser):
    """Collects what a browser would load or follow from a page."""

    def __init__(self, text: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.inline: dict[str, list[str]] = {"script": [], "style": []}
        self._in = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in self.inline else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in:
            self.inline[self._in].append(data)

    def attrs(self, tag, name):
        return [a[name] for t, a in self.tags if t == tag and a.get(name) is not None]


def assert_offline(page: Page) -> None:
    """Nothing on the page loads from the network."""
    assert page.attrs("script", "src") == []
    assert not any(re.search(r"https?:|//", s) for s in page.inline["script"])
    for tag in ("link", "iframe", "embed", "source", "object"):
        for attr in ("href", "src", "data"):
            assert not [v for v in page.attrs(tag, attr) if not v.startswith("data:")], (tag, attr)
    for src in page.attrs("img", "src"):
        assert src.startswith("data:image/")
    css = "".join(page.inline["style"])
    assert "@import" not in css
    assert all(u.startswith(("data:", "'data:", '"data:')) for u in re.findall(r"url\(\s*([^)]*)\)", css))


def test_report_pages_are_self_contained(executed, tmp_path):
    out = tmp_path / "report"
    written = report.build_report(executed["folder"], out)
    assert [p.name for p in written] == ["index.html", "01_alpha.html", "02_beta.html", "03_gamma.html"]
    for path in written:
        assert_offline(Page(path.read_text(encoding="utf-8")))

    alpha = Page((out / "01_alpha.html").read_text(encoding="utf-8"))
    imgs = alpha.attrs("img", "src")
    assert len(imgs) == 2
    for src in imgs:  # embedded images decode to PNG
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    css = "".join(alpha.inline["style"])
    assert re.search(r"table\s*\{[^}]*overflow-x:\s*auto[^}]*max-width:\s*100%", css)
    assert re.search(r"img\s*\{[^}]*max-width:\s*100%", css)


def test_code_is_folded_and_outputs_shown(executed, tmp_path):
    report.build_report(executed["folder"], tmp_path / "r")
    text = (tmp_path / "r" / "01_alpha.html").read_text(encoding="utf-8")
    assert text.count('<details class="report-code">') == 5  # one per code cell
    assert "column_39" in text and "Alpha finding:" in text


def test_links_resolve_in_order(executed, tmp_path):
    out = tmp_path / "report"
    report.build_report(executed["folder"], out)
    index = Page((out / "index.html").read_text(encoding="utf-8"))
    pages = [h for h in index.attrs("a", "href") if not h.startswith("#")]
    ordered = list(dict.fromkeys(pages))
    assert ordered == ["01_alpha.html", "02_beta.html", "03_gamma.html"]
    for path in out.glob("*.html"):
        for href in Page(path.read_text(encoding="utf-8")).attrs("a", "href"):
            if not href.startswith(("#", "data:")):
                assert (out / href).is_file(), (path.name, href)
    beta = Page((out / "02_beta.html").read_text(encoding="utf-8"))
    assert {"index.html", "01_alpha.html", "03_gamma.html"} <= set(beta.attrs("a", "href"))


def test_index_shows_key_figure_findings_and_errors(executed, tmp_path):
    out = tmp_path / "report"
    report.build_report(executed["folder"], out)
    text = (out / "index.html").read_text(encoding="utf-8")
    sections = dict(re.findall(r'<section class="notebook" id="(\w+)">(.*?)</section>', text, flags=re.S))
    assert list(sections) == ["01_alpha", "02_beta", "03_gamma"]

    alpha = Page(sections["01_alpha"])
    assert alpha.attrs("img", "src") == [f"data:image/png;base64,{executed['key']}"]  # tagged, not first
    assert "<strong>Alpha finding:</strong> 3 of 5 articles." in sections["01_alpha"]
    assert "01 Alpha: what is said" in sections["01_alpha"]

    beta = Page(sections["02_beta"])
    assert beta.attrs("img", "src") == [f"data:image/png;base64,{executed['first']}"]  # default: first
    assert "Beta finds little." in sections["02_beta"]
    assert "compares" not in sections["02_beta"]  # the tagged cell wins over the first markdown

    gamma = sections["03_gamma"]
    assert "stopped with an error" in gamma and "has no 'text' column" in gamma
    assert "<img" not in gamma
    assert "my corpus.csv</code>" in text  # the injected corpus is named


def test_summary_defaults_to_first_markdown_without_title():
    nb = nbformat.v4.new_notebook(cells=[
        markdown("# 04 Tone\n\nDoes *tone* differ?"),
        code("x = 1", count=1),
    ])
    summary = report.summarize(nb, "04_tone")
    assert summary.title == "04 Tone"
    assert "Does <em>tone</em> differ?" in summary.findings_html
    assert "04 Tone" not in summary.findings_html
    assert summary.key_figure is None and summary.error == "" and summary.executed is False


def test_missing_notebooks_stop_with_a_message(tmp_path):
    with pytest.raises(SystemExit, match="make run"):
        report.build_report(tmp_path / "nothing", tmp_path / "report")


def test_main_with_out_writes_out_report(executed, tmp_path, capsys):
    out = executed["folder"].parent
    assert report.main(["--out", str(out)]) == 0
    assert (out / "report" / "index.html").is_file()
    assert "index.html" in capsys.readouterr().out


def test_report_of_the_committed_notebooks(tmp_path):
    """`make report` on the bundled corpus: every page offline, with its figures, linked in order."""
    from analysis.runner import NOTEBOOK_DIR, list_notebooks

    notebooks = list_notebooks(NOTEBOOK_DIR)
    if not notebooks:
        pytest.skip("no committed notebooks yet")
    written = report.build_report(NOTEBOOK_DIR, tmp_path)
    assert [p.name for p in written] == ["index.html"] + [p.stem + ".html" for p in notebooks]
    for page in written:
        parsed = Page(page.read_text(encoding="utf-8"))
        assert_offline(parsed)
        for href in parsed.attrs("a", "href"):
            if not href.startswith(("#", "http", "mailto:")):
                assert (tmp_path / href.split("#")[0]).is_file(), (page.name, href)
    for page, nb_path in zip(written[1:], notebooks, strict=True):
        n_images = sum("image/png" in o.get("data", {})
                       for c in nbformat.read(nb_path, as_version=4).cells for o in c.get("outputs", []))
        assert len(Page(page.read_text(encoding="utf-8")).attrs("img", "src")) >= n_images, page.name
    index = Page(written[0].read_text(encoding="utf-8"))
    assert len(index.attrs("img", "src")) == len(notebooks)


#: Corpus values that run script if they reach a page unescaped (issue #16).
HOSTILE = [
    '<svg onload="alert(1)">',
    "`<img src=x onerror=alert(2)>`",
    "``<img src=x onerror=alert(3)>``",
    "[click](javascript:alert(4))",
    "<a href='javascript:alert(5)'>AP</a>",
    "<script>alert(6)</script>",
    "<!-- x --><iframe srcdoc='<script>alert(7)</script>'>",
    "US$ $x^2$ *bold* _under_ \\ back\\slash & AT&T\nnext line",
]


def assert_no_script(text: str) -> None:
    """The DOM of a page or fragment: no script element, no on* attribute, no script URL."""
    page = Page(text)
    assert not [t for t, _ in page.tags if t in ("script", "iframe", "object", "embed", "svg")]
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.lower().startswith("on")], (tag, attrs)
        for name in ("href", "src", "action", "formaction", "xlink:href"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "vbscript:", "data:text")), (tag, attrs)


@pytest.mark.parametrize("value", HOSTILE)
def test_md_escape_and_md_code_render_corpus_values_as_text(value):
    from analysis.outputs import md_code, md_escape

    text = " ".join(value.splitlines())
    for source in (f"- **{md_escape(value)}**: 3", f"highest {md_code(value)} +0.2",
                   f"*{md_escape(value)}*"):
        rendered = report._markdown(source)
        assert_no_script(rendered)
        shown = html.unescape(re.sub(r"<[^>]+>", "", rendered))
        assert text in shown, (source, rendered)  # shown literally, not as markup or math
    assert md_escape("Associated Press") == "Associated Press"
    assert md_escape("001_315916129528cc11") == "001_315916129528cc11"
    assert md_code("China Daily") == "`China Daily`"


def test_report_of_hostile_outputs_runs_no_script(tmp_path):
    """Every kind of output a notebook can hold, carrying hostile corpus values: no script survives,
    figures and tables do."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    figure = png_b64("green")
    table = ("<table border='1' class='dataframe'><thead><tr style='text-align: right;'>"
             "<th>outlet</th></tr></thead><tbody>"
             + "".join(f"<tr><td>{html.escape(v)}</td></tr>" for v in HOSTILE) + "</tbody></table>")
    outputs = [
        *[nbformat.v4.new_output("display_data", data={"text/markdown": f"**{v}** leads", "text/plain": "md"})
          for v in HOSTILE],
        *[nbformat.v4.new_output("display_data", data={"text/html": v, "text/plain": "html"}) for v in HOSTILE],
        nbformat.v4.new_output("display_data", data={"application/javascript": "alert(8)", "text/plain": "js"}),
        nbformat.v4.new_output("display_data", data={
            "image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg' onload='alert(9)'><script>alert(10)</script></svg>",
            "text/plain": "svg"}),
        nbformat.v4.new_output("display_data", data={"text/html": "<a href='data:text/html,<script>alert(11)</script>'>x</a>"
                                                     "<img src='data:image/svg+xml,<svg onload=alert(12)>'>",
                                                     "text/plain": "data"}),
        nbformat.v4.new_output("execute_result", data={"text/html": table, "text/plain": "table"}, execution_count=2),
        image_output(figure),
        nbformat.v4.new_output("stream", name="stdout", text=HOSTILE[0]),
        nbformat.v4.new_output("error", ename="ValueError", evalue=HOSTILE[0], traceback=[HOSTILE[1]]),
    ]
    write_nb(folder / "01_hostile.ipynb", [
        markdown("# 01 Hostile"),
        code('corpus = "../data/raw"', tags=["parameters"], count=1),
        code("findings()", outputs, tags=["findings"], count=2),
    ])
    written = report.build_report(folder, tmp_path / "report")
    for page in written:
        text = page.read_text(encoding="utf-8")
        assert_no_script(text)
        assert_offline(Page(text))
    page = Page(written[1].read_text(encoding="utf-8"))
    assert f"data:image/png;base64,{figure}" in page.attrs("img", "src")  # the figure survives
    assert [t for t, _ in page.tags].count("table") >= 1 and "text-align:right" in page.attrs("tr", "style")
    index = Page(written[0].read_text(encoding="utf-8"))
    assert index.attrs("img", "src") == [f"data:image/png;base64,{figure}"]
    body = written[1].read_text(encoding="utf-8")
    assert "&lt;svg onload=" in body  # the hostile name is shown as text
