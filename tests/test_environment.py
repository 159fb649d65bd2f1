"""The pip and conda environments list the same packages at the same versions."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = line.split("==")
            pins[_norm(name)] = version
    return pins


def _environment() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"^\s*-\s*([A-Za-z0-9_.\-]+)\s*(==|=)\s*([^\s#]+)", line)
        if m and _norm(m.group(1)) != "python":
            pins[_norm(m.group(1))] = m.group(3)
    return pins


def test_environment_yml_matches_requirements():
    req, env = _requirements(), _environment()
    assert req, "requirements.txt lists no pinned package"
    assert env == req, {
        "only in requirements.txt": sorted(set(req) - set(env)),
        "only in environment.yml": sorted(set(env) - set(req)),
        "different versions": {k: (req[k], env[k]) for k in set(req) & set(env) if req[k] != env[k]},
    }


def test_lock_agrees_with_top_level_pins():
    lock = {}
    for line in (ROOT / "requirements-lock.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.strip().split("==")
            lock[_norm(name)] = version
    for name, version in _requirements().items():
        assert lock.get(name) == version, f"{name}: requirements.txt {version}, lock {lock.get(name)}"
