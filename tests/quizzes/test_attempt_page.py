"""The attempt page: answering, resuming, saving without JavaScript, and what it reveals."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from quizzes import services
from quizzes.models import Attempt, Choice, Question, Quiz, Response
from tests.quizzes.factories import essay, field_names, make_quiz, scenario, single

pytestmark = pytest.mark.django_db
CONTENT = Path(__file__).resolve().parents[2] / "content" / "alignment-training"


def _secrets(quiz: Quiz) -> list[str]:
    """Everything that would give an answer away: feedback, explanations, references."""
    texts = []
    for question in Question.objects.filter(quiz=quiz):
        texts += [question.explanation, question.reference_answer]
        texts += [level["description"] for c in question.rubric for level in c["levels"]]
    texts += list(Choice.objects.filter(question__quiz=quiz).values_list("feedback", flat=True))
    return [text for text in texts if text.strip()]


def test_it_shows_every_question_with_its_inputs(client, student):
    quiz = make_quiz(questions=[single(), essay(), scenario()])
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    text = client.get(attempt.get_absolute_url()).text
    ids = field_names(quiz)
    assert f'name="q-{ids["single-q"]}" value="b"' in text
    assert f'<textarea name="q-{ids["essay-q"]}"' in text
    assert "A scenario" in text and "Question 3.1" in text and "Question 3.2" in text
    assert f'name="rev-{ids["single-q"]}" id="rev-{ids["single-q"]}" value="0"' in text


@pytest.mark.parametrize(
    "key",
    [
        "fine-tuning-and-alignment-check",
        "evaluate-alignment-training-tradeoffs",
        "sft-check",
        "rlhf-check",
        "limits-check",
    ],
)
def test_no_answer_feedback_or_explanation_is_in_the_page_before_the_finish(client, student, key):
    call_command("load_course", str(CONTENT), verbosity=0)
    quiz = Quiz.objects.get(key=key)
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    html = client.get(attempt.get_absolute_url()).content.decode()
    secrets = _secrets(quiz)
    assert secrets, "the shipped quiz has feedback and explanations to hide"
    for secret in secrets:
        first_line = secret.strip().splitlines()[0][:60]
        assert first_line not in html, f"{first_line!r} leaked into the attempt page"
    assert "correct" not in html.lower().replace("incorrect", "")


def test_the_result_page_shows_answers_feedback_and_explanations(client, student):
    quiz = make_quiz(questions=[single(), essay()])
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_submit(attempt=attempt, answers={ids["single-q"]: ({"choice": "a"}, 0)})
    client.force_login(student)
    text = client.get(attempt.get_absolute_url()).text
    assert "SECRET-EXPLANATION single-q" in text and "SECRET-FEEDBACK single-q a" in text
    assert 'Option b</span>\n        <span class="choice-verdict">(correct answer)' in text
    assert "SECRET-REFERENCE" in text
    assert "<strong>0</strong> of 4 points" in text


def test_a_reload_shows_the_saved_answers(client, student):
    quiz = make_quiz(questions=[single(), essay()])
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_save_answers(
        attempt=attempt,
        answers={ids["single-q"]: ({"choice": "c"}, 0), ids["essay-q"]: ({"text": "Draft <b>"}, 0)},
    )
    client.force_login(student)
    text = client.get(attempt.get_absolute_url()).text
    assert f'name="q-{ids["single-q"]}" value="c" checked' in text
    assert "Draft &lt;b&gt;</textarea>" in text
    assert f'id="rev-{ids["single-q"]}" value="1"' in text


def test_saving_without_javascript_posts_the_form_and_redirects_back(client, student):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    form = {
        f"q-{ids['multi-q']}": ["a", "b"],
        f"rev-{ids['multi-q']}": "0",
        f"q-{ids['short-q']}": "Goodhart",
        f"rev-{ids['short-q']}": "0",
        f"rev-{ids['single-q']}": "0",
    }
    response = client.post(attempt.get_absolute_url(), form, follow=True)
    assert "Your answers are saved." in response.text
    assert Response.objects.get(question_id=ids["multi-q"]).answer == {"choices": ["a", "b"]}
    assert Response.objects.get(question_id=ids["single-q"]).answer == {}


def test_an_expired_attempt_opens_as_its_result(client, student):
    quiz = make_quiz(time_limit=1)
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_save_answers(attempt=attempt, answers={ids["single-q"]: ({"choice": "b"}, 0)})
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    client.force_login(student)
    text = client.get(attempt.get_absolute_url()).text
    assert "when the time limit ran out" in text and "<strong>1</strong> of 3 points" in text


def test_a_timed_attempt_shows_its_deadline(client, student):
    quiz = make_quiz(time_limit=10)
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    assert "Time limit: submit by" in client.get(attempt.get_absolute_url()).text


def test_another_student_and_graders_of_other_sections_get_a_404(
    client, student, other_student, grader
):
    quiz = make_quiz()
    attempt = services.attempt_start(user=student, quiz=quiz)
    for user in (other_student, grader):
        client.force_login(user)
        assert client.get(attempt.get_absolute_url()).status_code == 404
        assert client.post(attempt.get_absolute_url(), {}).status_code == 404


def test_an_instructor_reads_it_without_a_form_and_cannot_write_to_it(client, student, instructor):
    attempt = services.attempt_start(user=student, quiz=make_quiz())
    client.force_login(instructor)
    response = client.get(attempt.get_absolute_url())
    assert response.status_code == 200 and "Not submitted yet" in response.text
    assert 'name="q-' not in response.text and "/autosave/" not in response.text
    assert client.post(attempt.get_absolute_url(), {}).status_code == 404


def test_it_requires_login(client, student):
    attempt = services.attempt_start(user=student, quiz=make_quiz())
    response = client.get(attempt.get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_attempt_at_an_archived_quiz_is_gone(client, student):
    quiz = make_quiz()
    attempt = services.attempt_start(user=student, quiz=quiz)
    Quiz.objects.filter(pk=quiz.pk).update(archived=True)
    client.force_login(student)
    assert client.get(attempt.get_absolute_url()).status_code == 404


def test_it_issues_a_constant_number_of_queries_whatever_the_quiz_size(
    client, student, django_assert_max_num_queries
):
    questions = [single(f"q-{n}") for n in range(30)] + [scenario(f"s-{n}") for n in range(5)]
    attempt = services.attempt_start(user=student, quiz=make_quiz(questions=questions))
    client.force_login(student)
    # 7 for the page, 3 for whether the class has finished (the course, and the user's
    # permissions), 1 for the student's due date.
    with django_assert_max_num_queries(11):
        assert client.get(attempt.get_absolute_url()).status_code == 200


def test_the_result_lists_only_answers_that_earn_credit(client, student):
    from decimal import Decimal

    from quizzes.bundle_items import BundleChoice, BundleQuestion

    question = BundleQuestion(
        key="bt",
        kind="numeric",
        prompt="sigmoid(2)?",
        choices=[
            BundleChoice("a", "0.88", True, tolerance=0.01),
            BundleChoice("b", "0.5", True, weight=Decimal(0), feedback="Only the difference"),
            BundleChoice("c", "0.9", True, weight=Decimal(50)),
        ],
    )
    quiz = make_quiz(questions=[question])
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_submit(
        attempt=attempt, answers={field_names(quiz)["bt"]: ({"text": "0.5"}, 0)}
    )
    client.force_login(student)
    text = client.get(attempt.get_absolute_url()).text
    assert "<li>0.88 (± 0.01)</li>" in text
    assert '<li>0.9 <span class="lesson-meta">(50% of the points)</span></li>' in text
    assert "<li>0.5" not in text and "Only the difference" in text
