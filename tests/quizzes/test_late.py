"""Late attempts: submitted after the student's own due date, accepted, and marked Late
for the student and for the staff who look at attempts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import CourseClass, DueDate, DueDateOverride
from quizzes import services
from quizzes.models import Attempt
from tests.quizzes.factories import field_names, make_quiz

pytestmark = pytest.mark.django_db


def _due(quiz, when) -> DueDate:
    course_class = CourseClass.objects.get(course=quiz.course)
    return DueDate.objects.create(course_class=course_class, item=quiz, due_at=when)


def _submit(client, attempt, quiz):
    ids = field_names(quiz)
    form = {f"q-{ids['single-q']}": "b", f"rev-{ids['single-q']}": "0"}
    return client.post(reverse("quizzes:submit", args=[attempt.pk]), form, follow=True)


def test_an_attempt_submitted_after_the_due_date_is_accepted_and_marked_late(client, student):
    quiz = make_quiz()
    due = _due(quiz, timezone.now() - timedelta(hours=1))
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    response = _submit(client, attempt, quiz)
    assert "Submitted. Here is your result." in response.text
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.score == 1
    assert attempt.submitted_late and attempt.due_at == due.due_at
    assert "Late" in response.text and "accepted and marked late" in response.text
    listing = client.get(quiz.get_absolute_url()).text
    assert 'class="badge badge-late">Late<' in listing


def test_an_attempt_submitted_before_the_due_date_is_not_late(client, student):
    quiz = make_quiz()
    _due(quiz, timezone.now() + timedelta(days=1))
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    response = _submit(client, attempt, quiz)
    attempt.refresh_from_db()
    assert not attempt.submitted_late and attempt.due_at is not None
    assert "badge-late" not in response.text
    assert "badge-late" not in client.get(quiz.get_absolute_url()).text


def test_lateness_follows_the_students_own_extension(client, student, other_student):
    quiz = make_quiz()
    due = _due(quiz, timezone.now() - timedelta(hours=1))
    DueDateOverride.objects.create(
        due_date=due, user=student, due_at=timezone.now() + timedelta(days=2)
    )
    for user in (student, other_student):
        services.attempt_submit(attempt=services.attempt_start(user=user, quiz=quiz))
    assert not Attempt.objects.get(user=student).submitted_late
    assert Attempt.objects.get(user=other_student).submitted_late


def test_without_a_due_date_nothing_is_late(student):
    quiz = make_quiz()
    result = services.attempt_submit(attempt=services.attempt_start(user=student, quiz=quiz))
    assert not result.attempt.submitted_late and result.attempt.due_at is None


def test_a_timed_attempt_whose_time_ran_out_before_the_due_date_is_not_late(student):
    quiz = make_quiz(time_limit=10)
    attempt = services.attempt_start(user=student, quiz=quiz)
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=timezone.now() - timedelta(hours=3),
        deadline=timezone.now() - timedelta(hours=2, minutes=50),
    )
    _due(quiz, timezone.now() - timedelta(hours=1))  # after the time ran out, before now
    attempt.refresh_from_db()
    assert services.attempt_finish_if_expired(attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.finished_by_time_limit and not attempt.submitted_late


def test_a_late_start_is_allowed_and_the_quiz_page_says_it_will_be_marked_late(client, student):
    quiz = make_quiz()
    _due(quiz, timezone.now() - timedelta(days=2, hours=1))
    client.force_login(student)
    page = client.get(quiz.get_absolute_url()).text
    assert "Overdue" in page and "2\xa0days ago" in page and "marked late" in page
    assert "Start the quiz" in page
    started = client.post(reverse("quizzes:start", args=[quiz.course.slug, quiz.key]))
    assert started.status_code == 302 and Attempt.objects.filter(user=student).exists()
    attempt_page = client.get(started["Location"]).text
    assert 'data-testid="due"' in attempt_page and "marked late" in attempt_page


def test_instructors_see_late_attempts_in_the_admin(client, instructor, student):
    quiz = make_quiz()
    _due(quiz, timezone.now() - timedelta(hours=1))
    services.attempt_submit(attempt=services.attempt_start(user=student, quiz=quiz))
    client.force_login(instructor)
    listing = client.get(reverse("admin:quizzes_attempt_changelist"))
    assert "Submitted late" in listing.text
    late = client.get(reverse("admin:quizzes_attempt_changelist"), {"submitted_late__exact": "1"})
    assert late.context["cl"].result_count == 1
    attempt = Attempt.objects.get(user=student)
    page = client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))
    assert page.status_code == 200 and "Submitted late" in page.text
