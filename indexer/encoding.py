"""Guess the encoding of a plain-text report, refusing rather than producing mojibake.

Reports arrive as UTF-8 (with or without BOM), UTF-16 from Windows Notepad, or GBK/GB18030 from older
tools. Order: BOM → strict-ish UTF-8 → GB18030 / UTF-16 without BOM, each accepted only when the result
reads like Chinese text. Every step is linear in the file size; the plausibility checks look at fixed
size samples, so a 50 MB file costs a few full decodes at C speed.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BOMS = (  # UTF-32 first: its little-endian BOM starts with the UTF-16 one
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)
_SAMPLE_BYTES = 1 << 16
_SAMPLE_CHARS = 20_000  # per window; three windows (head, middle, tail) are checked
_MAX_CONTROL_RATIO = 0.01
_MIN_PLAUSIBLE_RATIO = 0.95
_MIN_COMMON_HANZI_RATIO = 0.6

# C0 controls other than tab, newline, form feed and carriage return: text files hardly ever hold them,
# binary files are full of them (NUL above all).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Characters a Chinese report plausibly contains: ASCII, Latin-1 symbols, Greek/Cyrillic (both in GBK),
# general punctuation and symbols (①, Ⅱ, ■, →), CJK punctuation, kana, ideographs, fullwidth forms.
_IMPLAUSIBLE = re.compile(
    r"[^\t\n\r\f\x20-\x7e\u00a0-\u00ff\u0370-\u04ff\u2000-\u27bf\u2e80-\u9fff\uf900-\ufaff"
    r"\ufe30-\ufe4f\uff00-\uffef]"
)
_IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")


def _gb2312_level1() -> frozenset[str]:
    """The 3,755 most common hanzi (GB2312 level 1): real text is made of them, mojibake is not."""
    chars = set()
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            if high == 0xD7 and low > 0xF9:  # the end of row 55 is unassigned
                break
            chars.add(bytes((high, low)).decode("gb2312"))
    return frozenset(chars)


_COMMON_HANZI = _gb2312_level1()


@dataclass
class DecodedText:
    text: str
    encoding: str  # as recorded on RawDocument: "utf-8", "utf-8-sig", "gb18030", "utf-16-le", ...
    replaced: int = 0  # undecodable bytes replaced by U+FFFD (a few are tolerated, e.g. a cut-off tail)


class NotTextError(ValueError):
    """The bytes are not text in any encoding we can tell apart from noise."""


def decode_text(data: bytes) -> DecodedText:
    """Decode a text file's bytes. Raises NotTextError for binary data or an unknown encoding."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            # A BOM settles the encoding; only check that what follows is not garbage.
            decoded = _try(data[len(bom):], codec, name, chinese=False)
            if decoded is None:
                raise NotTextError(name)
            return decoded
    for codec in _candidates(data):
        decoded = _try(data, codec, codec, chinese=codec != "utf-8")
        if decoded is not None:
            return decoded
    raise NotTextError("unknown encoding")


def _candidates(data: bytes) -> list[str]:
    """Encodings to try, most likely first. NULs at one byte parity only are the mark of UTF-16."""
    head = data[:_SAMPLE_BYTES]
    nul_even, nul_odd = head[0::2].count(0), head[1::2].count(0)
    order = ["utf-8", "gb18030", "utf-16-le", "utf-16-be"]
    if nul_odd > 4 * nul_even:  # ASCII "a" is 61 00 in little-endian
        order.remove("utf-16-le")
        order.insert(0, "utf-16-le")
    elif nul_even > 4 * nul_odd:
        order.remove("utf-16-be")
        order.insert(0, "utf-16-be")
    return order


def _try(data: bytes, codec: str, name: str, chinese: bool) -> DecodedText | None:
    try:
        text, replaced = data.decode(codec), 0
    except UnicodeDecodeError:
        # Judge the head first, so a wrong guess costs a small decode rather than a full one.
        if _too_damaged(data[:_SAMPLE_BYTES].decode(codec, errors="replace")):
            return None
        text = data.decode(codec, errors="replace")
        if _too_damaged(text):
            return None
        replaced = text.count("\ufffd")
    sample = _sample(text)
    if sample and len(_CONTROL.findall(sample)) > _MAX_CONTROL_RATIO * len(sample):
        return None
    if chinese and not _reads_as_chinese(sample):
        return None
    return DecodedText(text, name, replaced)


def _too_damaged(text: str) -> bool:
    # Tolerate one bad byte per mille, plus a cut-off last character (an interrupted download or copy).
    return text.count("\ufffd") > len(text) // 1000 + text.endswith("\ufffd")


def _reads_as_chinese(sample: str) -> bool:
    if not sample:
        return True
    implausible = len(_IMPLAUSIBLE.findall(sample))
    if implausible > (1 - _MIN_PLAUSIBLE_RATIO) * len(sample):
        return False
    ideographs = _IDEOGRAPH.findall(sample)
    if not ideographs:
        return True
    common = sum(1 for char in ideographs if char in _COMMON_HANZI)
    return common >= _MIN_COMMON_HANZI_RATIO * len(ideographs)


def _sample(text: str) -> str:
    if len(text) <= 3 * _SAMPLE_CHARS:
        return text
    middle = len(text) // 2
    return text[:_SAMPLE_CHARS] + text[middle:middle + _SAMPLE_CHARS] + text[-_SAMPLE_CHARS:]
