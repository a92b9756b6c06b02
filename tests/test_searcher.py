"""Search plumbing on an index built with the hash stand-in model (fast, no transformer)."""
import shutil
from pathlib import Path

import numpy as np
import pytest

from indexer import build_index
from search import Filters, ModelMismatch, QueryError, Searcher
from tests.fakes import HashEmbedder

CORPUS = Path(__file__).resolve().parent.parent / "data" / "samples"


@pytest.fixture
def searcher(hash_searcher):
    return hash_searcher


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_every_mode_returns_ranked_hits_with_metadata(searcher, mode):
    hits = searcher.query("哪些乡镇聘请了法律顾问", top_k=5, mode=mode)
    assert len(hits) == 5 and [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
    assert all(h.township and h.year and h.source.endswith(".txt") for h in hits)


def test_keyword_modes_find_the_legal_adviser_paragraph(searcher):
    for mode in ("bm25", "hybrid"):
        assert any("聘用法律顾问1名" in h.text for h in searcher.query("聘请法律顾问", top_k=3, mode=mode))


def test_highlights_point_at_matched_terms(searcher):
    hit = searcher.query("执法记录仪", top_k=1, mode="bm25")[0]
    marked = {hit.text[s:e] for s, e in hit.highlights}
    assert "执法记录仪" in "".join(marked) and "执法记录仪" in hit.matched_terms


def test_filters_restrict_results(searcher):
    hits = searcher.query("法律顾问", top_k=10, filters=Filters(townships=["李庄乡"]))
    assert hits and {h.township for h in hits} == {"李庄乡"}
    hits = searcher.query("法律顾问", top_k=10, filters=Filters(roles=["下一步计划"]))
    assert hits and {h.role for h in hits} == {"下一步计划"}
    hits = searcher.query("法律顾问", top_k=10, filters=Filters(year_from=2021, year_to=2021))
    assert hits and {h.year for h in hits} == {2021}
    assert searcher.query("法律顾问", filters=Filters(townships=["不存在乡"])) == []


@pytest.mark.parametrize("question, message", [
    ("", "请输入"), ("   \n\t", "请输入"), ("法" * 10000, "太长"), ("？？！。……", "没有可检索的文字"),
    ("😀😀🎉", "没有可检索的文字"),
])
def test_bad_questions_are_refused_clearly(searcher, question, message):
    with pytest.raises(QueryError, match=message):
        searcher.query(question)


def test_html_in_a_question_is_just_text(searcher):
    hits = searcher.query("<script>alert(1)</script>法律顾问", top_k=3)
    assert hits and all("<script>" not in h.text for h in hits)


def test_unknown_mode_is_refused(searcher):
    with pytest.raises(QueryError, match="检索模式"):
        searcher.query("法律顾问", mode="magic")


def test_an_index_refuses_another_model(hash_index):
    with pytest.raises(ModelMismatch, match="test/hash-bigrams"):
        Searcher.load(hash_index, model="some/other-model")


def test_similar_practices_come_from_other_townships(searcher):
    source = searcher.query("聘用法律顾问", top_k=1, mode="bm25")[0]
    similar = searcher.similar(source.id, top_k=5)
    assert similar and all(h.township != source.township for h in similar)
    assert all(h.id != source.id for h in searcher.similar(source.id, other_townships=False))
    with pytest.raises(KeyError):
        searcher.similar("no-such-chunk")


def test_refresh_switches_to_a_newly_published_version(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    build_index([corpus], tmp_path / "index", embedder=HashEmbedder())
    searcher = Searcher.load(tmp_path / "index", embedder=HashEmbedder())
    assert not searcher.refresh()
    (corpus / "new.txt").write_text("青山镇2022年度法治政府建设情况报告\n一、主要做法\n青山镇建成智慧普法驿站3个。", encoding="utf-8")
    build_index([corpus], tmp_path / "index", embedder=HashEmbedder())
    assert searcher.refresh()
    assert searcher.query("智慧普法驿站", top_k=1, mode="bm25")[0].township == "青山镇"


def test_an_answer_reads_one_version_though_another_thread_refreshes_midway(tmp_path, monkeypatch):
    """The app shares one Searcher between sessions; a refresh while an answer is being made must not make it
    read rows found in the old version from the new one (another report's chunk, or none)."""
    import search.answer

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    build_index([corpus], tmp_path / "index", embedder=HashEmbedder())
    searcher = Searcher.load(tmp_path / "index", embedder=HashEmbedder())
    before = searcher.ask("哪些乡镇聘请了法律顾问")
    for path in sorted(corpus.glob("00[0-2]_*.txt")):  # the rows of the rest move
        path.unlink()
    build_index([corpus], tmp_path / "index", embedder=HashEmbedder())
    candidates = search.answer._candidates

    def refreshed_midway(*args, **kwargs):
        found = candidates(*args, **kwargs)
        assert searcher.refresh()  # another session's rerun
        return found

    monkeypatch.setattr(search.answer, "_candidates", refreshed_midway)
    during = searcher.ask("哪些乡镇聘请了法律顾问")
    assert during.to_json() == before.to_json()
    monkeypatch.setattr(search.answer, "_candidates", candidates)
    assert {t.name for t in searcher.ask("哪些乡镇聘请了法律顾问").townships} < {t.name for t in before.townships}


def test_document_access_is_limited_to_indexed_documents(searcher):
    document = searcher.documents()[0]
    assert searcher.document(document.doc_id).text
    assert searcher.document("../../etc/passwd") is None
    assert searcher.paragraphs("nope") == [] and searcher.chunk("nope") is None


def test_statements_are_kept_for_the_next_question(hash_index):
    embedder = HashEmbedder()
    searcher = Searcher.load(hash_index, embedder=embedder)
    first = searcher.statements(["聘用法律顾问1名。", "开展普法宣传。"])
    encoded = embedder.encoded
    again = searcher.statements(["开展普法宣传。", "聘用法律顾问1名。", "配备执法记录仪。"])
    assert embedder.encoded == encoded + 1  # only the new sentence was encoded
    assert again[0] is first[1] and again[1] is first[0] and len(again) == 3
    assert again[2].tokens.shape == (8, 64) and again[2].spans.tolist()[0] == [0, 1]
    assert searcher.statements([]) == []