import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from search.eval import Question, load_questions, main, normalise, passage_metrics, township_metrics

EVAL = Path(__file__).parent / "data" / "eval"


def _hit(source, text):
    return SimpleNamespace(source=source, text=text)


def test_relevance_rule_uses_the_file_name_and_nfkc_without_whitespace():
    relevant = [{"doc": "003.txt", "contains": "共聘用法律顾问1名"}, {"doc": "001.txt", "contains": "宪法宣传周"}]
    hits = [_hit("corpus/002.txt", "共聘用法律顾问1名"), _hit("sub/003.txt", "现共聘用法律顾问 １ 名"),
            _hit("001.txt", "“12·4”宪法 宣传周")]
    metrics = passage_metrics(hits, relevant)
    assert metrics["recall@10"] == 1.0 and metrics["mrr@10"] == 0.5 and metrics["hit@1"] == 0.0
    assert 0 < metrics["ndcg@10"] < 1
    assert normalise("Ａ Ｂ\u3000c") == "ABc"


def test_township_precision_counts_acceptable_names_and_recall_only_required_ones():
    question = Question("q", "哪些乡镇…", "townships", [], ["甲乡", "乙镇"], ["丙乡"])
    answer = SimpleNamespace(townships=[SimpleNamespace(name=n, status=s, weak=w) for n, s, w in
                                        [("甲乡", "done", False), ("丙乡", "done", True), ("丁镇", "done", True),
                                         ("乙镇", "planned", False)]])
    metrics = township_metrics(answer, question)
    assert metrics["recall"] == 0.5 and metrics["precision"] == pytest.approx(2 / 3)
    assert metrics["missing"] == ["乙镇"] and metrics["extra"] == ["丁镇"]
    assert metrics["weak"] == ["丁镇", "丙乡"]  # the main list's townships marked 待核对


def test_label_agreement_scores_one_labeller_against_the_other():
    from search.eval import label_agreement

    first = [Question("q1", "哪些乡镇…", "townships", [], ["甲乡", "乙镇"], ["丙乡"])]
    second = [Question("q1", "哪些乡镇…", "townships", [], ["甲乡", "丙乡"], []),
              Question("q2", "只在第二份里", "townships", [], ["丁镇"], [])]
    agreement = label_agreement(first, second)
    assert agreement["questions"] == 1
    assert agreement["second_on_first"] == {"precision": 1.0, "recall": 0.5}  # 丙乡 is acceptable to the first
    assert agreement["first_on_second"] == {"precision": 0.5, "recall": 0.5}


def test_the_township_labels_are_reproducible():
    """Sets K, L, N, O and P were labelled again by a second labeller who saw only the questions."""
    from search.eval import label_agreement

    first = load_questions(EVAL / "blind_questions_more.jsonl") + load_questions(EVAL / "heldout_questions_more.jsonl")
    agreement = label_agreement(first, load_questions(EVAL / "second_labels_more.jsonl"))
    assert agreement["questions"] == 80
    for scored in (agreement["second_on_first"], agreement["first_on_second"]):
        assert scored["precision"] >= 0.95 and scored["recall"] >= 0.9


@pytest.mark.model
def test_command_line_json_on_the_sample_index(capsys, sample_index, monkeypatch, embedder):
    monkeypatch.setattr("indexer.embed.Embedder", lambda *args, **kwargs: embedder)
    questions = "tests/data/eval/dev_questions.jsonl"
    assert main(["--questions", questions, "--index", str(sample_index), "--modes", "bm25,hybrid", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary) == {"bm25", "hybrid", "townships"}
    assert set(summary["hybrid"]) == {"recall@5", "recall@10", "mrr@10", "ndcg@10", "hit@1"}
    assert {"precision", "recall"} <= set(summary["townships"])
    assert main(["--questions", questions, "--index", str(sample_index), "--modes", "bm25"]) == 0
    assert "R@10" in capsys.readouterr().out


def test_bad_arguments(capsys, tmp_path):
    assert main(["--questions", str(tmp_path / "none.jsonl"), "--index", str(tmp_path)]) == 2
    assert main(["--questions", str(tmp_path / "none.jsonl"), "--index", str(tmp_path), "--modes", "magic"]) == 2
