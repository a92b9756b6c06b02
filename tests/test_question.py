"""Reading questions: township questions and topics, clause alternatives, listed items, coordinated verbs."""
from search.question import alternatives_of, asks_about_shortcomings, is_township_question, topic_of


def test_question_kinds_and_topics():
    assert is_township_question("哪些乡镇开展了宪法宣传") and not is_township_question("信访矛盾怎么化解")
    assert topic_of("哪些乡镇聘请了法律顾问？") == "聘请法律顾问"
    assert topic_of("有哪些街道开展了宪法宣传") == "开展宪法宣传"
    # a yes/no question's topic is what was done, without the asking words
    assert topic_of("执法过程有没有用执法记录仪全程记录") == "执法过程用执法记录仪全程记录"
    assert topic_of("有没有乡镇聘请律师当法律顾问？") == "聘请律师当法律顾问"
    assert topic_of("乡镇是否建立了重大决策合法性审查制度") == "乡镇建立重大决策合法性审查制度"
    assert topic_of("开展宪法宣传周活动了吗") == "开展宪法宣传周活动"
    assert asks_about_shortcomings("哪些乡镇承认执法力量薄弱") and asks_about_shortcomings("哪些乡镇存在的问题是经费不足")
    assert not asks_about_shortcomings("哪些乡镇把发现的问题整改了") and not asks_about_shortcomings("哪些乡镇排查矛盾问题")
    # a clause before the asking one gives the asker's reason, unless the asking clause says nothing of its own
    assert not asks_about_shortcomings("普法光靠司法所一家不够，哪些乡镇是司法所拉着派出所一起搞法治宣传的？")
    assert asks_about_shortcomings("执法力量不足的问题，哪些乡镇在报告里承认了？")
    assert asks_about_shortcomings("干部法律素质不高，有没有乡镇提到？")


def test_what_a_question_says_about_itself_is_not_asked_of_a_sentence():
    from search.question import asked_part, question_focus

    assert asked_part("我们想学一学：下去执法的时候把投诉当场办了，哪些乡镇这么做过？") == "下去执法的时候把投诉当场办了，哪些乡镇这么做过？"
    assert asked_part("哪些乡镇组织干部研讨交流，而不只是念念文件？") == "哪些乡镇组织干部研讨交流？"
    assert asked_part("除了国家法律，哪些乡镇还学了地方性法规？") == "哪些乡镇还学了地方性法规？"
    assert asked_part("哪些乡镇在下一步工作安排里提出要加强执法监督") == "哪些乡镇加强执法监督"
    assert asked_part("哪些乡镇在报告里承认执法力量薄弱") == "哪些乡镇执法力量薄弱"
    # a colon inside the question proper is kept
    assert asked_part("哪些乡镇写了：法律顾问参与决策") == "哪些乡镇写了：法律顾问参与决策"
    # the asker's reason before the asking clause is not asked, unless the asking clause needs it
    assert asked_part("民法典跟基层工作天天打交道，哪些乡镇组织干部学过《民法典》？") == "哪些乡镇组织干部学过《民法典》？"
    assert asked_part("执法案子老不结——哪些乡镇缩短了办案周期？") == "哪些乡镇缩短了办案周期？"
    for question in ("有的人一直缠着上访，哪些乡镇写了碰到这种情况该怎么处理？",  # points back
                     "首问负责、限时办结这些制度，哪些地方已经在落实了？",  # says nothing of its own
                     "像大额资金、重点项目这种大事，哪些乡镇要集体审议？",  # its topic before it
                     "出规范性文件之前，哪些乡镇会让法律顾问提法律意见？"):  # its occasion before it
        assert asked_part(question) == question
    assert question_focus("哪些乡镇在下一步打算里提出要完善学法制度") == "plans"
    assert question_focus("哪些乡镇计划建立法律顾问制度") == "plans"
    assert question_focus("哪些乡镇制定了年度普法计划") == "deeds"
    assert question_focus("哪些乡镇承认执法力量薄弱") == "shortcomings"


def test_a_question_with_alternatives_is_judged_per_alternative():
    assert alternatives_of("哪些乡镇给执法人员培训，或者组织执法资格考试") == ["哪些乡镇给执法人员培训", "组织执法资格考试"]
    assert alternatives_of("哪些乡镇聘请了法律顾问") == ["哪些乡镇聘请了法律顾问"]


