"""The quiz page (settings, attempts, grade) and starting an attempt."""

from decimal import Decimal

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.models import Attempt, Quiz
from tests.factories import enroll, make_course
from tests.quizzes.factories import field_names, make_quiz

pytestmark = pytest.mark.django_db


def _url(quiz: Quiz, name: str = "quiz") -> str:
    return reverse(f"quizzes:{name}", args=[quiz.course.slug, quiz.key])


def test_it_shows_the_settings_and_a_start_button(client, student):
    quiz = make_quiz(attempts=2, time_limit=10, grading="average")
    client.force_login(student)
    text = client.get(_url(quiz)).text
    assert "2 allowed, 2 left" in text and "10 minutes per attempt" in text
    assert "Average of attempts" in text and "Start the quiz" in text


def test_starting_redirects_to_a_new_attempt(client, student):
    quiz = make_quiz()
    client.force_login(student)
    response = client.post(_url(quiz, "start"))
    attempt = Attempt.objects.get(user=student)
    assert response.status_code == 302 and response["Location"] == attempt.get_absolute_url()


def test_it_offers_to_continue_an_open_attempt(client, student):
    quiz = make_quiz()
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    text = client.get(_url(quiz)).text
    assert "Continue attempt 1" in text and attempt.get_absolute_url() in text


def test_it_shows_the_grade_by_the_grading_method_and_every_attempt(client, student):
    quiz = make_quiz(grading="highest")
    ids = field_names(quiz)
    for choice in ("b", "a"):
        attempt = services.attempt_start(user=student, quiz=quiz)
        services.attempt_submit(attempt=attempt, answers={ids["single-q"]: ({"choice": choice}, 0)})
    client.force_login(student)
    response = client.get(_url(quiz))
    assert response.context["grade"].score == Decimal(1)
    assert "Attempt 1" in response.text and "Attempt 2" in response.text


def test_it_refuses_a_start_when_no_attempts_are_left(client, student):
    quiz = make_quiz(attempts=1)
    services.attempt_submit(attempt=services.attempt_start(user=student, quiz=quiz))
    client.force_login(student)
    assert "used all your attempts" in client.get(_url(quiz)).text
    client.post(_url(quiz, "start"))
    assert Attempt.objects.filter(user=student).count() == 1


def test_it_finishes_an_expired_attempt_when_the_student_comes_back(client, student):
    from datetime import timedelta

    from django.utils import timezone

    quiz = make_quiz(time_limit=1)
    attempt = services.attempt_start(user=student, quiz=quiz)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    client.force_login(student)
    assert "time ran out" in client.get(_url(quiz)).text


def test_it_requires_login(client):
    quiz = make_quiz()
    response = client.get(_url(quiz))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(_url(quiz, "start")).status_code == 302
    assert Attempt.objects.count() == 0


def test_an_unpublished_quiz_is_a_404_for_students_and_a_draft_for_instructors(
    client, student, instructor
):
    quiz = make_quiz(published=False)
    client.force_login(student)
    assert client.get(_url(quiz)).status_code == 404
    assert client.post(_url(quiz, "start")).status_code == 404
    client.force_login(instructor)
    assert "Draft" in client.get(_url(quiz)).text


def test_a_quiz_on_an_unpublished_lesson_is_a_404_for_students(client, student):
    quiz = make_quiz()
    quiz.lesson.__class__.objects.filter(pk=quiz.lesson_id).update(published=False)
    client.force_login(student)
    assert client.get(_url(quiz)).status_code == 404


def test_a_quiz_key_from_another_course_is_not_found_here(client, student):
    quiz = make_quiz()
    enroll(student, make_course("other"))  # in both classes: the key, not the course, is refused
    client.force_login(student)
    url = reverse("quizzes:quiz", args=["other", quiz.key])
    assert client.get(url).status_code == 404


def test_it_refuses_get_on_start(client, student):
    quiz = make_quiz()
    client.force_login(student)
    assert client.get(_url(quiz, "start")).status_code == 405


def test_the_lesson_page_lists_its_quizzes(client, student):
    quiz = make_quiz()
    client.force_login(student)
    text = client.get(quiz.lesson.get_absolute_url()).text
    assert _url(quiz) in text and "Quizzes and exercises" in text


def test_the_course_page_lists_every_visible_quiz(client, student):
    quiz = make_quiz()
    Quiz.objects.create(course=quiz.course, key="hidden", title="Hidden quiz", published=False)
    client.force_login(student)
    text = client.get(quiz.course.get_absolute_url()).text
    assert quiz.title in text and "Hidden quiz" not in text


def test_it_issues_a_constant_number_of_queries_whatever_the_number_of_attempts(
    client, student, django_assert_max_num_queries
):
    quiz = make_quiz()
    for _ in range(15):
        services.attempt_submit(attempt=services.attempt_start(user=student, quiz=quiz))
    services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    url = _url(quiz)
    with django_assert_max_num_queries(9):  # 8, and 1 for the student's due date
        response = client.get(url)
    assert response.status_code == 200 and "Attempt 16" in response.text


def test_the_sweep_command_reports_what_it_finished(student, capsys):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    quiz = make_quiz(time_limit=1)
    attempt = services.attempt_start(user=student, quiz=quiz)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    call_command("finish_expired_attempts")
    assert "Finished 1 expired attempt(s)." in capsys.readouterr().out


def test_a_quiz_on_a_lesson_of_an_unpublished_or_archived_module_is_a_404(client, student):
    quiz = make_quiz()
    module = quiz.lesson.module
    client.force_login(student)
    for change in ({"published": False}, {"published": True, "archived": True}):
        type(module).objects.filter(pk=module.pk).update(**change)
        assert client.get(_url(quiz)).status_code == 404


def test_another_students_attempts_never_appear_on_my_page(client, student, other_student):
    quiz = make_quiz()
    services.attempt_submit(attempt=services.attempt_start(user=other_student, quiz=quiz))
    services.attempt_start(user=other_student, quiz=quiz)
    client.force_login(student)
    response = client.get(_url(quiz))
    assert response.context["attempts"] == [] and "Attempt 1" not in response.text
    assert "Start the quiz" in response.text
    lesson_page = client.get(quiz.lesson.get_absolute_url()).text
    assert "attempt finished" not in lesson_page


def test_a_student_with_extra_time_sees_their_own_limit_and_others_do_not(
    client, student, other_student
):
    from cohorts.models import Accommodation
    from tests.factories import enroll

    quiz = make_quiz(time_limit=60)
    Accommodation.objects.create(enrollment=enroll(student, quiz.course), extra_minutes=30)
    enroll(other_student, quiz.course)
    url = reverse("quizzes:quiz", args=[quiz.course.slug, quiz.key])
    client.force_login(student)
    assert "you have 90 minutes, with your extra time" in client.get(url).text
    client.force_login(other_student)
    assert "extra time" not in client.get(url).text
