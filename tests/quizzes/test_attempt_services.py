"""The attempt state machine: start, autosave (with revisions), check, submit once, expire."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from quizzes import services
from quizzes.models import Attempt, AttemptState, Response
from tests.quizzes.factories import essay, field_names, make_quiz, multiple, short, single

pytestmark = pytest.mark.django_db


def test_starting_creates_one_response_per_answerable_question_and_the_max_score(student):
    quiz = make_quiz(questions=[single(), multiple(), essay()])
    attempt = services.attempt_start(user=student, quiz=quiz)
    assert attempt.state == AttemptState.IN_PROGRESS and attempt.number == 1
    assert attempt.responses.count() == 3 and attempt.max_score == Decimal(5)
    assert attempt.deadline is None


def test_starting_again_resumes_the_open_attempt(student):
    quiz = make_quiz()
    first = services.attempt_start(user=student, quiz=quiz)
    assert services.attempt_start(user=student, quiz=quiz) == first
    assert Attempt.objects.count() == 1


def test_starting_after_the_last_allowed_attempt_is_refused(student):
    quiz = make_quiz(attempts=1)
    services.attempt_submit(attempt=services.attempt_start(user=student, quiz=quiz))
    with pytest.raises(services.NoAttemptsLeft):
        services.attempt_start(user=student, quiz=quiz)


def test_a_timed_attempt_gets_a_deadline(student):
    quiz = make_quiz(time_limit=10)
    attempt = services.attempt_start(user=student, quiz=quiz)
    assert attempt.deadline - attempt.started_at == timedelta(minutes=10)


def test_autosave_writes_changed_answers_and_raises_their_revision(student):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    result = services.attempt_save_answers(
        attempt=attempt, answers={ids["single-q"]: ({"choice": "b"}, 0)}
    )
    assert [r.question_id for r in result.saved] == [ids["single-q"]]
    response = Response.objects.get(attempt=attempt, question_id=ids["single-q"])
    assert response.answer == {"choice": "b"} and response.revision == 1
    again = services.attempt_save_answers(
        attempt=attempt, answers={ids["single-q"]: ({"choice": "b"}, 1)}
    )
    assert again.saved == [] and again.conflicts == []


def test_an_answer_from_a_stale_tab_never_overwrites_a_newer_one(student):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_save_answers(attempt=attempt, answers={ids["short-q"]: ({"text": "new"}, 0)})
    stale = services.attempt_save_answers(
        attempt=attempt, answers={ids["short-q"]: ({"text": "old tab"}, 0)}
    )
    assert [r.question_id for r in stale.conflicts] == [ids["short-q"]]
    assert Response.objects.get(question_id=ids["short-q"]).answer == {"text": "new"}


def test_a_submit_from_a_stale_tab_keeps_the_newer_answers(student):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_save_answers(attempt=attempt, answers={ids["single-q"]: ({"choice": "b"}, 0)})
    result = services.attempt_submit(
        attempt=attempt, answers={ids["single-q"]: ({"choice": "a"}, 0)}
    )
    assert result.submitted_now and len(result.conflicts) == 1
    assert Response.objects.get(question_id=ids["single-q"]).answer == {"choice": "b"}
    assert result.attempt.score == Decimal(1)


def test_submitting_grades_the_attempt_and_leaves_essays_for_a_grader(student):
    quiz = make_quiz(questions=[single(), multiple(), short(), essay()])
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    answers = {
        ids["single-q"]: ({"choice": "b"}, 0),
        ids["multi-q"]: ({"choices": ["a"]}, 0),
        ids["short-q"]: ({"text": " goodhart "}, 0),
        ids["essay-q"]: ({"text": "An essay"}, 0),
    }
    result = services.attempt_submit(attempt=attempt, answers=answers)
    attempt = result.attempt
    assert attempt.state == AttemptState.SUBMITTED and attempt.submitted_at
    assert attempt.score == Decimal("2.5") and attempt.max_score == Decimal(6)
    assert attempt.needs_grading
    assert Response.objects.get(question_id=ids["essay-q"]).score is None


def test_an_unanswered_essay_scores_zero_without_a_grader(student):
    quiz = make_quiz(questions=[single(), essay()])
    attempt = services.attempt_start(user=student, quiz=quiz)
    attempt = services.attempt_submit(attempt=attempt).attempt
    assert not attempt.needs_grading and attempt.score == 0


def test_a_second_submit_changes_nothing(student):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    first = services.attempt_submit(
        attempt=attempt, answers={ids["single-q"]: ({"choice": "b"}, 0)}
    )
    second = services.attempt_submit(
        attempt=attempt, answers={ids["single-q"]: ({"choice": "a"}, 1)}
    )
    assert first.submitted_now and not second.submitted_now
    assert second.attempt.submitted_at == first.attempt.submitted_at
    assert Response.objects.get(question_id=ids["single-q"]).answer == {"choice": "b"}


def test_autosave_after_submit_is_refused(student):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_submit(attempt=attempt)
    with pytest.raises(services.AttemptClosed):
        services.attempt_save_answers(
            attempt=attempt, answers={ids["single-q"]: ({"choice": "b"}, 0)}
        )
    assert Response.objects.get(question_id=ids["single-q"]).answer == {}


def test_an_expired_attempt_is_finished_with_its_autosaved_answers(student):
    quiz = make_quiz(time_limit=5)
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_save_answers(attempt=attempt, answers={ids["single-q"]: ({"choice": "b"}, 0)})
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    attempt.refresh_from_db()
    with pytest.raises(services.AttemptClosed):
        services.attempt_save_answers(
            attempt=attempt, answers={ids["single-q"]: ({"choice": "a"}, 1)}
        )
    late = services.attempt_submit(attempt=attempt, answers={ids["single-q"]: ({"choice": "a"}, 1)})
    assert late.submitted_now and late.attempt.finished_by_time_limit
    assert Response.objects.get(question_id=ids["single-q"]).answer == {"choice": "b"}
    assert late.attempt.score == Decimal(1)


def test_the_sweep_finishes_only_expired_attempts(student, other_student):
    quiz = make_quiz(time_limit=5)
    expired = services.attempt_start(user=student, quiz=quiz)
    running = services.attempt_start(user=other_student, quiz=quiz)
    Attempt.objects.filter(pk=expired.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    assert services.attempts_finish_expired() == 1
    expired.refresh_from_db()
    running.refresh_from_db()
    assert expired.state == AttemptState.SUBMITTED and expired.finished_by_time_limit
    assert running.state == AttemptState.IN_PROGRESS
    assert services.attempts_finish_expired() == 0


def test_checking_an_answer_locks_and_scores_it(student):
    quiz = make_quiz(feedback="after-each-question")
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    question = quiz.questions.get(key="single-q")
    response = services.response_check(
        attempt=attempt, question=question, answers={question.pk: ({"choice": "b"}, 0)}
    )
    assert response.checked_at and response.score == Decimal(1)
    services.attempt_save_answers(attempt=attempt, answers={ids["single-q"]: ({"choice": "a"}, 1)})
    assert Response.objects.get(question_id=ids["single-q"]).answer == {"choice": "b"}


def test_checking_is_refused_when_feedback_comes_after_submission(student):
    quiz = make_quiz()
    attempt = services.attempt_start(user=student, quiz=quiz)
    with pytest.raises(ValueError):
        services.response_check(
            attempt=attempt, question=quiz.questions.get(key="single-q"), answers={}
        )


def _race(*targets) -> list:
    """Run each target in its own thread, released together; return results (or errors)."""
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)

    def run(index, target):
        try:
            barrier.wait()
            results[index] = target()
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.services
def test_concurrent_submits_produce_one_graded_attempt(transactional_db, student):
    """On PostgreSQL (make test-services) the submits really overlap and the row lock of
    the conditional UPDATE decides; on SQLite the same code runs with writes serialised."""
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)

    def submit():
        fresh = Attempt.objects.get(pk=attempt.pk)
        return services.attempt_submit(
            attempt=fresh, answers={ids["single-q"]: ({"choice": "b"}, 0)}
        )

    results = _race(*[submit] * 6)
    errors = [r for r in results if isinstance(r, Exception)]
    assert errors == []
    assert sum(1 for r in results if r.submitted_now) == 1
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUBMITTED and attempt.score == Decimal(1)
    assert Attempt.objects.filter(user=student).count() == 1
    assert Response.objects.get(attempt=attempt, question_id=ids["single-q"]).revision == 1


@pytest.mark.services
def test_an_autosave_racing_a_submit_is_either_graded_or_refused_never_lost_silently(
    transactional_db, student
):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)

    def submit():
        return services.attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk))

    def autosave():
        try:
            return services.attempt_save_answers(
                attempt=Attempt.objects.get(pk=attempt.pk),
                answers={ids["single-q"]: ({"choice": "b"}, 0)},
            )
        except services.AttemptClosed as error:
            return error

    submitted, saved = _race(submit, autosave)
    assert submitted.submitted_now
    attempt.refresh_from_db()
    response = Response.objects.get(attempt=attempt, question_id=ids["single-q"])
    if isinstance(saved, services.AttemptClosed):
        assert response.answer == {} and attempt.score == 0
    else:
        assert response.answer == {"choice": "b"} and attempt.score == Decimal(1)


@pytest.mark.services
def test_two_tabs_starting_at_once_share_one_attempt(transactional_db, student):
    quiz = make_quiz()
    results = _race(*[lambda: services.attempt_start(user=student, quiz=quiz).pk] * 4)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1 and Attempt.objects.count() == 1


def test_starting_when_the_open_attempt_has_expired_finishes_it_and_starts_anew(student):
    quiz = make_quiz(time_limit=5)
    first = services.attempt_start(user=student, quiz=quiz)
    Attempt.objects.filter(pk=first.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    second = services.attempt_start(user=student, quiz=quiz)
    first.refresh_from_db()
    assert first.state == AttemptState.SUBMITTED and first.finished_by_time_limit
    assert second.number == 2 and second.is_open


def test_a_students_extra_time_stretches_the_attempts_deadline(student, other_student):
    from cohorts.models import Accommodation
    from tests.factories import enroll

    quiz = make_quiz(time_limit=60)
    Accommodation.objects.create(
        enrollment=enroll(student, quiz.course), time_multiplier="1.5", extra_minutes=10
    )
    enroll(other_student, quiz.course)
    mine = services.attempt_start(user=student, quiz=quiz)
    theirs = services.attempt_start(user=other_student, quiz=quiz)
    assert mine.deadline - mine.started_at == timedelta(minutes=100)  # 60 x 1.5 + 10
    assert theirs.deadline - theirs.started_at == timedelta(minutes=60)
