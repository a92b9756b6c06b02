"""The app in a real browser: `streamlit run app.py` driven by headless Debian Chromium.

Checks what only a browser shows: the shared question URL answering on load, a source link opening the
report scrolled to the highlighted paragraph, and report HTML staying text. Screenshots go to
tests/artifacts/ (gitignored) for a human look.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from indexer import build_index, list_index

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "tests" / "artifacts"
QUESTION = "哪些乡镇聘请了法律顾问"
HTML_REPORT = ("试点镇人民政府2022年法治政府建设情况报告\n一、主要做法和成效\n"
               "（一）聘请法律顾问。试点镇聘请法律顾问<script>alert(1)</script>参与决策，<b>加粗</b>应原样显示。\n")

pytestmark = [
    pytest.mark.model,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists() or not CHROMEDRIVER.exists(),
                       reason="needs /usr/bin/chromium and /usr/bin/chromedriver "
                              "(bash scripts/install.sh --test installs them)"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def site(tmp_path, sample_index, embedder):
    """A copy of the sample corpus and its prebuilt index, plus one report full of HTML (embedded now)."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(ROOT / "data" / "samples", corpus)
    shutil.copytree(sample_index, index)
    (corpus / "html_report.txt").write_text(HTML_REPORT, encoding="utf-8")
    build_index([corpus], index, embedder=embedder)
    return corpus, index


@pytest.fixture
def server(site, tmp_path):
    corpus, index = site
    port = _free_port()
    env = dict(os.environ, CORPUS_DIR=str(corpus), INDEX_DIR=str(index))
    log = (tmp_path / "streamlit.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "streamlit.log").read_text()
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1400,1500", "--lang=zh-CN",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    # An explicit driver path: Selenium Manager must never try to download one.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _wait_for(driver, condition, seconds: float = 150):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except Exception:  # the page is still being rebuilt by Streamlit
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out; page text: {driver.find_element('tag name', 'body').text[:1500]}")


def _shot(driver, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / name))


def test_shared_question_link_answers_and_source_link_opens_the_highlighted_paragraph(server, browser, site):
    from selenium.webdriver.common.by import By

    browser.get(f"{server}/?q={quote(QUESTION)}")
    summary = _wait_for(browser, lambda: browser.find_element(By.CSS_SELECTOR, ".rl-summary"))
    assert "大桥瑶族乡" in summary.text
    time.sleep(1)  # let the passages below finish rendering for the screenshot
    _shot(browser, "ask.png")

    card = next(c for c in browser.find_elements(By.CSS_SELECTOR, ".rl-card") if "大桥瑶族乡" in c.text)
    link = card.find_element(By.CSS_SELECTOR, "a[href*='doc=']")
    href = link.get_attribute("href")
    assert href.startswith(f"{server}/?doc=") and "&p=" in href
    link.click()

    focus = _wait_for(browser, lambda: browser.find_element(By.CSS_SELECTOR, ".rl-cited mark"))
    assert browser.current_url == href
    cited = browser.find_element(By.CSS_SELECTOR, ".rl-cited")
    assert "法律顾问" in focus.text and "法律顾问" in cited.text
    background = focus.value_of_css_property("background-color")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    # Scrolled into view: the highlighted sentence is on screen, not somewhere below.
    _wait_for(browser, lambda: browser.execute_script(
        "var r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight;", focus),
        seconds=10)
    outline = browser.find_element(By.CSS_SELECTOR, ".rl-outline")
    assert "法律顾问" in outline.text
    time.sleep(0.5)
    _shot(browser, "report.png")
    back = browser.find_element(By.XPATH, "//button[contains(., '← 返回')]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", back)
    time.sleep(0.3)
    _shot(browser, "report_top.png")

    # The same link pasted into a fresh tab works too.
    browser.switch_to.new_window("tab")
    browser.get(href)
    _wait_for(browser, lambda: browser.find_element(By.CSS_SELECTOR, ".rl-cited mark"))
    assert browser.find_elements(By.XPATH, "//button[contains(., '下载原文件')]")


