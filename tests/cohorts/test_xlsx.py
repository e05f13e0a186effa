"""The XLSX writer of the class exports, read back with openpyxl."""

import zipfile
from datetime import UTC, datetime
from decimal import Decimal

from openpyxl import load_workbook

from cohorts.xlsx import CUT_MARK, MAX_CELL_TEXT, sheet_name, xlsx_file


def test_text_that_looks_like_a_formula_or_an_error_stays_text():
    out = xlsx_file([["head"], ["=1+1", "#N/A", "plain", 3]], "Check")
    row = list(load_workbook(out).active.iter_rows())[1]
    assert [(cell.value, cell.data_type) for cell in row] == [
        ("=1+1", "s"),
        ("#N/A", "s"),
        ("plain", "s"),
        (3, "n"),
    ]


def test_numbers_stay_numbers_and_times_are_utc_dates():
    when = datetime(2027, 3, 1, 9, 30, 15, tzinfo=UTC)
    out = xlsx_file([["a", "b", "c", "d"], [Decimal("3.50"), 2, 0.25, when]], "Numbers")
    sheet = load_workbook(out).active
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
        (3.5, 2, 0.25, when.replace(tzinfo=None))
    ]
    assert sheet["D2"].number_format == "yyyy-mm-dd hh:mm:ss"


def test_markup_quotes_and_non_latin_scripts_come_back_exactly():
    names = ['<b>O\'Brien & "Sons"</b>', "Zoë, Müller\nline two", "王小明", "مریم", "🙂 emoji"]
    out = xlsx_file([["name"], *[[name] for name in names]], "Names")
    values = [row[0] for row in load_workbook(out).active.iter_rows(min_row=2, values_only=True)]
    assert values == names


def test_characters_xml_cannot_hold_are_dropped_and_empty_cells_stay_empty():
    out = xlsx_file([["x", "y", "z"], ["a\x01b\x1fc", None, ""]], "Controls")
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[1] == ("abc", None, None)


def test_a_lone_surrogate_in_text_does_not_break_the_file():
    out = xlsx_file([["x"], ["bad \ud800 half"]], "Surrogate")
    assert list(load_workbook(out).active.iter_rows(values_only=True))[1] == ("bad  half",)


def test_text_longer_than_a_cell_holds_is_cut_with_a_marker():
    out = xlsx_file([["essay"], ["w" * (MAX_CELL_TEXT + 10)]], "Long")
    (value,) = list(load_workbook(out).active.iter_rows(values_only=True))[1]
    assert len(value) == MAX_CELL_TEXT
    assert value.endswith(CUT_MARK)


def test_the_header_is_bold_and_frozen():
    sheet = load_workbook(xlsx_file([["Student", "Score"], ["Ann", 3]], "Head")).active
    assert sheet["A1"].font.b
    assert not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"


def test_rows_past_a_sheets_limit_go_on_in_new_sheets_under_the_same_header():
    rows = [["n"], *[[i] for i in range(7)]]
    book = load_workbook(xlsx_file(rows, "Answers", max_rows=3))
    assert book.sheetnames == ["Answers", "Answers (2)", "Answers (3)", "Answers (4)"]
    seen = []
    for sheet in book.worksheets:
        values = [row[0] for row in sheet.iter_rows(values_only=True)]
        assert values[0] == "n"
        seen += values[1:]
    assert seen == list(range(7))


def test_sheet_names_are_ones_excel_accepts():
    assert (
        sheet_name("Quiz: a/b [draft]? with a very long title") == "Quiz  a b  draft   with a very"
    )
    assert sheet_name("'quoted'") == "quoted"
    assert sheet_name("***") == "Sheet"
    assert len(sheet_name("x" * 100)) == 31


def test_an_export_with_no_rows_is_still_a_workbook():
    book = load_workbook(xlsx_file([], "Empty"))
    assert book.sheetnames == ["Empty"]
    assert list(book.active.iter_rows(values_only=True)) == []


def test_the_file_is_a_zip_with_the_parts_a_spreadsheet_needs():
    with zipfile.ZipFile(xlsx_file([["a"], [1]], "Parts")) as book:
        assert book.testzip() is None
        assert {
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
        } <= set(book.namelist())
