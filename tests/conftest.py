"""Shared fixtures: small test corpora built on demand (see tests/corpora.py)."""

from __future__ import annotations

import corpora
import pytest


@pytest.fixture
def build_corpus(tmp_path):
    """Build a named test corpus (a key of ``corpora.BUILDERS``) in ``tmp_path``; return its path."""

    def _build(name: str):
        return corpora.build(name, tmp_path / name)

    return _build
