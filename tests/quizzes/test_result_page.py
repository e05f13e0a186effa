"""The result page marks each choice with a sign, a colour and words, keeps a choice's
feedback beside it, and lists accepted short answers one per line."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.bundle_items import BundleChoice, BundleQuestion
from tests.quizzes.factories import field_names, make_quiz, single

pytestmark = pytest.mark.django_db
CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "quizzes.css"


def _goodhart() -> BundleQuestion:
    return BundleQuestion(
        key="law",
        kind="short",
        prompt="Name the law",
        choices=[
            BundleChoice("a", "Goodhart's law", True),
            BundleChoice("b", "Goodharts law", True),
            BundleChoice("c", "Campbell's law", True, weight=Decimal(50)),
        ],
    )


def _multiple() -> BundleQuestion:
    return BundleQuestion(
        key="multi",
        kind="multiple",
        prompt="Pick the failure modes",
        choices=[
            BundleChoice("a", "Reward hacking", True, feedback="FEEDBACK-A"),
            BundleChoice("b", "Too accurate", False, feedback="FEEDBACK-B"),
            BundleChoice("c", "Over-refusal", True, feedback="FEEDBACK-C"),
        ],
    )


def _submitted_result(client, student, answers: dict[str, dict], **settings):
    quiz = make_quiz(questions=[single(), _multiple(), _goodhart()], **settings)
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_save_answers(
        attempt=attempt, answers={ids[key]: (answer, 0) for key, answer in answers.items()}
    )
    services.attempt_submit(attempt=attempt)
    client.force_login(student)
    return attempt, client.get(attempt.get_absolute_url()).text


def _choice(text: str, label: str) -> str:
    """The <li> of the choice whose text is ``label``."""
    items = re.findall(r'<li class="choice-result[^"]*">.*?</li>', text, re.S)
    return next(item for item in items if f'<span class="choice-text">{label}</span>' in item)


def test_a_wrong_choice_has_a_mark_a_colour_class_and_words(client, student):
    _, text = _submitted_result(client, student, {"single-q": {"choice": "a"}})
    wrong = _choice(text, "Option a")
    assert "is-wrong" in wrong and "✗" in wrong and "(your answer: incorrect)" in wrong
    right = _choice(text, "Option b")
    assert "is-correct" in right and "✓" in right and "(correct answer)" in right
    assert "line-through" not in CSS.read_text()  # the label is never struck out


def test_a_right_choice_says_so(client, student):
    _, text = _submitted_result(client, student, {"single-q": {"choice": "b"}})
    assert "(your answer: correct)" in _choice(text, "Option b")


def test_a_choice_worth_part_of_the_points_says_partly_correct_not_incorrect(client, student):
    question = single("weighted-q")
    question.choices[0].weight = Decimal(50)  # a defensible answer, as the scenario exercise has
    quiz = make_quiz(questions=[question])
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_save_answers(
        attempt=attempt, answers={field_names(quiz)["weighted-q"]: ({"choice": "a"}, 0)}
    )
    services.attempt_submit(attempt=attempt)
    client.force_login(student)
    partial = _choice(client.get(attempt.get_absolute_url()).text, "Option a")
    assert "is-partial" in partial and "◐" in partial
    assert "(your answer: partly correct, 50% of the points)" in partial


def test_multiple_select_feedback_sits_with_its_choice(client, student):
    _, text = _submitted_result(client, student, {"multi": {"choices": ["a", "b"]}})
    assert "FEEDBACK-A" in _choice(text, "Reward hacking")
    assert "FEEDBACK-B" in _choice(text, "Too accurate")
    assert "(your answer: incorrect)" in _choice(text, "Too accurate")
    missed = _choice(text, "Over-refusal")
    assert "FEEDBACK-C" not in missed  # not chosen: no feedback
    assert "(correct answer, not chosen)" in missed
    assert text.count("FEEDBACK-A") == 1  # not repeated under the question


def test_accepted_short_answers_are_listed_one_per_item(client, student):
    _, text = _submitted_result(client, student, {"law": {"text": "goodhart"}})
    key = re.search(r'<ul class="answer-key accepted-answers">(.*?)</ul>', text, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", key, re.S)
    assert [re.sub(r"<[^>]+>", "", item) for item in items] == [
        "Goodhart&#x27;s law",
        "Goodharts law",
        "Campbell&#x27;s law (50% of the points)",
    ]


def test_checking_an_answer_puts_its_feedback_beside_the_choice(client, student):
    quiz = make_quiz(questions=[_multiple()], feedback="after-each-question")
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    url = reverse("quizzes:check", args=[attempt.pk, ids["multi"]])
    form = {f"q-{ids['multi']}": ["a", "b"], f"rev-{ids['multi']}": "0"}
    text = client.post(url, form, headers={"HX-Request": "true"}).text
    feedback_id = f"feedback-{ids['multi']}-a"
    assert f'value="a" checked aria-describedby="{feedback_id}" disabled' in text
    assert f'<p class="choice-feedback" id="{feedback_id}">FEEDBACK-A</p>' in text
    assert text.index("FEEDBACK-A") < text.index("Too accurate") < text.index("FEEDBACK-B")


def test_another_student_gets_a_404_for_the_result(client, student, other_student):
    attempt, _ = _submitted_result(client, student, {"single-q": {"choice": "a"}})
    client.force_login(other_student)
    assert client.get(attempt.get_absolute_url()).status_code == 404
