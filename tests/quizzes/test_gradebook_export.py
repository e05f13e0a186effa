"""Gradebook exports from the class page: Canvas's and Moodle's import layouts and one
row per answer, as CSV (parsed back with the csv module) and XLSX (with openpyxl);
formula injection neutralised, numbers kept numbers, streamed, staff only."""

import csv
import io

import openpyxl
import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse

from cohorts.exports import neutralise
from course.roles import GRADER, STUDENT
from quizzes import services
from tests.factories import enroll, make_user
from tests.quizzes.grading_factories import grading_class, submit

pytestmark = pytest.mark.django_db

AWKWARD = [  # (first name, last name, email): commas, quotes, newlines, other scripts
    ('Zoë, "Zed"', "O'Neil,\nJr.", "zoe@example.org"),
    ("明", "王", "wang@example.org"),
    ('=HYPERLINK("http://x")', "+1-2", "formula@example.org"),
    ("@SUM(A1)", "-3", "at@example.org"),
    ("\tTab", "\rReturn", "tab@example.org"),
]


def _get(client, built, layout, extension="csv"):
    return client.get(reverse("quizzes:export", args=[built.course_class.pk, layout, extension]))


def _csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def _awkward_class():
    built = grading_class()
    for n, (first, last, email) in enumerate(AWKWARD):
        user = make_user(f"s{n}", STUDENT, first_name=first, last_name=last, email=email)
        enroll(user, built.course_class, section=built.mon, student_id=f"=ID{n}")
        submit(user, built.quiz, essay_text=f"=cmd|' /C calc'!A{n}")
    return built


def test_the_canvas_gradebook_has_its_header_points_possible_row_and_numbers(client, instructor):
    built = grading_class()
    services.response_grade(response=built.essay_of(built.ann), grader=instructor, levels=[1])
    client.force_login(instructor)
    response = _get(client, built, "canvas")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, points, *rows = _csv(response)
    assert header == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        f"Quiz check ({built.quiz.pk})",
    ]
    assert points == ["    Points Possible", "", "", "", "", "4"]
    assert rows == [
        ["Lee, Ann", str(built.ann.pk), "S-1", "ann", "Mon", "4"],
        ["Okafor, Ben", str(built.ben.pk), "S-2", "ben", "Wed", ""],  # pending: empty
    ]


def test_the_moodle_gradebook_matches_students_by_email(client, instructor):
    built = grading_class()
    services.response_grade(response=built.essay_of(built.ben), grader=instructor, levels=[0])
    client.force_login(instructor)
    header, *rows = _csv(_get(client, built, "moodle"))
    assert header == ["First name", "Last name", "Email address", "Quiz: Quiz check (Real)"]
    assert rows == [
        ["Ann", "Lee", "ann@example.org", ""],
        ["Ben", "Okafor", "ben@example.org", "0"],
    ]


def test_names_survive_the_round_trip_and_formulas_are_neutralised(client, instructor):
    built = _awkward_class()
    client.force_login(instructor)
    header, *rows = _csv(_get(client, built, "moodle"))
    by_email = {row[2]: row for row in rows}
    assert by_email["zoe@example.org"][:2] == ['Zoë, "Zed"', "O'Neil,\nJr."]
    assert by_email["wang@example.org"][:2] == ["明", "王"]
    assert by_email["formula@example.org"][:2] == ['\'=HYPERLINK("http://x")', "'+1-2"]
    assert by_email["at@example.org"][:2] == ["'@SUM(A1)", "'-3"]
    assert by_email["tab@example.org"][:2] == ["'\tTab", "'\rReturn"]
    _, _, *canvas = _csv(_get(client, built, "canvas"))
    assert {row[2] for row in canvas} >= {f"'=ID{n}" for n in range(len(AWKWARD))}
    for row in canvas:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_the_response_export_has_one_row_per_answer_with_grader_comment_and_times(
    client, instructor
):
    built = _awkward_class()
    services.response_grade(
        response=built.essay_of(built.ann), grader=built.gina, levels=[1], comment="-well done"
    )
    client.force_login(instructor)
    header, *rows = _csv(_get(client, built, "responses"))
    assert header[:12] == [
        "Student",
        "Username",
        "Student ID",
        "Section",
        "Quiz",
        "Attempt",
        "Question",
        "Answer",
        "Score",
        "Points",
        "Grader",
        "Comment",
    ]
    assert len(rows) == 2 * (2 + len(AWKWARD))
    anns = [row for row in rows if row[1] == "ann"]
    assert anns[0][7:10] == ["Option b", "1", "1"]
    assert anns[1][7:12] == ["Ann's essay", "3", "3", "gina", "'-well done"]
    assert anns[1][12] and anns[1][13] and anns[1][14]  # started, submitted, graded
    essays = [row[7] for row in rows if row[6] == "Explain" and row[1].startswith("s")]
    assert essays and all(text.startswith("'=cmd|") for text in essays)


