"""Tests of analysis.runner on tiny throwaway notebooks (never the real ones)."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import nbformat
import pytest

from analysis import runner

KERNELSPEC = {
    "kernelspec": {"name": runner.KERNEL_NAME, "display_name": "Python 3 (china-us-news)", "language": "python"},
    "language_info": {"name": "python"},
}


def _notebook(path: Path, cells: list[tuple[str, str, list[str]]]) -> Path:
    """Write a notebook of (kind, source, tags) cells with stable ids."""
    nb = nbformat.v4.new_notebook(metadata=KERNELSPEC)
    for i, (kind, source, tags) in enumerate(cells):
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        cell = make(source, id=f"c{i:02d}")
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def notebooks(tmp_path):
    """Two numbered notebooks (and a non-numbered one that must be ignored)."""
    folder = tmp_path / "nbs"
    folder.mkdir()
    _notebook(folder / "01_first.ipynb", [
        ("markdown", "# First", []),
        ("code", 'corpus = "default-corpus"\noutput_dir = "default-out"', ["parameters"]),
        ("code", "from pathlib import Path\n"
                 "if Path(corpus).name == 'bad':\n    raise ValueError('corpus is bad: give a good one')\n"
                 "out = Path(output_dir) / 'figures'\nout.mkdir(parents=True, exist_ok=True)\n"
                 "(out / '01_x.txt').write_text(corpus)\nprint(corpus)", []),
    ])
    _notebook(folder / "02_second.ipynb", [
        ("code", 'corpus = "default-corpus"\noutput_dir = "default-out"\n'
                 'annotations = "../annotations/sentence_tone.csv"',
         ["parameters"]),
        ("code", "print(corpus, repr(annotations))", []),
    ])
    _notebook(folder / "scratch.ipynb", [("code", "raise RuntimeError('must not run')", [])])
    return folder


def _runner_process(folder: Path, tmp_path: Path, out: Path, extra: list[str] = ()):
    """``python -m analysis.runner --corpus C --out OUT [extra]`` on the notebooks of ``folder``,
    in a process of its own (so that it can be sent Ctrl-C), with pipes for its output."""
    import subprocess

    corpus = tmp_path / "c.csv"
    corpus.write_text("text\nhello\n")
    args = ["--corpus", str(corpus), "--out", str(out), *extra]
    code = ("import functools, sys; from analysis import runner; "
            f"runner.run_all = functools.partial(runner.run_all, notebook_dir={str(folder)!r}); "
            f"sys.exit(runner.main({args!r}))")
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _stdout(nb_path: Path) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream")


def test_list_notebooks_numeric_order_only(notebooks):
    assert [p.name for p in runner.list_notebooks(notebooks)] == ["01_first.ipynb", "02_second.ipynb"]


def test_run_on_another_corpus_writes_only_under_out(notebooks, tmp_path):
    corpus = tmp_path / "my corpus.csv"
    corpus.write_text("text\nhello\n")
    before = {p: p.read_bytes() for p in notebooks.iterdir()}
    out = tmp_path / "results"
    done = runner.run_all(corpus=str(corpus), out=str(out), notebook_dir=notebooks)

    assert done == [out / "notebooks" / "01_first.ipynb", out / "notebooks" / "02_second.ipynb"]
    assert {p: p.read_bytes() for p in notebooks.iterdir()} == before
    assert not (notebooks / "default-out").exists()
    assert (out / "figures" / "01_x.txt").read_text() == str(corpus.resolve())
    assert str(corpus.resolve()) in _stdout(done[0])
    # annotations is injected (empty) where declared, and only there
    assert "''" in _stdout(done[1])
    injected = [c for c in nbformat.read(done[0], as_version=4).cells
                if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "annotations" not in injected[0].source
    assert injected[0].id == "injected-parameters"


def test_executed_notebooks_are_normalised(notebooks, tmp_path):
    corpus = tmp_path / "c.csv"
    corpus.write_text("text\nhello\n")
    for path in runner.run_all(corpus=str(corpus), out=str(tmp_path / "o"), notebook_dir=notebooks):
        raw = json.loads(path.read_text())
        assert set(raw["metadata"]) <= {"kernelspec", "language_info"}
        assert raw["metadata"]["language_info"] == {"name": "python"}
        for cell in raw["cells"]:
            assert set(cell["metadata"]) <= {"tags"}
        assert "papermill" not in path.read_text()
        assert str(notebooks) not in path.read_text()  # no absolute input path


def test_in_place_rerun_is_byte_identical_and_drops_stale_injection(notebooks):
    first = notebooks / "01_first.ipynb"
    runner.run_all(notebook_dir=notebooks)
    once = first.read_bytes()
    runner.run_all(notebook_dir=notebooks)
    assert first.read_bytes() == once
    assert "default-corpus" in _stdout(first)
    assert (notebooks / "default-out" / "figures" / "01_x.txt").exists()

    # A notebook accidentally committed after a parameterised run gets its defaults back.
    nb = nbformat.read(first, as_version=4)
    stale = nbformat.v4.new_code_cell('corpus = "elsewhere"', id="injected-parameters")
    stale.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(2, stale)
    nbformat.write(nb, first)
    runner.run_all(notebook_dir=notebooks)
    assert first.read_bytes() == once


def test_failure_is_reported_and_other_notebooks_still_run(notebooks, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    out = tmp_path / "o"
    with pytest.raises(runner.NotebookRunError) as info:
        runner.run_all(corpus=str(bad), out=str(out), notebook_dir=notebooks)
    assert [name for name, _ in info.value.failures] == ["01_first.ipynb"]
    assert "ValueError: corpus is bad: give a good one" in info.value.failures[0][1]
    assert "01_first.ipynb" in str(info.value)
    failed = out / "notebooks" / "01_first.ipynb"
    raw = json.loads(failed.read_text())  # normalised although it failed
    assert "papermill" not in raw["metadata"]
    assert all(set(c["metadata"]) <= {"tags"} for c in raw["cells"])
    errors = [o for c in nbformat.read(failed, as_version=4).cells for o in c.get("outputs", [])
              if o.output_type == "error"]
    assert len(errors) == 1 and errors[0].ename == "ValueError"
    assert str(bad) in _stdout(out / "notebooks" / "02_second.ipynb")


def test_annotations_folder_gives_each_notebook_its_file(notebooks, tmp_path):
    corpus = tmp_path / "c.csv"
    corpus.write_text("text\nhello\n")
    folder = tmp_path / "my codes"
    folder.mkdir()
    runner.run_all(corpus=str(corpus), out=str(tmp_path / "a"), annotations=str(folder),
                   notebook_dir=notebooks, only=["02"])
    assert repr(str(folder)) in _stdout(tmp_path / "a" / "notebooks" / "02_second.ipynb")
    (folder / "sentence_tone.csv").write_text("x\n")
    runner.run_all(corpus=str(corpus), out=str(tmp_path / "b"), annotations=str(folder),
                   notebook_dir=notebooks, only=["02"])
    assert repr(str(folder / "sentence_tone.csv")) in _stdout(tmp_path / "b" / "notebooks" / "02_second.ipynb")
    with pytest.raises(runner.RunSetupError, match="ANNOTATIONS"):
        runner.run_all(corpus=str(corpus), out=str(tmp_path / "c"), annotations=str(tmp_path / "nope"),
                       notebook_dir=notebooks)


def test_refuses_missing_corpus_and_protected_out(notebooks, tmp_path):
    with pytest.raises(runner.RunSetupError, match="does not exist"):
        runner.run_all(corpus=str(tmp_path / "nope.csv"), out=str(tmp_path / "o"), notebook_dir=notebooks)
    for protected in (runner.ROOT, runner.ROOT / "figures", runner.ROOT / "figures" / "x",
                      runner.NOTEBOOK_DIR / "x", runner.ROOT / "data" / "processed",
                      runner.ROOT / "analysis" / "out", runner.ROOT / "tests" / "out"):
        with pytest.raises(runner.RunSetupError, match="overwrite the committed"):
            runner.run_all(out=str(protected), notebook_dir=notebooks)


def test_main_returns_1_and_names_the_failure(notebooks, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runner, "run_all", functools.partial(runner.run_all, notebook_dir=notebooks))
    bad = tmp_path / "bad"
    bad.mkdir()
    assert runner.main(["--corpus", str(bad), "--out", str(tmp_path / "o"), "--only", "01"]) == 1
    err = capsys.readouterr().err
    assert "01_first.ipynb" in err and "corpus is bad" in err
    assert not (tmp_path / "o" / "notebooks" / "02_second.ipynb").exists()
    assert runner.main(["--out", str(tmp_path / "ok"), "--only", "01"]) == 0


def test_main_turns_a_setup_error_into_exit_code_2(tmp_path, capsys):
    assert runner.main(["--corpus", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o")]) == 2
    assert "CORPUS" in capsys.readouterr().err


def test_rerun_into_the_same_out_leaves_no_stale_file(notebooks, tmp_path, capsys):
    """Issue #16: OUT/run.json records a run; the next run deletes what it recorded and names
    any other file it finds."""
    corpus = tmp_path / "c.csv"
    corpus.write_text("text\nhello\n")
    out = tmp_path / "o"
    (out / "figures").mkdir(parents=True)
    (out / "figures" / "99_by_hand.png").write_text("not from a run")
    with pytest.raises(runner.RunSetupError, match="not the output folder of an earlier run"):
        runner.run_all(corpus=str(corpus), out=str(out), notebook_dir=notebooks)
    runner.run_all(corpus=str(corpus), out=str(out), notebook_dir=notebooks, force=True)
    record = json.loads((out / "run.json").read_text())
    assert record["corpus"] == str(corpus.resolve()) and record["annotations"] is None
    assert record["files"] == ["figures/01_x.txt", "notebooks/01_first.ipynb", "notebooks/02_second.ipynb"]
    assert "99_by_hand.png" in capsys.readouterr().err
    # each notebook's wall-clock seconds (issue #18: make bench reads them)
    assert list(record["seconds"]) == ["01_first.ipynb", "02_second.ipynb"]
    assert all(0 < s < 600 for s in record["seconds"].values())

    # an earlier run (say, with annotations) also wrote a validation figure
    (out / "data" / "processed").mkdir(parents=True)
    (out / "data" / "processed" / "old.csv").write_text("x\n")
    record["files"] += ["data/processed/old.csv", "../outside.txt"]
    (out / "run.json").write_text(json.dumps(record))
    (tmp_path / "outside.txt").write_text("keep")
    runner.run_all(corpus=str(corpus), out=str(out), notebook_dir=notebooks)
    assert not (out / "data" / "processed" / "old.csv").exists()
    assert (tmp_path / "outside.txt").exists() and (out / "figures" / "99_by_hand.png").exists()
    assert json.loads((out / "run.json").read_text())["files"] == record["files"][:3]

    # --only keeps (and still records) the files of the notebooks it does not rerun
    runner.run_all(corpus=str(corpus), out=str(out), notebook_dir=notebooks, only=["02"])
    assert (out / "figures" / "01_x.txt").exists()
    assert json.loads((out / "run.json").read_text())["files"] == record["files"][:3]


def test_declared_parameters_come_from_papermill_inspection(notebooks):
    assert runner.declared_parameters(notebooks / "02_second.ipynb") == {
        "corpus": "default-corpus", "output_dir": "default-out",
        "annotations": "../annotations/sentence_tone.csv"}
    no_params = _notebook(notebooks.parent / "03_none.ipynb", [("code", "x = 1", [])])
    assert runner.declared_parameters(no_params) == {}


def test_notebooks_name_the_suite_kernel_and_it_is_installed_here():
    from jupyter_client.kernelspec import KernelSpecManager

    for nb in runner.list_notebooks():
        spec = json.loads(nb.read_text())["metadata"]["kernelspec"]
        assert spec["name"] == runner.KERNEL_NAME, nb.name
        assert spec["display_name"] == "Python 3 (china-us-news)", nb.name
    assert f"KERNEL := {runner.KERNEL_NAME}\n" in (runner.ROOT / "Makefile").read_text()
    installed = KernelSpecManager().get_kernel_spec(runner.KERNEL_NAME)
    assert Path(installed.argv[0]).parent == Path(sys.executable).parent, installed.argv


def test_missing_notebook_folder_says_how_to_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"^list_notebooks: the notebooks folder is not at"):
        runner.list_notebooks(tmp_path / "nope")


def test_run_manifest_records_each_notebook_state(notebooks, tmp_path):
    """Issue #16: run.json keeps its keys (corpus, annotations, files) and adds the suite, a run
    id, the corpus fingerprint, times, the run's status and each notebook's state and error."""
    bad = tmp_path / "bad"
    bad.mkdir()
    out = tmp_path / "o"
    with pytest.raises(runner.NotebookRunError):
        runner.run_all(corpus=str(bad), out=str(out), notebook_dir=notebooks)
    record = runner.read_run(out)
    assert {"corpus", "annotations", "files"} <= set(record)
    assert record["suite"] == runner.SUITE and record["status"] == "failed"
    assert record["corpus_fingerprint"].startswith("sha256:") and record["finished"]
    assert record["notebooks"]["01_first.ipynb"]["status"] == "failed"
    assert "corpus is bad" in record["notebooks"]["01_first.ipynb"]["error"]
    assert record["notebooks"]["02_second.ipynb"] == {"status": "ok", "error": ""}
    assert not (out / "run.json.tmp").exists()


def test_out_that_is_a_file_or_foreign_is_refused_with_one_message(notebooks, tmp_path, capsys):
    corpus = tmp_path / "c.csv"
    corpus.write_text("text\nhello\n")
    afile = tmp_path / "results.txt"
    afile.write_text("x")
    assert runner.main(["--corpus", str(corpus), "--out", str(afile)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file, not a folder" in err
    foreign = tmp_path / "thesis"
    foreign.mkdir()
    (foreign / "chapter1.docx").write_text("mine")
    assert runner.main(["--corpus", str(corpus), "--out", str(foreign)]) == 2
    assert "--force" in capsys.readouterr().err
    assert sorted(p.name for p in foreign.iterdir()) == ["chapter1.docx"]


def test_kernels_get_no_progress_bars_and_no_kernel_log(notebooks, tmp_path, monkeypatch):
    """Issue #16: the runner's kernels run with ANALYSIS_PROGRESS=0 (so tqdm bars never enter an
    executed notebook, although ipykernel is loaded) and without ipykernel's own log lines; the
    runner's environment is left as it was."""
    monkeypatch.setenv("ANALYSIS_PROGRESS", "1")
    _notebook(notebooks / "03_env.ipynb", [
        ("code", "import os\nfrom analysis import progress\n"
                 "print(os.environ['ANALYSIS_PROGRESS'], progress.enabled(10**9))", []),
    ])
    runner.execute(notebooks / "03_env.ipynb", tmp_path / "03.ipynb")
    assert _stdout(tmp_path / "03.ipynb").split() == ["0", "False"]
    assert runner.KERNEL_ARGUMENTS == ["--IPKernelApp.log_level=ERROR"]
    import os
    assert os.environ["ANALYSIS_PROGRESS"] == "1"


