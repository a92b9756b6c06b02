"""Shared pytest fixtures.

The embedding fixtures build the default model once into the normal cache (`RULEOFLAW_CACHE` or
~/.cache/ruleoflaw-search), so only the first run pays for the rebuild; tests using them carry the
`model` marker and can be skipped with `-m "not model"`.
"""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def default_model_dir():
    from indexer.e5model import ensure_default_model

    return ensure_default_model()


@pytest.fixture(scope="session")
def embedder(default_model_dir):
    from indexer.embed import Embedder

    return Embedder(precision="fp32")
