"""python -m search: JSON schema, batch mode and bad input, on the sample index."""
import json

import pytest

from search.__main__ import main

pytestmark = pytest.mark.model

HIT_KEYS = {"rank", "id", "score", "text", "source", "title", "township", "county", "year", "section", "role", "page",
            "char_start", "char_end", "highlights", "relevance"}


@pytest.fixture(autouse=True)
def shared_model(monkeypatch, embedder):
    """Every CLI call would load the model again; hand it the session's instance instead."""
    monkeypatch.setattr("indexer.embed.Embedder", lambda *args, **kwargs: embedder)


def _run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_query_json_schema(capsys, sample_index):
    code, out, _ = _run(capsys, "query", "哪些乡镇聘请了法律顾问", "--index", str(sample_index), "--top-k", "3", "--json")
    data = json.loads(out)
    assert code == 0 and data["query"] == "哪些乡镇聘请了法律顾问" and len(data["results"]) == 3
    for hit in data["results"]:
        assert HIT_KEYS <= set(hit)
        for start, end in hit["highlights"]:
            assert 0 <= start < end <= len(hit["text"])


def test_query_filters_from_the_command_line(capsys, sample_index):
    code, out, _ = _run(capsys, "query", "法律顾问", "--index", str(sample_index), "--township", "彭堡镇",
                        "--year", "2020-2021", "--role", "做法成效", "--json")
    results = json.loads(out)["results"]
    assert code == 0 and results
    assert {(r["township"], r["role"]) for r in results} == {("彭堡镇", "做法成效")}


def test_readable_output_in_chinese(capsys, sample_index):
    code, out, _ = _run(capsys, "query", "执法记录仪", "--index", str(sample_index), "--top-k", "2")
    assert code == 0 and "【执法记录仪】" in out and "命中词" in out and "大桥瑶族乡" in out


def test_batch_mode_prints_one_json_object_per_line(capsys, sample_index, tmp_path):
    questions = tmp_path / "questions.txt"
    questions.write_text("哪些乡镇聘请了法律顾问\n\n信访矛盾怎么化解\n？？？\n", encoding="utf-8")
    code, out, _ = _run(capsys, "query", "--batch", str(questions), "--index", str(sample_index), "--top-k", "2")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["query"] for line in lines] == ["哪些乡镇聘请了法律顾问", "信访矛盾怎么化解", "？？？"]
    assert len(lines[0]["results"]) == 2 and "error" in lines[2]
    assert code == 1  # one question could not be searched


@pytest.mark.parametrize("question", ["", "   ", "法" * 10000, "。。。！"])
def test_bad_questions_get_a_message_not_a_traceback(capsys, sample_index, question):
    code, _, err = _run(capsys, "query", question, "--index", str(sample_index))
    assert code == 2 and err.startswith("错误：") and "Traceback" not in err


def test_ask_json(capsys, sample_index):
    code, out, _ = _run(capsys, "ask", "哪些乡镇聘请了法律顾问", "--index", str(sample_index), "--json")
    data = json.loads(out)
    assert code == 0 and set(data) >= {"question", "answer", "townships", "results"}
    township = data["townships"][0]
    assert set(township) >= {"name", "county", "year", "status", "evidence"}
    assert set(township["evidence"][0]) >= {"id", "source", "text", "sentence", "char_start", "char_end", "score",
                                            "numbers"}


def test_similar_and_missing_index(capsys, sample_index, tmp_path):
    _, out, _ = _run(capsys, "query", "执法记录仪", "--index", str(sample_index), "--top-k", "1", "--json")
    chunk_id = json.loads(out)["results"][0]["id"]
    code, out, _ = _run(capsys, "similar", chunk_id, "--index", str(sample_index), "--json")
    assert code == 0 and json.loads(out)["results"]
    code, _, err = _run(capsys, "similar", "nope-0001", "--index", str(sample_index))
    assert code == 2 and "没有段落" in err
    code, _, err = _run(capsys, "query", "法律顾问", "--index", str(tmp_path / "none"))
    assert code == 2 and "python -m indexer build" in err
