"""Readable Chinese output for the terminal: ranked passages and township answers."""
from __future__ import annotations

from search.answer import WEAK_LABEL
from search.highlight import mark


def place(township: str | None, county: str | None, year: int | None) -> str:
    parts = [p for p in (county, township) if p]
    name = " ".join(parts) if parts else "（乡镇未识别）"
    return f"{name} {year}年" if year else name


def render_hits(question: str, hits, width: int = 160) -> str:
    if not hits:
        return f"问题：{question}\n未找到相关段落。"
    lines = [f"问题：{question}", f"找到 {len(hits)} 段："]
    for hit in hits:
        lines.append(f"{hit.rank}. [{hit.score:.3f}] {place(hit.township, hit.county, hit.year)}｜{hit.role}"
                     f"｜{hit.section or '（无小节）'}")
        text = mark(hit.text, hit.highlights).replace("\n", " ")
        lines.append("   " + (text if len(text) <= width else text[:width] + "…"))
        terms = "、".join(hit.matched_terms) if hit.matched_terms else "无（语义匹配）"
        lines.append(f"   命中词：{terms}｜来源：{hit.source} 第{hit.page}页 字符 {hit.char_start}-{hit.char_end}"
                     f"｜编号：{hit.id}")
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
                lines.append(f"    来源：{evidence.source} 字符 {evidence.char_start}-{evidence.char_end}｜编号：{evidence.id}")
    if answer.kind == "passages" and answer.sentences:
        lines.append("\n相关依据：")
        for evidence in answer.sentences:
            lines.append(f"- 「{evidence.sentence}」——{evidence.source}（{evidence.id}）")
    return "\n".join(lines)
