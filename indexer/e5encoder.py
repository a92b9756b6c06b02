"""The rebuilt e5 model run in numpy: no torch, sentence-transformers or transformers to import.

Importing those three costs 10–18 s per command on a busy 2-core machine, longer than any query. This module
reads the folder `indexer.e5model` writes (BERT weights in float32 safetensors, `tokenizer.json`) and runs
the same computation as sentence-transformers' Transformer → mean Pooling → Normalize: BertModel's post-LN
encoder with erf GELU, absolute positions from 0, token type 0, padding masked out. The weights are memory-
mapped, so only the word-embedding rows a text uses are ever read from the 470 MB file.
"""
from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

SAFETENSORS_FILE = "model.safetensors"
_DTYPES = {"F32": "<f4"}


class E5Encoder:
    """Token vectors and mean-pooled sentence vectors of texts, computed in float32."""

    def __init__(self, folder: str | Path):
        from tokenizers import Tokenizer

        folder = Path(folder)
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        st_config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        self.max_seq_length = int(st_config["max_seq_length"])
        self.dimension = int(config["hidden_size"])
        self._heads = int(config["num_attention_heads"])
        self._layers = int(config["num_hidden_layers"])
        self._eps = float(config["layer_norm_eps"])
        self._pad_id = int(config.get("pad_token_id") or 0)
        self._weights = _read_safetensors(folder / SAFETENSORS_FILE)
        self._transposed: dict[str, np.ndarray] = {}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_seq_length)

    def tokenize(self, texts: list[str]):
        """`tokenizers` encodings (ids, offsets, special-token masks) of texts, truncated as the model reads them."""
        return self.tokenizer.encode_batch(texts)

    def forward(self, encodings) -> tuple[np.ndarray, np.ndarray]:
        """(token vectors (batch, n, dimension), attention mask (batch, n)) for one batch of encodings."""
        n = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), n), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(encodings), n), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            ids[row, :len(encoding.ids)] = encoding.ids
            mask[row, :len(encoding.ids)] = 1.0
        w = self._weights
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._layer_norm(x, "embeddings.LayerNorm")
        # BertModel's extended mask: 0 for tokens, the most negative float32 for padding.
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for layer in range(self._layers):
            x = self._encoder_layer(x, bias, f"encoder.layer.{layer}.")
        return x, mask

    def sentence_vectors(self, tokens: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean over the text's tokens (prompt included, as e5 was trained), L2-normalised."""
        summed = np.einsum("bnd,bn->bd", tokens, mask)
        vectors = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def _encoder_layer(self, x: np.ndarray, bias: np.ndarray, prefix: str) -> np.ndarray:
        batch, n, hidden = x.shape
        heads, size = self._heads, hidden // self._heads

        def split(t, order=(0, 2, 1, 3)):  # (batch, n, hidden) -> (batch, heads, n, size)
            # numpy multiplies stacked matrices with BLAS only when they are contiguous.
            return np.ascontiguousarray(t.reshape(batch, n, heads, size).transpose(*order))

        q = split(self._linear(x, prefix + "attention.self.query"))
        k = split(self._linear(x, prefix + "attention.self.key"), (0, 2, 3, 1))  # already transposed
        v = split(self._linear(x, prefix + "attention.self.value"))
        scores = q @ k
        scores *= np.float32(1 / np.sqrt(size))
        scores += bias
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, n, hidden)  # reshape copies: contiguous
        x = self._layer_norm(self._linear(context, prefix + "attention.output.dense") + x,
                             prefix + "attention.output.LayerNorm")
        inner = _gelu(self._linear(x, prefix + "intermediate.dense"))
        return self._layer_norm(self._linear(inner, prefix + "output.dense") + x, prefix + "output.LayerNorm")

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        weight = self._transposed.get(name)
        if weight is None:  # once per weight: one 2-D product on a contiguous (in, out) matrix is what BLAS does best
            weight = self._transposed[name] = np.ascontiguousarray(self._weights[name + ".weight"].T)
        flat = x.reshape(-1, x.shape[-1]) @ weight
        flat += self._weights[name + ".bias"]
        return flat.reshape(*x.shape[:-1], weight.shape[1])

    def _layer_norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        centred = x - mean
        variance = (centred * centred).mean(axis=-1, keepdims=True)
        return centred / np.sqrt(variance + np.float32(self._eps)) * self._weights[name + ".weight"] \
            + self._weights[name + ".bias"]


def _gelu(x: np.ndarray) -> np.ndarray:
    from scipy.special import erf  # BERT's exact GELU, as BertModel's "gelu"

    out = x * np.float32(1 / np.sqrt(2))  # in place from here on: these are the largest arrays of a pass
    erf(out, out=out)
    out += np.float32(1.0)
    out *= x
    out *= np.float32(0.5)
    return out


def _read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a safetensors file as a read-only view of one memory map (nothing is read yet)."""
    with open(path, "rb") as f:
        header_size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(header_size))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + header_size)
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name} is {entry['dtype']}, only float32 is supported")
        start, end = entry["data_offsets"]
        tensors[name] = data[start:end].view(_DTYPES[entry["dtype"]]).reshape(entry["shape"])
    return tensors
