"""The class page points to the student record's extra-time form, its buttons' accessible
names contain their visible words, and the dashboard's tables have a heading per column."""

import re

import pytest
from django.urls import reverse

from cohorts.models import GraderAssignment, Section
from course.roles import STUDENT
from tests.factories import enroll, make_class, make_user


@pytest.fixture
def course_class(course):
    course_class = make_class(course)
    section = Section.objects.create(course_class=course_class, name="Section A")
    enroll(make_user("carol", STUDENT, first_name="Carol"), course_class, section=section)
    return course_class


def test_the_class_page_sends_extra_time_to_the_student_records_form(
    client, instructor, course_class
):
    client.force_login(instructor)
    text = client.get(reverse("cohorts:class", args=[course_class.pk])).text
    assert "extra time is set on their enrollment in the" not in text
    assert "/admin/cohorts/enrollment/" not in text
    assert "is set on their record" in text
    carol = course_class.enrollments.get().user_id
    record = reverse("cohorts:student", args=[course_class.pk, carol])
    link = f'<a href="{record}#extra-time-heading" class="extra-time-link">Change<span'
    assert link in text
    assert 'id="extra-time-heading"' in client.get(record).text


def test_every_button_label_contains_its_visible_words(client, instructor, grader, course):
    course_class = make_class(course)
    section = Section.objects.create(course_class=course_class, name="Section A")
    Section.objects.create(course_class=course_class, name="Empty")
    GraderAssignment.objects.create(section=section, grader=grader)
    client.force_login(instructor)
    text = client.get(reverse("cohorts:class", args=[course_class.pk])).text
    buttons = re.findall(r'<button[^>]*aria-label="([^"]+)"[^>]*>([^<]+)</button>', text)
    assert ("Remove gus as a grader of Section A", "remove") in buttons
    assert ("Remove the section Empty", "Remove the section") in buttons
    for label, visible in buttons:
        assert visible.strip().lower() in label.lower()


def test_the_dashboards_tables_have_no_empty_column_heading(client, instructor, course_class):
    client.force_login(instructor)
    text = client.get(reverse("cohorts:dashboard", args=[course_class.pk])).text
    headings = re.findall(r'<th scope="col">(.*?)</th>', text, re.S)
    assert headings and all(re.sub(r"<[^>]+>", "", h).strip() for h in headings)
    assert '<th scope="col">Section</th>' in text and '<th scope="col">Lesson</th>' in text


def test_a_student_of_the_class_is_refused_the_class_page_and_dashboard(
    client, student, course_class
):
    enroll(student, course_class)
    client.force_login(student)
    for name in ("cohorts:class", "cohorts:dashboard"):
        assert client.get(reverse(name, args=[course_class.pk])).status_code in (403, 404)
