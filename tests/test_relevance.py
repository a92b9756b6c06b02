"""Relevance shown to users: one 0–1 scale across questions and modes, and "nothing relevant" said first."""
import json

import pytest

from search.__main__ import main as search_main
from search.answer import Evidence, _summary
from search.relevance import RELEVANT, any_relevant, passage_relevance, question_alternatives
from search.render import render_hits
from tests.fakes import HashEmbedder

ABSENT = "无人机巡查执法队"  # no sample report has anything of the kind


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_every_mode_rates_hits_on_one_scale(hash_searcher, mode):
    hits = hash_searcher.query("哪些乡镇聘请了法律顾问", top_k=10, mode=mode)
    assert all(0.0 <= h.relevance <= 1.0 for h in hits)
    assert any_relevant(hits)
    absent = hash_searcher.query(ABSENT, top_k=10, mode=mode)
    assert absent and not any_relevant(absent)
    assert max(h.relevance for h in absent) < max(h.relevance for h in hits)


def test_bm25_scores_are_not_what_users_see(hash_searcher):
    """Raw BM25 grows with the question (11.665 in the issue); what is shown stays within 0–1."""
    hits = hash_searcher.query("乡镇聘请法律顾问参与重大行政决策合法性审查", top_k=5, mode="bm25")
    assert hits[0].score > 1.0
    text = render_hits("q", hits)
    assert f"{hits[0].score:.3f}" not in text and f"[相关度 {hits[0].relevance:.2f}]" in text


def test_a_passage_is_read_under_its_heading(hash_searcher):
    alternatives = question_alternatives(hash_searcher.analyzer, "普法宣传", hash_searcher.retrieval.idf)
    idf = hash_searcher.retrieval.idf
    body = "全年开展活动12场，发放资料3000份。"
    assert passage_relevance(body, [], alternatives, idf) == 0.0
    assert passage_relevance(body, ["一、主要做法", "（二）加强普法宣传"], alternatives, idf) == 1.0


def test_the_command_line_says_first_that_nothing_is_relevant(hash_index, capsys, monkeypatch):
    monkeypatch.setattr("indexer.embed.Embedder", lambda *args, **kwargs: HashEmbedder())
    assert search_main(["query", ABSENT, "--index", str(hash_index), "--mode", "bm25"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("没有找到明确回答这个问题的段落") and "最接近" in lines[2]
    assert search_main(["query", ABSENT, "--index", str(hash_index), "--json"]) == 0
    output = json.loads(capsys.readouterr().out)
    assert output["relevant_found"] is False and all(0 <= h["relevance"] < RELEVANT for h in output["results"])
    assert search_main(["query", "法律顾问", "--index", str(hash_index), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["relevant_found"] is True


def test_similar_passages_carry_no_question_relevance(hash_searcher):
    first = hash_searcher.query("法律顾问", top_k=1)[0]
    similar = hash_searcher.similar(first.id, top_k=3)
    assert similar and all(h.relevance is None for h in similar)
    assert "相关度" not in render_hits("similar", similar)


def test_an_answer_without_a_relevant_passage_offers_the_closest_sentence_as_such():
    said = "开展行政执法专项检查3次。"
    sentence = Evidence("d1-0001", "a.txt", "d1", said, said, 0, len(said), 0, len(said), 0.4, 0.3, [], "做法成效",
                        [], 1)
    assert _summary("无人机巡查执法队", [], [sentence], False, relevant=False).startswith(
        "没有找到明确回答这个问题的内容。最接近的一句：「开展行政执法专项检查3次。」")
    assert _summary("执法检查", [], [sentence], False, relevant=True).startswith("最相关的依据")
    # a how-question too: no "主要做法" when nothing says how
    assert _summary("无人机怎么巡查执法", [], [sentence], False, relevant=False).startswith("没有找到明确回答")


def test_an_answer_says_whether_anything_is_relevant(hash_searcher):
    assert hash_searcher.ask(ABSENT).to_json()["relevant_found"] is False
    assert hash_searcher.ask("聘请法律顾问").to_json()["relevant_found"] is True
