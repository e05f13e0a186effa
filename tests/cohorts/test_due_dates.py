"""Due dates per quiz and lab for a class, moved for a section or a student, and extra
time on timed quizzes."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from cohorts.models import Accommodation, DueDate, DueDateOverride, Section
from cohorts.selectors import due_for_student, effective_time_limit
from course.roles import STUDENT
from tests.factories import enroll, make_class, make_user
from tests.labs.conftest import make_lab
from tests.quizzes.factories import make_quiz

CLASS_DUE = datetime(2027, 3, 1, 17, 0, tzinfo=UTC)
SECTION_DUE = CLASS_DUE + timedelta(days=2)
STUDENT_DUE = CLASS_DUE + timedelta(days=7)


@pytest.fixture
def quiz(db):
    return make_quiz(time_limit=20)


@pytest.fixture
def course_class(quiz):
    course_class = make_class(quiz.course)
    for name in ("Mon", "Wed"):
        Section.objects.create(course_class=course_class, name=name)
    return course_class


def _student(name: str, course_class, section: str | None = None):
    user = make_user(name, STUDENT)
    section_row = course_class.sections.get(name=section) if section else None
    return user, enroll(user, course_class, section=section_row)


@pytest.fixture
def due(course_class, quiz):
    due = DueDate.objects.create(course_class=course_class, item=quiz, due_at=CLASS_DUE)
    DueDateOverride.objects.create(
        due_date=due, section=course_class.sections.get(name="Mon"), due_at=SECTION_DUE
    )
    return due


def test_the_class_date_applies_without_overrides(course_class, quiz, due):
    user, _ = _student("wes", course_class, "Wed")
    assert due_for_student(user, quiz) == CLASS_DUE


def test_a_section_override_beats_the_class_date(course_class, quiz, due):
    user, _ = _student("mo", course_class, "Mon")
    assert due_for_student(user, quiz) == SECTION_DUE


def test_a_student_override_beats_the_sections(course_class, quiz, due):
    user, _ = _student("mo", course_class, "Mon")
    DueDateOverride.objects.create(due_date=due, user=user, due_at=STUDENT_DUE)
    other, _ = _student("max", course_class, "Mon")
    assert due_for_student(user, quiz) == STUDENT_DUE
    assert due_for_student(other, quiz) == SECTION_DUE


def test_another_class_of_the_course_has_its_own_dates(course_class, quiz, due):
    later = make_class(quiz.course, name="Evening class")
    DueDate.objects.create(course_class=later, item=quiz, due_at=STUDENT_DUE)
    user = make_user("eve", STUDENT)
    enroll(user, later)
    assert due_for_student(user, quiz) == STUDENT_DUE


def test_no_due_date_without_one_or_without_a_class(course_class, quiz):
    user, _ = _student("wes", course_class, "Wed")
    assert due_for_student(user, quiz) is None
    assert due_for_student(make_user("out", STUDENT), quiz) is None


def test_a_lab_has_due_dates_too(course_class, quiz):
    lab = make_lab(quiz.course)
    user, _ = _student("wes", course_class, "Wed")
    DueDate.objects.create(course_class=course_class, item=lab, due_at=CLASS_DUE)
    assert due_for_student(user, lab) == CLASS_DUE
    assert due_for_student(user, quiz) is None


def test_a_due_date_is_for_one_item_and_an_item_has_one_date_per_class(course_class, quiz):
    with pytest.raises(IntegrityError), transaction.atomic():
        DueDate.objects.create(course_class=course_class, due_at=CLASS_DUE)
    DueDate.objects.create(course_class=course_class, item=quiz, due_at=CLASS_DUE)
    with pytest.raises(IntegrityError), transaction.atomic():
        DueDate.objects.create(course_class=course_class, item=quiz, due_at=STUDENT_DUE)


def test_deleting_a_quiz_or_a_lab_deletes_its_due_dates(course_class, quiz):
    lab = make_lab(quiz.course)
    DueDate.objects.create(course_class=course_class, item=quiz, due_at=CLASS_DUE)
    DueDate.objects.create(course_class=course_class, item=lab, due_at=CLASS_DUE)
    quiz.delete()
    assert [due.item for due in DueDate.objects.all()] == [lab]
    lab.delete()
    assert not DueDate.objects.exists()


def test_an_override_is_for_exactly_one_section_or_student(course_class, due):
    user, _ = _student("mo", course_class, "Mon")
    section = course_class.sections.get(name="Wed")
    for target in ({}, {"user": user, "section": section}):
        with pytest.raises(IntegrityError), transaction.atomic():
            DueDateOverride.objects.create(due_date=due, due_at=STUDENT_DUE, **target)


def test_it_refuses_items_sections_and_students_of_another_class(course_class, due):
    other_quiz = make_quiz(course_slug="other-course")
    with pytest.raises(ValidationError, match="of the class's course"):
        DueDate(course_class=course_class, item=other_quiz, due_at=CLASS_DUE).clean()
    elsewhere = make_class(other_quiz.course)
    foreign_section = Section.objects.create(course_class=elsewhere, name="X")
    with pytest.raises(ValidationError, match="section of the due date's class"):
        DueDateOverride(due_date=due, section=foreign_section, due_at=STUDENT_DUE).clean()
    stranger = make_user("stranger", STUDENT)
    with pytest.raises(ValidationError, match="student of the due date's class"):
        DueDateOverride(due_date=due, user=stranger, due_at=STUDENT_DUE).clean()


def test_extra_time_multiplies_then_adds_minutes(course_class, quiz):
    user, enrollment = _student("acc", course_class)
    assert effective_time_limit(user, quiz) == timedelta(minutes=20)
    Accommodation.objects.create(
        enrollment=enrollment, time_multiplier=Decimal("1.5"), extra_minutes=10
    )
    assert effective_time_limit(user, quiz) == timedelta(minutes=40)
    other, _ = _student("plain", course_class)
    assert effective_time_limit(other, quiz) == timedelta(minutes=20)


def test_an_untimed_quiz_stays_untimed(course_class):
    untimed = make_quiz(key="untimed", time_limit=None)
    user, enrollment = _student("acc", course_class)
    Accommodation.objects.create(enrollment=enrollment, time_multiplier=2)
    assert effective_time_limit(user, untimed) is None


def test_the_admin_edits_due_dates_with_overrides_and_accommodations(
    client, instructor, course_class, due
):
    _, enrollment = _student("acc", course_class)
    Accommodation.objects.create(enrollment=enrollment, extra_minutes=15, note="Letter on file")
    client.force_login(instructor)
    change = client.get(reverse("admin:cohorts_duedate_change", args=[due.pk]))
    assert change.status_code == 200 and "Mon" in change.text
    assert client.get(reverse("admin:cohorts_duedate_changelist")).status_code == 200
    page = client.get(reverse("admin:cohorts_enrollment_change", args=[enrollment.pk]))
    assert "Letter on file" in page.text
    assert client.get(reverse("admin:cohorts_accommodation_changelist")).status_code == 200
