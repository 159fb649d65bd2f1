"""The project is an installable distribution: a wheel holds the analysis package and its data.

The wheel is built offline (``--no-build-isolation``, with the locked setuptools of the test's
own environment) from a copy of the package, and installed with ``--no-deps --no-index`` into a
fresh venv whose dependencies are the test environment's own (a ``.pth`` file pointing at its
``site-packages``): nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
import zipfile
from pathlib import Path

import wheels

ROOT = Path(__file__).resolve().parent.parent

#: Run inside the fresh venv: the wheel's package, its data, the bundled corpus, and the message
#: of a repository folder that a wheel install does not have.
PROBE = textwrap.dedent("""
    import json, sys
    import analysis
    from analysis import config
    corpus = analysis.load_corpus(sys.argv[1])
    try:
        config.require(config.NOTEBOOK_DIR, "the notebooks folder", caller="probe")
        message = ""
    except FileNotFoundError as exc:
        message = str(exc)
    print(json.dumps({
        "file": analysis.__file__,
        "articles": len(corpus.articles),
        "model": (config.DATA_DIR / "models" / "probe.json").is_file(),
        "lexicon": config.FRAMING_LEXICON.is_file(),
        "in_checkout": config.in_checkout(),
        "raw_dir": str(config.RAW_DIR),
        "message": message,
    }))
""")


def test_pyproject_declares_one_package_and_its_data():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["build-system"]["requires"] == ["setuptools==84.0.0"]
    assert meta["project"]["requires-python"] == ">=3.11,<3.14"
    assert meta["tool"]["setuptools"]["packages"]["find"]["include"] == ["analysis", "analysis.*"]
    assert "data/**/*" in meta["tool"]["setuptools"]["package-data"]["analysis"]
    assert set(meta["project"]["optional-dependencies"]) >= {"test", "lint", "bench", "dask"}


def _build_wheel(tmp_path: Path) -> Path:
    """Wheel of a copy of the project, with one extra file in analysis/data/models/."""
    return wheels.build_wheel(tmp_path, extra_files={"analysis/data/models/probe.json": "{}\n"})


def test_wheel_installs_in_a_fresh_venv_and_loads_the_bundled_corpus(tmp_path):
    wheel = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"analysis"}, tops  # not data/, tests/, notebooks/, benchmarks/
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "analysis" / "data").rglob("*")
               if p.is_file()}
    assert shipped and shipped <= set(names), sorted(shipped - set(names))
    assert "analysis/data/models/probe.json" in names
    assert "analysis/tone/vader.py" in names and "analysis/topics/model.py" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    # The dependencies: this environment's site-packages, after the venv's own.
    target = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 check=True, capture_output=True, text=True).stdout.strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (target / "_test_dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", "--no-index", str(wheel)], check=True, capture_output=True, text=True)

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ANALYSIS_ROOT")}
    run = subprocess.run([python, "-c", PROBE, str(ROOT / "data" / "raw")], cwd=tmp_path, env=env,
                         check=True, capture_output=True, text=True)
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert Path(got["file"]).is_relative_to(venv), got["file"]
    assert got["articles"] == 5
    assert got["model"] and got["lexicon"]
    assert not got["in_checkout"]
    assert "ANALYSIS_ROOT" in got["message"] and got["message"].startswith("probe: ")

    # ANALYSIS_ROOT points a wheel install at a checkout's data and notebooks.
    run = subprocess.run([python, "-c", PROBE, str(ROOT / "data" / "raw")], cwd=tmp_path,
                         env={**env, "ANALYSIS_ROOT": str(ROOT)}, check=True, capture_output=True, text=True)
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["in_checkout"] and got["message"] == ""
    assert got["raw_dir"] == str(ROOT / "data" / "raw")


def test_editable_install_imports_the_working_tree_and_nothing_else():
    """``make setup`` installs the project editable: the checkout's analysis/, not its root."""
    code = ("import importlib.util, json, analysis; "
            "print(json.dumps([analysis.__file__, importlib.util.find_spec('tests') is None, "
            "importlib.util.find_spec('notebooks') is None]))")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ANALYSIS_ROOT")}
    run = subprocess.run([sys.executable, "-c", code], cwd="/", env=env, check=True,
                         capture_output=True, text=True)
    file, no_tests, no_notebooks = json.loads(run.stdout)
    assert Path(file) == ROOT / "analysis" / "__init__.py"
    assert no_tests and no_notebooks
