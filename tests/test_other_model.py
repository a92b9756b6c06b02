"""--model accepts any sentence-transformers folder; the index remembers it and refuses other models."""
import shutil
from pathlib import Path

import pytest

from indexer import build_index
from indexer.e5model import DEFAULT_MODEL
from search import ModelMismatch, Searcher

pytestmark = pytest.mark.model

CORPUS = Path(__file__).resolve().parent.parent / "data" / "samples"


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory, default_model_dir):
    """A randomly initialised one-layer BERT with the e5 tokenizer, saved as a sentence-transformers folder."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer import modules as models
    from transformers import BertConfig, BertModel

    folder = tmp_path_factory.mktemp("tiny-model")
    body = folder / "body"
    config = BertConfig(vocab_size=250037, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=512)
    BertModel(config).save_pretrained(body)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(Path(default_model_dir) / name, body / name)
    transformer = models.Transformer(str(body), max_seq_length=128)
    model = SentenceTransformer(modules=[transformer, models.Pooling(16, "mean"), models.Normalize()])
    model.save(str(folder / "st"))
    return str(folder / "st")


def test_an_index_built_with_another_model_records_it_and_refuses_the_default(tmp_path, tiny_model):
    index = tmp_path / "index"
    report = build_index([CORPUS], index, model=tiny_model)
    assert report.model == tiny_model and report.embedded == report.chunks
    searcher = Searcher.load(index)
    assert searcher.model_name == tiny_model
    assert searcher.retrieval.dimension == 16
    assert searcher.query("法律顾问", top_k=3, mode="dense")
    with pytest.raises(ModelMismatch, match="重建索引"):
        Searcher.load(index, model=DEFAULT_MODEL)
    # rebuilding without --model keeps the index's own model: nothing to re-embed
    again = build_index([CORPUS], index)
    assert again.model == tiny_model and again.embedded == 0
