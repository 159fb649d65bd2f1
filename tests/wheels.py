"""Build the project's wheel offline from a copy of the working tree (for the packaging and
Dask-worker tests): the locked setuptools, no index, no build isolation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_wheel(dest: Path, *, extra_files: dict[str, str] | None = None) -> Path:
    """Copy ``analysis/``, ``pyproject.toml`` and ``README.md`` under ``dest/src`` (plus
    ``extra_files``, paths relative to ``src`` mapped to their text), build the wheel into
    ``dest/wheels`` and return its path."""
    src = dest / "src"
    shutil.copytree(ROOT / "analysis", src / "analysis",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for rel, text in (extra_files or {}).items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text)
    out = dest / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
                    "--no-build-isolation", "--wheel-dir", str(out), str(src)],
                   check=True, capture_output=True, text=True)
    (wheel,) = out.glob("*.whl")
    return wheel
