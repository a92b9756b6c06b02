import json

import numpy as np
import pytest

from indexer.store import (Bm25Index, IndexDamaged, IndexLocked, IndexMissing, VectorIndex, build_lock,
                           current_token, open_index, write_version)
from indexer.store.layout import VERSIONS_DIR


def _unit(rows: int, dimension: int = 8, seed: int = 0) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(rows, dimension)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_bm25_ranks_the_chunk_with_the_rare_term_first():
    index = Bm25Index.build([["普法", "宣传"], ["法律顾问", "聘请", "普法"], ["信访", "普法"]])
    scores, rows = index.search({"法律顾问": 1.0, "普法": 1.0}, k=3)
    assert rows[0] == 1 and scores[0] > scores[1] > 0
    assert index.idf("法律顾问") > index.idf("普法") and index.idf("不存在") is None


def test_bm25_respects_the_allowed_mask_and_survives_save_and_load(tmp_path):
    index = Bm25Index.build([["普法"], ["普法", "普法"], ["信访"]])
    _, rows = index.search({"普法": 1.0}, k=3, allowed=np.array([True, False, True]))
    assert list(rows) == [0]
    index.save(tmp_path)
    loaded = Bm25Index.load(tmp_path)
    assert np.allclose(loaded.scores({"普法": 1.0}), index.scores({"普法": 1.0}))


def test_exact_vector_search_and_filtered_search():
    vectors = _unit(50)
    index = VectorIndex(vectors)
    scores, rows = index.search(vectors[7], k=3)
    assert rows[0] == 7 and scores[0] == pytest.approx(1.0, abs=1e-5)
    allowed = np.zeros(50, dtype=bool)
    allowed[[3, 9]] = True
    _, rows = index.search(vectors[7], k=5, allowed=allowed)
    assert set(rows) == {3, 9}


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_indexes_find_the_exact_neighbour_and_filter(tmp_path, kind, monkeypatch):
    vectors = _unit(4000, 32)
    index = VectorIndex(vectors, kind=kind)
    index.save(tmp_path)
    loaded = VectorIndex.load(tmp_path, kind)
    _, rows = loaded.search(vectors[11], k=1)
    assert rows[0] == 11
    monkeypatch.setattr("indexer.store.vectors._SUBSET_EXACT_LIMIT", 10)  # force the filtered FAISS path
    allowed = np.zeros(4000, dtype=bool)
    allowed[::2] = True
    _, rows = loaded.search(vectors[11], k=5, allowed=allowed)
    assert len(rows) and all(r % 2 == 0 for r in rows)


def test_large_indexes_switch_to_ivf(monkeypatch):
    monkeypatch.setattr("indexer.store.vectors.APPROXIMATE_THRESHOLD", 100)
    assert VectorIndex(_unit(500, 8)).kind == "ivf" and VectorIndex(_unit(50, 8)).kind == "flat"


def _version(tmp_path, chunks: int = 2):
    from indexer.store import ChunkRecord, DocumentRecord
    document = DocumentRecord("d1", "a.txt", "/x/a.txt", "txt", "utf-8", "abc", 10, 1, "标题", "某乡", None, 2021, None,
                              [], [], chunks, "正文")
    records = [ChunkRecord(f"d1-{i:04d}", "d1", i, f"第{i}段", ["一"], "做法成效", 1, i, i + 1, ["普法"])
               for i in range(chunks)]
    write_version(tmp_path, {"model": "m"}, [document], [], records, [("b.doc", "不支持")],
                  VectorIndex(_unit(chunks)), Bm25Index.build([r.terms for r in records]))


def test_a_published_version_opens_and_old_versions_are_pruned(tmp_path):
    for _ in range(4):
        _version(tmp_path)
    stored = open_index(tmp_path)
    assert stored.manifest["chunks"] == 2 and stored.table.skipped() == [("b.doc", "不支持")]
    stored.close()
    assert len(list((tmp_path / VERSIONS_DIR).iterdir())) == 2


def test_missing_and_damaged_indexes_name_the_fix(tmp_path):
    with pytest.raises(IndexMissing, match="indexer build"):
        open_index(tmp_path)
    _version(tmp_path)
    folder = tmp_path / VERSIONS_DIR / current_token(tmp_path)
    (folder / "vectors.npy").write_bytes(b"\x93NUMPY broken")
    with pytest.raises(IndexDamaged, match="--rebuild"):
        open_index(tmp_path)
    _version(tmp_path)
    folder = tmp_path / VERSIONS_DIR / current_token(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps(dict(manifest, chunks=5)))
    with pytest.raises(IndexDamaged, match="不一致"):
        open_index(tmp_path)
    (tmp_path / "CURRENT").write_text("v-gone")
    with pytest.raises(IndexDamaged, match="--rebuild"):
        open_index(tmp_path)


def test_a_second_build_is_refused_while_one_holds_the_lock(tmp_path):
    with build_lock(tmp_path):
        with pytest.raises(IndexLocked, match="另一个索引构建"):
            with build_lock(tmp_path):
                pass
    with build_lock(tmp_path):  # released again
        pass
