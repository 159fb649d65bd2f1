"""Execute the numbered notebooks in order, deterministically.

``python -m analysis.runner`` (what ``make run`` calls) executes every
``notebooks/NN_*.ipynb`` in numeric order through papermill, from the
``notebooks/`` folder, and writes each back in place with volatile metadata
(timings, papermill bookkeeping, absolute paths) removed, so that a rerun on an
unchanged checkout leaves ``git status`` clean.

``python -m analysis.runner --corpus PATH --out DIR`` runs the same notebooks on
another corpus: papermill injects ``corpus`` and ``output_dir`` (and
``annotations`` where a notebook declares it) and the executed notebooks,
figures and tables go under ``DIR``; the committed notebooks, ``figures/`` and
``data/processed/`` are not touched.

Every notebook runs in a fresh kernel, so a notebook that fails does not stop
the others: all are run, and the failures are reported together at the end
(exit status 1). Notebook 01 loads the corpus from its files and keeps it in
``OUT/.cache``; the later notebooks read it from there when it is current
(:func:`analysis.corpus.load_corpus`, ``cache=``), else load the files themselves.

While the notebooks a notebook needs run, its kernel is started and imports the modules
that notebook imports at top level (:class:`WarmKernel`; at most as many kernels wait as
notebooks may run at once): the kernel start and the imports (1-3 s per notebook) overlap the
running notebooks instead of adding to them. The notebook still gets a kernel that ran none of
the other notebooks' code; a warm-up that printed anything, warned or failed is discarded and
that notebook starts cold (``--cold`` starts every kernel cold, when its notebook is due).

Notebooks start in numeric order, each once the earlier notebooks it reads the results of
have finished (its metadata ``"analysis": {"needs": [...]}``, :func:`notebook_needs`; without
it, every earlier notebook). The suite's 02 and 03 need only 01, so they run side by side when
memory allows: after the first notebook, ``--jobs auto`` (the default) allows two at a time if
:func:`parallel_allowed` finds room for ``PEAK_RATIO`` times that notebook's peak memory
(corpora up to about 20,000 articles; Linux only: elsewhere the free memory is not read,
and notebooks run one at a time), else one. Each notebook has its own kernel, so its outputs
are the same either way; ``--jobs 1`` runs one at a time. Ctrl-C lets the running notebooks
finish and starts no other; a second Ctrl-C kills their kernels.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import datetime as dt
import json
import os
import queue
import re
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

if __name__ == "__main__":
    # `python -m analysis.runner` (make run): jsonschema, which nbformat imports, imports
    # rfc3987_syntax when it is installed (jupyterlab's dependencies install it) for its "iri"
    # format checks, and that compiles a grammar: 0.7 s before the first kernel could start. No
    # notebook schema has an IRI field, and nothing else runs in this process.
    sys.modules.setdefault("rfc3987_syntax", None)

import nbformat

from .config import NOTEBOOK_DIR, RAW_DIR, ROOT, require
from .readers import files_fingerprint

#: The Jupyter kernel the notebooks name (``metadata.kernelspec.name``); ``make setup``
#: installs it into the venv (``ipykernel install --sys-prefix --name china-us-news``).
KERNEL_NAME = "china-us-news"

_NOTEBOOK_RE = re.compile(r"^\d{2}_[\w-]+\.ipynb$")

#: Notebook-level metadata keys kept; everything else (papermill, widgets) is dropped.
_KEEP_NB_METADATA = ("kernelspec", "language_info", "analysis")
#: Cell-level metadata keys kept; timings and papermill bookkeeping are dropped.
_KEEP_CELL_METADATA = ("tags",)
#: Tags of the cells papermill adds: the injected parameters and the error banners.
INJECTED_TAG = "injected-parameters"
ERROR_TAG = "papermill-error-cell-tag"
#: The record of a run on another corpus, in its OUT: corpus, annotations and the files written.
RUN_MANIFEST = "run.json"
#: The folders of OUT a run writes to (and the only ones the run manifest may name).
_OUT_FOLDERS = ("notebooks", "figures", "data/processed")
#: ``run.json["suite"]``: marks an OUT written by this suite.
SUITE = "china-us-news-analysis"
#: Per-notebook states in ``run.json["notebooks"]``: not started yet, executing, finished
#: without error, stopped with an error, stopped by Ctrl-C. A killed run leaves "running".
NOTEBOOK_STATES = ("pending", "running", "ok", "failed", "interrupted")
#: Arguments of every kernel the runner starts: the kernel's own log (e.g. ipykernel's "Kernel is
#: running over TCP without encryption", about its local sockets) stays out of the user's
#: terminal; errors still show.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]
#: Starts of a notebook whose kernel died before it replied, before the run calls it a failure:
#: jupyter_client picks free TCP ports and the kernel binds them a moment later, so another
#: process (a second run, a parallel test) can take one in between ("Address already in use").
KERNEL_START_ATTEMPTS = 3
#: Environment of every kernel the runner starts, on top of the runner's own: progress bars
#: stay out of the executed notebooks (ipykernel is loaded there too). ``PYTHONHASHSEED`` is
#: fixed to 0 unless set, as ``make`` does.
KERNEL_ENV = {"ANALYSIS_PROGRESS": "0"}
#: Seconds a warm kernel may take to start (counted from its start) and to finish importing its
#: notebook's modules (counted from the moment its notebook is due); past either it is
#: discarded and the notebook starts cold. Also how long a stopped run waits for each
#: notebook's thread to end.
WARM_TIMEOUT = 120.0
#: Notebook metadata ``{"analysis": {"needs": [file names]}}``: the earlier notebooks whose
#: results (cached corpus or tokens, exported tables) a notebook reads. A notebook that names
#: none waits for every notebook before it (:func:`notebook_needs`).
NEEDS_KEY = "needs"
#: Most notebooks that run at once (``jobs="auto"``): two on the suite's 2-core reference machine.
MAX_JOBS = 2
#: ``jobs="auto"``: the combined peak memory of the notebooks that run side by side, as a
#: multiple of the first notebook's peak (notebook 01 loads the corpus; 02 and 03 together took
#: 2.8 times its peak at 10,000 articles and 3.2 times at 100,000; benchmarks/user_path.csv).
PEAK_RATIO = 3.5
#: ``jobs="auto"``: notebooks run side by side only while ``PEAK_RATIO`` times the first one's
#: peak is at most this many MB (corpora up to about 20,000 articles of 600 words) and at most
#: half the memory available; larger corpora run one notebook at a time, as their peak memory
#: is what limits them.
PARALLEL_MEMORY_MB = 6144.0


class RunSetupError(ValueError):
    """A run cannot start: the corpus or the annotations do not exist, or OUT is not allowed."""


class NotebookRunError(RuntimeError):
    """One or more notebooks stopped with an error.

    Parameters
    ----------
    failures : list of tuple(str, str)
        ``(notebook file name, "ExceptionName: message")`` for each failed notebook.
    """

    def __init__(self, failures: list[tuple[str, str]]):
        super().__init__(failures)
        self.failures = failures

    def __str__(self) -> str:
        lines = [f"{len(self.failures)} notebook(s) failed:"]
        lines += [f"  {name}: {error}" for name, error in self.failures]
        return "\n".join(lines)


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
    folder = require(Path(folder), "the notebooks folder", caller="list_notebooks")
    return sorted(p for p in folder.iterdir() if _NOTEBOOK_RE.match(p.name))


def normalize_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip volatile metadata from an executed notebook, in place.

    Keeps the kernelspec, the language name, the notebook's ``analysis``
    metadata (its needs), cell tags, ids, sources and outputs; drops execution timings, papermill's per-cell and per-notebook
    bookkeeping (which holds timestamps and absolute paths) and the Python
    patch version. Cells papermill created (injected parameters, error
    banners) get stable ids instead of random ones.

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
    n_banners = 0
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict(
            {k: cell.metadata[k] for k in _KEEP_CELL_METADATA if cell.metadata.get(k)}
        )
        tags = cell.metadata.get("tags", [])
        if INJECTED_TAG in tags:
            cell.id = INJECTED_TAG
        elif ERROR_TAG in tags:
            n_banners += 1
            cell.id = f"papermill-error-{n_banners}"
    return nb


def _strip_papermill_cells(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop cells left by an earlier papermill run (injected parameters, error banners)."""
    nb.cells = [
        c for c in nb.cells
        if not {INJECTED_TAG, ERROR_TAG} & set(c.get("metadata", {}).get("tags", []))
    ]
    return nb


