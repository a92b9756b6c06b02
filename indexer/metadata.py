"""Document metadata: title, township, county, year reported on, signing date.

Reports name their township in many ways: in the title ("大桥瑶族乡2021年度…"), in a header
("蓟州区东赵各庄镇人民政府"), only in the body ("《李俊乡法治政府2020年工作要点》"), or only in slogans
("法治李庄", with "我乡" telling the suffix). Candidates are collected from all of these and scored by
where they stand; the sidecar `metadata.csv` overrides whatever extraction finds.
"""
from __future__ import annotations

import csv
import functools
import re
from collections import Counter
from pathlib import Path


from indexer.document import Metadata, Paragraph
from indexer.headings import cn_to_int

SIDECAR_NAME = "metadata.csv"

_HAN = r"\u4e00-\u9fff"
_TOWNSHIP_SUFFIX = re.compile(r"(街道办事处|街道|乡|镇|苏木)(?![村长镇里亲间下贤风情邻土野愁音规约道办])")
_COUNTY_SUFFIX = re.compile(r"(自治县|自治旗|新区|县|区|旗|市)")
# Characters that end a place name when scanning backwards from its suffix: function words, and
# higher-level units ("固原市原州区彭堡镇" → "彭堡").
_FUNCTION_CHARS = set("年度的了和是为在对将等及与从到向把被以于由按据经共")
_UNIT_CHARS = set("省市区县旗州盟")
_NAME_NOISE = re.compile(r"法治|法制|政府|建设|工作|开展|推进|创建|领导|管理|服务|发展|治理|宣传|党委|人民|社区|委员"
                         r"|示范|重点|特色|美丽|平安|文明|和谐|幸福|相关|所在|所属|辖区|周边|附近|其他|城乡|乡村|村镇"
                         r"|集镇|城镇|中心|民族|少数|贫困|开发|高新|全国|全省|全市|全县|全区|各级|上级|基层|本级")
_NOT_NAME_POS = {"p", "v", "vd", "vn", "r", "ad", "d", "c", "u", "i", "l", "a", "m", "q", "f", "t", "b", "zg", "y", "e",
                 "j"}
