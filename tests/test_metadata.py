import csv
from pathlib import Path

import pytest

from indexer.clean import clean
from indexer.metadata import apply_sidecar, extract_metadata, read_sidecar, sidecar_row
from indexer.structure import structure
from tests.textutil import raw

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "samples"
MORE = ROOT / "tests" / "data" / "more"


def _metadata(text: str):
    document = raw(text)
    return extract_metadata(structure(document, clean(document)))


@pytest.mark.parametrize("name, township, county, year", [
    ("000_06cb966835ece50d.txt", "李俊乡", "海原县", 2020),
    ("001_d39ef96161d7b447.txt", "李庄乡", "宝丰县", 2023),
    ("002_83773f3ad88a1daa.txt", "东赵各庄镇", "蓟州区", 2020),
    ("003_1c944b72cf063491.txt", "大桥瑶族乡", None, 2021),
    ("004_264309198007c7ae.txt", "彭堡镇", "原州区", 2021),
])
def test_sample_reports(name, township, county, year):
    metadata = _metadata((CORPUS / name).read_text(encoding="utf-8"))
    assert (metadata.township, metadata.county, metadata.year) == (township, county, year)


def test_year_reported_on_is_not_the_signing_year():
    metadata = _metadata((CORPUS / "004_264309198007c7ae.txt").read_text(encoding="utf-8"))
    assert metadata.year == 2021 and metadata.signed == "2022-02-20"
    assert metadata.title == "原州区彭堡镇2021年度法治政府建设情况报告"


@pytest.mark.parametrize("text, township, county, year", [
    ("中共沙河镇委员会 沙河镇人民政府关于2022年法治政府建设情况的报告\n2022年，沙河镇坚持依法行政。", "沙河镇", None, 2022),
    ("城口县鸡鸣乡人民政府2025年法治政府建设情况报告\n2025年,鸡鸣乡在县委、县政府的坚强领导下依法行政。", "鸡鸣乡", "城口县", 2025),
    ("北城街街道办事处2025年法治政府建设年度报告\n一、2024年法治政府建设基本情况\n街道依法履职。", "北城街街道", None, 2025),
    ("酉阳土家族苗族自治县可大乡关于2023年法治政府建设情况的报告\n2023年，可大乡依法行政。", "可大乡",
     "酉阳土家族苗族自治县", 2023),
    ("关于2019年法治政府建设情况的报告\n2019年，我镇扎实推进依法行政，打造“法治桃源”“平安桃源”。\n"
     "一、主要做法\n我镇全面落实普法责任制。", "桃源镇", None, 2019),
    ("市司法局：\n现将我乡2018年法治政府建设情况报告如下。\n一、主要做法\n印发《青山乡法治政府建设工作要点》，细化分工。",
     "青山乡", None, 2018),
    ("新市街道办事处2023年法治政府建设工作报告\n2023年，新市街道办事处坚持依法行政。", "新市街道", None, 2023),
])
def test_differently_written_reports(text, township, county, year):
    metadata = _metadata(text)
    assert (metadata.township, metadata.county, metadata.year) == (township, county, year)


def test_chinese_numeral_signing_date():
    metadata = _metadata("某某镇2021年度法治政府建设情况报告\n一、主要做法\n开展普法10次。\n某某镇人民政府\n二〇二二年一月十五日")
    assert metadata.signed == "2022-01-15"


def test_common_words_before_unit_names_are_not_places():
    metadata = _metadata("关于2020年法治政府建设情况的报告\n根据县委、县政府的要求，紧跟区委部署，深化街道党工委学法制度。")
    assert metadata.county is None and metadata.township is None


def test_townships_of_the_more_corpus():
    with open(ROOT / "tests" / "data" / "eval" / "more_metadata.tsv", encoding="utf-8") as handle:
        truth = list(csv.DictReader(handle, delimiter="\t"))
    right = 0
    for row in truth:
        metadata = _metadata((MORE / row["file"]).read_text(encoding="utf-8"))
        right += metadata.township == row["township"] and metadata.year == int(row["year"])
        # a county found must be the right one; many openings do not name theirs
        assert metadata.county in (None, row["county"]) or row["file"] == "d054_xinshi_2023.txt", row["file"]
    assert right >= len(truth) - 1


def test_sidecar_overrides_extraction(tmp_path):
    (tmp_path / "metadata.csv").write_text("file,township,county,year,title\n"
                                           "a.txt,大桥瑶族乡,江华瑶族自治县,2021,\n", encoding="utf-8")
    sidecar = read_sidecar(tmp_path)
    metadata = apply_sidecar(_metadata("某报告\n正文。"), sidecar_row(sidecar, "sub/a.txt"))
    assert (metadata.township, metadata.county, metadata.year) == ("大桥瑶族乡", "江华瑶族自治县", 2021)
    assert metadata.overridden == ("township", "county", "year")


def test_sidecar_without_header_is_refused(tmp_path):
    (tmp_path / "metadata.csv").write_text("a.txt,大桥瑶族乡\n", encoding="utf-8")
    with pytest.raises(ValueError, match="file"):
        read_sidecar(tmp_path)


def test_the_samples_ship_a_metadata_csv_that_states_only_what_their_texts_say():
    sidecar = read_sidecar(CORPUS)
    assert sidecar, "data/samples/metadata.csv is missing or empty"
    with (CORPUS / "metadata.csv").open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == ["file", "township", "county", "year", "title"]
    for name, row in sidecar.items():
        text = (CORPUS / name).read_text(encoding="utf-8")
        for field in ("township", "county", "title", "year"):
            value = (row.get(field) or "").strip()
            assert value in text, f"{name}: {field} {value!r} is not in the report's text"


def test_every_sample_has_a_title_once_the_sidecar_is_applied():
    sidecar = read_sidecar(CORPUS)
    for path in sorted(CORPUS.glob("*.txt")):
        metadata = apply_sidecar(_metadata(path.read_text(encoding="utf-8")), sidecar_row(sidecar, path.name))
        assert metadata.title, path.name


def test_a_lead_in_that_ends_with_a_colon_is_not_the_title():
    metadata = _metadata("人民政府：\n2022年，我们认真落实法治政府建设各项任务，现将有关情况报告如下：\n一、主要做法\n全年开展普法活动12场。")
    assert metadata.title is None and metadata.year == 2022