def declared_parameters(notebook: Path) -> dict[str, object]:
    """Names assigned in the notebook's cell tagged ``parameters``, with their defaults.

    Read with papermill's own inspection (:func:`papermill.inspect_notebook`), so the runner
    injects exactly the parameters papermill sees.

    Parameters
    ----------
    notebook : pathlib.Path
        A notebook file.

    Returns
    -------
    dict
        Name -> default value (None where the default is not a Python literal).
        Empty if no cell is tagged ``parameters``.
    """
    import papermill as pm

    names: dict[str, object] = {}
    for name, param in pm.inspect_notebook(str(notebook)).items():
        try:
            names[name] = ast.literal_eval(param["default"])
        except (ValueError, SyntaxError, TypeError):
            names[name] = None
    return names


def _annotations_for(given: str, default: object) -> str:
    """The hand-coded sample for one notebook: a folder becomes the file the notebook expects.

    ``ANNOTATIONS`` may name a folder holding every sample (as ``data/annotations``
    does); a notebook whose default is ``.../paragraph_topics.csv`` then gets
    ``folder/paragraph_topics.csv`` if that file exists, else the folder itself.
    """
    if given and Path(given).is_dir() and isinstance(default, str) and default:
        candidate = Path(given) / Path(default).name
        if candidate.is_file():
            return str(candidate)
    return given


