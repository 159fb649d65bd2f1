"""Execute the numbered notebooks in order, deterministically.

``python -m analysis.runner`` (what ``make run`` calls) executes every
``notebooks/NN_*.ipynb`` in numeric order through papermill, from the
``notebooks/`` folder, and writes each back in place with volatile metadata
(timings, papermill bookkeeping, absolute paths) removed, so that a rerun on an
unchanged checkout leaves ``git status`` clean.

``python -m analysis.runner --corpus PATH --out DIR`` runs the same notebooks on
another corpus: papermill injects ``corpus`` and ``output_dir`` (and optionally
``annotations``) and the executed notebooks, figures and tables go under ``DIR``;
the committed notebooks, ``figures/`` and ``data/processed/`` are not touched.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
_NOTEBOOK_RE = re.compile(r"^\d{2}_[\w-]+\.ipynb$")

#: Notebook-level metadata keys kept; everything else (papermill, widgets) is dropped.
_KEEP_NB_METADATA = ("kernelspec", "language_info")
#: Cell-level metadata keys kept; timings and papermill bookkeeping are dropped.
_KEEP_CELL_METADATA = ("tags",)


def list_notebooks(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """Return the numbered notebooks of ``folder`` in numeric order.

    Parameters
    ----------
    folder : pathlib.Path
        Folder holding ``NN_name.ipynb`` files.

    Returns
    -------
    list of pathlib.Path
        Sorted by file name, which starts with the two-digit number.
    """
    return sorted(p for p in Path(folder).iterdir() if _NOTEBOOK_RE.match(p.name))


def normalize_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip volatile metadata from an executed notebook, in place.

    Keeps the kernelspec, the language name, cell tags, ids, sources and
    outputs; drops execution timings, papermill's per-cell and per-notebook
    bookkeeping (which holds timestamps and absolute paths) and the Python
    patch version.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.

    Returns
    -------
    nbformat.NotebookNode
        The same notebook, for chaining.
    """
    meta = {k: nb.metadata[k] for k in _KEEP_NB_METADATA if k in nb.metadata}
    if "language_info" in meta:
        meta["language_info"] = {"name": meta["language_info"].get("name", "python")}
    nb.metadata = nbformat.from_dict(meta)
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict(
            {k: cell.metadata[k] for k in _KEEP_CELL_METADATA if cell.metadata.get(k)}
        )
    return nb


def execute(
    notebook: Path,
    output: Path,
    parameters: dict | None = None,
) -> Path:
    """Execute one notebook with papermill and write it normalised.

    Parameters
    ----------
    notebook : pathlib.Path
        The notebook to run.
    output : pathlib.Path
        Where the executed notebook is written (may equal ``notebook``).
    parameters : dict, optional
        Values injected after the cell tagged ``parameters``. None or empty runs
        the notebook with its own defaults and injects nothing.

    Returns
    -------
    pathlib.Path
        ``output``.
    """
    import papermill as pm

    output.parent.mkdir(parents=True, exist_ok=True)
    pm.execute_notebook(
        str(notebook),
        str(output),
        parameters=parameters or None,
        cwd=str(notebook.parent),
        kernel_name="python3",
        progress_bar=False,
        log_output=False,
    )
    nb = nbformat.read(output, as_version=4)
    nbformat.write(normalize_notebook(nb), output)
    return output


def run_all(
    corpus: str | None = None,
    out: str | None = None,
    annotations: str | None = None,
    only: list[str] | None = None,
) -> list[Path]:
    """Execute every numbered notebook in order.

    Parameters
    ----------
    corpus : str, optional
        A corpus path accepted by :func:`analysis.load_corpus`. None runs on the
        bundled corpus and rewrites the committed notebooks in place.
    out : str, optional
        Output folder for a run on another corpus (default ``results/<corpus name>``).
    annotations : str, optional
        A hand-coded validation sample for that corpus; without it the
        validation sections say that none was given.
    only : list of str, optional
        Run only notebooks whose name starts with one of these prefixes.

    Returns
    -------
    list of pathlib.Path
        The executed notebooks.
    """
    notebooks = list_notebooks()
    if only:
        notebooks = [p for p in notebooks if any(p.name.startswith(o) for o in only)]
    done = []
    if corpus is None and out is None:
        params: dict = {}
        target_dir = NOTEBOOK_DIR
    else:
        if corpus is None:
            corpus = str(ROOT / "data" / "raw")
        corpus_path = Path(corpus).expanduser().resolve()
        if not corpus_path.exists():
            raise SystemExit(f"CORPUS {corpus!r} does not exist. Give a folder of .txt files or a CSV/JSONL/Parquet file.")
        out_dir = Path(out or ROOT / "results" / corpus_path.stem).expanduser().resolve()
        params = {"corpus": str(corpus_path), "output_dir": str(out_dir), "annotations": annotations or ""}
        target_dir = out_dir / "notebooks"
    for nb in notebooks:
        print(f"executing {nb.name}", flush=True)
        done.append(execute(nb, target_dir / nb.name, params))
    return done


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``python -m analysis.runner``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="folder of .txt files or a CSV/JSONL/Parquet file")
    parser.add_argument("--out", help="output folder for a run on another corpus")
    parser.add_argument("--annotations", help="hand-coded validation sample for that corpus")
    parser.add_argument("--only", nargs="*", help="run only notebooks starting with these prefixes")
    args = parser.parse_args(argv)
    try:
        run_all(args.corpus, args.out, args.annotations, args.only)
    except Exception as exc:  # papermill raises with the failing cell's traceback
        print(f"notebook run failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
