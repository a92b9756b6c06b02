"""Property-based tests of the text stages: no input makes them fail, and chunk spans never lie."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.chunk import chunk_paragraphs
from indexer.clean import clean
from indexer.metadata import extract_metadata
from indexer.structure import structure
from tests.textutil import is_subsequence, raw

# Text built from the pieces reports are made of, plus arbitrary characters in between.
PIECES = st.sampled_from([
    "一、", "（一）", "(二)", "1、", "2.", "（3）", "一是", "二是", "第一部分", "#", "## ", "---", "\n", "\n\n", "\u3000\u3000",
    "。", "，", "；", "：", "“", "”", "法律顾问", "聘请", "下一步", "存在问题", "不足", "计划", "2021年", "某某乡",
    "人民政府", "街道办事处", "[bookmark: _GoBack]", "(此页无正文)", " ", "\t", "\r\n", "<script>", "😀", "２０２０",
])
REPORT_TEXT = st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=80).map("".join)


def _pipeline(text: str, kind: str):
    document = raw(text, kind, page_starts=[0, len(text) // 2] if kind == "pdf" else [0])
    paragraphs = structure(document, clean(document))
    return document, paragraphs, extract_metadata(paragraphs), chunk_paragraphs("dprop", document, paragraphs)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=REPORT_TEXT, kind=st.sampled_from(["txt", "md", "pdf", "docx"]))
def test_text_stages_never_fail_and_spans_point_at_their_text(text, kind):
    document, paragraphs, _, chunks = _pipeline(text, kind)
    for paragraph in paragraphs:
        assert paragraph.text
        for i in (0, len(paragraph.text) // 2, len(paragraph.text) - 1):
            assert document.text[paragraph.origin.to_raw(i)] == paragraph.text[i]
    for chunk in chunks:
        span = document.text[chunk.char_start:chunk.char_end]
        assert 0 <= chunk.char_start < chunk.char_end <= len(document.text)
        assert span[0] == chunk.text[0] and span[-1] == chunk.text[-1]
        assert is_subsequence(chunk.text, span)
        assert 1 <= chunk.page <= len(document.page_starts)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=400))
def test_arbitrary_unicode_is_handled(text):
    _pipeline(text, "txt")


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=2000))
def test_loading_arbitrary_bytes_either_works_or_gives_a_load_error(tmp_path_factory, data):
    from indexer.load import LoadError, load_file

    folder = tmp_path_factory.mktemp("bytes")
    for name in ("x.txt", "x.pdf", "x.docx"):
        path = folder / name
        path.write_bytes(data)
        try:
            document = load_file(path, folder)
        except LoadError as error:
            assert error.reason
        else:
            _pipeline(document.text, document.kind)