def test_a_grader_exports_only_the_sections_they_grade(client):
    built = grading_class()
    client.force_login(built.gina)
    for layout in ("canvas", "moodle", "responses"):
        text = str(_csv(_get(client, built, layout)))
        assert "ann" in text.lower() and "Okafor" not in text and "ben@" not in text


@pytest.mark.parametrize("layout", ["canvas", "moodle", "responses"])
def test_students_and_outsiders_get_no_export(client, layout):
    built = grading_class()
    for user in (built.ann, make_user("greta", GRADER)):
        client.force_login(user)
        assert _get(client, built, layout).status_code == 404
        assert _get(client, built, layout, "xlsx").status_code == 404


def test_an_unknown_layout_or_format_is_a_404(client, instructor):
    built = grading_class()
    client.force_login(instructor)
    assert _get(client, built, "blackboard").status_code == 404
    assert _get(client, built, "canvas", "pdf").status_code == 404


def test_the_xlsx_gradebook_keeps_numbers_as_numbers_and_text_as_text(client, instructor):
    built = _awkward_class()
    services.response_grade(response=built.essay_of(built.ann), grader=instructor, levels=[1])
    client.force_login(instructor)
    response = _get(client, built, "canvas", "xlsx")
    assert isinstance(response, FileResponse)
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    rows = list(sheet.iter_rows())
    assert [cell.value for cell in rows[0]][:5] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
    ]
    assert rows[1][5].value == 4 and rows[1][5].data_type == "n"
    ann = next(row for row in rows if row[3].value == "ann")
    assert ann[5].value == 4 and ann[5].data_type == "n"
    formula = next(row for row in rows if row[3].value == "s2")
    assert formula[0].value == '+1-2, =HYPERLINK("http://x")'
    assert all(cell.data_type != "f" for row in rows for cell in row)
    responses = _get(client, built, "responses", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(responses.streaming_content))).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "=cmd|' /C calc'!A0" in values and 'Zoë, "Zed" O\'Neil,\nJr.' in values
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_exports_read_in_a_fixed_number_of_queries(
    client, instructor, django_assert_max_num_queries
):
    built = grading_class()
    for n in range(10):
        user = make_user(f"s{n}", STUDENT)
        enroll(user, built.course_class, section=built.wed)
        submit(user, built.quiz)
    client.force_login(instructor)
    for layout in ("canvas", "moodle", "responses"):
        with django_assert_max_num_queries(15):  # as many for 10,000 students
            rows = _csv(_get(client, built, layout))
        assert len(rows) >= 12


def test_neutralise_leaves_plain_text_and_prefixes_formula_starts():
    assert neutralise("Ann") == "Ann" and neutralise("") == ""
    assert [neutralise(s) for s in ["=1", "+1", "-1", "@x", "\t1", "\r1", "  =1"]] == [
        "'=1",
        "'+1",
        "'-1",
        "'@x",
        "'\t1",
        "'\r1",
        "'  =1",
    ]


def test_the_class_page_links_the_exports_for_graders_and_instructors(client, instructor):
    built = grading_class()
    for user in (built.gina, instructor):
        client.force_login(user)
        page = client.get(built.course_class.get_absolute_url()).text
        for layout in ("canvas", "moodle", "responses"):
            for extension in ("csv", "xlsx"):
                url = reverse("quizzes:export", args=[built.course_class.pk, layout, extension])
                assert url in page
