"""Readable Chinese output for the terminal: ranked passages and township answers."""
from __future__ import annotations

from search.answer import WEAK_LABEL
from search.highlight import mark
from search.relevance import RELEVANT, any_relevant


def place(township: str | None, county: str | None, year: int | None) -> str:
    parts = [p for p in (county, township) if p]
    name = " ".join(parts) if parts else "（乡镇未识别）"
    return f"{name} {year}年" if year else name


def page_label(page: int, page_end: int | None = None) -> str:
    """"第3页", or "第1–2页" for text that runs over a page end."""
    return f"第{page}–{page_end}页" if page_end and page_end != page else f"第{page}页"


def render_hits(question: str, hits, width: int = 160) -> str:
    """Ranked passages; for a question's hits, with their relevance (search.relevance), and first of all a
    notice when none of them says what is asked."""
    if not hits:
        return f"问题：{question}\n未找到相关段落。"
    rated = hits[0].relevance is not None
    if rated and not any_relevant(hits):
        lines = [f"问题：{question}", f"没有找到明确回答这个问题的段落（相关度都低于 {RELEVANT}）。",
                 f"以下是最接近的 {len(hits)} 段，仅供参考："]
    else:
        lines = [f"问题：{question}", f"找到 {len(hits)} 段："]
    for hit in hits:
        score = f"[相关度 {hit.relevance:.2f}] " if rated else ""
        lines.append(f"{hit.rank}. {score}{place(hit.township, hit.county, hit.year)}｜{hit.role}"
                     f"｜{hit.section or '（无小节）'}")
        text = mark(hit.text, hit.highlights).replace("\n", " ")
        lines.append("   " + (text if len(text) <= width else text[:width] + "…"))
        terms = "、".join(hit.matched_terms) if hit.matched_terms else "无（语义匹配）"
        lines.append(f"   命中词：{terms}｜来源：{hit.source} {page_label(hit.page, hit.page_end)}"
                     f" 字符 {hit.char_start}-{hit.char_end}｜编号：{hit.id}")
    return "\n".join(lines)


def render_answer(answer) -> str:
    lines = [f"问题：{answer.question}", f"回答：{answer.answer}"]
    for status in ("done", "planned", "mentioned"):
        group = [t for t in answer.townships if t.status == status]
        if not group:
            continue
        lines.append(f"\n【{answer.status_labels[status]}】")
        for township in group:
            check = f"（{WEAK_LABEL}）" if township.weak else ""
            lines.append(f"- {place(township.name, township.county, township.year)}{check}")
            for evidence in township.evidence[:1]:
                numbers = f"（数字：{'、'.join(evidence.numbers)}）" if evidence.numbers else ""
                lines.append(f"    「{evidence.sentence}」{numbers}")
                lines.append(f"    来源：{evidence.source} {page_label(evidence.page, evidence.page_end)}"
                             f" 字符 {evidence.char_start}-{evidence.char_end}｜编号：{evidence.id}")
    if answer.kind == "passages" and answer.sentences:
        lines.append("\n相关依据：")
        for evidence in answer.sentences:
            lines.append(f"- 「{evidence.sentence}」——{evidence.source}（{evidence.id}）")
    return "\n".join(lines)
