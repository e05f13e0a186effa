"""A student's record in a class: what they read, reviewed, submitted and ran, with their
due dates and extra time; for the instructor and the graders of the student's section."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import (
    Accommodation,
    DueDate,
    DueDateOverride,
    GraderAssignment,
    Section,
)
from cohorts.record import student_record
from course.models import Flashcard, Lesson
from course.roles import GRADER, STUDENT
from course.services import flashcard_rate, lesson_set_complete
from labs.models import LabRun
from quizzes.services import attempt_start, attempt_submit
from tests.factories import enroll, make_class, make_user
from tests.labs.conftest import make_lab
from tests.quizzes.factories import make_quiz


@pytest.fixture
def built(db):
    """Ann (section Mon, graded by Gina) read two lessons, reviewed a card, submitted the
    quiz a day late, ran the lab; Ben (section Wed) did nothing."""
    quiz = make_quiz(time_limit=30)
    lab = make_lab(quiz.course)
    course_class = make_class(quiz.course, name="Record class")
    mon = Section.objects.create(course_class=course_class, name="Mon")
    wed = Section.objects.create(course_class=course_class, name="Wed")
    ann = make_user("ann", STUDENT, first_name="Ann", last_name="Lee", email="ann@example.org")
    ben = make_user("ben", STUDENT)
    enrollment = enroll(ann, course_class, section=mon, student_id="S-7")
    enroll(ben, course_class, section=wed)
    Accommodation.objects.create(
        enrollment=enrollment, time_multiplier=Decimal("1.5"), note="Letter on file"
    )
    GraderAssignment.objects.create(section=mon, grader=make_user("gina", GRADER))
    GraderAssignment.objects.create(section=wed, grader=make_user("walt", GRADER))
    now = timezone.now()
    due = DueDate.objects.create(course_class=course_class, item=quiz, due_at=now - timedelta(2))
    DueDateOverride.objects.create(due_date=due, user=ann, due_at=now - timedelta(days=1))
    lessons = list(Lesson.objects.filter(course=quiz.course).order_by("module__order", "order"))
    for lesson in lessons[:2]:
        lesson_set_complete(user=ann, lesson=lesson, complete=True)
    card = Flashcard.objects.filter(course=quiz.course)[0]
    flashcard_rate(user=ann, flashcard=card, rating=3, sequence=0)
    attempt_submit(attempt=attempt_start(user=ann, quiz=quiz))  # a day after her date
    LabRun.objects.create(lab=lab, user=ann, submission=uuid.uuid4(), params={})
    return course_class


def _url(course_class, username):
    student = course_class.enrollments.get(user__username=username).user
    return reverse("cohorts:student", args=[course_class.pk, student.pk])


def test_the_record_gathers_lessons_cards_attempts_runs_and_due_dates(built):
    enrollment = built.enrollments.get(user__username="ann")
    record = student_record(enrollment, now=timezone.now())
    assert record.lessons_done == 2
    assert record.flashcards.seen == 1 and record.flashcards.reviews_total == 1
    (quiz_row,) = record.panels["quiz"].context["rows"]
    assert quiz_row.grade is not None and not quiz_row.missing
    assert quiz_row.late  # submitted today, due (for Ann) yesterday
    assert quiz_row.time_limit_minutes == 45  # 30 minutes x 1.5
    (lab_row,) = record.panels["lab"].context["rows"]
    assert len(lab_row.runs) == 1
    assert record.last_active is not None


def test_a_student_with_nothing_submitted_past_the_due_date_is_overdue(built):
    enrollment = built.enrollments.get(user__username="ben")
    record = student_record(enrollment, now=timezone.now())
    (quiz_row,) = record.panels["quiz"].context["rows"]
    assert quiz_row.missing and quiz_row.overdue and not quiz_row.late
    assert record.last_active is None and record.lessons_done == 0


def test_the_instructor_sees_the_record_with_extra_time_and_the_late_flag(
    client, instructor, built
):
    client.force_login(instructor)
    response = client.get(_url(built, "ann"))
    assert response.status_code == 200
    text = response.text
    assert "Ann Lee" in text and "S-7" in text and "ann@example.org" in text
    assert "×1.5" in text and "Letter on file" in text
    assert "Late" in text and "2 of " in text


def test_the_grader_of_the_students_section_sees_the_record(client, built):
    client.force_login(built.sections.get(name="Mon").graders.get().grader)
    response = client.get(_url(built, "ann"))
    assert response.status_code == 200
    assert "×1.5" in response.text


def test_a_grader_of_another_section_gets_a_404(client, built):
    client.force_login(built.sections.get(name="Wed").graders.get().grader)
    assert client.get(_url(built, "ann")).status_code == 404


@pytest.mark.parametrize("who", ["ann", "ben"])
def test_students_never_see_a_record_their_own_included(client, built, who):
    client.force_login(built.enrollments.get(user__username=who).user)
    assert client.get(_url(built, "ann")).status_code == 404


def test_a_student_of_another_class_is_not_found_through_this_class(client, instructor, built):
    other = make_class(built.course, name="Other class")
    stranger = make_user("stranger", STUDENT)
    enroll(stranger, other)
    client.force_login(instructor)
    url = reverse("cohorts:student", args=[built.pk, stranger.pk])
    assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, built):
    response = client.get(_url(built, "ann"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_class_page_links_each_student_to_their_record(client, instructor, built):
    client.force_login(instructor)
    response = client.get(reverse("cohorts:class", args=[built.pk]))
    assert _url(built, "ann") in response.text and _url(built, "ben") in response.text


def test_the_page_reads_a_bounded_number_of_queries(
    client, instructor, built, django_assert_max_num_queries
):
    client.force_login(instructor)
    with django_assert_max_num_queries(20):  # none per quiz or lab: one query each
        assert client.get(_url(built, "ann")).status_code == 200


def _extra_time_url(course_class, username):
    student = course_class.enrollments.get(user__username=username).user
    return reverse("cohorts:student-extra-time", args=[course_class.pk, student.pk])


def test_the_instructor_sets_and_clears_a_students_extra_time(client, instructor, built):
    from quizzes.models import Quiz

    client.force_login(instructor)
    url = _extra_time_url(built, "ben")
    data = {"time_multiplier": "2", "extra_minutes": "10", "note": "Exam office"}
    response = client.post(url, data, follow=True)
    assert "Extra time saved: ×2, +10 min." in response.text
    enrollment = built.enrollments.get(user__username="ben")
    quiz = Quiz.objects.get(course=built.course)
    record = student_record(enrollment, now=timezone.now())
    assert record.panels["quiz"].context["rows"][0].time_limit_minutes == 70  # 30 x 2 + 10
    client.post(url, {"time_multiplier": "1", "extra_minutes": "0", "note": ""})
    assert not Accommodation.objects.filter(enrollment=enrollment).exists()
    assert quiz.time_limit is not None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"time_multiplier": "0.5", "extra_minutes": "0"}, "greater than or equal to 1"),
        ({"time_multiplier": "9", "extra_minutes": "0"}, "less than or equal to 5"),
        ({"time_multiplier": "1.5", "extra_minutes": "-3"}, "greater than or equal to 0"),
        ({"time_multiplier": "lots", "extra_minutes": "0"}, "Enter a number"),
    ],
)
def test_bad_extra_time_is_refused_with_the_reason(client, instructor, built, data, message):
    client.force_login(instructor)
    response = client.post(_extra_time_url(built, "ann"), data)
    assert response.status_code == 400 and message in response.text
    accommodation = Accommodation.objects.get(enrollment__user__username="ann")
    assert accommodation.time_multiplier == Decimal("1.5")  # unchanged


def test_graders_and_students_cannot_change_extra_time(client, built):
    url = _extra_time_url(built, "ann")
    grader = built.sections.get(name="Mon").graders.get().grader
    for user in (grader, built.enrollments.get(user__username="ann").user):
        client.force_login(user)
        response = client.post(url, {"time_multiplier": "5", "extra_minutes": "0"})
        assert response.status_code == 404
    assert Accommodation.objects.get(enrollment__user__username="ann").time_multiplier == 1.5
