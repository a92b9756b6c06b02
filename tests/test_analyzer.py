from indexer.analyzer import fold, get_analyzer


def test_dictionary_words_are_kept_whole():
    terms = get_analyzer().terms("乡司法所配备了执法记录仪，推行三项制度，培育法律明白人，践行枫桥经验")
    for word in ("执法记录仪", "三项制度", "法律明白人", "枫桥经验"):
        assert word in terms


def test_search_mode_also_yields_the_parts_of_long_words():
    terms = get_analyzer().terms("聘请法律顾问")
    assert {"法律顾问", "法律", "顾问"} <= set(terms)


def test_synonyms_add_official_wording_at_lower_weight():
    weights = get_analyzer().query_terms("执法仪用起来了吗")
    assert weights["执法记录仪"] < 1.0
    assert get_analyzer().query_terms("请了律师吗")["法律顾问"] < 1.0
    assert "群众" in get_analyzer().query_terms("老百姓怎么看")


def test_question_scaffolding_is_stripped_from_keywords():
    weights = get_analyzer().query_terms("哪些乡镇有没有开展宪法宣传？怎么做的")
    assert "宪法" in weights and "宣传" in weights
    for scaffolding in ("哪些", "乡镇", "有没有", "怎么"):
        assert scaffolding not in weights
    # "哪几个地方" asks which townships; 地方性法规 is still a law
    assert [c.word for c in get_analyzer().query_concepts("哪几个地方办了读书班")] == ["读书班"]
    assert "地方性" in [c.word for c in get_analyzer().query_concepts("哪些乡镇组织学习地方性法规")]


def test_token_spans_point_into_the_original_text():
    text = "２０２０年，ＬＥＤ屏幕滚动播放宪法宣传内容"
    for token in get_analyzer().tokens(text):
        assert fold(text[token.start:token.end]) == token.term


def test_concepts_carry_synonyms_and_parts():
    concepts = get_analyzer().query_concepts("哪些乡镇聘请了律师")
    律师 = next(c for c in concepts if c.word == "律师")
    assert "法律顾问" in 律师.forms
    宪法 = get_analyzer().query_concepts("开展了宪法宣传")[0]
    assert 宪法.word == "宪法宣传" and "宪法" in 宪法.parts


def test_function_words_and_glue_are_not_concepts():
    concepts = get_analyzer().query_concepts("哪些乡镇给执法人员搞了培训，或者组织大家学法")
    words = {c.word for c in concepts}
    assert {"执法人员", "培训", "学法"} <= words
    assert not words & {"给", "搞", "或者", "大家", "了"}
    # verbal nouns name the practice itself and are weighed as such; plain verbs vary with the wording
    assert not next(c for c in concepts if c.word == "培训").is_verb
    assert next(c for c in concepts if c.word == "组织").is_verb


def test_single_characters_count_only_through_longer_wordings():
    analyzer = get_analyzer()
    assert analyzer.concept("点", "n") is None  # 点 is in 重点, 特点, 节点 …
    assert analyzer.concept("请", "v") is None
    assert analyzer.concept("法律顾问", "n").forms[0] == "法律顾问"


def test_question_tags_match_a_tagger_that_reads_the_dictionary_itself():
    """The tagger shares jieba's default word → tag table instead of reading the dictionary again."""
    import jieba.posseg

    from indexer.analyzer import Analyzer, load_synonyms, load_terms

    reference = Analyzer(load_terms(), load_synonyms())
    reading = jieba.posseg.POSTokenizer(reference._jieba)  # the former way: reads dict.txt once more
    shared = get_analyzer()
    for question in ("哪些乡镇聘请了律师担任法律顾问", "“闽执法”用起来了吗", "有没有乡镇开展行政处罚法培训和三项制度"):
        text = fold(question)
        assert [(p.word, p.flag) for p in shared._pos_tokenizer().lcut(text)] == \
            [(p.word, p.flag) for p in reading.lcut(text)]
