from pathlib import Path

import pytest

from indexer.chunk import MAX_CHARS, MIN_CHARS, chunk_paragraphs
from indexer.clean import clean
from indexer.structure import structure
from tests.textutil import is_subsequence, raw

CORPUS = Path(__file__).resolve().parent.parent / "data" / "samples"


def _chunks(text: str, kind: str = "txt", **extra):
    document = raw(text, kind, **extra)
    return document, chunk_paragraphs("dtest", document, structure(document, clean(document)))


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_sample_chunks_point_at_the_text_they_claim_and_stay_in_size(path):
    document, chunks = _chunks(path.read_text(encoding="utf-8"))
    assert chunks
    for chunk in chunks:
        span = document.text[chunk.char_start:chunk.char_end]
        assert span[0] == chunk.text[0] and span[-1] == chunk.text[-1]
        assert is_subsequence(chunk.text, span)
        assert len(chunk.text) <= MAX_CHARS + 70  # a heading line may lead a full-size chunk
    sizes = sorted(len(c.text) for c in chunks)
    assert sizes[len(sizes) // 2] >= MIN_CHARS


def test_heading_lines_lead_the_chunk_that_follows_them():
    _, chunks = _chunks("某镇报告\n一、主要做法\n（一）强化组织领导，抓好法治政府责任落实\n成立以党委书记为组长的领导小组，定期研究法治建设工作。")
    assert len(chunks) == 1
    assert chunks[0].text.startswith("一、主要做法\n（一）强化组织领导")
    assert chunks[0].section_path == ("主要做法", "强化组织领导，抓好法治政府责任落实")


def test_long_paragraphs_are_cut_at_sentence_ends_preferably_before_an_enumeration():
    items = "".join(f"{n}是开展第{n}项工作，" + "认真组织干部学习法律法规并做好记录，" * 8 + "取得良好效果。" for n in "一二三四五")
    _, chunks = _chunks("某镇报告\n一、主要做法\n" + items)
    assert len(chunks) >= 3
    for chunk in chunks:
        assert len(chunk.text) <= MAX_CHARS + 30
        body = chunk.text.split("\n")[-1]
        assert body[1] == "是" and body.endswith("。")


def test_short_paragraphs_of_one_section_are_merged():
    _, chunks = _chunks("某镇报告\n一、主要做法\n开展普法宣传10次。\n发放宣传资料3000余份。\n接待群众咨询500人次。\n二、存在问题\n宣传形式单一。")
    assert len(chunks) == 2
    assert chunks[0].text.count("\n") == 3  # heading + three merged paragraphs
    assert chunks[1].role == "问题不足"


def test_chunk_ids_are_stable_and_pages_known():
    text = "一、第一页\n第一页正文，开展普法宣传。\n\n二、第二页\n第二页正文，聘请法律顾问。"
    document, first = _chunks(text, kind="pdf", page_starts=[0, text.index("二、")])
    _, second = _chunks(text, kind="pdf", page_starts=[0, text.index("二、")])
    assert [c.id for c in first] == [c.id for c in second] == ["dtest-0000", "dtest-0001"]
    assert [c.page for c in first] == [1, 2]


def test_a_sentence_longer_than_the_limit_is_cut_at_commas():
    sentence = "，".join(["组织干部认真学习宪法和法律法规"] * 40) + "。"
    _, chunks = _chunks("某镇报告\n一、主要做法\n" + sentence)
    assert len(chunks) >= 2 and all(len(c.text) <= MAX_CHARS + 10 for c in chunks)
