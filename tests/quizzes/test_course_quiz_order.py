"""The course page and the grades page list quizzes in the order the course teaches them
(their lesson's module and place, then their own order), not by title or file name."""

import re

import pytest
from django.urls import reverse

from course.roles import STUDENT
from course.services import course_import_bundle
from quizzes.bundle_items import BundleQuiz
from tests.factories import enroll, make_bundle, make_user
from tests.quizzes.factories import single

pytestmark = pytest.mark.django_db


def _quiz(key: str, title: str, lesson: str | None) -> BundleQuiz:
    return BundleQuiz(key=key, title=title, lesson=lesson, questions=[single()])


@pytest.fixture
def course():
    bundle = make_bundle("ordered")
    bundle.sections["quizzes"] = [  # the file order: alphabetical, as the loader reads it
        _quiz("a-last", "A quiz on the last lesson", "m2-lesson-2"),
        _quiz("b-none", "B quiz with no lesson", None),
        _quiz("c-first", "C quiz on the first lesson", "m1-lesson-1"),
        _quiz("d-second-module", "D quiz on module 2's first lesson", "m2-lesson-1"),
    ]
    return course_import_bundle(bundle=bundle).course


EXPECTED = [
    "C quiz on the first lesson",
    "D quiz on module 2&#x27;s first lesson",
    "A quiz on the last lesson",
    "B quiz with no lesson",
]


def _titles(text: str) -> list[str]:
    return [t for t in re.findall(r'/quizzes/[\w-]+/">([^<]+)</a>', text) if "quiz" in t]


def test_the_course_page_lists_quizzes_in_course_order(client, course):
    student = make_user("olga", STUDENT)
    enroll(student, course)
    client.force_login(student)
    text = client.get(course.get_absolute_url()).text
    section = text[text.index('id="course-quizzes-heading"') :]
    assert _titles(section) == EXPECTED


def test_the_grades_page_lists_them_in_the_same_order(client, course):
    student = make_user("olga", STUDENT)
    enroll(student, course)
    client.force_login(student)
    text = client.get(reverse("quizzes:grades", args=[course.slug])).text
    assert _titles(text) == EXPECTED


def test_someone_outside_the_class_is_refused_and_sees_no_quiz(client, course):
    client.force_login(make_user("mallory", STUDENT))
    response = client.get(course.get_absolute_url())
    assert response.status_code == 403 and not _titles(response.text)


def _in_order(text: str, titles: list[str]) -> bool:
    positions = [text.find(title) for title in titles]
    return -1 not in positions and positions == sorted(positions)


def test_the_dashboard_and_the_student_record_list_them_in_course_order(client, course, instructor):
    student = make_user("olga", STUDENT)
    course_class = enroll(student, course).course_class
    client.force_login(instructor)
    dashboard = client.get(reverse("cohorts:dashboard", args=[course_class.pk])).text
    quizzes = dashboard[dashboard.index('id="quizzes-heading"') :]
    assert _in_order(quizzes, EXPECTED)
    record = client.get(reverse("cohorts:student", args=[course_class.pk, student.pk])).text
    assert _in_order(record, EXPECTED)
    due = client.get(reverse("cohorts:due", args=[course_class.pk])).text
    assert _in_order(due, EXPECTED)
