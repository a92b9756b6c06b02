"""The Streamlit app, run in-process with AppTest: asking, filters in the URL, deep links, uploads, safety.

Most tests use a throwaway index built with the hashing stand-in model (fast, no transformer); the tests
marked `model` run the real questions on the shared sample index.
"""
from __future__ import annotations

import re
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from indexer import build_index, list_index
from indexer.store import build_lock
from search import Searcher
from tests.fakes import HashEmbedder
from ui import corpus, jobs, state
from ui.render import doc_href

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
SAMPLE_CORPUS = ROOT / "data" / "samples"
LOAD_FIXTURES = ROOT / "tests" / "data" / "load"

HTML_REPORT = """测试镇人民政府2022年法治政府建设情况报告
一、主要做法和成效
（一）聘请法律顾问。测试镇聘请法律顾问<script>alert("x")</script>参与重大决策，<b>加粗</b>标签应原样显示。
二、存在的问题
个别干部法治意识不强。
三、下一步工作打算
继续加强普法宣传。
"""


@dataclass
class Site:
    corpus: Path
    index: Path
    embedder: object

    def doc_id(self, source: str) -> str:
        return next(d["doc_id"] for d in list_index(self.index)["documents"] if d["source"] == source)


@pytest.fixture
def site(tmp_path, monkeypatch) -> Site:
    """The sample corpus plus a report full of HTML, indexed with the hashing stand-in model."""
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, folder)
    (folder / "html_report.txt").write_text(HTML_REPORT, encoding="utf-8")
    embedder = HashEmbedder()
    build_index([folder], tmp_path / "index", embedder=embedder)
    return _serve(monkeypatch, Site(folder, tmp_path / "index", embedder))


@pytest.fixture
def sample_site(sample_index, embedder, monkeypatch) -> Site:
    return _serve(monkeypatch, Site(SAMPLE_CORPUS, sample_index, embedder))


def _serve(monkeypatch, site: Site) -> Site:
    monkeypatch.setenv("CORPUS_DIR", str(site.corpus))
    monkeypatch.setenv("INDEX_DIR", str(site.index))
    monkeypatch.setattr(state, "embedder_override", site.embedder)
    return site


def run_app(timeout: float = 120, **query) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def html(at: AppTest) -> str:
    """The st.html bodies, without the stylesheet."""
    return "\n".join(e.value for e in at.get("html") if not e.value.startswith("<style>"))


def page_text(at: AppTest) -> str:
    parts = [html(at)]
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error",
                 "text"):
        parts.extend(str(element.value) for element in at.get(kind))
    return "\n".join(parts)


