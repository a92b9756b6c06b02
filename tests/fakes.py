"""A tiny deterministic stand-in for the embedding model, for fast tests of everything around it.

Vectors are hashed character bigrams, so texts sharing wording are similar: enough to exercise ranking,
fusion and filters without loading a transformer. Its "tokens" are characters, each a hashed one-hot vector:
the same character matches fully, any other not at all.
"""
from __future__ import annotations

import zlib

import numpy as np

from indexer.embed import Statement


class HashEmbedder:
    name = "test/hash-bigrams"
    dimension = 64

    def __init__(self):
        self.encoded = 0  # texts encoded as passages, to check what incremental builds re-embed

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for a, b in zip(text, text[1:]):
            vector[zlib.crc32((a + b).encode()) % self.dimension] += 1.0
        norm = np.linalg.norm(vector)
        return vector / norm if norm else vector

    def encode_passages(self, texts, batch_size: int = 32, progress=None) -> np.ndarray:
        self.encoded += len(texts)
        if progress:
            progress(len(texts), len(texts))
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self._vector(text)

    def encode_queries(self, texts) -> np.ndarray:
        self.encoded += len(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def encode_statements(self, texts) -> list[Statement]:
        self.encoded += len(texts)
        return [Statement(self._vector(t), self._characters(t), np.array([(i, i + 1) for i in range(len(t))],
                                                                          np.int32).reshape(-1, 2))
                for t in texts]

    def _characters(self, text: str) -> np.ndarray:
        tokens = np.zeros((len(text), self.dimension), np.float16)
        for i, character in enumerate(text):
            tokens[i, zlib.crc32(character.encode()) % self.dimension] = 1.0
        return tokens