def _first_error(nb: nbformat.NotebookNode) -> str:
    """``"ExceptionName: message"`` of the first error output of ``nb``, else ``""``."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return f"{out.ename}: {out.evalue}"
    return ""


@contextlib.contextmanager
def _kernel_environment(**values: str) -> Iterator[None]:
    """Set environment variables for the kernels started inside the block; restore them after.

    Variables that already hold their value are left alone (and not restored): the notebooks'
    threads of one run enter this block while ``run_all`` holds the same values, and none of
    them then undoes the others'."""
    before = {k: os.environ.get(k) for k, v in values.items() if os.environ.get(k) != v}
    os.environ.update({k: values[k] for k in before})
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def execute(
    notebook: Path,
    output: Path,
    *,
    parameters: dict | None = None,
    km=None,
) -> Path:
    """Execute one notebook with papermill and write it normalised.

    Cells a previous papermill run left behind are dropped first, so a run
    without parameters executes exactly the notebook's own defaults. Only the
    parameters the notebook declares in its ``parameters`` cell are injected.

    Parameters
    ----------
    notebook : pathlib.Path
        The notebook to run; the kernel's working directory is its folder.
    output : pathlib.Path
        Where the executed notebook is written (may equal ``notebook``).
    parameters : dict, optional
        Values injected after the cell tagged ``parameters``. None or empty runs
        the notebook with its own defaults and injects nothing. An
        ``annotations`` folder is narrowed to the file of the notebook's default.
    km : jupyter_client.AsyncKernelManager, optional
        A started kernel to run the notebook in (:meth:`WarmKernel.take`); it is left
        running (the caller shuts it down). Default: papermill starts and stops a fresh
        kernel. If that kernel died before replying, the later attempts start fresh ones.

    Returns
    -------
    pathlib.Path
        ``output``.

    Raises
    ------
    papermill.PapermillExecutionError
        If a cell raised; ``output`` is still written (normalised), with the
        error output in the failing cell.
    """
    import papermill as pm

    nb = nbformat.read(notebook, as_version=4)
    n_cells = len(nb.cells)
    nb = _strip_papermill_cells(nb)
    if parameters:
        declared = declared_parameters(notebook)
        parameters = {k: v for k, v in parameters.items() if k in declared}
        if "annotations" in parameters:
            parameters["annotations"] = _annotations_for(parameters["annotations"],
                                                         declared["annotations"])
    output.parent.mkdir(parents=True, exist_ok=True)
    # Kernels inherit the environment (KERNEL_ENV).
    os.environ.setdefault("PYTHONHASHSEED", "0")
    try:
        with _kernel_environment(**KERNEL_ENV):
            for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
                given = {"km": km} if km is not None and attempt == 1 else {}
                try:
                    pm.execute_notebook(
                        # A path when nothing was stripped: papermill records its input.
                        nb if len(nb.cells) < n_cells else str(notebook),
                        str(output),
                        parameters=parameters or None,
                        cwd=str(notebook.parent),
                        kernel_name=None,  # the kernel the notebook names (KERNEL_NAME)
                        progress_bar=False,
                        log_output=False,
                        extra_arguments=KERNEL_ARGUMENTS,
                        **given,
                    )
                    break
                except RuntimeError as exc:  # no cell ran: start the notebook again
                    if attempt == KERNEL_START_ATTEMPTS or not _kernel_never_started(exc):
                        raise
    finally:
        if output.exists():
            nbformat.write(normalize_notebook(nbformat.read(output, as_version=4)), output)
    return output


def _kernel_never_started(exc: BaseException) -> bool:
    """Whether papermill's error says the kernel died before replying to its first request."""
    return "Kernel died before replying to kernel_info" in str(exc)


