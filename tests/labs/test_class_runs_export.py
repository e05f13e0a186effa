"""The class's lab results as CSV, from the class page: every run of each student with its
parameters and finding, for instructors (every section) and graders (their sections)."""

import csv
import io
import uuid

import pytest
from django.urls import reverse

from cohorts.services import grader_assign, section_add
from course.roles import GRADER, STUDENT
from labs.models import LabRun
from tests.factories import enroll, make_class, make_course, make_user
from tests.labs.conftest import make_lab


@pytest.fixture
def built(db):
    course = make_course("runs-export")
    course_class = make_class(course)
    s1 = section_add(course_class=course_class, name="S1")
    s2 = section_add(course_class=course_class, name="S2")
    lab = make_lab(course)
    names = [("Zoë", 'O\'Neil, "Jr"'), ("李", "小龙"), ("Ann", "Line\nBreak")]
    for n, (first, last) in enumerate(names):
        user = make_user(f"s{n}", STUDENT, first_name=first, last_name=last)
        enroll(user, course_class, section=s1 if n < 2 else s2, student_id=f"ID-{n}")
        LabRun.objects.create(
            lab=lab,
            user=user,
            submission=uuid.uuid4(),
            params={"steps": 3 + n, "inline_files": {"labels": [{"a": 1}]}},
            status=LabRun.Status.SUCCEEDED,
            headline="=HYPERLINK(evil)" if n == 0 else f"Gold rose {n}",
        )
    grader = make_user("gus", GRADER)
    grader_assign(section=s1, grader=grader)
    return course_class, grader


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_it_lists_every_run_with_its_parameters_and_finding(client, instructor, built):
    course_class, _ = built
    client.force_login(instructor)
    response = client.get(reverse("labs:class-runs-export", args=[course_class.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    header, *rows = _rows(response)
    assert header[:6] == ["Student", "Username", "Student ID", "Section", "Lab", "Run"]
    by_user = {row[1]: row for row in rows}
    assert set(by_user) == {"s0", "s1", "s2"}
    assert by_user["s0"][0] == 'Zoë O\'Neil, "Jr"' and by_user["s2"][0] == "Ann Line\nBreak"
    assert by_user["s1"][0] == "李 小龙" and by_user["s1"][2] == "ID-1"
    assert by_user["s2"][3] == "S2" and by_user["s1"][6] == "Finished"
    assert by_user["s1"][10] == '{"steps": 4}'  # inline datasets are not parameters
    assert by_user["s0"][11] == "'=HYPERLINK(evil)"  # shown as text, never run


def test_a_grader_gets_only_the_runs_of_the_sections_they_grade(client, built):
    course_class, grader = built
    client.force_login(grader)
    _, *rows = _rows(client.get(reverse("labs:class-runs-export", args=[course_class.pk])))
    assert sorted(row[1] for row in rows) == ["s0", "s1"]


def test_students_cannot_export_anything(client, built, student):
    course_class, _ = built
    client.force_login(student)
    assert client.get(reverse("labs:class-runs-export", args=[course_class.pk])).status_code == 404


def test_the_export_reads_a_fixed_number_of_queries(
    client, instructor, built, django_assert_max_num_queries
):
    course_class, _ = built
    client.force_login(instructor)
    with django_assert_max_num_queries(6):
        _rows(client.get(reverse("labs:class-runs-export", args=[course_class.pk])))