def test_make_run_keeps_the_kernel_tcp_warning_out_of_the_terminal(notebooks, tmp_path):
    """The kernel's 'running over TCP without encryption' warning does not reach stderr."""
    import subprocess

    corpus = tmp_path / "c.csv"
    corpus.write_text("text\nhello\n")
    code = ("import sys; from analysis import runner; "
            f"runner.run_all(corpus={str(corpus)!r}, out={str(tmp_path / 'o')!r}, "
            f"notebook_dir={str(notebooks)!r}, only=['02'])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "without encryption" not in proc.stderr and "WARNING" not in proc.stderr


def test_killed_run_then_report_marks_what_did_not_finish(notebooks, tmp_path):
    """Issue #16: a run killed (SIGKILL) inside notebook 02 leaves run.json saying so; the
    report renders 01, marks 02 as interrupted without its figure, names a foreign notebook
    without rendering it, and a rerun into the same OUT works."""
    import os
    import signal
    import subprocess
    import time

    from analysis import report

    marker = tmp_path / "started"
    _notebook(notebooks / "02_second.ipynb", [
        ("code", 'corpus = "default-corpus"\noutput_dir = "default-out"', ["parameters"]),
        ("code", "import base64, sys, time\nfrom pathlib import Path\nfrom IPython.display import Image, display\n"
                 "display(Image(data=base64.b64decode('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==')))\n"
                 f"Path({str(marker)!r}).touch()\ntime.sleep(120)", []),
    ])
    corpus = tmp_path / "c.csv"
    corpus.write_text("text\nhello\n")
    out = tmp_path / "o"
    code = ("from analysis import runner; "
            f"runner.run_all(corpus={str(corpus)!r}, out={str(out)!r}, notebook_dir={str(notebooks)!r})")
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert marker.exists(), "notebook 02 never started"
        time.sleep(1.5)  # papermill saves the notebook after each cell
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the runner and its kernel, as a killed terminal would
        proc.wait()
    record = runner.read_run(out)
    assert record["status"] == "running"
    assert record["notebooks"]["01_first.ipynb"]["status"] == "ok"
    assert record["notebooks"]["02_second.ipynb"]["status"] == "running"
    _notebook(out / "notebooks" / "07_mine.ipynb", [("markdown", "# Not from the suite", [])])

    assert report.main(["--out", str(out)]) == 0
    index = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert "This run did not finish: it was killed (or is still running) before 02_second finished" in index
    assert "Interrupted: the run was stopped (killed) while this notebook ran" in index
    assert "<img" not in index  # no key figure from the interrupted notebook
    assert "Not shown: 07_mine.ipynb" in index
    assert not (out / "report" / "07_mine.html").exists()
    assert (out / "report" / "01_first.html").exists()

    # the next run into the same OUT is accepted, and completes
    _notebook(notebooks / "02_second.ipynb", [("code", "print('fine')", [])])
    runner.run_all(corpus=str(corpus), out=str(out), notebook_dir=notebooks)
    assert runner.read_run(out)["status"] == "complete"
    report.main(["--out", str(out)])
    assert "did not finish" not in (out / "report" / "index.html").read_text(encoding="utf-8")


def test_ctrl_c_stops_after_the_current_notebook_and_run_json_says_so(notebooks, tmp_path):
    """Issue #16: Ctrl-C (SIGINT to the runner; the kernel has a session of its own) lets the
    current notebook finish, runs no further notebook, exits with 130, and leaves run.json
    'interrupted' with the notebooks that did not run 'pending'."""
    import signal
    import time

    marker = tmp_path / "started"
    _notebook(notebooks / "02_second.ipynb", [
        ("code", 'corpus = "default-corpus"\noutput_dir = "default-out"', ["parameters"]),
        ("code", f"import time\nfrom pathlib import Path\nPath({str(marker)!r}).touch()\ntime.sleep(4)\n"
                 "print('finished')", []),
    ])
    _notebook(notebooks / "03_third.ipynb", [("code", "print(3)", [])])
    out = tmp_path / "o"
    proc = _runner_process(notebooks, tmp_path, out)
    deadline = time.monotonic() + 240
    while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 130, err
    assert "stopping once the running notebook(s) finish" in err and "run stopped (Ctrl-C)" in err
    record = runner.read_run(out)
    assert record["status"] == "interrupted"
    assert {k: v["status"] for k, v in record["notebooks"].items()} == {
        "01_first.ipynb": "ok", "02_second.ipynb": "ok", "03_third.ipynb": "pending"}
    assert "finished" in _stdout(out / "notebooks" / "02_second.ipynb")
    assert not (out / "notebooks" / "03_third.ipynb").exists()


def test_executed_notebooks_show_no_progress_bars(tmp_path, monkeypatch):
    """Issue #18: a papermill kernel counts as interactive for analysis.progress, so at 10^5
    articles bars filled the executed notebooks; the runner turns them off (unless asked)."""
    monkeypatch.delenv("ANALYSIS_PROGRESS", raising=False)
    nb = _notebook(tmp_path / "01_bars.ipynb", [
        ("code", "from analysis import progress\nprint(progress.enabled(10**7))", [])])
    runner.execute(nb, tmp_path / "out.ipynb")
    assert _stdout(tmp_path / "out.ipynb").strip() == "False"


def test_a_kernel_that_dies_before_replying_is_started_again(tmp_path, monkeypatch):
    """A kernel whose port was taken between jupyter_client choosing it and the kernel binding
    it dies before replying ('Kernel died before replying to kernel_info'); the runner starts
    the notebook again (at most KERNEL_START_ATTEMPTS times) instead of failing the run.
    Other errors are not retried."""
    import papermill as pm

    real = pm.execute_notebook
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kwargs)

    monkeypatch.setattr(pm, "execute_notebook", flaky)
    nb = _notebook(tmp_path / "01_retry.ipynb", [("code", "print(6 * 7)", [])])
    runner.execute(nb, tmp_path / "out.ipynb")
    assert len(calls) == 2 and _stdout(tmp_path / "out.ipynb").strip() == "42"

    def always(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("Kernel died before replying to kernel_info")

    calls.clear()
    monkeypatch.setattr(pm, "execute_notebook", always)
    with pytest.raises(RuntimeError, match="kernel_info"):
        runner.execute(nb, tmp_path / "out2.ipynb")
    assert len(calls) == runner.KERNEL_START_ATTEMPTS

    def other(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("something else")

    calls.clear()
    monkeypatch.setattr(pm, "execute_notebook", other)
    with pytest.raises(RuntimeError, match="something else"):
        runner.execute(nb, tmp_path / "out3.ipynb")
    assert len(calls) == 1


def test_the_next_notebook_runs_in_a_warm_kernel_that_ran_only_its_imports(tmp_path):
    """While 01 runs, 02's kernel starts and imports 02's top-level modules: 02's first cell
    finds the module of its second cell already imported, but no name of the warm-up in its
    namespace and its own execution counts from 1. Cold (warm=False), the module is not there."""
    folder = tmp_path / "nbs"
    folder.mkdir()
    _notebook(folder / "01_a.ipynb", [("code", "print('a')", [])])
    probe = ("import sys\nprint('analysis.synthetic' in sys.modules, "
             "sorted(n for n in dir() if not n.startswith('_') and n not in "
             "{'In', 'Out', 'exit', 'quit', 'get_ipython', 'open', 'sys'}))")
    _notebook(folder / "02_b.ipynb", [("code", probe, []),
                                      ("code", "import analysis.synthetic\nprint('b')", [])])
    runner.run_all(notebook_dir=folder)
    nb = nbformat.read(folder / "02_b.ipynb", as_version=4)
    assert _stdout(folder / "02_b.ipynb") == "True []\nb\n"
    assert [c.execution_count for c in nb.cells] == [1, 2]
    runner.run_all(notebook_dir=folder, warm=False)
    assert _stdout(folder / "02_b.ipynb") == "False []\nb\n"


def test_a_warm_up_that_writes_output_or_fails_is_discarded(tmp_path):
    """An import that prints (or warns) would lose its message from the executed notebook if it
    ran in the warm-up: that kernel is discarded and the notebook starts cold, so the message
    is in the notebook's own output. A failing import likewise (the notebook shows the error)."""
    folder = tmp_path / "nbs"
    folder.mkdir()
    (folder / "noisy_module.py").write_text("import warnings\nprint('imported noisy')\n"
                                            "warnings.warn('noisy warning')\n")
    _notebook(folder / "01_a.ipynb", [("code", "print('a')", [])])
    _notebook(folder / "02_b.ipynb", [("code", "import noisy_module", [])])
    _notebook(folder / "03_c.ipynb", [("code", "print('c')", []),
                                      ("code", "import no_such_module_anywhere", [])])
    warm = runner.WarmKernel(folder / "02_b.ipynb")
    assert warm.take() is None and "wrote output" in warm.problem
    warm = runner.WarmKernel(folder / "03_c.ipynb")
    assert warm.take() is None and "ModuleNotFoundError" in warm.problem
    with pytest.raises(runner.NotebookRunError, match="03_c.ipynb: ModuleNotFoundError"):
        runner.run_all(notebook_dir=folder)
    nb = nbformat.read(folder / "02_b.ipynb", as_version=4)
    texts = [o.get("text", "") for o in nb.cells[0].outputs]
    assert "imported noisy\n" in texts and any("noisy warning" in t for t in texts)
    assert _stdout(folder / "03_c.ipynb") == "c\n"


def test_a_usable_warm_kernel_is_handed_over_and_stopped(tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    path = _notebook(folder / "01_a.ipynb", [("code", "import json\nprint(json.dumps(1))", [])])
    warm = runner.WarmKernel(path)
    assert warm.modules == ["json"]
    km = warm.take()
    assert km is not None and warm.problem == ""
    runner.execute(path, tmp_path / "out.ipynb", km=km)
    assert _stdout(tmp_path / "out.ipynb") == "1\n"
    warm.close()
    from jupyter_core.utils import run_sync
    assert not run_sync(km.is_alive)()


def _with_needs(path: Path, needs: list[str]) -> Path:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["analysis"] = {runner.NEEDS_KEY: needs}
    nbformat.write(nb, path)
    return path


def _waits_for(marker: Path, mine: Path, seconds: float = 60) -> str:
    """Code of a cell that touches ``mine`` and then waits up to ``seconds`` for ``marker``."""
    return (f"import time\nfrom pathlib import Path\nPath({str(mine)!r}).touch()\n"
            f"deadline = time.monotonic() + {seconds}\n"
            f"while not Path({str(marker)!r}).exists() and time.monotonic() < deadline:\n"
            "    time.sleep(0.05)\n"
            f"print('saw the other', Path({str(marker)!r}).exists())")


@pytest.fixture
def diamond(tmp_path):
    """01; 02 and 03 need only 01, each waits (up to 60 s) until the other has started; 04 needs
    02 and 03 and prints whether both had finished (their outputs exist) when it started."""
    folder = tmp_path / "nbs"
    folder.mkdir()
    marks = tmp_path / "marks"
    marks.mkdir()
    _notebook(folder / "01_a.ipynb", [("code", "print('a')", [])])
    for mine, other in (("02", "03"), ("03", "02")):
        path = _notebook(folder / f"{mine}_x.ipynb", [
            ("code", _waits_for(marks / other, marks / mine, seconds=60), []),
            ("code", f"from pathlib import Path\nPath({str(marks / (mine + '.done'))!r}).touch()", [])])
        _with_needs(path, ["01_a.ipynb"])
    _with_needs(_notebook(folder / "04_d.ipynb", [
        ("code", f"from pathlib import Path\nprint(Path({str(marks / '02.done')!r}).exists(), "
                 f"Path({str(marks / '03.done')!r}).exists())", [])]),
        ["02_x.ipynb", "03_x.ipynb"])
    return folder, marks


def test_notebooks_that_need_only_earlier_results_run_side_by_side(diamond, capsys):
    """Issue #18: with jobs=2, 02 and 03 (both needing only 01) run at once: each sees the other
    start within 60 s (one after the other, the first would wait the whole minute and then say
    False); 04 starts only after both finished. The normalised notebooks keep their needs."""
    folder, marks = diamond
    runner.run_all(notebook_dir=folder, jobs=2)
    assert _stdout(folder / "02_x.ipynb") == "saw the other True\n"
    assert _stdout(folder / "03_x.ipynb") == "saw the other True\n"
    assert _stdout(folder / "04_d.ipynb") == "True True\n"
    out = capsys.readouterr().out
    assert "executing 03_x.ipynb (beside 02_x.ipynb)" in out
    assert out.index("executing 01_a") < out.index("executing 02_x") < out.index("executing 03_x") \
        < out.index("executing 04_d")
    nb = nbformat.read(folder / "04_d.ipynb", as_version=4)
    assert nb.metadata["analysis"] == {"needs": ["02_x.ipynb", "03_x.ipynb"]}


def test_one_job_runs_notebooks_one_at_a_time_in_order(diamond):
    """jobs=1: 03 starts only after 02 finished (02 waits for 03 in vain, a short wait here)."""
    folder, marks = diamond
    _notebook(folder / "02_x.ipynb", [
        ("code", _waits_for(marks / "03", marks / "02", seconds=2), []),
        ("code", f"from pathlib import Path\nPath({str(marks / '02.done')!r}).touch()", [])])
    _with_needs(folder / "02_x.ipynb", ["01_a.ipynb"])
    runner.run_all(notebook_dir=folder, jobs=1)
    assert _stdout(folder / "02_x.ipynb") == "saw the other False\n"
    assert _stdout(folder / "03_x.ipynb") == "saw the other True\n"
    assert _stdout(folder / "04_d.ipynb") == "True True\n"


def test_auto_runs_side_by_side_only_when_memory_allows(diamond, monkeypatch, capsys):
    """jobs="auto" asks parallel_allowed once, after the first notebook, with that kernel's peak
    memory (a positive number of MB here, on Linux) and the memory available."""
    folder, marks = diamond
    asked = []

    def allowed(peak, available):
        asked.append((peak, available))
        return True

    monkeypatch.setattr(runner, "parallel_allowed", allowed)
    runner.run_all(notebook_dir=folder)
    assert len(asked) == 1
    if sys.platform == "linux":
        assert asked[0][0] > 10 and asked[0][1] > 0
    assert "now run 2 at a time" in capsys.readouterr().out
    assert _stdout(folder / "03_x.ipynb") == "saw the other True\n"

    for p in marks.iterdir():
        p.unlink()
    monkeypatch.setattr(runner, "parallel_allowed", lambda peak, available: False)
    _notebook(folder / "03_x.ipynb", [
        ("code", f"from pathlib import Path\nprint(Path({str(marks / '02.done')!r}).exists())", [])])
    _with_needs(folder / "03_x.ipynb", ["01_a.ipynb"])
    _notebook(folder / "02_x.ipynb", [  # side by side, 03 would start during the sleep
        ("code", f"import time\nfrom pathlib import Path\ntime.sleep(3)\n"
                 f"Path({str(marks / '02.done')!r}).touch()", [])])
    _with_needs(folder / "02_x.ipynb", ["01_a.ipynb"])
    runner.run_all(notebook_dir=folder)
    assert _stdout(folder / "03_x.ipynb") == "True\n"  # 02 had finished: one at a time
    assert "at a time" not in capsys.readouterr().out


def test_needs_default_to_every_earlier_notebook_and_bad_needs_stop_the_run(tmp_path, capsys):
    folder = tmp_path / "nbs"
    folder.mkdir()
    paths = [_notebook(folder / f"0{i}_n.ipynb", [("code", f"print({i})", [])]) for i in (1, 2, 3)]
    assert runner.notebook_needs(paths) == {"01_n.ipynb": [], "02_n.ipynb": ["01_n.ipynb"],
                                            "03_n.ipynb": ["01_n.ipynb", "02_n.ipynb"]}
    _with_needs(paths[2], ["01_n.ipynb"])
    assert runner.notebook_needs(paths)["03_n.ipynb"] == ["01_n.ipynb"]
    # a notebook left out of the run (only=) is not waited for
    assert runner.notebook_needs(paths[2:], listed=paths)["03_n.ipynb"] == []
    for bad in (["03_n.ipynb"], ["09_none.ipynb"], "01_n.ipynb"):
        _with_needs(paths[2], bad)
        with pytest.raises(runner.RunSetupError, match="03_n.ipynb: metadata analysis.needs must list earlier"):
            runner.run_all(notebook_dir=folder)
        assert nbformat.read(folder / "01_n.ipynb", as_version=4).cells[0].outputs == []  # none ran
    with pytest.raises(ValueError, match="jobs must be a positive integer"):
        runner.run_all(notebook_dir=folder, jobs=0)


def test_parallel_allowed_needs_room_for_the_expected_peak():
    assert runner.parallel_allowed(1000, 10_000)
    assert not runner.parallel_allowed(1000, 6_000)  # 3,500 MB > half of 6,000
    assert not runner.parallel_allowed(2000, 100_000)  # 7,000 MB > PARALLEL_MEMORY_MB
    assert not runner.parallel_allowed(None, 10_000) and not runner.parallel_allowed(1000, None)
    assert runner.parallel_allowed(2000, 100_000, limit_mb=8000)


def test_the_suite_declares_what_each_notebook_reads():
    """02 (keyness, actors, sources) and 03 (topics) read only notebook 01's corpus; 04 reads
    02's tokens and 03's paragraph topics as well. These needs let 02 and 03 run side by side."""
    needs = runner.notebook_needs(runner.list_notebooks())
    assert needs == {
        "01_ingestion.ipynb": [],
        "02_text_features.ipynb": ["01_ingestion.ipynb"],
        "03_topic_clustering.ipynb": ["01_ingestion.ipynb"],
        "04_tone_comparison.ipynb": ["01_ingestion.ipynb", "02_text_features.ipynb",
                                     "03_topic_clustering.ipynb"],
    }


def test_make_run_process_skips_the_iri_grammar(tmp_path):
    """`python -m analysis.runner` keeps jsonschema from compiling rfc3987_syntax's grammar
    (0.7 s before the first kernel starts); nbformat still validates notebooks."""
    import subprocess

    code = ("import runpy, sys\nsys.argv = ['runner', '--help']\n"
            "try:\n    runpy.run_module('analysis.runner', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "import nbformat\nnbformat.validate(nbformat.v4.new_notebook())\n"
            "print(sys.modules.get('rfc3987_syntax', 'absent'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] in ("None", "absent")


def _side_by_side_sleepers(folder: Path, marks: Path, seconds: int) -> None:
    """02 and 03 (needing only 01) each touch a marker, sleep, then print 'finished'."""
    for name in ("02", "03"):
        path = _notebook(folder / f"{name}_x.ipynb", [
            ("code", f"import time\nfrom pathlib import Path\nPath({str(marks / name)!r}).touch()\n"
                     f"time.sleep({seconds})\nprint('finished')", [])])
        _with_needs(path, ["01_a.ipynb"])


@pytest.mark.parametrize("presses", [1, 2])
@pytest.mark.parametrize("cold", [False, True])
def test_ctrl_c_while_two_notebooks_run(diamond, tmp_path, presses, cold):
    """Ctrl-C once while 02 and 03 run side by side: both finish, 04 never starts, exit 130.
    Twice: both are stopped at once (their kernels killed, warm or cold), well before their
    sleep would end, and run.json marks them interrupted."""
    import signal
    import time

    folder, marks = diamond
    _side_by_side_sleepers(folder, marks, 4 if presses == 1 else 300)
    out = tmp_path / "o"
    proc = _runner_process(folder, tmp_path, out, ["--jobs", "2"] + (["--cold"] if cold else []))
    deadline = time.monotonic() + 240
    while not ((marks / "02").exists() and (marks / "03").exists()) and time.monotonic() < deadline \
            and proc.poll() is None:
        time.sleep(0.1)
    assert (marks / "02").exists() and (marks / "03").exists(), proc.communicate()[1]
    pressed = time.monotonic()
    proc.send_signal(signal.SIGINT)
    if presses == 2:
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=240)
    assert proc.returncode == 130, err
    states = {k: v["status"] for k, v in runner.read_run(out)["notebooks"].items()}
    assert runner.read_run(out)["status"] == "interrupted"
    if presses == 1:
        assert states == {"01_a.ipynb": "ok", "02_x.ipynb": "ok", "03_x.ipynb": "ok",
                          "04_d.ipynb": "pending"}
        assert "finished" in _stdout(out / "notebooks" / "03_x.ipynb")
    else:
        assert time.monotonic() - pressed < 60  # not the 300 s sleep, nor a 120 s join per lane
        assert states == {"01_a.ipynb": "ok", "02_x.ipynb": "interrupted",
                          "03_x.ipynb": "interrupted", "04_d.ipynb": "pending"}
    assert not (out / "notebooks" / "04_d.ipynb").exists()


def test_a_lane_whose_kernel_cannot_be_stopped_still_reports(tmp_path, monkeypatch):
    """An error while a finished notebook's kernel is stopped must not hang the run: the lane
    reports the notebook as finished all the same."""
    folder = tmp_path / "nbs"
    folder.mkdir()
    _notebook(folder / "01_a.ipynb", [("code", "print('a')", [])])
    _notebook(folder / "02_b.ipynb", [("code", "print('b')", [])])
    real = runner.WarmKernel.close

    def broken(self, *, now=False):
        real(self, now=True)
        raise ValueError("cannot clean up")

    monkeypatch.setattr(runner.WarmKernel, "close", broken)
    assert [p.name for p in runner.run_all(notebook_dir=folder)] == ["01_a.ipynb", "02_b.ipynb"]
    assert _stdout(folder / "02_b.ipynb") == "b\n"