def assert_clean(at: AppTest) -> None:
    """No traceback and no generic error box."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


# --- asking -------------------------------------------------------------------------------------------


@pytest.mark.model
def test_question_in_url_runs_on_load_with_township_answer_and_source_links(sample_site):
    at = run_app(q="哪些乡镇聘请了法律顾问")
    assert_clean(at)
    body = html(at)
    assert "大桥瑶族乡" in body and "rl-summary" in body
    assert '<mark class="rl-ev">' in body and '<mark class="rl-hl">' in body  # evidence and matched terms
    doc_id = sample_site.doc_id("003_1c944b72cf063491.txt")
    assert f'href="?doc={doc_id}&amp;p={doc_id}-' in body  # relative deep link, escaped in the attribute
    assert at.text_input(key="w_question").value == "哪些乡镇聘请了法律顾问"
    assert [b.label for b in at.get("download_button")] == ["导出 CSV", "导出 Markdown"]
    assert at.query_params["q"] == "哪些乡镇聘请了法律顾问"


@pytest.mark.model
def test_similar_practices_come_from_other_townships(sample_site):
    at = run_app(q="哪些乡镇聘请了法律顾问")
    first = at.toggle[0]
    first.set_value(True).run()
    assert_clean(at)
    similar = html(at).split('<div class="rl-similar">', 1)[1]
    assert similar.count('class="rl-card"') >= 1
    assert "大桥瑶族乡" not in similar.split("</div></div></div>")[0]  # the first hit is 大桥瑶族乡's own


@pytest.mark.model
def test_example_question_fills_the_box_and_runs(sample_site):
    at = run_app()
    assert "输入问题后按回车" in page_text(at)
    at.get("button_group")[0].set_value("信访矛盾怎么化解").run()
    assert_clean(at)
    assert at.text_input(key="w_question").value == "信访矛盾怎么化解"
    assert "相关段落" in page_text(at) and at.query_params["q"] == "信访矛盾怎么化解"


def test_filters_and_mode_come_from_the_url_and_go_back_into_it(site):
    at = run_app(q="法律顾问", township="李庄", role="做法成效", mode="bm25", year="2020-2023")
    assert_clean(at)
    assert at.multiselect(key="w_townships").value == ["李庄乡"]
    assert at.multiselect(key="w_roles").value == ["做法成效"]
    assert at.radio(key="w_mode").value == "bm25"
    cards = html(at).split('<span class="rl-rank">')[1:]
    assert cards and all("李庄乡" in card and "做法成效" in card for card in cards)
    assert at.query_params["township"] == "李庄乡" and at.query_params["mode"] == "bm25"
    at.multiselect(key="w_townships").set_value([]).run()
    assert "township" not in at.query_params and at.query_params["q"] == "法律顾问"


@pytest.mark.parametrize("mode", ["hybrid", "bm25"])
def test_a_question_no_report_answers_says_so_first_and_still_offers_the_closest_passages(site, mode):
    at = run_app(q="无人机巡查执法队", mode=mode)
    assert_clean(at)
    assert "没有找到明确回答这个问题的段落" in page_text(at) and 'class="rl-card"' not in html(at)
    at.toggle(key="closest-无人机巡查执法队").set_value(True).run()
    cards = html(at).split('class="rl-card"')[1:]
    assert len(cards) == 10
    # one 0–1 scale in every mode: never a raw BM25 score
    assert all(re.search(r"相关度 0\.[0-4]\d<", card) for card in cards)


def test_relevant_passages_show_their_relevance_without_a_notice(site):
    at = run_app(q="聘请法律顾问", mode="bm25")
    assert "没有找到明确回答" not in page_text(at) and "相关度 1.00" in html(at)


def test_browser_back_and_forward_let_the_url_win_over_widget_state(site):
    at = run_app(q="法律顾问", township="李庄乡")
    at.text_input(key="w_question").set_value("普法宣传").run()
    assert at.query_params["q"] == "普法宣传"
    at.query_params.clear()
    at.query_params.update({"q": "法律顾问", "mode": "bm25"})  # as if the user pressed the back button
    at.run()
    assert_clean(at)
    assert at.text_input(key="w_question").value == "法律顾问" and at.radio(key="w_mode").value == "bm25"
    assert at.multiselect(key="w_townships").value == [] and at.query_params["q"] == "法律顾问"


def test_unknown_filter_values_in_the_url_are_ignored_with_a_message(site):
    at = run_app(q="法律顾问", township="不存在乡", year="abc", role="胡说")
    assert_clean(at)
    text = page_text(at)
    assert "不存在乡" in text and "已忽略" in text and "年度格式不对" in text
    assert at.multiselect(key="w_townships").value == [] and at.multiselect(key="w_roles").value == []


@pytest.mark.parametrize("question, message", [
    ("？？？！！", "没有可检索的文字"),
    ("😀🎉👍", "没有可检索的文字"),
    ("法" * 600, "问题太长"),
])
def test_bad_questions_get_a_chinese_message_not_a_traceback(site, question, message):
    at = run_app(q=question)
    assert_clean(at)
    assert message in page_text(at)


def test_empty_question_shows_the_prompt(site):
    at = run_app(q="   ")
    assert_clean(at)
    assert "输入问题后按回车" in page_text(at) and "rl-card" not in html(at)


def test_html_in_a_question_or_a_report_is_shown_as_text(site):
    at = run_app(q='<script>alert("x")</script><b>法律顾问</b>', mode="bm25")
    assert_clean(at)
    body = html(at)
    assert "&lt;script&gt;alert" in body and "&lt;b&gt;加粗&lt;/b&gt;" in body
    assert "<script>" not in body and "<b>加粗" not in body


# --- deep links ---------------------------------------------------------------------------------------


def open_cited(site: Site, source: str, cited: str) -> AppTest:
    """The app opened by the source link of the chunk of `source` that contains `cited`."""
    doc_id = site.doc_id(source)
    searcher = Searcher.load(site.index, embedder=site.embedder)
    chunk = next(c for c in searcher.chunks_of(doc_id) if cited in c.text)
    at = run_app(doc=doc_id, p=chunk.id)
    assert_clean(at)
    return at


def test_source_link_opens_the_report_at_the_cited_paragraph(site):
    at = open_cited(site, "003_1c944b72cf063491.txt", "法律顾问1名")
    assert '<h2 class="rl-title">大桥瑶族乡2021年度法治政府工作报告</h2>' in html(at)
    bodies = [e.value for e in at.get("html")]
    document = next(b for b in bodies if 'class="rl-doc"' in b)
    cited = document.split('class="rl-cited"', 1)[1]
    assert '<mark class="rl-cite">' in cited and "法律顾问1名" in cited
    assert any("scrollIntoView" in b and "para-" in b for b in bodies)
    assert "目录" in [s.value for s in at.sidebar.get("subheader")]
    assert [b.label for b in at.get("download_button")] == ["下载原文件"]


def test_report_html_is_escaped_in_the_report_view(site):
    at = run_app(doc=site.doc_id("html_report.txt"))
    assert_clean(at)
    body = html(at)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body and "&lt;b&gt;加粗&lt;/b&gt;" in body
    assert "<script>alert" not in body


@pytest.mark.parametrize("query", [{"doc": "nope"}, {"doc": "<script>"}, {"doc": "", "p": "nope"},
                                   {"doc": "../../etc/passwd"}])
def test_unknown_documents_say_not_found(site, query):
    at = run_app(**query)
    assert_clean(at)
    assert at.title[0].value == "未找到该文档"


def test_unknown_paragraph_shows_the_whole_report_with_a_note(site):
    at = run_app(doc=site.doc_id("003_1c944b72cf063491.txt"), p="d000-9999", s="5-9")
    assert_clean(at)
    assert "段落在这份报告中未找到" in page_text(at) and 'class="rl-doc"' in html(at)
    assert "rl-cited" not in html(at)


def test_link_with_only_a_paragraph_finds_its_report(site):
    doc_id = site.doc_id("004_264309198007c7ae.txt")
    at = run_app(p=f"{doc_id}-0003")
    assert_clean(at)
    assert '<h2 class="rl-title">原州区彭堡镇' in html(at) and "rl-cited" in html(at)


def test_back_button_leaves_the_report(site):
    at = run_app(doc=site.doc_id("004_264309198007c7ae.txt"), q="普法")
    at.button[0].click().run()
    assert_clean(at)
    assert "doc" not in at.query_params and at.text_input(key="w_question").value == "普法"


def test_downloads_only_come_from_inside_the_corpus_folder(site, tmp_path):
    cfg = state.Config(site.corpus.resolve(), site.index)
    searcher = Searcher.load(site.index, embedder=site.embedder)
    document = searcher.document(site.doc_id("html_report.txt"))
    assert state.corpus_file(cfg, document) == (site.corpus / "html_report.txt").resolve()
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    document.path, document.source = str(outside), "../secret.txt"
    assert state.corpus_file(cfg, document) is None
    (site.corpus / "link.txt").symlink_to(outside)
    document.path, document.source = str(site.corpus / "link.txt"), "link.txt"
    assert state.corpus_file(cfg, document) is None  # a symlink out of the corpus is resolved and refused


# --- browse -------------------------------------------------------------------------------------------


def test_browse_lists_every_report_with_links_and_the_url_holds_only_its_own_parameters(site):
    at = run_app(q="普法", township="李庄乡")
    at.radio(key="w_view").set_value("browse").run()
    assert_clean(at)
    table = at.dataframe[0].value
    assert len(table) == 6 and set(table.columns) >= {"乡镇", "县区", "年度", "标题", "段落块", "警告", "打开"}
    assert all(link.startswith("?doc=") for link in table["打开"])
    assert dict(at.query_params) == {"view": "browse"}
    at.text_input(key="browse_text").set_value("彭堡").run()
    assert list(at.dataframe[0].value["乡镇"]) == ["彭堡镇"]
    at.radio(key="w_view").set_value("ask").run()  # back on the ask page, the search is still there
    assert at.text_input(key="w_question").value == "普法"
    assert at.query_params["q"] == "普法" and at.query_params["township"] == "李庄乡"


NO_TITLE_REPORT = """人民政府：
2022年，我们认真落实法治政府建设各项任务，现将有关情况报告如下：
一、主要做法
全年开展普法活动12场。
"""


def _add_untitled_report(site: Site) -> str:
    (site.corpus / "untitled.txt").write_text(NO_TITLE_REPORT, encoding="utf-8")
    build_index([site.corpus], site.index, embedder=site.embedder)
    return site.doc_id("untitled.txt")


def test_browse_says_which_titles_and_places_are_missing_and_how_to_add_them(site):
    _add_untitled_report(site)
    at = run_app(view="browse")
    assert_clean(at)
    table = at.dataframe[0].value
    untitled = table[table["文件"] == "untitled.txt"].iloc[0]
    assert (untitled["标题"], untitled["乡镇"], untitled["县区"]) == ("（无标题）", "（未识别）", "（未识别）")
    bridge = table[table["文件"] == "003_1c944b72cf063491.txt"].iloc[0]
    assert bridge["县区"] == "（未识别）" and bridge["标题"] == "大桥瑶族乡2021年度法治政府工作报告"
    assert "metadata.csv" in page_text(at)


def test_report_view_says_what_is_missing_and_how_to_add_it(site):
    at = run_app(doc=_add_untitled_report(site))
    assert_clean(at)
    body = html(at)
    assert '<h2 class="rl-title">（无标题）' in body and "untitled.txt" in body
    assert "县区：（未识别）" in body and "乡镇：（未识别）" in body
    assert "metadata.csv" in page_text(at)
    at = run_app(doc=site.doc_id("004_264309198007c7ae.txt"))
    assert "（未识别）" not in html(at) and "metadata.csv" not in page_text(at)


def test_report_view_cites_a_paragraph_that_runs_over_a_page_end_with_both_pages(site):
    from tests.test_read_as_written import write_pdf

    write_pdf(site.corpus / "石桥镇.pdf")
    build_index([site.corpus], site.index, embedder=site.embedder)
    at = open_cited(site, "石桥镇.pdf", "对重大行政决策和政府合同")
    assert "引用的段落在第1–2页" in page_text(at)
    outline = "".join(e.value for e in at.sidebar.get("html"))
    assert "深入开展普法宣传" in outline and "对重大行政决策" not in outline


# --- corpus: first start, uploads, locks -----------------------------------------------------------------


def _samples_on_disk() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in SAMPLE_CORPUS.iterdir()}


def test_first_start_seeds_the_users_folder_and_shows_only_the_ready_page(tmp_path, monkeypatch):
    monkeypatch.setenv("RULEOFLAW_HOME", str(tmp_path / "home"))  # the defaults, no CORPUS_DIR/INDEX_DIR
    monkeypatch.setattr(state, "embedder_override", HashEmbedder())
    samples = _samples_on_disk()
    at = run_app()
    assert_clean(at)
    corpus, index = tmp_path / "home" / "corpus", tmp_path / "home" / "index"
    assert {p.name for p in corpus.iterdir()} == set(samples)
    assert len(list_index(index)["documents"]) == 5
    assert at.text_input(key="w_question") is not None  # serving the ask page right after the build
    text = page_text(at)
    assert "首次启动" not in text and "请勿关闭页面" not in text
    assert len(at.title) == 1
    assert _samples_on_disk() == samples


def test_uploads_go_to_the_users_folder_never_to_the_bundled_samples(tmp_path, monkeypatch):
    monkeypatch.setenv("RULEOFLAW_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(state, "embedder_override", HashEmbedder())
    samples = _samples_on_disk()
    run_app()  # first start
    at = run_app(view="corpus")
    reports = [(f"{name}.txt", HTML_REPORT.replace("测试镇", name).encode("utf-8")) for name in ("甲镇", "乙乡")]
    at.file_uploader[0].set_value([(name, data, "text/plain") for name, data in reports])
    at.form_submit_button[0].click().run()
    assert_clean(at)
    assert "索引已更新：共 7 份报告" in page_text(at)
    assert (tmp_path / "home" / "corpus" / "甲镇.txt").is_file()
    assert _samples_on_disk() == samples


def test_the_samples_folder_is_never_an_upload_target(monkeypatch):
    site = _serve(monkeypatch, Site(SAMPLE_CORPUS, Path("unused"), HashEmbedder()))
    saved, job = corpus.save_and_index([("新.txt", HTML_REPORT.encode("utf-8"))], state.config(), searcher=None)
    assert job is None and not saved[0].saved and "样例" in saved[0].message
    assert not (site.corpus / "新.txt").exists()


def test_upload_saves_safely_indexes_incrementally_and_reports_problems(site):
    at = run_app(view="corpus")
    new_report = HTML_REPORT.replace("测试镇", "新上传镇").replace("2022", "2023").encode("utf-8")
    at.file_uploader[0].set_value([
        ("../../新上传镇 报告.txt", new_report, "text/plain"),
        ("扫描件.pdf", (LOAD_FIXTURES / "scanned_only.pdf").read_bytes(), "application/pdf"),
        ("旧格式.doc", b"\xd0\xcf\x11\xe0 old word", "application/msword"),
        ("副本.txt", (site.corpus / "001_d39ef96161d7b447.txt").read_bytes(), "text/plain"),
    ])
    at.form_submit_button[0].click().run()
    assert_clean(at)
    text = page_text(at)
    assert "../../新上传镇 报告.txt：已保存为 新上传镇 报告.txt" in text
    assert "旧格式.doc：未保存" in text and ".docx" in text
    assert "副本.txt：未重复保存：与已收录的 001_d39ef96161d7b447.txt 内容完全相同" in text
    assert "扫描件.pdf：已保存，但未能收录：" in text and "OCR" in text and "索引已更新：共 7 份报告" in text
    assert "新上传镇 报告.txt（文件名中的特殊字符已替换），已收录。" in text
    assert (site.corpus / "新上传镇 报告.txt").is_file() and not (site.corpus / "旧格式.doc").exists()
    sources = {d["source"] for d in list_index(site.index)["documents"]}
    assert {"新上传镇 报告.txt", "html_report.txt", "001_d39ef96161d7b447.txt"} <= sources and len(sources) == 7


def test_save_and_index_keeps_what_was_indexed_and_never_overwrites_silently(site):
    cfg = state.config()
    searcher = Searcher.load(site.index, embedder=site.embedder)
    changed = HTML_REPORT.replace("个别干部", "少数干部").encode("utf-8")
    saved, job = corpus.save_and_index([("html_report.txt", changed)], cfg, searcher)
    assert saved[0].saved and saved[0].source == "html_report(2).txt" and "已另存为" in saved[0].message
    _wait(job)
    assert job.error is None and job.report.documents == 7 and job.report.reused_files == 6
    assert (site.corpus / "html_report.txt").read_text(encoding="utf-8") == HTML_REPORT
    searcher.refresh()
    again, job = corpus.save_and_index([("html_report.txt", changed)], cfg, searcher)
    assert not again[0].saved and "内容完全相同" in again[0].message and job is None


def test_starting_a_build_while_one_runs_builds_once_more_in_the_same_job(site, monkeypatch):
    calls, gate = [], threading.Event()

    def slow_build(*args, **kwargs):
        calls.append(kwargs["rebuild"])
        gate.wait(10)
        return build_index(*args, **kwargs)

    monkeypatch.setattr(jobs, "build_index", slow_build)
    builds, cfg = jobs.Builds(), state.config()
    first = builds.start(cfg.corpus_dir, cfg.index_dir, lambda: site.embedder, rebuild=True)
    second = builds.start(cfg.corpus_dir, cfg.index_dir, lambda: site.embedder)
    assert second is first
    gate.set()
    _wait(first)
    assert calls == [True, False] and first.error is None and first.report.documents == 6


def test_a_locked_index_gets_a_friendly_message(site):
    at = run_app(view="corpus")
    with build_lock(site.index):
        next(b for b in at.button if b.label == "重新扫描语料目录").click().run()
    assert_clean(at)
    assert "另一个索引构建正在进行" in page_text(at)


def test_a_damaged_index_offers_a_rebuild(site):
    (site.index / "CURRENT").write_text("v-missing", encoding="utf-8")
    at = run_app()
    assert_clean(at)
    assert "索引已损坏" in page_text(at)
    at.button[0].click().run()
    assert_clean(at)
    assert len(list_index(site.index)["documents"]) == 6


def _wait(job, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not job.finished and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.finished


def test_deep_link_helper_quotes_ids():
    assert doc_href("d1", "d1-0002", (3, 9)) == "?doc=d1&p=d1-0002&s=3-9"
    assert doc_href("a&b=c") == "?doc=a%26b%3Dc"
