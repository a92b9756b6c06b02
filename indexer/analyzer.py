"""One tokeniser for indexing, querying and highlighting: jieba in search mode with the genre's dictionary.

Text is folded character by character (full-width ASCII to ASCII, lower case) so that token spans stay
valid positions in the original text. Queries additionally lose their question scaffolding (哪些乡镇,
怎么, 有没有 …) and gain the official wording for everyday words (律师 → 法律顾问) at a lower weight.
"""
from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass
from importlib import resources

import jieba

RESOURCE_PACKAGE = "indexer.resources"
SYNONYM_WEIGHT = 0.6

_STOPWORDS = set("""
的 了 和 与 及 或 等 是 在 对 为 将 把 被 以 于 由 从 到 向 并 也 都 而 且 之 其 这 那 该 各 每 此 有 个 中 上 下
我 我们 你 他 她 它 他们 一 一是 二是 三是 四是 五是 六是 进一步 不断 切实 认真 积极 全面 深入 扎实 持续 大力
进行 开展 工作 加强 推进 推动 坚持 落实 做好 做到 通过 按照 根据 结合 围绕 有效 相关 有关 方面 情况 问题
""".split())
# Parts of speech that never carry what a question asks about: prepositions (给, 用, 通过), conjunctions
# (或者), particles, localisers (里, 之前), pronouns (大家, 自己), adverbs (先), classifiers, interjections.
_FUNCTION_POS = ("p", "c", "u", "f", "r", "d", "q", "y", "e", "o")
# Everyday glue words of questions that official reports never use for the thing itself.
_COLLOQUIAL = set("""搞 弄 干 做 办 大家 一起 办法 事 事情 东西 的事 干的事 面向 时候 的时候 顺带 顺便 这么 那么
下去 下来 上来 进来 出来 过来 坐下""".split())
# A quantity ("一年", "两次", "三个"): how much is asked about, not what.
_QUANTITY = re.compile(r"^[一二两三四五六七八九十百千万几半每]+[年月周天日次个名件场回遍届期份批]$")
# Question scaffolding: asks *how* or *which*, never evidence the reports contain.
_SCAFFOLDING = re.compile(
    r"(?:哪些|哪个|哪几个|有的|别的|其他|其它)地方|哪些|哪个|哪几个|哪家|哪里|哪儿|什么|怎么样|怎么|怎样|如何|有没有|有无|是否|是不是|多少|几个|几次|几名|几份"
    r"|吗|呢|么|请问|请列出|列出|告诉我|介绍一下|介绍|一下|情况如何|做了|都有|有哪些|用起来|起来了|了没"
    r"|乡镇街道|乡镇|街道|各乡|各镇|别的|其他|其它|比如|例如|譬如")
# A short quoted name in a question names one thing: "闽执法", "万名党员进党校". So does the title of a law
# (《行政处罚法》), which reports cite with or without 中华人民共和国.
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,12})[”\"」』]|《(?:中华人民共和国)?([^》]{2,12})》")
QUOTED_FLAG = "nz_quoted"
TITLE_FLAG = "nz_title"
_WORD_CHARS = re.compile(r"[\w\u4e00-\u9fff]")
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20

logging.getLogger("jieba").setLevel(logging.WARNING)
jieba.setLogLevel(logging.WARNING)


@dataclass(frozen=True)
class Token:
    term: str
    start: int
    end: int