def notebook_imports(nb: nbformat.NotebookNode) -> list[str]:
    r"""Modules a notebook imports at the top level of its code cells, in order.

    ``import a.b`` gives ``a.b``; ``from a import b`` gives ``a`` and ``a.b`` (``b`` may be a
    submodule: the warm-up imports it only if it is one). Imports inside functions, branches
    or ``try`` blocks, relative imports and cells that are not plain Python (magics) are
    left out: a notebook may never reach them.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A notebook.

    Returns
    -------
    list of str
        Dotted names, each once.

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[
    ...     nbformat.v4.new_code_cell("import pandas as pd\nfrom analysis import stats"),
    ...     nbformat.v4.new_code_cell("%matplotlib inline\nimport numpy"),
    ...     nbformat.v4.new_code_cell("if False:\n    import sklearn")])
    >>> notebook_imports(nb)
    ['pandas', 'analysis', 'analysis.stats']
    """
    names: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.append(node.module)
                names += [f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*"]
    return list(dict.fromkeys(names))


#: What a warm kernel runs (silently, without history): import the notebook's modules, each
#: ``from a import b`` name only when ``b`` is a submodule, and leave no name behind.
_WARM_UP = """
def _analysis_runner_warm_up(names):
    import importlib
    import importlib.util
    import sys
    for name in names:
        parent, _, child = name.rpartition(".")
        if parent and name not in sys.modules and parent in sys.modules:
            package = sys.modules[parent]
            if hasattr(package, child) or not hasattr(package, "__path__"):
                continue
            if importlib.util.find_spec(name) is None:
                continue
        importlib.import_module(name)
_analysis_runner_warm_up({names!r})
del _analysis_runner_warm_up
"""


class WarmKernel:
    """The kernel of a notebook, started and warmed up while another notebook runs.

    Starts the kernel the notebook names (same arguments, environment and working folder as
    :func:`execute` gives a fresh one) and, in a background thread, runs the import statements
    the notebook has at top level (:func:`notebook_imports`), silently and without history.
    The notebook's own cells then run in it as in a fresh kernel: the kernel ran nothing but
    those imports, which the notebook's first cells repeat (already loaded). A warm-up that
    wrote any output (a warning, a print) or raised is not used, so no message of an import
    is lost from the executed notebook: :meth:`take` then returns None and the notebook
    starts cold.

    Parameters
    ----------
    notebook : pathlib.Path
        The notebook the kernel is for.
    warm_up : bool, default True
        False starts the kernel and runs nothing in it (a cold kernel that the runner owns, so
        that it can stop it).
    nb : nbformat.NotebookNode, optional
        The notebook, if already read (default: read from ``notebook``).

    Attributes
    ----------
    modules : list of str
        What the warm-up imports.
    problem : str
        Why the kernel is not used ("" while it is usable).
    """

    def __init__(self, notebook: Path, *, warm_up: bool = True,
                 nb: nbformat.NotebookNode | None = None):
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        nb = nb if nb is not None else nbformat.read(notebook, as_version=4)
        self.modules = notebook_imports(nb) if warm_up else []
        self.problem = ""
        self._run_sync = run_sync
        name = nb.metadata.get("kernelspec", {}).get("name") or KERNEL_NAME
        env = {**os.environ, **KERNEL_ENV}
        env.setdefault("PYTHONHASHSEED", "0")
        self.km = AsyncKernelManager(kernel_name=name)
        run_sync(self.km.start_kernel)(extra_arguments=KERNEL_ARGUMENTS,
                                       cwd=str(notebook.parent), env=env)
        self._thread = None
        if warm_up:
            self._thread = threading.Thread(target=self._warm_up, name=f"warm {notebook.name}",
                                            daemon=True)
            self._thread.start()

    def _warm_up(self) -> None:
        """Run the imports in the kernel; note any output, error or death in ``problem``."""
        from jupyter_client.blocking import BlockingKernelClient

        kc = BlockingKernelClient()
        kc.load_connection_info(self.km.get_connection_info())
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=WARM_TIMEOUT)
            code = _WARM_UP.format(names=self.modules)
            msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=False)
            while True:  # every message the warm-up caused, until the kernel is idle again
                try:
                    msg = kc.get_iopub_msg(timeout=1)
                except Exception:  # queue.Empty: nothing yet; a dead kernel never answers
                    if not kc.is_alive():
                        self.problem = "the kernel died during the warm-up"
                        return
                    continue
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "status" and msg["content"]["execution_state"] == "idle":
                    break
                if kind == "error":
                    self.problem = f"the warm-up failed: {msg['content'].get('ename', '')}"
                elif kind not in ("status", "execute_input") and not self.problem:
                    self.problem = f"the warm-up wrote output ({kind})"
            while True:
                reply = kc.get_shell_msg(timeout=WARM_TIMEOUT)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            if reply["content"]["status"] != "ok":
                self.problem = (self.problem or "the warm-up failed: "
                                f"{reply['content'].get('ename', '')}")
        except Exception as exc:  # the kernel did not start or answer in time
            self.problem = f"the warm-up did not finish: {type(exc).__name__}: {exc}"
        finally:
            kc.stop_channels()

    def take(self, timeout: float = WARM_TIMEOUT):
        """The kernel manager, once the warm-up is done; None (kernel stopped) if unusable.

        Parameters
        ----------
        timeout : float
            Seconds to wait for the warm-up to finish.

        Returns
        -------
        jupyter_client.AsyncKernelManager or None
        """
        if self._thread is not None:
            self._thread.join(timeout)
        if self._thread is not None and self._thread.is_alive():
            self.problem = f"the warm-up took longer than {timeout:g} s"
        elif not self.problem and not self._run_sync(self.km.is_alive)():
            self.problem = "the kernel died after the warm-up"
        if self.problem:
            self.close(now=True)
            return None
        return self.km

    def close(self, *, now: bool = False) -> None:
        """Stop the kernel, if it still runs: ask it to shut down and wait for it (killed if it
        does not exit in time), or kill it at once if ``now``.

        Without ``now``, unlike a graceful ``shutdown_kernel`` (jupyter_client 8), the kernel is
        not interrupted first: its notebook has finished, so it is idle, and an interrupt that
        reaches an idle kernel prints "KeyboardInterrupt caught in kernel" into the user's
        terminal. ``now`` (a run that is stopped, or a discarded warm-up) kills it as
        ``shutdown_kernel(now=True)`` does.
        """
        run = self._run_sync
        try:
            if run(self.km.is_alive)():
                if now:
                    run(self.km.shutdown_kernel)(now=True)
                else:
                    run(self.km.request_shutdown)()
                    run(self.km.finish_shutdown)()  # waits, then kills a kernel that lingers
        except RuntimeError:  # "No kernel is running!"
            pass
        finally:
            run(self.km.cleanup_resources)()


