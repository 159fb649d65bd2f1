"""Render the executed notebooks to a self-contained HTML report.

``python -m analysis.report`` (what ``make report`` calls) renders every
executed ``notebooks/NN_*.ipynb`` to ``report/NN_*.html`` and writes
``report/index.html``, which links the pages in order and shows each
notebook's key figure and findings. ``python -m analysis.report --out DIR``
does the same for a run on another corpus: ``DIR/notebooks`` to ``DIR/report``.

The pages read offline: figures are embedded as ``data:`` URIs, the styles are
inlined, and no script is loaded from the network (nbconvert's RequireJS,
MathJax, Mermaid and widget loaders are left out). Code is kept but folded
under a "Code" toggle; wide tables scroll inside the page.

The pages run no script at all. Outputs carry corpus text (outlets, headlines,
speakers), so the body of every page goes through :func:`sanitize_html`, an
allow-list sanitiser (``nh3``, the Python binding of Rust's ``ammonia``): no
``<script>``, ``<style>``, ``<iframe>``, ``<svg>`` or form elements, no event
handler or other unlisted attribute, no ``javascript:`` or other URL scheme but
``http``, ``https``, ``mailto`` and, on ``<img src>`` (which allows nothing else),
``data:image/png``, ``data:image/jpeg`` and ``data:image/gif``. The page's own head (title, the
inlined styles) comes from the template, not from the notebook outputs.

Two cell tags steer the index page:

``key-figure``
    The first image output of this cell is the notebook's key figure
    (default: the first image output of the notebook).
``findings``
    This markdown cell, or this code cell's Markdown/HTML/text output, is the
    notebook's findings paragraph (default: the first markdown cell, without
    its title line).
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import html
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import nh3

from .runner import INJECTED_TAG, NOTEBOOK_DIR, ROOT, list_notebooks, read_run

KEY_FIGURE_TAG = "key-figure"
#: A numbered notebook's file name (what run.json may name; anything else in it is ignored).
_NOTEBOOK_NAME = re.compile(r"^\d{2}_[\w-]+\.ipynb$")
FINDINGS_TAG = "findings"
_IMAGE_TYPES = ("image/png", "image/jpeg")

#: Styles added to nbconvert's (inlined) JupyterLab styles, and used by the index page.
REPORT_CSS = """
body { margin: 0; }
main, .report-nav { max-width: 1100px; margin: 0 auto; padding: 0 1.5rem; box-sizing: border-box; }
.report-nav { padding-top: 1rem; padding-bottom: 1rem; font-family: system-ui, sans-serif;
  display: flex; gap: 1.5rem; flex-wrap: wrap; border-bottom: 1px solid #ddd; }
.report-nav a { text-decoration: none; }
img { max-width: 100%; height: auto; }
table { display: block; overflow-x: auto; max-width: 100%; }
.jp-OutputArea-output { overflow-x: auto; max-width: 100%; }
.jp-OutputArea-output pre { overflow-x: auto; }
details.report-code > summary { cursor: pointer; color: #666; font-size: 0.85em;
  font-family: system-ui, sans-serif; margin: 0.2rem 0; }
.jp-Cell { padding: 0.2rem 0; }
.dataframe tbody tr th:only-of-type { vertical-align: middle; }
.dataframe tbody tr th { vertical-align: top; }
.dataframe thead th { text-align: right; }
"""

#: nbconvert template: JupyterLab look without any network script, code folded.
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style type="text/css">{{ resources.report_css }}</style>{% endblock extra_css %}
{%- block body_header -%}
{{ super() }}
{{ resources.report_nav }}
{%- endblock body_header -%}
{% block input_group -%}
<details class="report-code"><summary>Code</summary>
{{ super() }}
</details>
{%- endblock input_group %}
"""

_INDEX_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; line-height: 1.5;
  color: #222; margin: 0; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
section.notebook { border-top: 1px solid #ddd; padding: 1rem 0; }
section.notebook h2 { margin-bottom: 0.3rem; }
.findings { max-width: 50rem; }
section.notebook img { max-width: min(100%, 800px); }
.error { color: #a00; background: #fee; padding: 0.5rem; border-radius: 4px; }
.missing { color: #777; font-style: italic; }
code { background: #f4f4f4; padding: 0 0.2em; }
"""


#: Elements kept in a page body; any other is dropped, its text kept (script and style: with their text).
_SAFE_TAGS = frozenset(nh3.ALLOWED_TAGS | {"main", "section"}) - {"map", "area"}
#: Attributes kept, by element ("*": any element).
_SAFE_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "tabindex", "data-mime-type", "data-type", "style"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "table": {"border"},
    "ol": {"start"},
    "details": {"open"},
}
#: CSS properties kept in ``style`` attributes (pandas aligns table headers with it).
_SAFE_STYLE = {"text-align", "vertical-align"}
_DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif);base64,[A-Za-z0-9+/=\s]*\Z")
_BODY = re.compile(r"(<body\b[^>]*>)(.*)(</body>)", flags=re.S | re.I)


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    """nh3 attribute filter: an image's source must be an embedded PNG/JPEG/GIF (the page
    loads nothing), and a ``data:`` URL is allowed nowhere else."""
    if tag == "img" and name == "src":
        return value if _DATA_IMAGE.match(value.strip()) else None
    if name in ("href", "src") and value.strip().lower().startswith("data:"):
        return None
    return value


def sanitize_html(fragment: str) -> str:
    """Clean an HTML fragment with an allow-list: whatever it holds, it can run no script.

    Keeps text, headings, lists, tables, code, links (``http``, ``https``, ``mailto``,
    relative), embedded PNG/JPEG/GIF images (``data:`` URIs; an image from anywhere else
    loses its source, so the page loads nothing), ``<details>`` and the
    classes and ids that JupyterLab's styles use. Drops ``<script>`` and ``<style>``
    elements with their content, every other unlisted element (keeping its text), event
    handler attributes and every unlisted URL scheme (``javascript:``, ``vbscript:``,
    ``data:`` outside ``<img src>``); ``style`` attributes keep only text alignment.

    Parameters
    ----------
    fragment : str
        HTML, e.g. a page body or a notebook's output.

    Returns
    -------
    str
        The cleaned HTML (links get ``rel="noopener noreferrer"``).

    Examples
    --------
    >>> sanitize_html('<p>AP<svg onload="alert(1)"></svg><img src=x onerror="alert(1)"></p>')
    '<p>AP<img></p>'
    >>> sanitize_html('<a href="javascript:alert(1)">x</a><script>alert(1)</script>')
    '<a rel="noopener noreferrer">x</a>'
    """
    return nh3.clean(
        fragment,
        tags=set(_SAFE_TAGS),
        clean_content_tags={"script", "style"},
        attributes={k: set(v) for k, v in _SAFE_ATTRIBUTES.items()},
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto", "data"},
        filter_style_properties=set(_SAFE_STYLE),
    )


def sanitize_page(page: str) -> str:
    """A whole HTML page with its ``<body>`` cleaned by :func:`sanitize_html`.

    The head (title, inlined styles) is the template's and kept as it is; a page without
    a body is cleaned whole.

    Parameters
    ----------
    page : str
        An HTML document.

    Returns
    -------
    str
    """
    match = _BODY.search(page)
    if match is None:
        return sanitize_html(page)
    head, body = page[:match.start(2)], sanitize_html(match.group(2))
    return head + body + page[match.end(2):]


@dataclass(frozen=True)
class Summary:
    """What the index page shows for one notebook.

    Attributes
    ----------
    name : str
        File stem, e.g. ``01_ingestion``.
    title : str
        Text of the first Markdown heading (else ``name``).
    key_figure : str or None
        ``data:`` URI of the key figure, None if the notebook has no image.
    findings_html : str
        The findings paragraph as HTML ("" if none).
    error : str
        ``"ExceptionName: message"`` of the first error output, "" if none.
    executed : bool
        Whether any code cell has an output.
    status : str
        The notebook's state in the run manifest (``OUT/run.json``): ``ok``, ``failed``,
        ``running`` (the run was killed while it ran), ``interrupted``, ``pending`` (never
        started), ``missing`` (recorded but its file is gone); "" without a run manifest.
    """

    name: str
    title: str
    key_figure: str | None
    findings_html: str
    error: str
    executed: bool
    status: str = ""

    @property
    def rendered(self) -> bool:
        """Whether the notebook has a page (its executed file exists)."""
        return self.status not in {"pending", "missing"}

    @property
    def show_figure(self) -> bool:
        """Whether its key figure is shown: only from a notebook this run executed to its end or to
        its error (never one that was stopped, never ran, or is gone)."""
        return self.status in {"", "ok", "failed"}


#: What the index says of a notebook that did not run to its end, by run-manifest state.
_STATUS_NOTES = {
    "running": "Interrupted: the run was stopped (killed) while this notebook ran, or is still "
               "running. Its page shows the cells that had finished; no key figure or findings "
               "are shown. Run <code>make run</code> again.",
    "interrupted": "Interrupted: the run was stopped (Ctrl-C) while this notebook ran. Its page "
                   "shows the cells that had finished; no key figure or findings are shown.",
    "pending": "Not run: the run stopped before this notebook started. Run <code>make run</code> "
               "again.",
    "missing": "Missing: the run recorded this notebook but its file is gone. Run "
               "<code>make run</code> again.",
}


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _image_uri(cell) -> str | None:
    """``data:`` URI of the first PNG/JPEG output of a cell, else None."""
    for out in cell.get("outputs", []):
        for mime in _IMAGE_TYPES:
            data = out.get("data", {}).get(mime)
            if data:
                b64 = "".join(data) if isinstance(data, list) else data
                return f"data:{mime};base64,{b64.replace(chr(10), '')}"
    return None


def _markdown(source: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(source)


def _output_html(cell) -> str:
    """The displayed outputs of a code cell as HTML: Markdown, HTML or plain text."""
    parts = []
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "text/markdown" in data:
            parts.append(_markdown(data["text/markdown"]))
        elif "text/html" in data:
            parts.append(data["text/html"])
        elif "text/plain" in data:
            parts.append(f"<p>{html.escape(data['text/plain'])}</p>")
        elif out.get("output_type") == "stream" and out.get("name") == "stdout":
            parts.append(f"<p>{html.escape(out['text'])}</p>")
    return "\n".join(parts)


def _title(nb) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#{1,6}\s+(.+?)\s*#*\s*$", cell.source, flags=re.M)
            if match:
                return match.group(1)
    return None


def summarize(nb: nbformat.NotebookNode, name: str) -> Summary:
    """Find the title, key figure, findings and first error of an executed notebook.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.
    name : str
        Its file stem.

    Returns
    -------
    Summary
    """
    cells = nb.cells
    tagged = [c for c in cells if KEY_FIGURE_TAG in _tags(c)]
    key_figure = next((u for u in map(_image_uri, tagged) if u), None)
    if key_figure is None:
        key_figure = next((u for u in map(_image_uri, cells) if u), None)

    findings = next((c for c in cells if FINDINGS_TAG in _tags(c)), None)
    if findings is not None and findings.cell_type == "markdown":
        findings_html = _markdown(findings.source)
    elif findings is not None:
        findings_html = _output_html(findings)
    else:
        first_md = next((c for c in cells if c.cell_type == "markdown"
                         and "papermill-error-cell-tag" not in _tags(c)), None)
        body = re.sub(r"\A\s*#{1,6}\s.*\n?", "", first_md.source) if first_md else ""
        findings_html = _markdown(body) if body.strip() else ""

    error = ""
    for cell in cells:
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            error = f"{errors[0].ename}: {errors[0].evalue}"
            break
    executed = any(c.get("outputs") for c in cells if c.cell_type == "code")
    return Summary(name, _title(nb) or name, key_figure, findings_html, error, executed)


def corpus_of(nb: nbformat.NotebookNode) -> str | None:
    """The ``corpus`` papermill injected into an executed notebook, else None."""
    for cell in nb.cells:
        if INJECTED_TAG in _tags(cell):
            for node in ast.parse(cell.source).body:
                if (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                        and node.targets[0].id == "corpus" and isinstance(node.value, ast.Constant)):
                    return str(node.value.value)
    return None


def _nav(summaries: list[Summary], i: int) -> str:
    links = ['<a href="index.html">&#8593; Index</a>']
    if i > 0:
        prev = summaries[i - 1]
        links.append(f'<a href="{prev.name}.html">&#8592; {html.escape(prev.title)}</a>')
    if i + 1 < len(summaries):
        nxt = summaries[i + 1]
        links.append(f'<a href="{nxt.name}.html">{html.escape(nxt.title)} &#8594;</a>')
    return f'<nav class="report-nav">{" ".join(links)}</nav>'


def render_notebook(nb: nbformat.NotebookNode, folder: Path, *, nav: str = "") -> str:
    """Render one executed notebook to a self-contained HTML page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.
    folder : pathlib.Path
        Its folder (images that Markdown cells link to are embedded from there).
    nav : str, optional
        HTML of the navigation bar shown at the top.

    Returns
    -------
    str
        The page.
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        raw_template=_TEMPLATE,
        embed_images=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    body, _ = exporter.from_notebook_node(
        nb,
        resources={"metadata": {"path": str(folder)}, "report_css": REPORT_CSS, "report_nav": nav},
    )
    return sanitize_page(body)


def render_index(summaries: list[Summary], *, corpus: str | None = None,
                 run: dict | None = None, foreign: list[str] | None = None) -> str:
    """The index page: each notebook in order with its key figure and findings.

    Parameters
    ----------
    summaries : list of Summary
        One per notebook, in order.
    corpus : str, optional
        The corpus the notebooks ran on (None: the bundled corpus).
    run : dict, optional
        The run manifest (:func:`analysis.runner.read_run`): a run that did not finish is
        said at the top.
    foreign : list of str, optional
        Notebook files in the folder that the run did not write (named, not rendered).

    Returns
    -------
    str
        The page.
    """
    what = (f"the corpus <code>{html.escape(corpus)}</code>" if corpus
            else "the bundled corpus (<code>data/raw</code>)")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
        "<title>China-US diplomacy in the news: report</title>",
        f"<style>{_INDEX_CSS}{REPORT_CSS}</style></head><body><main>",
        "<h1>China-US head-of-state diplomacy in the news</h1>",
        f"<p>Results of the notebook suite on {what}. Open a notebook for its method, "
        "tables and caveats; code is folded under <em>Code</em>.</p>",
    ]
    status = (run or {}).get("status")
    if status in {"running", "interrupted"}:
        unfinished = [s.name for s in summaries if s.status not in {"ok", "failed"}]
        parts.append(
            '<p class="error" id="run-status">This run did not finish: it was '
            + ("killed (or is still running)" if status == "running" else "interrupted")
            + " before " + html.escape(", ".join(unfinished) or "its end")
            + " finished (started " + html.escape(str(run.get("started") or "?"))
            + "). Only notebooks marked as run are results of this corpus; run "
            "<code>make run</code> again for the rest.</p>")
    elif run is None and corpus:
        parts.append('<p class="missing" id="run-status">No run manifest (<code>run.json</code>) '
                     "in this folder: which run wrote these notebooks cannot be checked.</p>")
    if foreign:
        parts.append('<p class="missing" id="foreign">Not shown: ' + html.escape(", ".join(foreign))
                     + " (in this folder, but not written by this run).</p>")
    parts.append("<ol>" + "".join(
        (f'<li><a href="{s.name}.html">{html.escape(s.title)}</a></li>' if s.rendered
         else f"<li>{html.escape(s.title)} (not run)</li>") for s in summaries) + "</ol>")
    for s in summaries:
        parts.append(f'<section class="notebook" id="{s.name}">')
        title = html.escape(s.title)
        parts.append(f'<h2><a href="{s.name}.html">{title}</a></h2>' if s.rendered else f"<h2>{title}</h2>")
        if s.status in _STATUS_NOTES:
            parts.append(f'<p class="missing status-{s.status}">{_STATUS_NOTES[s.status]}</p>')
        elif not s.executed:
            parts.append('<p class="missing">Not executed yet: run <code>make run</code> first.</p>')
        if s.error:
            parts.append(f'<p class="error">This notebook stopped with an error: '
                         f"{html.escape(s.error.splitlines()[0])}</p>")
        if s.key_figure and s.show_figure:
            parts.append(f'<a href="{s.name}.html"><img src="{s.key_figure}" '
                         f'alt="Key figure of {html.escape(s.title)}"></a>')
        if s.findings_html and s.status in {"", "ok", "failed"}:
            parts.append(f'<div class="findings">{s.findings_html}</div>')
        if s.rendered:
            parts.append(f'<p><a href="{s.name}.html">Read the notebook &#8594;</a></p>')
        parts.append("</section>")
    parts.append("</main></body></html>")
    return sanitize_page("\n".join(parts) + "\n")


def build_report(notebook_dir: str | Path, report_dir: str | Path, *, run: dict | None = None) -> list[Path]:
    """Render every numbered notebook of ``notebook_dir`` into ``report_dir``.

    Parameters
    ----------
    notebook_dir : str or pathlib.Path
        Folder of executed ``NN_*.ipynb`` notebooks.
    report_dir : str or pathlib.Path
        Where the pages go (created if needed).
    run : dict, optional
        The run manifest of the OUT the notebooks belong to (:func:`analysis.runner.read_run`).
        Then only the notebooks the run recorded are rendered (others in the folder are named
        on the index, not rendered), each is marked by its state (a notebook that failed, was
        interrupted or never ran shows no key figure), and a run that did not finish is said.

    Returns
    -------
    list of pathlib.Path
        ``index.html`` first, then one page per rendered notebook in order.

    Raises
    ------
    SystemExit
        If ``notebook_dir`` holds no numbered notebook (and the run recorded none).
    """
    notebook_dir, report_dir = Path(notebook_dir), Path(report_dir)
    paths = list_notebooks(notebook_dir) if notebook_dir.is_dir() else []
    foreign: list[str] = []
    states: dict[str, str] = {}
    if run is not None:
        states = {name: str(v.get("status", "")) for name, v in run.get("notebooks", {}).items()
                  if isinstance(v, dict) and _NOTEBOOK_NAME.match(str(name))}
        if not states:  # a manifest from before the run states: the notebooks it wrote ran
            states = {Path(f).name: "ok" for f in run.get("files", [])
                      if isinstance(f, str) and f.startswith("notebooks/")
                      and _NOTEBOOK_NAME.match(Path(f).name)}
        foreign = [p.name for p in paths if p.name not in states]
        paths = [p for p in paths if p.name in states]
    if not paths and not states:
        raise SystemExit(
            f"No executed notebooks (NN_name.ipynb) in {notebook_dir}: run `make run` "
            "(or `make run CORPUS=... OUT=...`) first."
        )
    report_dir.mkdir(parents=True, exist_ok=True)
    for stale in report_dir.glob("*.html"):  # pages of notebooks this report does not render
        stale.unlink()
    by_name = {p.name: p for p in paths}
    notebooks = {p.name: nbformat.read(p, as_version=4) for p in paths}
    summaries = []
    for name in sorted(set(by_name) | set(states)):
        status = states.get(name, "")
        if name in notebooks:
            summary = dataclasses.replace(summarize(notebooks[name], Path(name).stem), status=status)
        else:
            summary = Summary(Path(name).stem, Path(name).stem, None, "", "", False,
                              "pending" if status in {"pending", "running", "interrupted"} else "missing")
        summaries.append(summary)
    rendered = [s for s in summaries if s.rendered]
    written = []
    for i, s in enumerate(rendered):
        path = by_name[s.name + ".ipynb"]
        page = report_dir / f"{s.name}.html"
        page.write_text(render_notebook(notebooks[path.name], path.parent, nav=_nav(rendered, i)),
                        encoding="utf-8")
        written.append(page)
    corpus = (run or {}).get("corpus") or next((c for c in map(corpus_of, notebooks.values()) if c), None)
    index = report_dir / "index.html"
    index.write_text(render_index(summaries, corpus=corpus, run=run, foreign=foreign), encoding="utf-8")
    return [index, *written]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``python -m analysis.report``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="OUT of a `make run CORPUS=... OUT=...` run "
                        "(default: the committed notebooks; report in report/)")
    args = parser.parse_args(argv)
    run = None
    if args.out:
        out = Path(args.out).expanduser().resolve()
        if out.exists() and not out.is_dir():
            raise SystemExit(f"report: OUT {str(out)!r} is a file, not the output folder of a run.")
        notebook_dir, report_dir = out / "notebooks", out / "report"
        run = read_run(out)
        if run is None:
            print(f"report: {out} has no run.json; rendering every numbered notebook in it "
                  "(which run wrote them cannot be checked).", file=sys.stderr)
    else:
        notebook_dir, report_dir = NOTEBOOK_DIR, ROOT / "report"
    index = build_report(notebook_dir, report_dir, run=run)[0]
    if run is not None and run.get("status") in {"running", "interrupted"}:
        print(f"report: the run in {args.out} did not finish (killed, interrupted or still running); the report "
              "marks the notebooks that did not run to their end.", file=sys.stderr)
    print(f"report written: open {index} in a browser")
    return 0


if __name__ == "__main__":
    sys.exit(main())
