"""The Embedder facade: accuracy against the reference, precision, prompts, offline behaviour."""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from indexer.e5model import DEFAULT_MODEL, ModelUnavailableError
from indexer.embed import Embedder

REFERENCE = json.loads((Path(__file__).parent / "data" / "e5_reference.json").read_text(encoding="utf-8"))

CHINESE_PASSAGES = [
    "乡政府聘请法律顾问1名，为重大决策提供法律意见。",
    "开展普法宣传活动10次，发放宣传资料3000余份。",
    "接待信访案件10件，调处8件。",
    "一是法治宣传的针对性不强，群众参与度不高；二是基层执法人员专业素质有待提高。",
    "下一步，我乡将继续深化“放管服”改革，推进行政执法“三项制度”，严格落实重大行政决策程序。",
]


@pytest.mark.model
def test_properties(embedder):
    assert embedder.name == DEFAULT_MODEL and embedder.dimension == 384 and embedder.precision == "fp32"


@pytest.mark.model
def test_embeddings_match_reference(embedder):
    passages = embedder.encode_passages(REFERENCE["passages"])
    queries = embedder.encode_queries(REFERENCE["queries"])
    for got, want in ((passages, REFERENCE["passage_embeddings"]), (queries, REFERENCE["query_embeddings"])):
        want = np.asarray(want, dtype=np.float32)
        assert got.dtype == np.float32 and got.shape == want.shape
        assert np.abs(got - want).max() < 1e-3
        assert (got * want).sum(axis=1).min() >= 0.999
    cosine = queries @ passages.T
    assert np.abs(cosine - np.asarray(REFERENCE["query_passage_cosine"])).max() < 1e-3


@pytest.mark.model
def test_outputs_are_unit_float32(embedder):
    query = embedder.encode_query("哪些乡镇聘请了法律顾问")
    assert query.shape == (384,) and query.dtype == np.float32
    assert abs(np.linalg.norm(query) - 1) < 1e-5
    assert embedder.encode_passages([]).shape == (0, 384)


@pytest.mark.model
def test_progress_keeps_order(embedder):
    seen = []
    with_progress = embedder.encode_passages(CHINESE_PASSAGES, batch_size=2,
                                             progress=lambda done, total: seen.append((done, total)))
    plain = embedder.encode_passages(CHINESE_PASSAGES)
    assert seen == [(2, 5), (4, 5), (5, 5)]
    assert np.abs(with_progress - plain).max() < 1e-4


@pytest.mark.model
def test_semantic_sanity(embedder):
    query = embedder.encode_query("哪些乡镇聘请了法律顾问")
    scores = embedder.encode_passages(CHINESE_PASSAGES[:3]) @ query
    assert scores[0] > scores[1] and scores[0] > scores[2]


@pytest.mark.model
@pytest.mark.slow
def test_bf16_close_to_fp32(embedder):
    bf16 = Embedder(precision="bf16")
    assert bf16.precision == "bf16"
    cosine = (bf16.encode_passages(CHINESE_PASSAGES) * embedder.encode_passages(CHINESE_PASSAGES)).sum(axis=1)
    assert cosine.min() >= 0.99


def test_unknown_precision_rejected():
    with pytest.raises(ValueError, match="precision"):
        Embedder(precision="fp16")


def test_model_not_available_offline_fails_fast(tmp_path):
    import sentence_transformers  # noqa: F401  (import time is not what this test measures)

    for name in ("intfloat/surely-not-in-the-local-cache-xyz", str(tmp_path / "no-such-folder")):
        start = time.monotonic()
        with pytest.raises(ModelUnavailableError, match="找不到向量模型"):
            Embedder(name)
        assert time.monotonic() - start < 10


@pytest.mark.slow
def test_model_without_prompts_gets_bare_text(tmp_path):
    """Any local sentence-transformers folder works; a model without e5 prompts gets no prefix."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    vocab = [("<unk>", 0.0), ("<pad>", 0.0)] + [(ch, -1.0) for ch in "abcdefghijklmnopqrstuvwxyz :"]
    backend = Tokenizer(models.Unigram(vocab, 0, False))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>", pad_token="<pad>").save_pretrained(tmp_path)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    BertModel(config).save_pretrained(tmp_path)
    SentenceTransformer(modules=[Transformer(str(tmp_path)), Pooling(32, "mean")]).save(str(tmp_path / "st"))

    tiny = Embedder(str(tmp_path / "st"), precision="fp32")
    assert tiny.name == str(tmp_path / "st") and tiny.dimension == 32
    vectors = tiny.encode_passages(["abc", "query: abc"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)  # normalised without a Normalize module
    assert np.allclose(tiny.encode_query("abc"), vectors[0], atol=1e-5)


@pytest.mark.model
def test_statements_carry_the_query_vector_and_the_texts_own_tokens(embedder):
    texts = ["哪些乡镇聘请了“法律顾问”", "短句"]
    statements = embedder.encode_statements(texts)
    vectors = embedder.encode_queries(texts)
    for text, statement, vector in zip(texts, statements, vectors):
        assert float(statement.vector @ vector) > 0.9999
        # the prompt ("query: ") and <s> </s> are not the text's tokens; the spans tile the text
        assert "".join(text[start:end] for start, end in statement.spans) == text
        assert statement.tokens.shape == (len(statement.spans), 384)
        assert np.allclose(np.linalg.norm(statement.tokens.astype(np.float32), axis=1), 1, atol=1e-2)
    assert embedder.encode_statements([]) == []
