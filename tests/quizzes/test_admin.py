"""Quizzes in the Django admin: instructors author, attempts are read-only."""

import pytest
from django.urls import reverse

from quizzes import services
from tests.quizzes.factories import make_quiz, scenario

pytestmark = pytest.mark.django_db


def test_instructors_see_quizzes_with_their_questions_and_the_import_link(client, instructor):
    quiz = make_quiz(questions=[scenario()])
    client.force_login(instructor)
    listing = client.get(reverse("admin:quizzes_quiz_changelist"))
    assert quiz.title in listing.text and reverse("admin:quizzes_quiz_import") in listing.text
    change = client.get(reverse("admin:quizzes_quiz_change", args=[quiz.pk]))
    assert change.status_code == 200 and "scenario-q-part-1" in change.text
    question = quiz.questions.get(key="scenario-q-part-1")
    page = client.get(reverse("admin:quizzes_question_change", args=[question.pk]))
    assert page.status_code == 200 and "Option a" in page.text


def test_instructors_edit_a_question_and_its_choices(client, instructor):
    quiz = make_quiz()
    question = quiz.questions.get(key="single-q")
    client.force_login(instructor)
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data.update(
        {
            "quiz": quiz.pk,
            "parent": "",
            "prompt": "Edited prompt",
            "rubric": "[]",
            "choices-TOTAL_FORMS": "0",
            "choices-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    question.refresh_from_db()
    assert question.prompt == "Edited prompt" and question.choices.count() == 3


def test_attempts_are_read_only_in_the_admin(client, instructor, student):
    attempt = services.attempt_start(user=student, quiz=make_quiz())
    client.force_login(instructor)
    assert client.get(reverse("admin:quizzes_attempt_add")).status_code == 403
    page = client.get(reverse("admin:quizzes_attempt_change", args=[attempt.pk]))
    assert page.status_code == 200 and 'name="state"' not in page.text
    for button in ('name="_save"', 'name="_continue"', 'name="_addanother"'):
        assert button not in page.text  # read-only: nothing to save
    response = client.post(reverse("admin:quizzes_attempt_change", args=[attempt.pk]), {})
    assert response.status_code == 403


def test_students_and_graders_cannot_use_the_quiz_admin(client, student, grader):
    for user in (student, grader):
        client.force_login(user)
        response = client.get(reverse("admin:quizzes_quiz_changelist"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("rubric", "points", "error"),
    [
        ('[{"criterion": "C"}]', "1", "give exactly"),
        ('[{"criterion": "C", "levels": [{"points": "x", "description": "d"}]}]', "1", "number"),
        ('[{"criterion": "C", "levels": [{"points": 2, "description": "d"}]}]', "5", "add up to"),
    ],
)
def test_a_malformed_rubric_is_refused_in_the_admin(client, instructor, rubric, points, error):
    from tests.quizzes.factories import essay

    quiz = make_quiz(questions=[essay()])
    question = quiz.questions.get()
    client.force_login(instructor)
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data.update(
        {
            "quiz": quiz.pk,
            "parent": "",
            "rubric": rubric,
            "points": points,
            "choices-TOTAL_FORMS": "0",
            "choices-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200 and error in response.text


@pytest.mark.parametrize(
    ("correct", "error"),
    [
        ([False, False, False], "Mark exactly one choice as correct."),
        ([True, True, False], "Mark exactly one choice as correct."),
    ],
)
def test_a_single_choice_question_without_one_correct_choice_is_refused(
    client, instructor, correct, error
):
    quiz = make_quiz()
    question = quiz.questions.get(key="single-q")
    client.force_login(instructor)
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data.update({"quiz": quiz.pk, "parent": "", "rubric": "[]"})
    formset = page.context["inline_admin_formsets"][0].formset
    data.update({f"choices-{key}": value for key, value in formset.management_form.initial.items()})
    for index, choice_form in enumerate(formset.forms):
        for name in choice_form.fields:
            value = choice_form.initial.get(name, "")
            data[f"choices-{index}-{name}"] = "" if value is None else value
        data[f"choices-{index}-correct"] = "on" if correct[index] else ""
        data[f"choices-{index}-id"] = choice_form.instance.pk
        data[f"choices-{index}-question"] = question.pk
    response = client.post(url, data)
    assert response.status_code == 200 and error in response.text
    assert question.choices.filter(correct=True).count() == 1
