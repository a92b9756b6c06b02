"""What a question asks a sentence to contain: alternatives, each a list of slots.

- "A，或者B" asks for either clause: each clause is an alternative, judged on its own.
- A list names things any one of which will do: "用广播、电子大屏这些来放普法宣传", "请了律师、法律专家或者司法所
  的人", "培育或培训了法律明白人". The listed items form one slot, filled by whichever item a sentence contains;
  the words around the list stay slots of their own, since every item shares them.
- Everything else is one slot per content word.
- What the question says about itself is not asked of a sentence (asked_part): a preamble before a colon
  ("我们想学一学："), what it rules out ("而不只是念念文件", "除了国家层面的法律，"), and where the answer is expected
  ("在报告里承认", "在下一步打算里提出要"; the latter also sets the answer's focus, question_focus).
- Examples ("比如…", "（…）") illustrate: the clause is also read without them, and names in quotes alone.

Items are found without a parser: an item is the run of content words next to its separator (、 or a bare 或),
stopped by any function word, particle or punctuation. Inner items are the whole stretch between two
separators, and outer items are no longer than the inner ones, as listed items are alike. A list with an item
of more than MAX_ITEM_WORDS words is more likely a list of whole predicates ("下到村里、上老百姓家里去送法、
讲法律"): its words are then kept as plain slots, as if there were no list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.analyzer import Concept, is_glue

_CLAUSE_ALTERNATIVE = re.compile(r"[，,；;]\s*(?:或者|或是|或)(?=[\u4e00-\u9fff])")
_BARE_OR = re.compile(r"或者|或是|或(?=[\u4e00-\u9fff])")
# The end of a time clause within a clause: "接待上访时", "开会的时候", "出台文件之前".
_OCCASION_END = re.compile(r"^[^，,；;：:。？?]*?(?:的时候|时候|之时|(?<![及同按准适随定实临当暂])时(?![间效限])|之前|以前|"
                           r"之后|以后|期间|过程中)")
_AFTER_PUNCTUATION = re.compile(r"[，,；;：:（(]")
_LIST_SEPARATORS = {"、", "或", "或者", "或是", "/"}
_PERFECTIVE = "了"  # "报了备案": an item that is a whole predicate runs on past 了
MAX_ITEM_WORDS = 3
MIN_SLOTS_WITHOUT_EXAMPLES = 2

_TOWNSHIP_QUESTION = re.compile(r"哪些|哪个|哪几个|哪几|哪家|哪里|都有谁|有谁|谁家|多少个(?:乡|镇|街道)|几个(?:乡|镇|街道)")
_SHORTCOMING = re.compile(r"不足|短板|薄弱|不高|不够|不强|不平衡|不充分|不到位|欠缺|滞后|差距|困难|承认|存在(?:的)?问题")
# What a question says about itself rather than about the practice: where the answer is written
# ("在报告里承认", "在下一步工作安排里提出要"), why it is asked ("我们想学一学：", "写年度总结想找参考："), and what
# it rules out ("而不只是念念文件", "除了国家层面的法律，").
_PLAN_FRAME = re.compile(r"(?:在|从)?(?:下一步|下步|今后|明年|来年|下一年度?|接下来|新的一年|下一?阶段)(?:的)?(?:工作)?"
                         r"(?:安排|打算|计划|部署|思路|规划)?(?:里面|里|中|上)?(?:都|还)?"
                         r"(?:提出|提到|说|写|表示|明确|准备|打算|计划)?(?:了)?(?:要|将|会)?")
_PLAN_VERB = re.compile(r"(?:打算|准备|计划|拟)(?:要|将)?(?=在|把|对|进一步|继续|加强|推进|开展|建立|完善|健全|提升|提高|"
                        r"加大|落实|探索|推动|深化|建设|组织|设立|成立|引入|聘请)")
_REPORT_FRAME = re.compile(r"(?:在)?(?:年度)?(?:报告|总结|材料)(?:里面|里|中|上)(?:都)?(?:提到|提出|写到|写明|写了|交代|列出|说|讲|"
                           r"坦言|指出|承认|明确)?(?:了)?|承认(?:了)?|坦言")
_CONTRAST = re.compile(r"[，,]?\s*(?:而)?(?:不只是|不仅仅是|不仅是|不光是|不单是|而不是|并不是|不是只|不是光)[^，,。；;？?！!]*")
_EXCEPT = re.compile(r"除了[^，,。；;？?！!]*?(?:以外|之外|外)?[，,]")
# Examples a question gives of what it asks ("，比如聘请执法监督员、开展执法专项督查", "（比如“万名党员进党校”）").
_EXAMPLE = re.compile(r"[（(]\s*(?:比如|例如|譬如|诸如)?[^（()）]*[）)]|(?:[，,]\s*(?:像是|像)|(?:[，,]\s*)?(?:比如|例如|譬如|诸如))"
                      r"[^，,。；;？?！!]*")
_QUOTE_MARK = re.compile(r"[“\"「『《]")
_PREAMBLE = re.compile(r"^[^：:？?]*[：:]")
_HAS_ANY = re.compile(r"有没有|有无|是否有")
# An asking clause that points back at the clause before it ("碰到这种情况该怎么处理") needs that clause, and so
# does one after its topic ("像……这种大事，", "对于……，") or its time or occasion ("出规范性文件之前，").
_BACK_REFERENCE = re.compile(r"这[一两二三四五几]?(?:种|类|些|样|项|个|么|件|方面|块)|此类|上述|该类|它们|他们|她们")
_TOPIC_OR_OCCASION = re.compile(r"^(?:像|对于|关于|针对|对)|(?:这种|这些|这类|此类|这样的)[\u4e00-\u9fff]{0,6}$|"
                                r"(?:之前|以前|前|之后|以后|后|时候|时|期间|过程中|那几年|那些年)$")
_CLAUSE_ENDS = "，,：:；;。？?！!—"
# Verbs that say nothing of what was done ("哪些地方已经在落实了").
_GENERIC = re.compile(r"已经|已|都|在|了|落实|开展|推进|执行|实行|做|搞|有|是|过")
# What an asking clause says when it asks only whether reports mention the subject named before it.
_MENTION_ONLY = re.compile(r"(?:在)?(?:报告|总结)?(?:里|中)?(?:都|也)?(?:提到|提及|说到|写到|讲到|承认|谈到|有)(?:了|过)?|乡镇|街道|[吗呢？?]")
_TOPIC_PREFIX = re.compile(r"^(?:请问|请列出|列出)?(?:有)?(?:哪些|哪个|哪几个|哪几|哪家|多少个|几个)"
                           r"(?:乡镇街道|乡镇|街道|乡|镇|单位|地方)?(?:都|还|已经|已)?")


@dataclass(frozen=True)
class Slot:
    """One thing a sentence should say, in any of several ways; each option is a group of concepts that
    together say it (专项 + 执法 + 行动)."""

    options: tuple[tuple[Concept, ...], ...]

    @classmethod
    def of(cls, concept: Concept) -> "Slot":
        return cls(((concept,),))

    @property
    def word(self) -> str:
        return "或".join("".join(c.word for c in option) for option in self.options)

    @property
    def concepts(self) -> list[Concept]:
        return [c for option in self.options for c in option]


def is_township_question(question: str) -> bool:
    return bool(_TOWNSHIP_QUESTION.search(question))


_YES_NO_QUESTION = re.compile(r"有没有|是否|有无|是不是|了没有|了没|吗[？?。]?$")


def asks_yes_no(question: str) -> bool:
    """"执法过程有没有用执法记录仪全程记录": answered by who did it, like a "哪些乡镇…" question."""
    return bool(_YES_NO_QUESTION.search(question.strip()))


_HOW_QUESTION = re.compile(r"怎么|怎样|如何|咋|什么(?:做法|办法|措施|方式|经验)|哪些(?:做法|办法|措施|方式|经验)")


def asks_how(question: str) -> bool:
    """"村里的矛盾纠纷一般怎么调解的": the asker wants the way it is done, which paragraphs describe; a count
    ("调解纠纷56起") does not answer it."""
    return bool(_HOW_QUESTION.search(question))


def asks_about_shortcomings(question: str) -> bool:
    """"哪些乡镇承认干部法律素质不高": the answer is in what reports name as their shortcomings. A clause before
    the one that asks ("普法光靠司法所一家不够，哪些乡镇是…") gives the asker's reason, not what is asked, unless the
    asking clause says nothing of its own ("干部法律素质不高，哪些乡镇提到了？")."""
    return bool(_SHORTCOMING.search(_asking_clause(question)))


def _asking_clause(question: str) -> str:
    """The question from the clause with 哪些/有没有… on, if that clause asks more than "哪些乡镇提到了"."""
    split = _split_at_asking(question, "，,：:；;")
    if split is None:
        return question
    _, clause, own = split
    return clause if _chinese_length(_MENTION_ONLY.sub("", own)) >= 4 else question


def _without_reason(question: str) -> str:
    """The question without a clause before the asking one that gives the asker's reason ("民法典跟基层工作天天
    打交道，哪些乡镇组织干部学过《民法典》"), if the asking clause says what is asked on its own: it does not point
    back ("碰到这种情况", "让它们也参与"), and what comes before is neither its topic ("像产业规划、大额资金这种
    大事，") nor its time or occasion ("出规范性文件之前，", "梳理履职事项清单的时候，")."""
    split = _split_at_asking(question, _CLAUSE_ENDS)
    if split is None:
        return question
    before, clause, own = split
    before = before.rstrip(_CLAUSE_ENDS + " ")
    if (not before or _chinese_length(_GENERIC.sub("", _MENTION_ONLY.sub("", own))) < 4
            or _BACK_REFERENCE.search(clause) or _TOPIC_OR_OCCASION.search(before)):
        return question
    return clause


def _split_at_asking(question: str, marks: str) -> tuple[str, str, str] | None:
    """(what comes before the asking clause, the asking clause, what it says after 哪些乡镇), split at the last
    of `marks` before 哪些/有没有…; None if the question does not ask that way."""
    asking = _TOWNSHIP_QUESTION.search(question) or _HAS_ANY.search(question)
    if not asking:
        return None
    start = max(question.rfind(mark, 0, asking.start()) for mark in marks) + 1
    return question[:start], question[start:], _TOPIC_PREFIX.sub("", question[asking.start():])


def _chinese_length(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", text))


def asks_about_plans(question: str) -> bool:
    """"哪些乡镇在下一步打算里提出要完善学法制度": the answer is in what reports plan, not in what they did."""
    return bool(_PLAN_FRAME.search(question)) or bool(_PLAN_VERB.search(question))


def question_focus(question: str) -> str:
    """What the main list of an answer is made of: "plans", "shortcomings" or "deeds"."""
    if asks_about_plans(question):
        return "plans"
    return "shortcomings" if asks_about_shortcomings(question) else "deeds"


def asked_part(question: str) -> str:
    """The question without what it says about itself: a preamble before a colon, the place in the report
    the answer is expected ("在报告里承认", "在下一步打算里提出要"), and what it rules out ("而不只是念念文件",
    "除了国家层面的法律，"). Only what remains is asked of a sentence."""
    text = question.strip()
    preamble = _PREAMBLE.match(text)
    if preamble and not is_township_question(preamble.group(0)) and len(text) - preamble.end() >= 6:
        text = text[preamble.end():]
    text = _without_reason(text)
    for pattern in (_CONTRAST, _EXCEPT, _PLAN_FRAME, _PLAN_VERB, _REPORT_FRAME):
        text = pattern.sub("", text)
    return text or question


_YES_NO_WORDS = re.compile(r"(?:有没有|有无|是否有|是否|是不是)(?:乡镇街道|乡镇|街道)?|(?:了没有|了没|没有|了?吗)$")


def topic_of(question: str) -> str:
    """"哪些乡镇聘请了法律顾问？" → "聘请法律顾问"; "执法过程有没有用执法记录仪全程记录" → "执法过程用执法记录仪全程记录"."""
    topic = _TOPIC_PREFIX.sub("", asked_part(question).rstrip("？?。！!"))
    topic = _YES_NO_WORDS.sub("", topic)
    return re.sub(r"了(?=[\u4e00-\u9fff])", "", topic) or question


def alternatives_of(question: str) -> list[str]:
    """"哪些乡镇给执法人员培训，或者组织执法资格考试" asks for either clause."""
    parts = [part for part in _CLAUSE_ALTERNATIVE.split(question) if part.strip()]
    return parts if len(parts) > 1 else [question]


def question_slots(analyzer, question: str) -> list[list[Slot]]:
    """The slots of each alternative the question asks for (alternatives with no content word are dropped).

    A bare 或 is read both ways when it may join two predicates ("作出了具体规定或制定了执法制度细则"): as a list
    within one alternative, and as two alternatives of their own.
    """
    alternatives = []
    for clause in alternatives_of(asked_part(question)):
        alternatives.append(_slots(analyzer, clause))
        alternatives.extend(_slots(analyzer, part) for part in _predicates(analyzer, clause))
        without, quoted = _example_readings(clause)
        if without is not None and len(plain := _slots(analyzer, without)) >= MIN_SLOTS_WITHOUT_EXAMPLES:
            alternatives.append(plain)
        alternatives.extend(_slots(analyzer, reading) for reading in quoted)
    return [slots for slots in alternatives if slots]


def _example_readings(clause: str) -> tuple[str | None, list[str]]:
    """Examples illustrate what is asked; they do not narrow it. "加强了行政执法监督，比如聘请执法监督员" is
    also answered by a sentence on 行政执法监督 alone (if that alone still says something: not "管了村里的钱"),
    and when the examples are names in quotes ("比如福建的“闽执法”", "叫什么“课堂”“书记论坛”的"), by a sentence
    naming one of them. Returns the clause without its examples (None if it has none) and the quoted ones."""
    examples = list(_EXAMPLE.finditer(clause))
    if not examples:
        return None, []
    return _EXAMPLE.sub("", clause), [m.group(0) for m in examples if _QUOTE_MARK.search(m.group(0))]


def _predicates(analyzer, clause: str) -> list[str]:
    """The two sides of a bare 或 when both may be whole predicates, each with a thing of its own: not items of
    a 、 list ("律师、法律专家或者司法所"), and not verbs sharing the object that follows ("组织学习或宣传了反有组织
    犯罪法"). The side after 或 keeps what stood before the side before it ("让法律顾问帮着化解矛盾纠纷或处理信访":
    法律顾问 处理 信访); when the two sides are the time of what follows ("在调解纠纷或者接待上访时请了心理咨询师"),
    the side before 或 keeps what follows too (调解纠纷 … 请了心理咨询师)."""
    parts = _BARE_OR.split(clause)
    if len(parts) != 2:
        return []
    if "、" in _AFTER_PUNCTUATION.split(parts[0])[-1] or "、" in re.split(r"[，,；;：:）)]", parts[1])[0]:
        return []
    sides = [analyzer.query_concepts(part) for part in parts]
    if any(len(side) < 2 or all(c.verbal for c in side) for side in sides):
        return []
    words = analyzer.question_words(parts[0])
    concepts = [analyzer.concept(word, flag) for word, flag in words]
    item = _run(words, concepts, len(words) - 1, -1, MAX_ITEM_WORDS)
    before = "".join(word for word, _ in words[:item[0]]) if item else ""
    occasion = _OCCASION_END.search(parts[1])
    after = parts[1][occasion.end():] if occasion else ""
    return [parts[0] + after, before + parts[1]]


def _slots(analyzer, text: str) -> list[Slot]:
    words = analyzer.question_words(text)
    concepts = [analyzer.concept(word, flag) for word, flag in words]
    listed = _lists(words, concepts)
    slots: list[Slot] = []
    seen: set[str] = set()
    listed += _quoted_runs(words, concepts, listed)
    in_list = {i for items in listed for item in items for i in item}
    position_of_list = {min(i for item in items for i in item): items for items in listed}
    for i, concept in enumerate(concepts):
        if i in position_of_list:
            items = position_of_list[i]
            slots.append(Slot(tuple(tuple(concepts[j] for j in item) for item in items)))
        elif concept is not None and i not in in_list and concept.word not in seen:
            seen.add(concept.word)
            slots.append(Slot.of(concept))
    return slots


def _quoted_runs(words, concepts, listed) -> list[list[list[int]]]:
    """Names in quotes one after the other ("“课堂”“书记论坛”“法治讲堂”") are a list without separators."""
    taken = {i for items in listed for item in items for i in item}
    runs, run = [], []
    for i, concept in enumerate(concepts + [None]):
        if concept is not None and concept.quoted and i not in taken:
            run.append(i)
            continue
        if len(run) > 1:
            runs.append([[j] for j in run])
        run = []
    return runs


def _lists(words: list[tuple[str, str]], concepts: list[Concept | None]) -> list[list[list[int]]]:
    """Lists in the question, each as its items, each item as the positions of its content words."""
    separators = [i for i, (word, _) in enumerate(words) if word in _LIST_SEPARATORS]
    chains: list[list[int]] = []
    for i in separators:
        between = range(chains[-1][-1] + 1, i) if chains else range(0)
        if chains and all(concepts[j] is not None for j in between) and between:
            chains[-1].append(i)
        else:
            chains.append([i])
    lists = []
    for chain in chains:
        inner = [[j for j in range(a + 1, b) if concepts[j] is not None] for a, b in zip(chain, chain[1:])]
        limit = min([len(item) for item in inner] + [MAX_ITEM_WORDS])
        first = _run(words, concepts, chain[0] - 1, -1, limit)
        last = _run(words, concepts, chain[-1] + 1, +1, limit, through_perfective=_is_thing(concepts, first),
                    verbs_only=bool(first) and all(concepts[i].is_verb for i in first))
        items = [first, *inner, last]
        if all(items) and all(len(item) <= MAX_ITEM_WORDS for item in items):
            lists.append(items)
    return lists


def _run(words, concepts, start: int, step: int, limit: int, through_perfective: bool = False,
         verbs_only: bool = False) -> list[int]:
    """Positions of the content words next to a separator, going outwards from `start`. Glue before the
    item ("搞村务公开", "报了备案") is passed over, and so is 了 within a predicate. After verbs alone, the item
    is verbs too: what follows is their shared object ("组织学习或宣传了反有组织犯罪法")."""
    run: list[int] = []
    i = start
    while 0 <= i < len(concepts) and len(run) < limit:
        word, flag = words[i]
        if verbs_only and run and concepts[i] is not None and not concepts[i].verbal:
            break
        if concepts[i] is not None:
            run.append(i)
        elif not (is_glue(word, flag) and not run or through_perfective and i != start and word == _PERFECTIVE):
            break
        i += step
    return sorted(run)


def _is_thing(concepts, item: list[int]) -> bool:
    """An item with a noun in it is a whole thing, so the item after the separator is a whole predicate too
    ("合法性审查或者报了备案"); verbs alone share what follows them ("培育或培训了法律明白人")."""
    return any(not concepts[i].verbal for i in item)