class Analyzer:
    """Thread-safe after construction; build one per process with `get_analyzer()`."""

    def __init__(self, terms: list[str], synonyms: dict[str, list[str]]):
        self._terms, self._synonym_table = terms, synonyms
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        # jieba's dictionary (about 1 s to load) and tagger are loaded on first use: a build with nothing new to
        # tokenise needs only `version`, and only questions need parts of speech.
        self._ready = None
        self._pos = None
        self.synonyms = {fold(k): [fold(v) for v in values] for k, values in synonyms.items()}
        self.version = _version(terms, synonyms)

    @property
    def _jieba(self) -> jieba.Tokenizer:
        """The tokenizer with our dictionary, loaded once (its own lock: callers may hold self._lock)."""
        if self._ready is None:
            with self._load_lock:
                if self._ready is None:
                    tokenizer = jieba.Tokenizer()
                    tokenizer.initialize()
                    for term in self._terms:
                        tokenizer.add_word(fold(term), freq=200000, tag="n")
                    for official in {t for values in self._synonym_table.values() for t in values} | set(
                            self._synonym_table):
                        if official not in self._terms:
                            tokenizer.add_word(fold(official), freq=200000)
                    self._ready = tokenizer
        return self._ready

    def tokens(self, text: str) -> list[Token]:
        """Search-mode tokens with spans in `text`: "法律顾问" yields 法律, 顾问 and 法律顾问."""
        folded = fold(text)
        with self._lock:
            pieces = list(self._jieba.tokenize(folded, mode="search"))
        return [Token(word, start, end) for word, start, end in pieces if _is_term(word)]

    def terms(self, text: str) -> list[str]:
        return [token.term for token in self.tokens(text)]

    def query_terms(self, question: str) -> dict[str, float]:
        """Weighted keyword terms of a question: scaffolding removed, official synonyms added."""
        folded = fold(question)
        stripped = _SCAFFOLDING.sub(" ", folded)
        weights: dict[str, float] = {}
        for term in self.terms(stripped):
            weights[term] = 1.0
        for everyday, officials in self.synonyms.items():
            if everyday in folded:
                for official in officials:
                    for term in self.terms(official):
                        weights.setdefault(term, SYNONYM_WEIGHT)
        return weights


    def query_concepts(self, question: str) -> list["Concept"]:
        """The question's content words, each with the official wordings that may stand for it.

        "哪些乡镇聘请了律师" → 聘请 and 律师 (also 法律顾问, 公职律师). A passage covers a concept fully when it
        contains one of its forms, partly when it contains some of the word's parts (宪法 of 宪法宣传);
        answers use this to tell evidence from passing mentions.
        """
        concepts: dict[str, Concept] = {}
        for word, flag in self.question_words(question):
            concept = self.concept(word, flag)
            if concept is not None:
                concepts.setdefault(word, concept)
        return list(concepts.values())

    def question_words(self, question: str) -> list[tuple[str, str]]:
        """(word, part of speech) for the whole question once folded and stripped of its scaffolding,
        punctuation included, so that callers can see how the words are strung together."""
        stripped = _SCAFFOLDING.sub(" ", fold(question))
        words: list[tuple[str, str]] = []
        with self._lock:
            for i, piece in enumerate(_QUOTED.split(stripped)):
                if i % 3:  # a quoted name or a title is one word, however jieba would cut it
                    if piece:
                        words.append((piece, QUOTED_FLAG if i % 3 == 1 else TITLE_FLAG))
                elif piece:
                    words.extend((pair.word, pair.flag) for pair in self._pos_tokenizer().lcut(piece))
        return words

    def _pos_tokenizer(self):
        """jieba's part-of-speech tagger over our tokenizer; call with the lock held.

        Importing jieba.posseg reads jieba's 350k-line dictionary into a word → tag table for its own default
        tagger (about 1 s), and a new POSTokenizer would read it again; ours shares a copy of that table, read
        from the same file, so the tags are the same."""
        if self._pos is None:
            import jieba.posseg

            self._pos = _shared_tags_tokenizer_class()(self._jieba, jieba.posseg.dt.word_tag_tab)
        return self._pos

    def concept(self, word: str, flag: str) -> "Concept | None":
        """The concept a question word stands for, or None for function words and everyday glue."""
        if not _is_term(word) or flag.startswith(_FUNCTION_POS) or word in _COLLOQUIAL or _QUANTITY.match(word):
            return None
        forms = (word, *self.synonyms.get(word, ()))
        if len(word) == 1:
            # One character is part of too many words to be evidence on its own (点 in 重点, 管 in 管理):
            # it counts only through its longer official wordings, if it has any.
            forms = tuple(f for f in forms if len(f) > 1)
            if not forms:
                return None
        quoted = flag in (QUOTED_FLAG, TITLE_FLAG)
        # A quoted name is meant as written: its pieces ("法治" of “法治××”) are not the name. A title's pieces
        # (行政处罚 of 行政处罚法) still tell how rare it is.
        parts = (tuple(t for t in self.terms(word) if t != word and len(t) >= 2)
                 if len(word) >= 3 and flag != QUOTED_FLAG else ())
        return Concept(word, forms, parts, is_verb=flag in ("v", "vd"), verbal=flag.startswith("v"),
                       quoted=quoted)


def _shared_tags_tokenizer_class():
    import jieba.posseg

    class SharedTagsTokenizer(jieba.posseg.POSTokenizer):
        def __init__(self, tokenizer, word_tag_tab: dict):
            self.tokenizer = tokenizer
            self.word_tag_tab = dict(word_tag_tab)  # our domain words' tags are merged into this copy

    return SharedTagsTokenizer


@dataclass(frozen=True)
class Concept:
    word: str
    forms: tuple[str, ...]  # any of these in a sentence covers the concept
    parts: tuple[str, ...]  # sub-words of a compound, for partial cover
    is_verb: bool = False  # "聘请" in 聘请法律顾问: the object carries the evidence, the verb varies
    verbal: bool = False  # a verb or verbal noun (培训, 宣传): names an action, not what it acts on
    quoted: bool = False  # named in quotes by the asker ("闽执法"): the most specific thing asked about


def is_glue(word: str, flag: str) -> bool:
    """A word that is no concept yet part of the phrase it stands in: everyday glue (搞, 弄) and single
    characters without an official wording (报 in 报了备案), as opposed to function words and punctuation."""
    return _is_term(word) and not flag.startswith(_FUNCTION_POS) and (word in _COLLOQUIAL or len(word) == 1)


def fold(text: str) -> str:
    """Length-preserving normalisation: full-width ASCII to ASCII, lower case."""
    folded = text.translate(_FULLWIDTH)
    lowered = folded.lower()
    return lowered if len(lowered) == len(folded) else folded


def _is_term(word: str) -> bool:
    return word not in _STOPWORDS and bool(_WORD_CHARS.search(word))


def _version(terms: list[str], synonyms: dict[str, list[str]]) -> str:
    digest = hashlib.sha256()
    for term in terms:
        digest.update(term.encode() + b"\n")
    for key in sorted(synonyms):
        digest.update(f"{key}\t{','.join(synonyms[key])}\n".encode())
    digest.update(" ".join(sorted(_STOPWORDS)).encode())
    return digest.hexdigest()[:12]


def load_terms() -> list[str]:
    text = resources.files(RESOURCE_PACKAGE).joinpath("domain_terms.txt").read_text(encoding="utf-8")
    return [line.split()[0] for line in text.splitlines() if line.strip() and not line.startswith("#")]


def load_synonyms() -> dict[str, list[str]]:
    text = resources.files(RESOURCE_PACKAGE).joinpath("synonyms.tsv").read_text(encoding="utf-8")
    synonyms: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        everyday, _, officials = line.partition("\t")
        synonyms[everyday.strip()] = [o.strip() for o in officials.split(",") if o.strip()]
    return synonyms


_default: Analyzer | None = None
_default_lock = threading.Lock()


def get_analyzer() -> Analyzer:
    global _default
    with _default_lock:
        if _default is None:
            _default = Analyzer(load_terms(), load_synonyms())
        return _default
