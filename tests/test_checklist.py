"""年度核查: checklist files, the matrix, reviews (persisting, going stale), what reviews teach, the exports."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from search.checklist import (DEFAULT_CHECKLIST, ChecklistError, item_cells, load_checklist, parse_checklist,
                              run_checklist)
from search.reviews import ReviewStore, document_hashes, enclosing_sentences, locate_snippet, question_key
from tests.fakes import HashEmbedder

ROOT = Path(__file__).resolve().parent.parent


# --- checklist files ---------------------------------------------------------------------------------------

def test_csv_with_bom_and_blank_rows():
    data = "\ufeffid,question\r\n1,哪些乡镇聘请了法律顾问？\r\n\r\n,\r\nA2,哪些乡镇开展了会前学法？\r\n".encode("utf-8")
    checklist = parse_checklist(data, "清单.csv")
    assert [(i.id, i.question) for i in checklist.items] == [("1", "哪些乡镇聘请了法律顾问？"), ("A2", "哪些乡镇开展了会前学法？")]


def test_gbk_csv_as_excel_saves_it():
    data = "question,id\n哪些乡镇落实了行政执法公示制度？,7\n".encode("gbk")
    assert [(i.id, i.question) for i in parse_checklist(data, "x.csv").items] == [("7", "哪些乡镇落实了行政执法公示制度？")]


def test_txt_one_question_a_line():
    checklist = parse_checklist("哪些乡镇聘请了法律顾问\n\n  哪些乡镇开展了普法  \n".encode("utf-8"), "q.txt")
    assert [(i.id, i.question) for i in checklist.items] == [("1", "哪些乡镇聘请了法律顾问"), ("2", "哪些乡镇开展了普法")]


@pytest.mark.parametrize("data, message", [
    ("编号,问题\n1,哪些乡镇聘请了法律顾问\n".encode("utf-8"), "id,question"),
    ("id,question\n1,\n".encode("utf-8"), "第 2 行没有问题"),
    ("id,question\n1,甲\n1,乙\n".encode("utf-8"), "重复"),
    ("id,question\n".encode("utf-8"), "没有问题"),
    (b"PK\x03\x04\x00\x00binary", "不是文本文件"),
])
def test_bad_files_get_a_clear_message(data, message):
    with pytest.raises(ChecklistError, match=message):
        parse_checklist(data, "bad.csv")


def test_missing_file_and_unknown_item(tmp_path):
    with pytest.raises(ChecklistError, match="无法读取"):
        load_checklist(tmp_path / "none.csv")
    with pytest.raises(ChecklistError, match="没有编号为 99"):
        load_checklist().item("99")


def test_default_checklist_covers_the_annual_report():
    checklist = load_checklist(DEFAULT_CHECKLIST)
    assert 20 <= len(checklist.items) <= 30
    text = "".join(i.question for i in checklist.items)
    for topic in ("法律顾问", "行政执法公示", "全过程记录", "法制审核", "会前学法", "合法性审查", "备案审查", "政务公开",
                  "普法责任制", "八五", "出庭应诉", "调解", "信访", "持证", "民主法治示范村", "公共法律服务", "考核"):
        assert topic in text, topic


# --- reviews: evidence located, kept across rebuilds, stale when the report changes ---------------------------

def test_snippet_located_despite_whitespace_and_width():
    text = "一、主要做法\n（一）聘请法律顾问。镇政府聘请 律师事务所律师担任法律顾问，全年审查合同12份。下一步继续。"
    start, end = locate_snippet(text, "聘请律师事务所律师担任法律顾问，全年审查合同１２份")
    assert text[start:end] == "聘请 律师事务所律师担任法律顾问，全年审查合同12份"
    assert text[slice(*enclosing_sentences(text, start, end))] == "镇政府聘请 律师事务所律师担任法律顾问，全年审查合同12份。"
    assert locate_snippet(text, "聘请了法律顾问团") is None


def test_question_key_ignores_punctuation_and_width():
    assert question_key("哪些乡镇聘请了法律顾问？") == question_key(" 哪些乡镇聘请了法律顾问 ")


def _hash_index(corpus: Path, index: Path):
    from indexer import build_index
    from search import Searcher

    build_index([corpus], index, embedder=HashEmbedder())
    return Searcher.load(index, embedder=HashEmbedder())


def test_reviews_survive_a_rebuild_and_go_stale_when_the_report_changes(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(ROOT / "data" / "samples", corpus)
    searcher = _hash_index(corpus, index)
    document = next(d for d in searcher.documents() if d.township)
    other = next(d for d in searcher.documents() if d.township and d.township != document.township)
    store = ReviewStore.beside(index)
    question = "哪些乡镇聘请了法律顾问？"
    store.record(question, document.township, document.year, "confirmed", doc_sha256=document.sha256,
                 source=document.source, char_start=0, char_end=5, sentence="镇政府聘请法律顾问。", reviewer="张三")
    store.record(question, other.township, other.year, "rejected", doc_sha256=other.sha256, source=other.source)

    def states():
        hashes = document_hashes(searcher)
        return {r.township: r.state(hashes.get((r.township, r.year), set())) for r in store.reviews(question)}

    assert states() == {document.township: "confirmed", other.township: "rejected"}
    searcher = _hash_index(corpus, index)  # a rebuild publishes a new version folder; reviews.sqlite stays
    assert (index / "reviews.sqlite").is_file() and states() == {document.township: "confirmed",
                                                                  other.township: "rejected"}
    changed = corpus / Path(document.source).name
    changed.write_text(changed.read_text(encoding="utf-8") + "\n补充：本年度新增一项工作。\n", encoding="utf-8")
    from indexer import build_index
    build_index([corpus], index, embedder=HashEmbedder())
    searcher.refresh()
    assert states() == {document.township: "stale", other.township: "rejected"}
    assert len(store.reviews()) == 2  # shown as stale, never dropped


def test_review_overrides_the_cell_and_stale_one_does_not():
    from types import SimpleNamespace

    from search.reviews import Review
    townships = [{"name": "甲镇", "county": None, "year": 2022}, {"name": "乙乡", "county": None, "year": 2022}]
    evidence = SimpleNamespace(id="c1", doc_id="d1", source="a.txt", sentence="甲镇聘请法律顾问。", char_start=3,
                               char_end=12)
    answer = SimpleNamespace(townships=[SimpleNamespace(name="甲镇", year=2022, status="done", weak=True,
                                                        evidence=[evidence])], near=[])
    review = Review("q", "甲镇", 2022, "rejected", "h1", "a.txt", 3, 12, "甲镇聘请法律顾问。", None, "t")
    cells = item_cells("1", answer, townships, {("甲镇", 2022): review}, {("甲镇", 2022): {"h1"}})
    assert (cells[0].status, cells[0].review, cells[1].status) == ("none", "rejected", "none")
    cells = item_cells("1", answer, townships, {("甲镇", 2022): review}, {("甲镇", 2022): {"h2"}})
    assert (cells[0].status, cells[0].weak, cells[0].review) == ("done", True, "stale")
    confirm = Review("q", "乙乡", 2022, "confirmed", "h9", "b.txt", 0, 6, "乙乡聘请律师。", "李四", "t")
    cells = item_cells("1", answer, townships, {("乙乡", 2022): confirm}, {("乙乡", 2022): {"h9"}})
    assert (cells[1].status, cells[1].review, cells[1].evidence[0]["sentence"]) == ("done", "confirmed", "乙乡聘请律师。")


# --- the matrix is what ask says; reviews teach; exports --------------------------------------------------------

ITEMS = "id,question\n1,哪些乡镇聘请了法律顾问？\n2,哪些乡镇开展了会前学法？\n3,哪些乡镇落实了行政执法公示制度？\n"


@pytest.mark.model
def test_matrix_equals_ask(sample_searcher):
    checklist = parse_checklist(ITEMS.encode("utf-8"), "t.csv")
    seen = []
    matrix = run_checklist(sample_searcher, checklist, progress=lambda done, total, item: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert len(matrix.townships) == len({(d.township, d.year) for d in sample_searcher.documents()})
    assert len(matrix.cells) == 3 * len(matrix.townships)
    for item in checklist.items:
        answer = sample_searcher.ask(item.question)
        expected = {(t.name, t.year): (t.status, t.weak, t.evidence[0].sentence) for t in answer.townships}
        expected.update({(t.name, t.year): ("candidate", False, t.evidence[0].sentence) for t in answer.near})
        for cell in (c for c in matrix.cells if c.indicator == item.id):
            got = (cell.status, cell.weak, cell.evidence[0]["sentence"] if cell.evidence else None)
            assert got == expected.get((cell.township, cell.year), ("none", False, None))
    assert any(c.status == "done" for c in matrix.cells)


@pytest.mark.model
def test_near_candidates_are_not_listed_and_leave_the_answer_unchanged(sample_searcher):
    answer = sample_searcher.ask("哪些乡镇开展了会前学法？")
    listed = {(t.name, t.year) for t in answer.townships}
    assert all((t.name, t.year) not in listed and t.status == "candidate" for t in answer.near)
    assert "near" not in answer.to_json()


@pytest.mark.model
def test_a_rejected_sentence_keeps_its_kind_out_and_a_confirmed_one_lets_it_in(sample_searcher):
    from search.exemplars import Exemplars
    question = "哪些乡镇聘请了法律顾问？"
    answer = sample_searcher.ask(question)
    rejected = answer.done[0].evidence[0].sentence
    vetoed = sample_searcher.ask(question, exemplars=Exemplars([], [rejected]))
    assert rejected not in {e.sentence for t in vetoed.done for e in t.evidence}
    assert sample_searcher.ask(question, exemplars=Exemplars()).to_json() == answer.to_json()
    question, missed = next(((q, a.near[0]) for q in ("哪些乡镇开展了会前学法？", "哪些乡镇落实了行政执法公示制度？",
                                                      "哪些乡镇开展了矛盾纠纷排查化解或人民调解工作？")
                             if (a := sample_searcher.ask(q)).near), (None, None))
    assert missed is not None, "no township below the cut for any of these questions"
    taught = sample_searcher.ask(question, exemplars=Exemplars([missed.evidence[0].sentence], []))
    # listed now: done, or planned when the sentence is in the 下一步 part (the status rule still applies)
    assert (missed.name, missed.year) in {(t.name, t.year) for t in taught.townships}


@pytest.mark.model
def test_exports_read_back(sample_searcher):
    openpyxl = pytest.importorskip("openpyxl")
    from search.export_table import EVIDENCE_COLUMNS, to_csv, to_xlsx
    matrix = run_checklist(sample_searcher, parse_checklist(ITEMS.encode("utf-8"), "t.csv"))
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(matrix)))
    sheet, evidence = book["核查矩阵"], book["依据"]
    assert sheet.freeze_panes == "B2" and sheet.cell(1, 4).value.startswith("1. 哪些乡镇聘请了法律顾问")
    assert sheet.max_row >= len(matrix.townships) + 1
    labels = {sheet.cell(r, c).value for r in range(2, len(matrix.townships) + 2) for c in range(4, 7)}
    assert labels <= {"已做", "待核对", "计划中", "提及", "可能相关", "未发现"} and "已做" in labels | {"待核对"}
    done = next(c for c in matrix.cells if c.status == "done")
    row = next(r for r in evidence.iter_rows(min_row=2, values_only=True)
               if r[0] == done.township and r[3] == done.indicator)
    assert [c.value for c in evidence[1]] == EVIDENCE_COLUMNS
    assert row[7] == done.evidence[0]["sentence"] and row[10].startswith("?doc=")
    text = to_csv(matrix).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("乡镇,县区,年度,1. ") and done.evidence[0]["sentence"] in text


@pytest.mark.model
def test_check_and_review_from_the_command_line(capsys, monkeypatch, sample_index, embedder, tmp_path):
    from search.__main__ import main
    monkeypatch.setattr("indexer.embed.Embedder", lambda *args, **kwargs: embedder)
    index = tmp_path / "index"
    shutil.copytree(sample_index, index)
    checklist = tmp_path / "c.csv"
    checklist.write_text(ITEMS, encoding="utf-8")
    assert main(["check", str(checklist), "--index", str(index), "--json", "--xlsx", str(tmp_path / "m.xlsx")]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert "[3/3]" in captured.err and (tmp_path / "m.xlsx").stat().st_size > 0
    assert {"checklist", "indicators", "townships", "cells"} <= set(data)
    cell = next(c for c in data["cells"] if c["status"] == "done" and c["indicator"] == "1")
    assert set(cell) >= {"indicator", "township", "county", "year", "status", "weak", "review", "evidence"}
    year = ["--year", str(cell["year"])] if cell["year"] else []
    assert main(["review", "1", cell["township"], "--reject", "--checklist", str(checklist), "--index", str(index),
                 *year]) == 0
    snippet = cell["evidence"][0]["sentence"][2:12]
    assert main(["review", "2", cell["township"], "--confirm", "--evidence", snippet, "--checklist", str(checklist),
                 "--index", str(index), "--reviewer", "王五", *year]) == 0
    assert main(["review", "2", cell["township"], "--confirm", "--evidence", "报告里没有的话", "--index", str(index),
                 "--checklist", str(checklist), *year]) == 2
    capsys.readouterr()
    assert main(["review", "--list", "--json", "--index", str(index)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["question"], r["state"]) for r in listed] == [("哪些乡镇聘请了法律顾问？", "rejected"),
                                                             ("哪些乡镇开展了会前学法？", "confirmed")]
    assert main(["check", str(checklist), "--index", str(index), "--json"]) == 0
    after = json.loads(capsys.readouterr().out)["cells"]
    mine = {c["indicator"]: c for c in after if (c["township"], c["year"]) == (cell["township"], cell["year"])}
    assert (mine["1"]["status"], mine["1"]["review"]) == ("none", "rejected")
    assert (mine["2"]["status"], mine["2"]["review"]) == ("done", "confirmed") and snippet in mine["2"]["evidence"][0]["sentence"]


# --- the app page (AppTest, hashing stand-in model) ----------------------------------------------------------

def test_app_page_runs_reviews_and_offers_downloads(tmp_path, monkeypatch):
    from tests.test_app import Site, _serve, assert_clean, run_app
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(ROOT / "data" / "samples", corpus)
    embedder = HashEmbedder()
    from indexer import build_index
    build_index([corpus], index, embedder=embedder)
    _serve(monkeypatch, Site(corpus, index, embedder))
    at = run_app(view="checklist")
    assert_clean(at)
    at.button(key="ck_run").click().run()
    assert_clean(at)
    body = "\n".join(e.value for e in at.get("html"))
    assert "ck-matrix" in body and "未发现" in body and "待核对" in body
    assert [b.label for b in at.get("download_button")] == ["下载 Excel", "下载 CSV"]
    at.checkbox(key="ck_doubtful").uncheck().run()
    picked = at.selectbox[0]
    first = picked.options[0]
    at.button(key="ck_reject").click().run()
    assert_clean(at)
    reviews = ReviewStore.beside(index).reviews()
    assert len(reviews) == 1 and reviews[0].decision == "rejected" and first.startswith(reviews[0].township)
    assert "✗" in "\n".join(e.value for e in at.get("html"))


def test_check_refuses_an_export_folder_that_does_not_exist_before_running(capsys, hash_index, tmp_path):
    from search.__main__ import main

    target = tmp_path / "no-such-folder" / "核查.xlsx"
    assert main(["check", "--index", str(hash_index), "--xlsx", str(target)]) == 2
    captured = capsys.readouterr()
    assert "不存在" in captured.err and "[1/" not in captured.err
