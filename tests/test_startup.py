"""What each command loads: the light paths must keep the heavy libraries out and give the same results."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "transformers", "sentence_transformers")


def _loaded_after(code: str) -> set[str]:
    """Top-level modules present in a fresh interpreter after running `code`."""
    return {name.split(".")[0] for name in _loaded_modules_of(code)}


def test_command_modules_import_no_model_library_and_no_document_reader():
    loaded = _loaded_after("import indexer.__main__, search.__main__, search.eval\n"
                           "import indexer.analyzer\nindexer.analyzer.get_analyzer().query_terms('法律顾问')")
    assert not loaded & {*HEAVY, "pypdf", "docx"}
    assert "jieba.posseg" not in _loaded_modules_of("import search\nimport indexer")


def _loaded_modules_of(code: str) -> set[str]:
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_build_is_still_reachable_from_the_package():
    import indexer
    from indexer.build import build_index

    assert indexer.build_index is build_index
    with pytest.raises(AttributeError):
        indexer.no_such_name  # noqa: B018


@pytest.mark.model
def test_a_question_is_encoded_without_torch(default_model_dir):
    loaded = _loaded_after("from indexer.embed import Embedder\ne = Embedder(precision='fp32')\n"
                           "e.encode_query('哪些乡镇聘请了法律顾问')\ne.encode_statements(['聘请法律顾问'])")
    assert not loaded & set(HEAVY)


@pytest.mark.model
def test_numpy_encoder_reproduces_sentence_transformers(embedder):
    from indexer.embed import Embedder

    heavy = Embedder(precision="fp32")
    heavy._light_ok = False  # the sentence-transformers path, as for other models
    texts = ["哪些乡镇聘请了法律顾问", "开展普法宣传活动10次，发放宣传资料3000余份。" * 30, "短句", "ＡＢＣ　全角"]
    light_queries, heavy_queries = embedder.encode_queries(texts), heavy.encode_queries(texts)
    assert (light_queries * heavy_queries).sum(axis=1).min() >= 0.9999
    for light, reference in zip(embedder.encode_statements(texts), heavy.encode_statements(texts)):
        assert float(light.vector @ reference.vector) >= 0.9999
        assert light.spans.tolist() == reference.spans.tolist() and len(light.spans) > 0
        cosines = (light.tokens.astype(np.float32) * reference.tokens.astype(np.float32)).sum(axis=1)
        assert cosines.min() >= 0.999  # float16 rows
