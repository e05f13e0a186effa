"""Imported questions on the attempt and result pages: a missing word drawn as a blank,
a description as text between numbered questions, general feedback and a wildcard's
feedback only after submission."""

import pytest
from django.core.management import call_command

from quizzes import services
from quizzes.models import Quiz
from tests.quizzes.factories import field_names

pytestmark = pytest.mark.django_db

BANK = """// [id:intro]
::Part one::[markdown]Read the **questions** below.

// [id:tomb]
Grant is {~buried =entombed ~living} in Grant's tomb.

// [id:animal]
Name a cat. {=cat =%0%*#Completely wrong####Cats purr: GENERAL-FEEDBACK.}
"""


@pytest.fixture
def quiz(tmp_path, course, student) -> Quiz:
    path = tmp_path / "imported.gift.txt"
    path.write_text(BANK)
    call_command("import_questions", course.slug, str(path), "--quiz", "imported", verbosity=0)
    return Quiz.objects.get(key="imported")


def test_it_draws_the_missing_word_as_a_blank_and_the_description_without_a_number(
    client, student, quiz
):
    attempt = services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    text = client.get(attempt.get_absolute_url()).text
    assert 'Grant is <span class="blank" role="img" aria-label="blank">_____</span> in' in text
    assert '<section class="question-description"' in text
    assert "Read the <strong>questions</strong> below." in text
    assert "Question 1</legend>" not in text and "Question 1" in text and "Question 3" not in text
    assert "GENERAL-FEEDBACK" not in text and "Completely wrong" not in text
    assert attempt.responses.count() == 2


def test_after_submission_it_shows_the_wildcards_feedback_and_the_general_feedback(
    client, student, quiz
):
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_submit(
        attempt=attempt,
        answers={ids["tomb"]: ({"choice": "b"}, 0), ids["animal"]: ({"text": "Dog"}, 0)},
    )
    attempt.refresh_from_db()
    assert attempt.score == 1 and attempt.max_score == 2
    client.force_login(student)
    text = client.get(attempt.get_absolute_url()).text
    assert "Completely wrong" in text and "GENERAL-FEEDBACK" in text
    assert "Read the <strong>questions</strong> below." in text
