"""Retrieval quality on the sample corpus with the real model: paraphrases and the dev-question floors."""
from pathlib import Path

import pytest

from search.eval import evaluate, load_questions

pytestmark = pytest.mark.model

EVAL = Path(__file__).resolve().parent / "data" / "eval"
QUESTIONS = EVAL / "dev_questions.jsonl"


@pytest.mark.parametrize("question, expected", [
    ("乡里有没有请律师", "共聘用法律顾问1名"),
    ("执法仪用起来了吗", "配备了执法记录仪"),
    ("老百姓对法治政府了解不多", "群众没有深入的认识法治政府"),
    ("上访的事情是怎么处理的", "信访矛盾调处化解"),
])
def test_a_paraphrased_question_finds_its_paragraph(sample_searcher, question, expected):
    hits = sample_searcher.query(question, top_k=5)
    assert any(expected in hit.text for hit in hits), [h.text[:30] for h in hits]


def test_dev_questions_clear_the_quality_floors(sample_searcher):
    """A regression gate: the figures the current method reaches, minus a small margin."""
    summary, _ = evaluate(sample_searcher, load_questions(QUESTIONS), ["bm25", "dense", "hybrid"])
    hybrid, bm25 = summary["hybrid"], summary["bm25"]
    assert hybrid["recall@5"] >= 0.90 and hybrid["mrr@10"] >= 0.90 and hybrid["ndcg@10"] >= 0.90
    assert hybrid["mrr@10"] > bm25["mrr@10"]
    assert summary["dense"]["recall@10"] >= 0.85
    assert summary["townships"]["recall"] >= 0.9 and summary["townships"]["precision"] >= 0.9


def test_questions_over_the_larger_corpus_clear_their_floors(more_searcher):
    """dev_questions_more: the shared labels; extra_questions_more: township questions labelled by hand
    afterwards; blind_questions_more: 222 township questions (sets A–J, M–P) labelled from the report texts by
    people who never saw the tool's output (now development data too), where the method is weakest."""
    summary, _ = evaluate(more_searcher, load_questions(EVAL / "dev_questions_more.jsonl"), ["bm25", "hybrid"])
    assert summary["hybrid"]["recall@5"] >= 0.90 and summary["hybrid"]["mrr@10"] >= 0.90
    assert summary["townships"]["recall"] >= 0.9 and summary["townships"]["precision"] >= 0.85
    summary, _ = evaluate(more_searcher, load_questions(EVAL / "extra_questions_more.jsonl"), ["hybrid"])
    assert summary["townships"]["recall"] >= 0.9 and summary["townships"]["precision"] >= 0.92
    summary, _ = evaluate(more_searcher, load_questions(EVAL / "blind_questions_more.jsonl"), ["hybrid"])
    townships = summary["townships"]
    assert townships["recall"] >= 0.69 and townships["precision"] >= 0.74
    # townships marked 待核对 are the doubtful ones (measured: 0.91 of the others right, 0.59 of these)
    assert townships["strong_precision"] >= townships["weak_precision"] + 0.2


@pytest.mark.parametrize("question", ["哪些乡镇设立了海关监管点", "哪些乡镇举办了国际马拉松比赛", "哪些乡镇建成了核电站",
                                      "哪些乡镇给干部发了电动汽车购车补贴"])
def test_a_practice_no_report_describes_gets_no_township(more_searcher, question):
    answer = more_searcher.ask(question)
    assert answer.done == [] and answer.answer.startswith("未找到相关乡镇"), answer.answer
