"""A grader grades an essay and the scenario exercise's written part with the keyboard
alone (number keys, arrows, Ctrl+Enter and Enter for save and next), then the student
sees the released grade and the comment."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cohorts.models import GraderAssignment, Section
from course.roles import GRADER, STUDENT
from quizzes import services
from quizzes.models import Response
from tests.factories import enroll, make_class, make_user
from tests.quizzes.factories import essay, field_names, make_quiz, scenario

pytestmark = pytest.mark.e2e


def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()


def test_a_grader_grades_by_keyboard_and_the_student_sees_the_grade(
    live_server, page, transactional_db
):
    quiz = make_quiz(questions=[essay("essay-q"), scenario("scenario-q")])
    course_class = make_class(quiz.course, name="Keyboard class")
    section = Section.objects.create(course_class=course_class, name="Mon")
    student = make_user("stella", STUDENT, first_name="Stella", last_name="Ng")
    enroll(student, course_class, section=section)
    grader = make_user("gwen", GRADER)
    GraderAssignment.objects.create(section=section, grader=grader)
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    answers = {
        ids["essay-q"]: ({"text": "Reward hacking is when the policy games the reward."}, 0),
        ids["scenario-q-part-1"]: ({"choice": "a"}, 0),
        ids["scenario-q-part-2"]: ({"text": "I would add a KL penalty."}, 0),
    }
    services.attempt_submit(attempt=attempt, answers=answers)

    _log_in(page, live_server, "gwen")
    page.goto(f"{live_server.url}/classes/{course_class.pk}/grading/")
    expect(page.get_by_test_id("progress")).to_contain_text("0 of 2")
    page.get_by_test_id("start-grading").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_text("Reward hacking is when the policy games the reward.")).to_be_visible()
    expect(page.get_by_label("0 pt: No")).to_be_focused()  # grading.js focuses the rubric
    page.keyboard.press("1")  # the first level ...
    expect(page.get_by_label("0 pt: No")).to_be_checked()
    page.keyboard.press("2")  # ... no, the second (the only criterion keeps the focus)
    expect(page.get_by_label("3 pt: Yes")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("Clear and well argued.")
    page.keyboard.press("Control+Enter")  # save and next, from the comment

    expect(page.get_by_text("I would add a KL penalty.")).to_be_visible()
    expect(page.get_by_test_id("progress")).to_contain_text("1 of 2")
    page.keyboard.press("1")
    page.keyboard.press("ArrowRight")  # the radio group's own key: the next level
    page.keyboard.press("Enter")  # save and next: nothing left, back to the queue
    expect(page.get_by_text("Every answer here is graded.")).to_be_visible()
    expect(page.get_by_test_id("progress")).to_contain_text("2 of 2")

    graded = Response.objects.filter(attempt=attempt, question__kind="essay").order_by("id")
    assert [(r.score, r.rubric_levels) for r in graded] == [(Decimal(3), [1]), (Decimal(3), [1])]
    assert graded[0].grader_comment == "Clear and well argued."

    page.context.clear_cookies()
    _log_in(page, live_server, "stella")
    page.goto(f"{live_server.url}{attempt.get_absolute_url()}")
    expect(page.get_by_test_id("your-score")).to_contain_text("7 of 7 points")
    expect(page.get_by_text("Clear and well argued.")).to_be_visible()
