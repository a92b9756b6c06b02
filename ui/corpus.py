"""Corpus page: upload reports into the corpus folder and update the index incrementally."""
from __future__ import annotations

import streamlit as st

from indexer import BuildReport, IndexProblem, list_index
from indexer.build import MAX_BINARY_BYTES, MAX_TEXT_BYTES
from indexer.paths import is_samples_folder
from search import Searcher
from ui import jobs
from ui.render import escape, notices
from ui.state import Config, builder_embedder
from ui.uploads import Saved, save_uploads

UPLOAD_LIMITS = (f"把文件拖到上面的框里，或点“选择文件”。文本文件（.txt、.md）每个不超过 {MAX_TEXT_BYTES // 1048576} MB，"
                 f"PDF 和 Word（.docx）每个不超过 {MAX_BINARY_BYTES // 1048576} MB；.doc、.wps 请先另存为 .docx。")
SAMPLES_READ_ONLY = ("未保存：语料目录是自带的样例文件夹（只读）。请把 CORPUS_DIR 设为你自己的文件夹，"
                     "或不设置它（默认使用用户语料目录）。")
_RESULT_KEY = "corpus_last_upload"  # (saved files, job id): shown again after reruns until a new upload


def save_and_index(files: list[tuple[str, bytes]], cfg: Config, searcher: Searcher,
                   overwrite: bool = False) -> tuple[list[Saved], jobs.BuildJob | None]:
    """Save uploads into the corpus folder and start an incremental build if anything new was saved.
    The build keeps every file already indexed: unchanged files are taken over with their vectors."""
    if is_samples_folder(cfg.corpus_dir):
        return [Saved(name, None, SAMPLES_READ_ONLY, False) for name, _ in files], None
    indexed = {info.get("sha256"): source for source, info in searcher.manifest.get("files", {}).items()}
    saved = save_uploads(files, cfg.corpus_dir, indexed, overwrite)
    job = None
    if any(s.saved for s in saved):
        job = jobs.builds_for(str(cfg.index_dir)).start(cfg.corpus_dir, cfg.index_dir, builder_embedder(searcher))
    return saved, job


def show(searcher: Searcher, cfg: Config) -> None:
    st.header("语料管理")
    documents = searcher.documents()
    st.html(f'<div class="rl-muted">语料目录：{escape(cfg.corpus_dir)}<br>索引目录：{escape(cfg.index_dir)}<br>'
            f'已收录 {len(documents)} 份报告，共 {sum(d.chunks for d in documents)} 个段落块；'
            f'模型 {escape(searcher.model_name)}</div>')
    builds = jobs.builds_for(str(cfg.index_dir))
    if is_samples_folder(cfg.corpus_dir):
        st.warning(SAMPLES_READ_ONLY.removeprefix("未保存："))
        _show_skipped(cfg)
        return
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader("上传报告（.txt、.md、.pdf、.docx，可多选）", accept_multiple_files=True,
                                 max_upload_size=MAX_BINARY_BYTES // 1048576,
                                 help="文件保存到语料目录后立即增量更新索引；已收录的报告不受影响。")
        st.caption(UPLOAD_LIMITS)
        overwrite = st.checkbox("替换同名文件", help="默认不覆盖：同名但内容不同的文件另存为“名称(2)”")
        submitted = st.form_submit_button("保存并更新索引", type="primary")
    rescan = st.button("重新扫描语料目录", help="直接把文件复制进语料目录后，用它更新索引")
    if submitted:
        if not files:
            st.warning("请先选择要上传的文件。")
        else:
            saved, job = save_and_index([(f.name, f.getvalue()) for f in files], cfg, searcher, overwrite)
            st.session_state[_RESULT_KEY] = (saved, job.id if job else None)
    elif rescan:
        job = builds.start(cfg.corpus_dir, cfg.index_dir, builder_embedder(searcher))
        st.session_state[_RESULT_KEY] = ([], job.id)
    _show_last(builds, searcher)
    _show_skipped(cfg)


def _show_last(builds: jobs.Builds, searcher: Searcher) -> None:
    saved, job_id = st.session_state.get(_RESULT_KEY, ([], None))
    job = builds.current
    if job_id is None or job is None or job.id != job_id:
        notices(_file_lines(saved, None))
        if builds.running():
            st.info("另一个索引更新正在进行：")
            jobs.follow(builds.current)
        return
    jobs.follow(job)
    if searcher.refresh():
        st.rerun()  # show the page again on the new index version; the result is kept for it
    report = job.report
    if job.error or report is None:
        notices(_file_lines(saved, None) + [(job.error or "索引没有更新。", "error")])
        return
    summary = (f"索引已更新：共 {report.documents} 份报告、{report.chunks} 个段落块（新处理 {report.processed_files} 份，"
               f"沿用 {report.reused_files} 份，移除 {report.removed_files} 份），用时 {report.seconds:.1f} 秒。")
    notices([(summary, "success")] + [(note, "info") for note in report.notes] + _file_lines(saved, report))


def _file_lines(saved: list[Saved], report: BuildReport | None) -> list[tuple[str, str]]:
    """One line per uploaded file: saved or not, then (after the build) indexed or why not, and warnings."""
    skipped = dict(report.skipped) if report else {}
    lines = []
    for item in saved:
        if not item.saved or report is None:
            lines.append((f"{item.name}：{item.message}", "info" if item.saved else "warning"))
        elif item.source in skipped:
            lines.append((f"{item.name}：{item.message}，但未能收录：{skipped[item.source]}", "warning"))
        else:
            lines.append((f"{item.name}：{item.message}，已收录。", "success"))
            lines.extend((f"{item.name}：{w}", "info") for s, w in report.warnings if s == item.source)
    return lines


def _show_skipped(cfg: Config) -> None:
    try:
        skipped = list_index(cfg.index_dir)["skipped"]
    except IndexProblem:
        return
    if skipped:
        with st.expander(f"语料目录中未收录的文件（{len(skipped)} 个）"):
            for item in skipped:
                st.text(f"{item['source']}：{item['reason']}")