def _check_out_dir(out_dir: Path, *, force: bool = False) -> None:
    """Refuse an OUT that would overwrite the committed outputs or the code, that is a file, or
    that holds something other than an earlier run of the suite (unless ``force``)."""
    inside = [NOTEBOOK_DIR, ROOT / "figures", ROOT / "data", ROOT / "analysis", ROOT / "tests"]
    if out_dir == ROOT or any(out_dir == p or p in out_dir.parents for p in inside):
        raise RunSetupError(
            f"run_all: OUT {str(out_dir)!r} would overwrite the committed notebooks, figures, "
            "data or code; give a folder of its own, e.g. results/my-corpus."
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise RunSetupError(
            f"run_all: OUT {str(out_dir)!r} is a file, not a folder; give a folder (new, or one "
            "an earlier run wrote), e.g. results/my-corpus."
        )
    if out_dir.is_dir() and not force and read_run(out_dir) is None and any(out_dir.iterdir()):
        raise RunSetupError(
            f"run_all: OUT {str(out_dir)!r} is not empty and is not the output folder of an earlier "
            f"run (it has no {RUN_MANIFEST}); give a new or empty folder, or pass --force "
            "(make run FORCE=1) to write into it anyway (its own files are kept and named)."
        )


def read_run(out_dir: str | Path) -> dict | None:
    """The run manifest ``OUT/run.json`` of an earlier run of the suite, or None.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        An OUT folder.

    Returns
    -------
    dict or None
        The record (keys ``corpus``, ``annotations``, ``files`` and, from runs since the run
        states were added, ``suite``, ``run_id``, ``corpus_fingerprint``, ``started``,
        ``finished``, ``status`` and ``notebooks``: file name -> ``{"status": one of
        NOTEBOOK_STATES, "error": str}``); None if there is none or it is not a record of this
        suite (no ``files`` list).
    """
    try:
        record = json.loads((Path(out_dir) / RUN_MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("files"), list):
        return None
    if not isinstance(record.get("notebooks"), dict):
        record["notebooks"] = {}
    return record


class _StopRequest:
    """Within the block, Ctrl-C (SIGINT) asks the run to stop once the running notebooks have
    finished (no other starts) instead of being swallowed by a notebook client (which would end
    a notebook early and look finished); a second Ctrl-C stops at once. Outside the main thread
    it does nothing."""

    def __init__(self):
        self.requested = False
        self.forced = False
        self._previous = None

    def _handle(self, signum, frame):
        if self.requested:
            self.forced = True
            raise KeyboardInterrupt
        self.requested = True
        print("stopping once the running notebook(s) finish (Ctrl-C again stops at once)",
              file=sys.stderr, flush=True)

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _out_files(out_dir: Path) -> dict[str, int]:
    """Files under OUT's output folders: path relative to OUT -> modification time (ns)."""
    files = {}
    for name in _OUT_FOLDERS:
        folder = out_dir / name
        if folder.is_dir():
            for p in folder.rglob("*"):
                if p.is_file() and not p.is_symlink():
                    files[p.relative_to(out_dir).as_posix()] = p.stat().st_mtime_ns
    return files


def _previous_files(out_dir: Path) -> list[str]:
    """The files an earlier run recorded in OUT's run manifest (only paths inside its folders)."""
    record = read_run(out_dir) or {}
    listed = [f for f in record.get("files", []) if isinstance(f, str) and ".." not in Path(f).parts
              and any(f.startswith(name + "/") for name in _OUT_FOLDERS)]
    if record.get("status") == "running":  # killed: what its last notebook wrote is not listed
        since = (out_dir / RUN_MANIFEST).stat().st_mtime_ns
        listed += [f for f, mtime in _out_files(out_dir).items() if mtime >= since and f not in listed]
    return listed


def _write_run(out_dir: Path, record: dict, before: dict[str, int], kept: list[str]) -> list[str]:
    """Write OUT's run manifest with the files written so far; return the files in OUT that this
    run did not write. Written to a temporary file and renamed, so a killed run leaves a whole one."""
    after = _out_files(out_dir)
    written = sorted(f for f, mtime in after.items() if before.get(f) != mtime)
    record["files"] = sorted(set(written) | (set(kept) & set(after)))
    tmp = out_dir / (RUN_MANIFEST + ".tmp")
    tmp.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    tmp.replace(out_dir / RUN_MANIFEST)
    return sorted(set(after) - set(record["files"]))


def notebook_needs(notebooks: list[Path], *, listed: list[Path] | None = None) -> dict[str, list[str]]:
    """For each notebook of a run, the notebooks of the same run it must wait for.

    A notebook names the earlier notebooks whose results it reads in its metadata,
    ``{"analysis": {"needs": ["01_ingestion.ipynb"]}}``; one that names none waits for every
    notebook before it (the safe default for a notebook added later). Names of notebooks that
    are not in this run (``only``) are left out.

    Parameters
    ----------
    notebooks : list of pathlib.Path
        The notebooks of the run, in numeric order.
    listed : list of pathlib.Path, optional
        Every numbered notebook of the folder (default ``notebooks``): what ``needs`` may name.

    Returns
    -------
    dict
        File name -> file names, each an earlier notebook of ``notebooks``.

    Raises
    ------
    RunSetupError
        If ``needs`` is not a list of file names of earlier notebooks of the folder.
    """
    listed = [p.name for p in (listed or notebooks)]
    names = [p.name for p in notebooks]
    needs: dict[str, list[str]] = {}
    for i, path in enumerate(notebooks):
        meta = nbformat.read(path, as_version=4).metadata.get("analysis", {})
        named = meta.get(NEEDS_KEY) if isinstance(meta, dict) else None
        if named is None:
            needs[path.name] = names[:i]
            continue
        earlier = listed[:listed.index(path.name)] if path.name in listed else []
        if not isinstance(named, list) or any(n not in earlier for n in named):
            raise RunSetupError(
                f"run_all: {path.name}: metadata analysis.{NEEDS_KEY} must list earlier notebooks "
                f"of {path.parent} by file name (e.g. [{', '.join(map(repr, earlier[:1]))}]); "
                f"it is {named!r}."
            )
        needs[path.name] = [n for n in names[:i] if n in named]
    return needs


def children_peak_mb() -> float | None:
    """Peak resident memory (MB) of the largest child process that has ended (a notebook's kernel,
    with what it waited for), or None where the platform does not tell (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes there, KiB on Linux


def available_mb() -> float | None:
    """Memory available for new work (MB), or None where unknown (not Linux).

    Linux's ``MemAvailable``, and below it the room left under a cgroup memory limit (a
    container's), whichever is smaller.
    """
    found = []
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    found.append(int(line.split()[1]) / 2**10)
                    break
    except (OSError, ValueError, IndexError):
        pass
    for limit_file, usage_file in (("memory.max", "memory.current"),  # cgroup v2, then v1
                                   ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes")):
        try:
            limit = Path("/sys/fs/cgroup", limit_file).read_text(encoding="ascii").strip()
            usage = Path("/sys/fs/cgroup", usage_file).read_text(encoding="ascii").strip()
            if limit != "max" and int(limit) < 2**60:  # v1 writes "no limit" as a huge number
                found.append(max(int(limit) - int(usage), 0) / 2**20)
        except (OSError, ValueError):
            continue
    return min(found) if found else None


def parallel_allowed(peak_mb: float | None, available: float | None, *,
                     ratio: float = PEAK_RATIO, limit_mb: float = PARALLEL_MEMORY_MB) -> bool:
    """Whether notebooks may run side by side, from the memory the first one took.

    Parameters
    ----------
    peak_mb : float or None
        Peak memory of the first notebook's kernel (:func:`children_peak_mb`).
    available : float or None
        Memory available now (:func:`available_mb`).
    ratio, limit_mb : float
        The combined peak expected, as a multiple of ``peak_mb``, and its ceiling.

    Returns
    -------
    bool
        True if ``ratio * peak_mb`` is at most ``limit_mb`` and half of ``available``; False
        if either is unknown.

    Examples
    --------
    >>> parallel_allowed(1200, 20000)  # 10,000 articles on a 24 GiB machine
    True
    >>> parallel_allowed(4300, 20000)  # 100,000 articles: one notebook at a time
    False
    >>> parallel_allowed(1200, 6000), parallel_allowed(None, 20000)
    (False, False)
    """
    if peak_mb is None or available is None:
        return False
    need = ratio * peak_mb
    return need <= limit_mb and need <= available / 2


class _Lane(threading.Thread):
    """One notebook of a run in a thread of its own: its kernel starts and warms up when the lane
    starts (:class:`WarmKernel`, if ``warm``), and the notebook runs once ``go`` is set, in that
    kernel, or else (cold, or a warm-up that was discarded) in a kernel the lane starts then
    without warm-up; either way the runner owns the kernel and can stop it (:meth:`kill`). The
    kernel is started, used and stopped in this one thread (jupyter_client's kernel manager
    belongs to the event loop of the thread that made it). When done, the lane stops its
    kernel and then puts itself on ``finished`` with ``error`` ("" if the notebook ran without
    error) and ``seconds``, whatever happened."""

    def __init__(self, notebook: Path, target: Path, parameters: dict, *, warm: bool,
                 finished: queue.Queue):
        super().__init__(name=f"notebook {notebook.name}", daemon=True)
        self.notebook, self.target, self.parameters = notebook, target, parameters
        self.warm, self.finished = warm, finished
        self.go = threading.Event()
        self.cancelled = False
        self.warmed: WarmKernel | None = None
        self.error = ""
        self.seconds = 0.0

    def run(self) -> None:
        started = time.perf_counter()
        nb = None
        try:
            with contextlib.suppress(Exception):  # unreadable: WarmKernel fails, papermill says why
                nb = nbformat.read(self.notebook, as_version=4)
            if self.warm:
                self.warmed = _warm_kernel(self.notebook, nb=nb)
            self.go.wait()
            started = time.perf_counter()  # a notebook's time includes waiting for its kernel
            if self.cancelled:
                return
            km = self.warmed.take() if self.warmed is not None else None
            if km is None and not self.cancelled:
                self.warmed = _warm_kernel(self.notebook, warm_up=False, nb=nb)
                km = self.warmed.take() if self.warmed is not None else None
            if self.cancelled:
                raise KeyboardInterrupt("the run was stopped")
            execute(self.notebook, self.target, parameters=self.parameters, km=km)
        except BaseException as exc:  # papermill's error: the run records it and goes on
            try:
                error = _first_error(nbformat.read(self.target, as_version=4)) if self.target.exists() else ""
            except Exception:
                error = ""
            self.error = error or f"{type(exc).__name__}: {exc}"
        finally:
            try:
                if self.warmed is not None:  # before the notebooks that need it: its memory is given back
                    self.warmed.close(now=self.cancelled)
            except Exception:  # a kernel that cannot be stopped cleanly must not hang the run
                pass
            finally:
                self.seconds = time.perf_counter() - started
                self.finished.put(self)

    def cancel(self) -> None:
        """Do not run the notebook; stop its warm kernel (a stopped run)."""
        self.cancelled = True
        self.go.set()

    def kill(self) -> None:
        """Stop a running notebook at once (Ctrl-C twice): its kernel is killed, and papermill,
        finding it dead, ends the notebook with an error."""
        self.cancelled = True
        process = getattr(getattr(getattr(self.warmed, "km", None), "provisioner", None),
                          "process", None)
        if process is not None and process.poll() is None:  # alive, so its pid is still its own
            with contextlib.suppress(OSError):
                process.kill()


def _warm_kernel(notebook: Path, *, warm_up: bool = True,
                 nb: nbformat.NotebookNode | None = None) -> WarmKernel | None:
    """A :class:`WarmKernel` for ``notebook``, or None if its kernel cannot be started now;
    papermill then starts one when the notebook is due (and reports why it cannot)."""
    try:
        return WarmKernel(notebook, warm_up=warm_up, nb=nb)
    except Exception:
        return None


def run_all(
    *,
    corpus: str | None = None,
    out: str | None = None,
    annotations: str | None = None,
    only: list[str] | None = None,
    notebook_dir: str | Path = NOTEBOOK_DIR,
    force: bool = False,
    warm: bool = True,
    jobs: int | str = "auto",
) -> list[Path]:
    """Execute every numbered notebook in order, side by side where their inputs allow.

    Parameters
    ----------
    corpus : str, optional
        A corpus path accepted by :func:`analysis.load_corpus`. None (and no
        ``out``) runs on the bundled corpus and rewrites the committed
        notebooks in place.
    out : str, optional
        Output folder for a run on another corpus (default
        ``results/<corpus name>``): the executed notebooks go to
        ``out/notebooks``, figures to ``out/figures``, tables to
        ``out/data/processed``.
    annotations : str, optional
        A hand-coded validation sample for that corpus: one file, or a folder
        holding the files the notebooks' defaults name (``sentence_tone.csv``,
        ``paragraph_topics.csv``); without it the validation sections say that
        none was given.
    only : list of str, optional
        Run only notebooks whose name starts with one of these prefixes.
    notebook_dir : str or pathlib.Path, optional
        Folder of the numbered notebooks (default: the project's ``notebooks/``).
    force : bool, default False
        Write into an ``out`` that is not empty and is not an earlier run of the suite (no
        ``run.json``); its own files are kept and named.
    warm : bool, default True
        Start each notebook's kernel, and import its modules, while the notebooks it needs run
        (:class:`WarmKernel`); False starts every kernel when its notebook is due.
    jobs : int or "auto", default "auto"
        How many notebooks may run at once. Notebooks start in numeric order, each once the
        notebooks it needs have finished (:func:`notebook_needs`): the suite's 02 and 03 both
        need only 01, 04 needs 02 and 03. ``1`` runs one at a time; ``"auto"`` runs up to
        ``MAX_JOBS`` once the first notebook has finished, if the memory it took allows
        (:func:`parallel_allowed`), else one at a time. Every notebook runs in a kernel of its
        own, so its outputs do not depend on this.

    Returns
    -------
    list of pathlib.Path
        The executed notebooks.

    Raises
    ------
    NotebookRunError
        After all notebooks ran, if any of them failed (each failed notebook
        is written with its error output).
    RunSetupError
        If ``corpus`` or ``annotations`` does not exist, or ``out`` would
        overwrite committed files or code, is a file, or holds files of something other
        than an earlier run (without ``force``); nothing is run.

    Notes
    -----
    A run on another corpus records what it wrote in ``out/run.json`` (corpus,
    annotations, files, and each notebook's wall-clock seconds). A later run into the same ``out`` first deletes the files
    recorded there (unless ``only`` is given), so no figure or table of an earlier run
    (e.g. ``04_validation.png`` from a run with annotations) is left beside the new
    ones; any other file in ``out``'s output folders is named in a warning on stderr.

    ``run.json`` is written before the first notebook and after each one, with the state of
    every notebook (``pending``, ``running``, ``ok``, ``failed`` with its error,
    ``interrupted``) and the run's ``status`` (``running``, ``complete``, ``failed``,
    ``interrupted``): a run that is killed leaves ``running``, and :mod:`analysis.report`
    marks its unfinished notebooks instead of showing their figures.
    """
    if jobs != "auto" and not (isinstance(jobs, int) and jobs >= 1):
        raise ValueError(f"run_all: jobs must be a positive integer or 'auto', not {jobs!r}")
    notebook_dir = Path(notebook_dir)
    notebooks = listed = list_notebooks(notebook_dir)
    if only:
        notebooks = [p for p in notebooks if any(p.name.startswith(o) for o in only)]
    needs = notebook_needs(notebooks, listed=listed)
    if corpus is None and out is None:
        params: dict = {}
        target_dir, out_dir = notebook_dir, None
    else:
        if corpus is None:
            corpus = str(require(RAW_DIR, "the bundled corpus", caller="run_all"))
        corpus_path = Path(corpus).expanduser().resolve()
        if not corpus_path.exists():
            raise RunSetupError(
                f"run_all: CORPUS {corpus!r} does not exist; "
                "give a folder of .txt files or a CSV/JSONL/Parquet file."
            )
        if annotations and not Path(annotations).expanduser().exists():
            raise RunSetupError(
                f"run_all: ANNOTATIONS {annotations!r} does not exist; give a hand-coded sample "
                "file or a folder holding them (see data/annotations/README.md), or leave it out."
            )
        out_dir = Path(out or ROOT / "results" / corpus_path.stem).expanduser().resolve()
        _check_out_dir(out_dir, force=force)
        params = {"corpus": str(corpus_path), "output_dir": str(out_dir),
                  "annotations": str(Path(annotations).expanduser().resolve()) if annotations else ""}
        target_dir = out_dir / "notebooks"
    record: dict = {}
    if out_dir is not None:
        previous = read_run(out_dir) or {}
        kept = _previous_files(out_dir)
        if not only:
            for rel in kept:
                (out_dir / rel).unlink(missing_ok=True)
            kept = []
        out_dir.mkdir(parents=True, exist_ok=True)
        before = _out_files(out_dir)
        states = {name: state for name, state in previous.get("notebooks", {}).items()
                  if only and isinstance(state, dict)}
        states.update({nb.name: {"status": "pending", "error": ""} for nb in notebooks})
        record = {"suite": SUITE, "run_id": uuid.uuid4().hex, "corpus": params.get("corpus"),
                  "corpus_fingerprint": files_fingerprint(params["corpus"]),
                  "annotations": params.get("annotations") or None, "started": _now(),
                  "finished": None, "status": "running", "notebooks": states, "seconds": {},
                  "files": []}
        _write_run(out_dir, record, before, kept)
    # How many notebooks may run at once; "auto": one until the first notebook (which loads the
    # corpus) has shown the memory it takes, then MAX_JOBS if parallel_allowed says so.
    slots = 1 if jobs == "auto" else jobs
    decided = jobs != "auto"
    finished: queue.Queue[_Lane] = queue.Queue()
    lanes: dict[str, _Lane] = {}
    done, failures, running = [], [], []
    ended_names: set[str] = set()
    stop = _StopRequest()
    next_up = 0  # notebooks start in numeric order: notebooks[next_up] is the next to start

    def lane(nb: Path) -> _Lane:
        if nb.name not in lanes:
            started = _Lane(nb, target_dir / nb.name, params, warm=warm, finished=finished)
            started.start()
            lanes[nb.name] = started
        return lanes[nb.name]

    def warm_ahead() -> None:
        # A notebook's kernel starts once everything it needs has started (the notebook can
        # start as soon as those finish); at most as many kernels wait as notebooks may run at
        # once (MAX_JOBS until that is decided), so one at a time keeps one waiting kernel.
        if not warm:
            return
        waiting = sum(not other.go.is_set() for other in lanes.values())
        for nb in notebooks[next_up:]:
            if waiting >= (slots if decided else MAX_JOBS):
                break
            if nb.name not in lanes and all(n in running or n in ended_names for n in needs[nb.name]):
                lane(nb)
                waiting += 1

    with _kernel_environment(**KERNEL_ENV):  # for every kernel: set once for all lanes
        try:
            with stop:
                while next_up < len(notebooks) or running:
                    while (next_up < len(notebooks) and not stop.requested and len(running) < slots
                           and all(n in ended_names for n in needs[notebooks[next_up].name])):
                        nb = notebooks[next_up]
                        print(f"executing {nb.name}"
                              + (f" (beside {', '.join(running)})" if running else ""), flush=True)
                        running.append(nb.name)
                        next_up += 1
                        if record:
                            record["notebooks"][nb.name] = {"status": "running", "error": ""}
                            _write_run(out_dir, record, before, kept)
                        lane(nb).go.set()
                        warm_ahead()
                    if not running:  # Ctrl-C: nothing more starts
                        break
                    while True:  # a timeout keeps Ctrl-C (a KeyboardInterrupt here) responsive
                        try:
                            ended = finished.get(timeout=0.25)
                            break
                        except queue.Empty:
                            continue
                    running.remove(ended.notebook.name)
                    ended_names.add(ended.notebook.name)
                    if ended.error:
                        failures.append((ended.notebook.name, ended.error))
                        print(f"  FAILED {ended.notebook.name}: {ended.error}", file=sys.stderr, flush=True)
                    if record:
                        record["notebooks"][ended.notebook.name] = (
                            {"status": "failed", "error": ended.error} if ended.error
                            else {"status": "ok", "error": ""})
                        record["seconds"][ended.notebook.name] = round(ended.seconds, 3)
                        _write_run(out_dir, record, before, kept)
                    done.append(ended.target)
                    if not decided:  # the first notebook to finish; one that failed decides "one"
                        decided = True
                        peak, available = children_peak_mb(), available_mb()
                        if not ended.error and parallel_allowed(peak, available):
                            slots = MAX_JOBS
                            print(f"  notebooks whose inputs are ready now run {MAX_JOBS} at a time "
                                  f"(the first peaked at {peak or 0:,.0f} MB; "
                                  f"{available or 0:,.0f} MB available)", flush=True)
                if stop.requested:
                    raise KeyboardInterrupt
        finally:
            for other in lanes.values():
                if not other.go.is_set():
                    other.cancel()  # not started: its warm kernel is stopped
                elif other.notebook.name in running:
                    other.kill()  # Ctrl-C twice (or an error here): its kernel is stopped at once
            for other in lanes.values():
                other.join(timeout=WARM_TIMEOUT)
            if record:
                for name in running:  # stopped by Ctrl-C (or another exception) inside a notebook
                    record["notebooks"][name] = {"status": "interrupted", "error": "the run was stopped"}
                if running or stop.requested:
                    record["status"] = "interrupted"
                else:
                    record["status"] = "failed" if failures else "complete"
                record["finished"] = _now()
                others = _write_run(out_dir, record, before, kept)
                if others:
                    print(f"run_all: {out_dir} holds {len(others)} file(s) this run did not write ("
                          + ", ".join(others[:10]) + (", ..." if len(others) > 10 else "")
                          + "); they are not results of this corpus: delete them.",
                          file=sys.stderr, flush=True)
    order = {nb.name: i for i, nb in enumerate(notebooks)}
    failures.sort(key=lambda f: order[f[0]])
    done.sort(key=lambda p: order[p.name])
    if failures:
        raise NotebookRunError(failures)
    return done


def _jobs(text: str) -> int | str:
    """``--jobs``: "auto" or a positive integer."""
    if text == "auto":
        return text
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise argparse.ArgumentTypeError(f"give a positive integer or 'auto', not {text!r}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (``python -m analysis.runner``).

    The only place where errors become exit codes: 0 all notebooks ran, 1 a notebook failed,
    2 the run could not start (:class:`RunSetupError`); the message goes to stderr.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", help="folder of .txt files or a CSV/JSONL/Parquet file")
    parser.add_argument("--out", help="output folder for a run on another corpus")
    parser.add_argument("--annotations", help="hand-coded validation sample for that corpus")
    parser.add_argument("--only", nargs="*", help="run only notebooks starting with these prefixes")
    parser.add_argument("--force", action="store_true",
                        help="write into an OUT that holds other files (not an earlier run)")
    parser.add_argument("--cold", action="store_true",
                        help="start each notebook's kernel only when the notebook is due "
                             "(default: while the notebooks it needs run)")
    parser.add_argument("--jobs", type=_jobs, default="auto",
                        help="notebooks that may run at once, each once the notebooks it needs "
                             "have finished: a number, or 'auto' (default: two if the memory the "
                             "first notebook took allows, else one)")
    args = parser.parse_args(argv)
    try:
        run_all(corpus=args.corpus, out=args.out, annotations=args.annotations, only=args.only,
                force=args.force, warm=not args.cold, jobs=args.jobs)
    except NotebookRunError as exc:
        print(f"notebook run failed: {exc}", file=sys.stderr)
        return 1
    except RunSetupError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("run stopped (Ctrl-C); OUT/run.json marks the notebooks that did not finish, and "
              "`make report` shows which.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
