"""Synthetic corpora of any size, recombined from the sentences of the bundled sample reports.

The sample reports (data/corpus, plus tests/data/more when present) go through the real text stages
(load → clean → structure → metadata → chunk). Their chunks are split into sentences, and each sentence's
own township name, its stem (李俊 of 李俊乡) and years become slots. That sentence pool is tokenised
once with the real analyzer; a synthetic chunk is then 2–6 pool sentences (a run of neighbours from one
report section, some swapped for sentences from anywhere) whose slots are filled with the township and
year of its synthetic document. Its BM25 terms are the pool terms of its sentences plus the terms of the
filled slots and of its section heading, so a million chunks need no jieba call per chunk, and term
statistics stay those of real reports (BM25 is a bag of words: term order does not matter).

Vectors (see `chunk_vectors`) are the L2-normalised sum of the real embeddings of a chunk's sentences
plus a little Gaussian noise, so dense and keyword evidence agree the way they do on real text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np
from scipy import sparse

from indexer.load import LoadError, load_file
from indexer.pipeline import process
from indexer.store import ChunkRecord, DocumentRecord, ParagraphRecord

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (ROOT / "data" / "samples", ROOT / "tests" / "data" / "more")
SLOT_TOWNSHIP, SLOT_STEM, SLOT_YEAR = "\x01", "\x02", "\x03"
SENTENCES_PER_CHUNK = (2, 5)  # real chunks average ~3 sentences, 177 characters
CHUNKS_PER_DOCUMENT = (8, 30)
SWAP_PROBABILITY = 0.25  # chance that a sentence of a synthetic chunk comes from anywhere in the pool
NOISE = 0.01  # per-dimension sigma: |noise| ≈ 0.2, cosine to the clean vector ≈ 0.98
YEARS = tuple(range(2018, 2026))

_SENTENCE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;]+[”’」』）)]*|\n|$)")
_YEAR = re.compile(r"20[12]\d(?!\d)")
_SUFFIXES = ("街道", "民族乡", "瑶族乡", "回族乡", "苗族乡", "乡", "镇")
_PLACE_CHARS = ("东西南北中新大小上下龙凤山河湖江桥庄集营屯堡坪坝岗沟寨溪塘湾泉石林花兴安宁平和永长丰华阳"
                "明清德福庆光金银白青黄红马牛柳杨李王张赵刘陈石古双三五七高官家店铺台口头岭峪川源")
_COUNTY_SUFFIXES = ("县", "区", "市", "旗")


@dataclass
class SentencePool:
    texts: list[str] = field(default_factory=list)  # with slot characters
    originals: list[str] = field(default_factory=list)  # as the report has it: what gets embedded
    terms: list[list[str]] = field(default_factory=list)  # analyzer terms outside the slots
    slots: list[tuple[int, int, int]] = field(default_factory=list)  # (township, stem, year) slot counts
    sections: list[list[str]] = field(default_factory=list)  # section path of the source chunk
    roles: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)  # whole report texts with slots, for report files

    def __len__(self) -> int:
        return len(self.texts)


@dataclass
class SyntheticCorpus:
    documents: list[DocumentRecord]
    paragraphs: list[ParagraphRecord]
    chunks: list[ChunkRecord]
    sentence_rows: sparse.csr_matrix  # (chunks × pool sentences): which sentences make each chunk


def stem_of(township: str) -> str | None:
    for suffix in _SUFFIXES:
        if township.endswith(suffix) and len(township) - len(suffix) >= 2:
            return township[:-len(suffix)]
    return None


def slotted(text: str, township: str | None) -> str:
    if township:
        text = text.replace(township, SLOT_TOWNSHIP)
        stem = stem_of(township)
        if stem:
            text = text.replace(stem, SLOT_STEM)
    return _YEAR.sub(SLOT_YEAR, text)


def fill(text: str, township: str, year: int) -> str:
    return text.replace(SLOT_TOWNSHIP, township).replace(SLOT_STEM, stem_of(township) or township) \
        .replace(SLOT_YEAR, str(year))


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.findall(text) if len(s.strip()) >= 6]


def build_pool(analyzer, sources=SOURCES) -> SentencePool:
    pool = SentencePool()
    for root in sources:
        for path in sorted(Path(root).glob("*.txt")) if Path(root).is_dir() else []:
            try:
                raw = load_file(path, root)
            except LoadError:
                continue
            document = process(raw)
            township = document.metadata.township
            pool.reports.append(slotted(raw.text, township))
            for chunk in document.chunks:
                for sentence in sentences(chunk.text):
                    text = slotted(sentence, township)
                    pieces = re.split(f"[{SLOT_TOWNSHIP}{SLOT_STEM}{SLOT_YEAR}]", text)
                    pool.texts.append(text)
                    pool.originals.append(sentence)
                    pool.terms.append([t for piece in pieces for t in analyzer.terms(piece)])
                    pool.slots.append((text.count(SLOT_TOWNSHIP), text.count(SLOT_STEM), text.count(SLOT_YEAR)))
                    pool.sections.append(list(chunk.section_path))
                    pool.roles.append(chunk.role)
    if not pool.texts:
        raise RuntimeError(f"no sample reports found under {', '.join(map(str, sources))}")
    return pool


def township_names(count: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    """`count` distinct made-up (township, county) pairs such as 龙泉镇, 柳河县."""
    chars = list(_PLACE_CHARS)
    suffixes = ["乡"] * 7 + ["镇"] * 9 + ["街道"] * 3 + ["瑶族乡", "回族乡"]
    names: dict[str, str] = {}
    counties = ["".join(rng.choice(chars, 2)) + str(rng.choice(_COUNTY_SUFFIXES))
                for _ in range(max(1, count // 12))]
    while len(names) < count:
        stem = "".join(rng.choice(chars, 3 if rng.random() < 0.15 else 2))
        name = stem + str(rng.choice(suffixes))
        names.setdefault(name, counties[int(rng.integers(len(counties)))])
    return list(names.items())


def _sentence_choice(pool_size: int, n_chunks: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Pool rows of each chunk: a run of neighbours (one report section) with some swapped for any sentence."""
    low, high = SENTENCES_PER_CHUNK
    counts = rng.integers(low, high + 1, n_chunks)
    starts = rng.integers(0, pool_size, n_chunks)
    rows = (starts[:, None] + np.arange(high)[None, :]) % pool_size
    swap = rng.random((n_chunks, high)) < SWAP_PROBABILITY
    rows = np.where(swap, rng.integers(0, pool_size, (n_chunks, high)), rows)
    return [rows[i, :counts[i]] for i in range(n_chunks)]