def test_report_html_shows_as_text_and_unknown_links_say_not_found(server, browser, site):
    from selenium.webdriver.common.by import By

    _, index = site
    doc_id = next(d["doc_id"] for d in list_index(index)["documents"] if d["source"] == "html_report.txt")
    browser.get(f"{server}/?doc={doc_id}")
    document = _wait_for(browser, lambda: browser.find_element(By.CSS_SELECTOR, ".rl-doc"))
    assert "<script>alert(1)</script>" in document.text and "<b>加粗</b>" in document.text
    assert not document.find_elements(By.TAG_NAME, "b") and not document.find_elements(By.TAG_NAME, "script")
    _shot(browser, "report_html_escaped.png")

    browser.get(f"{server}/?doc=not-a-document&p=x")
    _wait_for(browser, lambda: "未找到该文档" in browser.find_element(By.TAG_NAME, "body").text)
    _shot(browser, "not_found.png")


def test_upload_page_saves_and_indexes_a_report(server, browser, site, tmp_path):
    from selenium.webdriver.common.by import By

    corpus, _ = site
    upload = tmp_path / "上传的报告.txt"
    upload.write_text(HTML_REPORT.replace("试点镇", "上传镇"), encoding="utf-8")
    browser.get(f"{server}/?view=corpus")
    field = _wait_for(browser, lambda: browser.find_element(By.CSS_SELECTOR, "input[type=file]"))
    dropzone = browser.find_element(By.CSS_SELECTOR, "[data-testid=stFileUploaderDropzone]")
    assert "Drag and drop" not in dropzone.text and "per file" not in dropzone.text and "Upload" not in dropzone.text
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "每个不超过 10 MB" in body and "200 MB" in body
    field.send_keys(str(upload))
    _wait_for(browser, lambda: "上传的报告.txt" in browser.find_element(By.TAG_NAME, "body").text, seconds=20)
    browser.find_element(By.XPATH, "//button[contains(., '保存并更新索引')]").click()
    _wait_for(browser, lambda: "已收录。" in browser.find_element(By.TAG_NAME, "body").text)
    assert "索引已更新：共 7 份报告" in browser.find_element(By.TAG_NAME, "body").text
    assert (corpus / "上传的报告.txt").is_file()
    _shot(browser, "corpus_upload.png")


def test_checklist_page_runs_reviews_a_cell_and_exports(server, browser, site, tmp_path):
    from selenium.webdriver.common.by import By

    checklist = tmp_path / "核查清单.csv"
    checklist.write_text("id,question\n1,哪些乡镇聘请了法律顾问？\n2,哪些乡镇开展了会前学法？\n", encoding="utf-8-sig")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    browser.get(f"{server}/?view=checklist")
    _wait_for(browser, lambda: browser.find_element(By.XPATH, "//label[contains(., '上传清单')]")).click()
    field = _wait_for(browser, lambda: browser.find_element(By.CSS_SELECTOR, "input[type=file]"))
    field.send_keys(str(checklist))
    _wait_for(browser, lambda: browser.find_element(By.XPATH, "//button[contains(., '运行核查')]")).click()
    matrix = _wait_for(browser, lambda: browser.find_element(By.CSS_SELECTOR, ".ck-matrix"))
    assert "大桥瑶族乡" in matrix.text and "已做" in matrix.text + browser.find_element(By.TAG_NAME, "body").text
    _wait_for(browser, lambda: browser.find_element(By.XPATH, "//button[contains(., '确认')]"))
    time.sleep(1)
    _shot(browser, "checklist.png")
    browser.find_element(By.XPATH, "//button[contains(., '确认')]").click()
    _wait_for(browser, lambda: "✓" in browser.find_element(By.CSS_SELECTOR, ".ck-matrix").text)
    browser.find_element(By.XPATH, "//button[contains(., '下载 Excel')]").click()
    saved = _wait_for(browser, lambda: [p for p in downloads.glob("*.xlsx")], seconds=30)
    time.sleep(1)  # the file is complete once Chromium renames it from .crdownload
    import openpyxl
    book = openpyxl.load_workbook(saved[0])
    assert book.sheetnames == ["核查矩阵", "依据"]
    assert any("已确认" in str(c.value) for row in book["依据"].iter_rows() for c in row)