_MUNICIPALITIES = {"北京市", "上海市", "天津市", "重庆市"}
_STRONG_AFTER = re.compile(r"人民政府|党委|党工委|委员会|政府|办事处|\d{4}\s*年|法治政府|关于")
_SLOGAN = re.compile(rf"(?:法治|美丽|平安|幸福|和谐|文明|数字|智慧)([{_HAN}]{{2,3}})[”\"」]")
_IS_HAN = re.compile(rf"[{_HAN}]")
_SELF = re.compile(r"(?:我|全|本)(街道|乡|镇)")
_YEAR = re.compile(r"(20\d\d|19\d\d)\s*年")
_REPORT_YEAR = re.compile(r"(?:关于|现将|将|^)[^。]{0,20}?(20\d\d)\s*年度?[^。]{0,20}?(?:法治政府|依法行政|法治建设)")
_DATE = re.compile(r"(\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月\s*"
                   r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日")
_TITLE_WORDS = re.compile(r"报告|汇报|总结|情况")


def extract_metadata(paragraphs: list[Paragraph]) -> Metadata:
    title = _title(paragraphs)
    township = _township(paragraphs, title)
    return Metadata(title=title, township=township, county=_county(paragraphs, title, township),
                    year=_year(paragraphs, title), signed=_signed(paragraphs))


def _title(paragraphs: list[Paragraph]) -> str | None:
    front = [p.text for p in _front_matter(paragraphs)]
    for index, text in enumerate(front):
        # "现将有关情况报告如下：" leads into the body, as an addressee ends with a colon: neither is a title.
        if _TITLE_WORDS.search(text) and len(text) <= 80 and not text.endswith(("：", ":")):
            header = front[index - 1] if index else ""
            if header.endswith(("人民政府", "办事处", "委员会")) and not _TOWNSHIP_SUFFIX.search(text):
                return header + text  # "蓟州区东赵各庄镇人民政府" + "2020年度法治政府建设情况报告"
            return text
    return None


def _front_matter(paragraphs: list[Paragraph]) -> list[Paragraph]:
    front = []
    for paragraph in paragraphs:
        if paragraph.chunkable or paragraph.heading is not None:
            break
        front.append(paragraph)
    return front


def _township(paragraphs: list[Paragraph], title: str | None) -> str | None:
    scores: Counter[str] = Counter()
    head = [p.text for p in _front_matter(paragraphs)]
    body = [p.text for p in paragraphs]
    # Names in the title and header are trusted as written; names in running text must not be common words.
    for text, weight in [(title or "", 6)] + [(t, 3) for t in head] + [(t, 1) for t in body]:
        for name, context_score in _township_candidates(text, check_words=weight == 1):
            scores[name] += weight * context_score
    self_suffix = _self_suffix(body)
    if self_suffix:
        for text in body:
            for match in _SLOGAN.finditer(text):
                name = match.group(1) + self_suffix
                if not _NAME_NOISE.search(match.group(1)):
                    scores[name] += 2
    scores = Counter({name: score for name, score in scores.items() if score >= 2})
    return scores.most_common(1)[0][0] if scores else None


def _township_candidates(text: str, check_words: bool):
    for match in _TOWNSHIP_SUFFIX.finditer(text):
        core = _name_before(text, match.start())
        if core is None or (check_words and not _not_a_common_word(core)):
            continue
        suffix = "街道" if match.group(1) == "街道办事处" else match.group(1)
        after = text[match.end():match.end() + 8]
        before = text[:match.start() - len(core)]
        score = 1
        if _STRONG_AFTER.match(after):
            score += 2
        if not before or before.endswith(("区", "县", "市", "旗", "《", "中共")):
            score += 1
        yield core + suffix, score


def _name_before(text: str, end: int, max_length: int = 6) -> str | None:
    """The place name that ends at `end`, scanning back to a function word or a higher-level unit.

    A unit character stays in a name that would otherwise be too short: "中共沙市镇" → "沙市".
    """
    start = end
    while start > 0 and end - start < max_length:
        char = text[start - 1]
        if not _IS_HAN.match(char) or char in _FUNCTION_CHARS:
            break
        if char in _UNIT_CHARS and end - start >= 2:
            break
        start -= 1
    core = text[start:end]
    while core and core[0] in "我全本该各此其每":
        core = core[1:]
    if len(core) < 2 or _NAME_NOISE.search(core):
        return None
    return core


@functools.lru_cache(maxsize=4096)
def _not_a_common_word(core: str) -> bool:
    """Reject verbs and function words in front of a unit word: "深化街道党工委"."""
    tokens = list(_tagger().cut(core))
    return not any(token.flag in _NOT_NAME_POS for token in tokens)


def _longest_known_place(core: str, suffix: str) -> str | None:
    """"邀请武清" + "区" → "武清区": the longest tail of `core` that names a known place."""
    for length in range(len(core), 1, -1):
        if _known_place(core[-length:] + suffix):
            return core[-length:] + suffix
    return None


@functools.lru_cache(maxsize=4096)
def _known_place(name: str) -> bool:
    """jieba's dictionary knows most county names: "海原县", "蓟州/区", "宝丰县" (tagged as a name)."""
    tokens = list(_tagger().cut(name))
    return tokens[0].flag in {"ns", "nr", "nz"} and (len(tokens) == 1 or "".join(t.word for t in tokens[1:])
                                                     in {"县", "区", "市", "旗", "新区", "自治县"})


def _self_suffix(texts: list[str]) -> str | None:
    counts = Counter(match.group(1) for text in texts for match in _SELF.finditer(text))
    return counts.most_common(1)[0][0] if counts else None


def _county(paragraphs: list[Paragraph], title: str | None, township: str | None) -> str | None:
    scores: Counter[str] = Counter()
    texts = [title or ""] + [p.text for p in paragraphs]
    for index, text in enumerate(texts):
        for match in _COUNTY_SUFFIX.finditer(text):
            suffix = match.group(1)
            core = _name_before(text, match.start(), max_length=10 if suffix == "自治县" else 4)
            if core is None:
                continue
            after = text[match.end():match.end() + 12]
            if township and after.startswith(township):
                name, score = core + suffix, 6.0  # "原州区彭堡镇"
            else:
                name = _longest_known_place(core, suffix)
                if name is None:
                    continue
                score = 3.0 if re.match(r"人民政府|委(?!员)|政府", after) else 1.0
            if name in _MUNICIPALITIES or (township and township.startswith(name)):
                continue  # "沙市镇" has no county "沙市"
            if suffix == "市":
                score /= 2  # more often the prefecture above the county than a county-level city
            scores[name] += score * (2 if index == 0 else 1)
    best = scores.most_common(1)
    return best[0][0] if best and best[0][1] >= 1 else None


def _year(paragraphs: list[Paragraph], title: str | None) -> int | None:
    if title:
        match = _YEAR.search(title)
        if match:
            return int(match.group(1))
    for paragraph in paragraphs[:6]:
        match = _REPORT_YEAR.search(paragraph.text)
        if match:
            return int(match.group(1))
    signed = _signed(paragraphs)
    counts = Counter(int(m.group(1)) for p in paragraphs if p.chunkable for m in _YEAR.finditer(p.text))
    if signed:
        counts.pop(int(signed[:4]), None) if len(counts) > 1 else None
    return counts.most_common(1)[0][0] if counts else None


def _signed(paragraphs: list[Paragraph]) -> str | None:
    for paragraph in reversed(paragraphs[-4:]):
        if len(paragraph.text) > 40:
            continue
        match = _DATE.search(paragraph.text)
        if match:
            year, month, day = (_number(group) for group in match.groups())
            if year and month and day and 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if len(text) == 4:  # "二〇二二": digit by digit
        digits = [cn_to_int(c) for c in text]
        return None if None in digits else int("".join(str(d) for d in digits))
    return cn_to_int(text)


def read_sidecar(corpus_root: Path) -> dict[str, dict[str, str]]:
    """Rows of `metadata.csv` keyed by file (relative path or bare file name). Raises ValueError if malformed."""
    path = corpus_root / SIDECAR_NAME
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "file" not in reader.fieldnames:
            raise ValueError(f"{SIDECAR_NAME} 缺少表头 file（应为 file,township,county,year,title）")
        return {row["file"].strip(): row for row in reader if row.get("file")}


def sidecar_row(sidecar: dict[str, dict[str, str]], relative: str) -> dict[str, str] | None:
    """The row for a file, by its path relative to the corpus folder or by its bare name."""
    return sidecar.get(relative) or sidecar.get(relative.rsplit("/", 1)[-1])


def apply_sidecar(metadata: Metadata, row: dict[str, str] | None) -> Metadata:
    """Fields given in the sidecar row replace the extracted ones."""
    if not row:
        return metadata
    overridden = []
    for field in ("title", "township", "county", "year"):
        value = (row.get(field) or "").strip()
        if not value:
            continue
        if field == "year":
            if not value.isdigit():
                continue
            value = int(value)
        setattr(metadata, field, value)
        overridden.append(field)
    metadata.overridden = tuple(overridden)
    return metadata


def _tagger():
    """jieba's default tagger, imported when a document is first read: importing it reads jieba's whole
    dictionary (about 1 s), which a build with no new file and the search side never need."""
    import jieba.posseg

    return jieba.posseg