def make_corpus(pool: SentencePool, n_chunks: int, analyzer, seed: int = 0) -> SyntheticCorpus:
    """`n_chunks` chunks in documents of 8–30 chunks, each document with its own township and year."""
    rng = np.random.default_rng(seed)
    choice = _sentence_choice(len(pool), n_chunks, rng)
    n_documents_guess = n_chunks // sum(CHUNKS_PER_DOCUMENT) * 2 + 1
    places = township_names(max(20, n_documents_guess // 3), rng)  # about three reports (years) per township
    cache: dict[str, list[str]] = {}

    def terms_of(value: str) -> list[str]:
        if value not in cache:
            cache[value] = analyzer.terms(value)
        return cache[value]

    documents, paragraphs, chunks = [], [], []
    row = 0
    while row < n_chunks:
        size = min(int(rng.integers(CHUNKS_PER_DOCUMENT[0], CHUNKS_PER_DOCUMENT[1] + 1)), n_chunks - row)
        township, county = places[int(rng.integers(len(places)))]
        year = int(rng.choice(YEARS))
        doc_id = f"s{len(documents):07d}"
        filled_terms = (terms_of(township), terms_of(stem_of(township) or township), terms_of(str(year)))
        texts, position = [], 0
        for seq in range(size):
            picked = choice[row]
            text = fill("".join(pool.texts[j] for j in picked), township, year)
            terms = list(chain.from_iterable(pool.terms[j] for j in picked))
            for slot, slot_terms_ in enumerate(filled_terms):
                terms.extend(slot_terms_ * sum(pool.slots[j][slot] for j in picked))
            first = int(picked[0])
            section = pool.sections[first]
            # as indexer.pipeline.index_terms: headings the text does not contain add their terms
            terms.extend(terms_of(" ".join(h for h in section if h not in text)))
            end = position + len(text)
            chunks.append(ChunkRecord(f"{doc_id}-{seq:04d}", doc_id, seq, text, section, pool.roles[first], 1,
                                      position, end, terms))
            paragraphs.append(ParagraphRecord(doc_id, seq, position, end, 0, None, section, pool.roles[first], 1))
            texts.append(text)
            position = end + 1
            row += 1
        body = "\n".join(texts)
        title = f"{township}{year}年法治政府建设情况报告"
        documents.append(DocumentRecord(
            doc_id=doc_id, source=f"synthetic/{doc_id}.txt", path="", kind="txt", encoding="utf-8", sha256="",
            size=len(body.encode("utf-8")), pages=1, title=title, township=township, county=county, year=year,
            signed=None, overridden=[], warnings=[], chunks=size, text=body))
    lengths = [len(c) for c in choice]
    indices = np.concatenate(choice).astype(np.int32)
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    rows = sparse.csr_matrix((np.ones(len(indices), np.float32), indices, indptr), shape=(n_chunks, len(pool)))
    return SyntheticCorpus(documents, paragraphs, chunks, rows)


def chunk_vectors(sentence_vectors: np.ndarray, sentence_rows: sparse.csr_matrix, seed: int = 0,
                  noise: float = NOISE, block: int = 100_000) -> np.ndarray:
    """Normalised (sum of the chunk's real sentence embeddings + Gaussian noise), float32."""
    rng = np.random.default_rng(seed + 1)
    n, dimension = sentence_rows.shape[0], sentence_vectors.shape[1]
    out = np.empty((n, dimension), dtype=np.float32)
    for start in range(0, n, block):
        part = np.asarray(sentence_rows[start:start + block] @ sentence_vectors, dtype=np.float32)
        part /= np.maximum(np.linalg.norm(part, axis=1, keepdims=True), 1e-12)
        part += rng.standard_normal(part.shape, dtype=np.float32) * noise
        part /= np.maximum(np.linalg.norm(part, axis=1, keepdims=True), 1e-12)
        out[start:start + block] = part
    return out


def write_reports(pool: SentencePool, folder: Path, min_chunks: int, seed: int = 0) -> tuple[int, int]:
    """Report files that read like real ones, until they hold ≥ min_chunks chunks; returns (files, chunks).

    Each is a sample report with a new township and year, in which about a third of the sentences of each
    body line are swapped for pool sentences, so no two files (or chunks) are the same.
    """
    rng = np.random.default_rng(seed + 2)
    folder.mkdir(parents=True, exist_ok=True)
    places = township_names(max(20, min_chunks // 10), rng)
    files = chunks = 0
    while chunks < min_chunks:
        template = pool.reports[int(rng.integers(len(pool.reports)))]
        township, _ = places[files % len(places)]
        year = int(rng.choice(YEARS))
        lines = []
        for line in template.split("\n"):
            parts = sentences(line)
            if len(parts) >= 2:
                line = "".join(pool.texts[int(rng.integers(len(pool)))].strip() if rng.random() < 0.35 else p
                               for p in parts)
            lines.append(fill(line, township, year))
        path = folder / f"r{files:05d}.txt"
        path.write_text("\n".join(lines), encoding="utf-8")
        chunks += len(process(load_file(path, folder)).chunks)
        files += 1
    return files, chunks
