from search.numbers import is_count_question, number_phrases, question_unit


def test_number_phrases_with_units():
    assert number_phrases("共计发放法治宣传册8000余份，举行普法宣传4场次") == ["8000余份", "4场次"]
    assert number_phrases("每人每年接受不少于50学时的培训") == ["50学时"]
    assert number_phrases("共培育法律明白人137余人，召开会议四次") == ["137余人", "四次"]


def test_ordinals_and_dates_are_not_counts():
    assert number_phrases("第3次会议于2021年12月召开") == []


def test_counting_questions_and_their_unit():
    assert is_count_question("普法宣传资料发放了多少份") and question_unit("普法宣传资料发放了多少份") == "份"
    assert question_unit("执法人员每年参加法律培训多少学时") == "学时"
    assert not is_count_question("哪些乡镇聘请了法律顾问")
    assert not is_count_question("哪几个乡镇办了读书班") and not is_count_question("分成立法、执法、普法几个小组")
    assert is_count_question("一年搞了几次专项执法")
    # a count or rate asked for by name is a figure too; 效率 and 率先 are not
    assert is_count_question("哪些乡镇报了规范性文件的具体件数") and is_count_question("罚没金额写进报告的有哪些乡镇")
    assert is_count_question("哪些地方报了矛盾纠纷化解率")
    assert not is_count_question("哪些乡镇在想办法提高办案效率") and not is_count_question("哪些乡镇率先推行了执法公示")


def test_a_table_row_gives_its_count_after_the_header():
    # indexer.tables reads header `普法活动 | 场次`, row `送法进村 | 14` as "送法进村：场次 14"
    assert number_phrases("送法进村：场次 14，参与人数 1200人") == ["场次 14", "1200人"]
    assert number_phrases("法治讲座：场次 6，数量 3000") == ["场次 6", "数量 3000"]
    assert number_phrases("2021年场次14") == []  # running text: the cleaner leaves no such space