def _readings(question):
    from indexer.analyzer import get_analyzer
    from search.question import question_slots

    return [[slot.word for slot in slots] for slots in question_slots(get_analyzer(), question)]


def test_listed_items_fill_one_slot_and_share_the_words_around_them():
    assert _readings("哪些乡镇用广播、电子大屏这些来放普法宣传内容") == [["广播或电子大屏", "来放", "普法宣传", "内容"]]
    # 或 inside a 、 list joins items, not clauses: 律师 alone is not the question
    assert _readings("哪些乡镇请了律师、法律专家或者司法所的人来给干部讲法律课") == [
        ["律师或法律专家或司法所", "干部", "法律课"]]
    # examples after 比如 are items too, and the glue verb (搞) before one is passed over
    assert _readings("哪些乡镇管了村里的钱，比如设村务监督委员会、搞村务公开") == [["村里", "村务监督委员会或村务公开"]]


def test_coordinated_verbs_share_their_object_instead_of_splitting_the_question():
    assert _readings("哪些乡镇培育或培训了法律明白人") == [["培育或培训", "法律明白人"]]
    first, second = _readings("哪些乡镇给执法人员培训，或者组织执法资格考试")
    assert "执法人员" in first and "执法人员" not in second


def test_a_bare_or_between_predicates_is_read_both_ways():
    readings = _readings("哪些乡镇的规范性文件做了合法性审查或者报送司法局备案")
    assert readings[0] == ["规范性文件", "合法性审查或报送司法局备案"]  # a noun item: the next item is a predicate
    assert readings[1:] == [["规范性文件", "合法性审查"], ["规范性文件", "报送", "司法局", "备案"]]
    # the glue verb and 了 before an item are passed over; a lone word on one side is no predicate
    assert _readings("哪些乡镇的规范性文件做了合法性审查或者报了备案") == [["规范性文件", "合法性审查或备案"]]
    # the side after 或 keeps what stood before the side before it (above: 规范性文件)
    assert _readings("哪些乡镇让法律顾问帮着化解矛盾纠纷或处理信访")[-1] == ["法律顾问", "处理", "信访"]
    # two sides that are the time of what follows both keep what follows
    assert _readings("哪些乡镇在调解纠纷或者接待上访时请了心理咨询师")[1:] == [
        ["调解", "纠纷", "心理咨询"], ["接待", "上访", "心理咨询"]]
    # verbs alone are no predicate: they share the object after them
    assert len(_readings("哪些乡镇组织学习或宣传了民法典")) == 1
    # a list whose items are not runs of content words is no list: its words stay slots of their own
    assert _readings("哪些乡镇派人下到村里、上老百姓家里去送法") == [["下到", "村里", "老百姓", "家里", "送法"]]


def test_examples_illustrate_the_question_and_quoted_names_are_one_word():
    # the question is answered with or without its examples; quoted examples are answers on their own
    assert _readings("哪些乡镇用上了执法办案平台，比如福建的“闽执法”？") == [
        ["执法", "办案", "平台", "福建", "闽执法"], ["执法", "办案", "平台"], ["福建", "闽执法"]]
    # names in quotes one after another are a list
    assert _readings("哪些乡镇给干部学法起了名字，比如“书记论坛”“法治讲堂”") == [
        ["干部", "学法", "名字", "书记论坛或法治讲堂"], ["干部", "学法", "名字"], ["书记论坛或法治讲堂"]]


def test_a_quoted_name_is_matched_as_written_not_by_its_pieces():
    from indexer.analyzer import QUOTED_FLAG, get_analyzer

    concept = get_analyzer().concept("法治××", QUOTED_FLAG)
    assert concept.quoted and concept.parts == ()  # "法治" alone is in every report


def test_a_law_title_is_one_word_cited_with_or_without_the_state_name():
    assert _readings("哪些乡镇组织干部学习了《中华人民共和国行政处罚法》") == [["组织", "干部", "学习", "行政处罚法"]]
    assert _readings("哪些乡镇按《政府信息公开条例》搞政务公开") == [["政府信息公开条例", "政务公开"]]
