"""The Dask path on workers that have the project only from its wheel (issue 17).

A scheduler and two workers (``python -m dask scheduler`` / ``python -m dask worker``, with
nannies) run from a separate venv that has the locked dependencies but not the project: its
``site-packages`` links every distribution of the test environment (installed from the
hash-checked lock by ``make setup``) except this project's own (its editable finder, its
``.pth`` file and its ``.dist-info``), so the workers cannot import ``analysis`` until
:func:`analysis.dask_path.install_wheel` has pip-installed the wheel on them (Dask's
``PipInstall`` plugin, then a restart by the nannies). The client is this test process, and
the command line is the README's ``python -m analysis.dask_path SHARDS OUT --scheduler ...
--wheel ...``. Nothing is downloaded: the wheel is built offline with the locked setuptools
and installed with ``--no-deps``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import wheels

from analysis import corpus, tone, topics
from analysis import dask_path as dpath

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
KEYS = ["article_id", "paragraph", "sentence"]

pytestmark = pytest.mark.slow  # ~40-60 s: three pip installs and two worker restarts

#: What in the test environment's site-packages belongs to this project (never linked).
PROJECT = ("__editable__", "china_us_news_analysis", "analysis")


def _worker_env(dest: Path) -> Path:
    """A venv with the locked dependencies (linked) and without the project; its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(dest)], check=True)
    python = dest / "bin" / "python"
    purelib = Path(subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    deps = dest / "locked-deps"
    deps.mkdir()
    ours = {Path(sysconfig.get_paths()["purelib"]), Path(sysconfig.get_paths()["platlib"])}
    for site in ours:
        for entry in site.iterdir():
            if entry.name.startswith(PROJECT) or (deps / entry.name).exists():
                continue
            (deps / entry.name).symlink_to(entry)
    # A directory named in a .pth file goes on sys.path; the .pth files inside it are not run.
    (purelib / "_locked_dependencies.pth").write_text(f"{deps}\n")
    return python


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two one-thread workers (with nannies) in the separate venv."""
    tmp = tmp_path_factory.mktemp("dask-wheel")
    wheel = wheels.build_wheel(tmp)
    python = _worker_env(tmp / "venv")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "ANALYSIS_ROOT", "VIRTUAL_ENV")}
    probe = subprocess.run([python, "-c", "import distributed, sklearn; import analysis"],
                           cwd=tmp, env=env, capture_output=True, text=True)
    assert probe.returncode != 0 and "No module named 'analysis'" in probe.stderr, probe.stderr
    address = f"tcp://127.0.0.1:{_free_port()}"
    common = dict(cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs = [subprocess.Popen([python, "-m", "dask", "scheduler", "--host", "127.0.0.1",
                               "--port", address.rsplit(":", 1)[1], "--no-dashboard"], **common)]
    try:
        procs.append(subprocess.Popen(
            [python, "-m", "dask", "worker", address, "--nworkers", "2", "--nthreads", "1",
             "--memory-limit", "2GiB", "--no-dashboard", "--local-directory", str(tmp / "w")],
            **common))
        with distributed.Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            yield {"client": client, "address": address, "wheel": wheel, "venv": tmp / "venv",
                   "tmp": tmp}
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def ran(cluster):
    raw, _ = corpus.read_folder(RAW)
    shards = cluster["tmp"] / "shards"
    shards.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(raw)), 2)):
        raw.iloc[rows].to_parquet(shards / f"part-{i}.parquet", index=False)
    out = cluster["tmp"] / "out"
    code = dpath.main([str(shards), str(out), "--scheduler", cluster["address"],
                       "--wheel", str(cluster["wheel"])])
    assert code == 0
    return out


def _analysis_file() -> str:
    import analysis

    return analysis.__file__


def test_workers_import_the_package_from_the_installed_wheel(cluster, ran):
    # this module is not on the workers: send the probe by value
    cloudpickle = pytest.importorskip("cloudpickle")
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    try:
        files = cluster["client"].run(_analysis_file)
    finally:
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    assert len(files) == 2
    venv = cluster["venv"].resolve()
    for file in files.values():
        assert Path(file).resolve().is_relative_to(venv), file
        assert "site-packages" in file and not Path(file).is_relative_to(ROOT)


def test_same_results_as_the_pandas_path(ran):
    built = corpus.load_corpus(RAW)
    expected = tone.sentence_table(built, tone.score_sentences(built))
    got = pd.read_parquet(ran / "sentences").sort_values(KEYS).reset_index(drop=True)
    assert got[KEYS].values.tolist() == expected[KEYS].values.tolist()
    assert got["voice"].tolist() == expected["voice"].tolist()
    for measure in tone.MEASURES:
        np.testing.assert_allclose(got[measure], expected[measure], rtol=0, atol=1e-12)
    assigned = topics.assign_topics(built)
    got_topics = pd.read_parquet(ran / "topics").sort_values(KEYS[:2]).reset_index(drop=True)
    assert got_topics["topic"].tolist() == assigned["topic"].tolist()
    assert sorted(p.name for p in ran.iterdir()) == sorted([*dpath.TABLES, "topics"])


def test_install_wheel_refuses_what_is_not_a_wheel(cluster):
    with pytest.raises(ValueError, match=r"install_wheel: .* is not a wheel"):
        dpath.install_wheel(cluster["client"], "china-us-news-analysis")
