"""A student takes the seed's quiz in a real browser: answers, reloads mid-attempt (the
answers are still there), submits, and sees feedback and explanations."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from course.roles import STUDENT
from quizzes.models import Attempt, Response
from tests.factories import enroll, make_user

pytestmark = pytest.mark.e2e
CONTENT = Path(__file__).resolve().parents[2] / "content" / "alignment-training"


def _log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()


def _student_on_the_course(page, live_server, username: str):
    """The seed course loaded, a student enrolled on it and logged in on ``page``."""
    call_command("load_course", str(CONTENT), verbosity=0)
    student = make_user(username, STUDENT)
    enroll(student, "alignment-training")
    _log_in(page, live_server, username)
    return student


def test_a_student_takes_the_seed_quiz_reloads_mid_attempt_and_sees_feedback(
    live_server, page, transactional_db
):
    student = _student_on_the_course(page, live_server, "quinn")
    page.goto(f"{live_server.url}/courses/alignment-training/lessons/red-teaming-never-done/")
    page.get_by_role("link", name="Check your understanding: what alignment training").click()
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("attempt 1")
    assert "Surface alignment rather than deep alignment" in page.content()
    assert "behaviour on the kinds of prompts it saw" not in page.content()  # its feedback

    page.get_by_label("Surface alignment rather than deep alignment").check()
    page.get_by_label("A reward model can only output two values, better or worse.").check()
    page.get_by_label("Reward hacking").check()
    page.get_by_label("Over-refusal of legitimate requests").check()
    page.get_by_role("group", name="Question 5").get_by_label("Your answer").fill(
        "  goodhart's LAW "
    )
    essay = page.get_by_role("group", name="Question 6: Why alignment is never finished")
    essay.get_by_label("Your answer").fill("Training only shapes behaviour on evaluated prompts.")
    expect(page.get_by_role("status")).to_contain_text("Saved at")
    attempt = Attempt.objects.get(user=student)
    page.wait_for_function(
        "() => !document.querySelector('#attempt-form').classList.contains('htmx-request')"
    )
    _wait_until(lambda: _saved(attempt, "why-red-teaming-continues").startswith("Training only"))

    page.reload()
    expect(page.get_by_label("Surface alignment rather than deep alignment")).to_be_checked()
    expect(page.get_by_label("Reward hacking")).to_be_checked()
    expect(page.get_by_role("group", name="Question 5").get_by_label("Your answer")).to_have_value(
        "  goodhart's LAW "
    )
    expect(essay.get_by_label("Your answer")).to_have_value(
        "Training only shapes behaviour on evaluated prompts."
    )

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit attempt").click()
    expect(page.get_by_text("Submitted. Here is your result.")).to_be_visible()
    expect(
        page.get_by_text("behaviour on the kinds of prompts it saw", exact=False)
    ).to_be_visible()
    expect(page.get_by_text("Absolute ratings are noisy", exact=False)).to_be_visible()
    expect(page.get_by_text("Awaiting a grader")).to_be_visible()
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.needs_grading
    # Q1 right (1), Q2 wrong (0), Q3 two of three right, none wrong (2/3), Q5 right (1)
    assert attempt.score == Decimal("2.67")


def test_checking_an_answer_shows_its_feedback_in_place(live_server, page, transactional_db):
    _student_on_the_course(page, live_server, "cass")
    page.goto(f"{live_server.url}/courses/alignment-training/quizzes/sft-check/")
    page.get_by_role("button", name="Start the quiz").click()
    first = page.get_by_role("group", name="Question 1")
    first.get_by_label("A text-completion engine", exact=False).check()
    first.get_by_role("button", name="Check this answer").click()
    expect(first.get_by_text("It predicts the next token", exact=False)).to_be_visible()
    expect(first.get_by_label("A text-completion engine", exact=False)).to_be_disabled()
    assert "Those traits come from alignment training" not in first.inner_text()


def test_leaving_right_after_typing_still_saves_the_answer(live_server, page, transactional_db):
    """The last keystrokes inside the autosave delay go out with the page (sendBeacon)."""
    student = _student_on_the_course(page, live_server, "lee")
    page.goto(f"{live_server.url}/courses/alignment-training/quizzes/limits-check/")
    page.get_by_role("button", name="Start the quiz").click()
    essay = page.get_by_role("group", name="Question 4").get_by_label("Your answer")
    essay.fill("A measure that becomes a target")
    page.goto(f"{live_server.url}/")  # leave at once, well inside the 700 ms debounce
    attempt = Attempt.objects.get(user=student)
    _wait_until(lambda: _saved(attempt, "goodhart-optimisation-pressure").startswith("A measure"))


def test_typing_before_the_page_scripts_run_still_counts_as_unsaved(
    live_server, page, transactional_db
):
    """What a student types while the page's scripts still load is saved when they leave."""
    import time

    student = _student_on_the_course(page, live_server, "eve")

    def slow_script(route):
        time.sleep(1.5)  # a slow connection: the form is on screen, its script not yet run
        route.continue_()

    page.route("**/js/quizzes*.js", slow_script)
    page.goto(f"{live_server.url}/courses/alignment-training/quizzes/limits-check/")
    page.get_by_role("button", name="Start the quiz").click()
    essay = page.get_by_role("group", name="Question 4").get_by_label("Your answer")
    essay.fill("Typed before the script ran")
    page.wait_for_load_state("load")  # the script has run now; the debounce has not fired
    page.goto(f"{live_server.url}/")
    attempt = Attempt.objects.get(user=student)
    _wait_until(lambda: _saved(attempt, "goodhart-optimisation-pressure").startswith("Typed"))


def test_a_stale_tab_is_told_and_never_overwrites_the_newer_answer(
    live_server, browser, transactional_db
):
    call_command("load_course", str(CONTENT), verbosity=0)
    student = make_user("tab", STUDENT)
    enroll(student, "alignment-training")
    context = browser.new_context()
    first, second = context.new_page(), context.new_page()
    _log_in(first, live_server, "tab")
    first.goto(f"{live_server.url}/courses/alignment-training/quizzes/sft-check/")
    first.get_by_role("button", name="Start the quiz").click()
    second.goto(first.url)  # the same attempt open in a second tab
    attempt = Attempt.objects.get(user=student)
    first.get_by_role("group", name="Question 5").get_by_label("Your answer").fill("supervised")
    _wait_until(lambda: _saved(attempt, "sft-name") == "supervised")

    second.get_by_role("group", name="Question 5").get_by_label("Your answer").fill("stale")
    expect(second.get_by_role("status")).to_contain_text("changed in another tab")
    assert _saved(attempt, "sft-name") == "supervised"
    second.reload()
    answer = second.get_by_role("group", name="Question 5").get_by_label("Your answer")
    expect(answer).to_have_value("supervised")
    context.close()


def test_an_essay_typed_without_pausing_is_saved_while_typing(live_server, page, transactional_db):
    student = _student_on_the_course(page, live_server, "kai")
    page.goto(f"{live_server.url}/courses/alignment-training/quizzes/limits-check/")
    page.get_by_role("button", name="Start the quiz").click()
    attempt = Attempt.objects.get(user=student)
    essay = page.get_by_role("group", name="Question 4").get_by_label("Your answer")
    essay.press_sequentially("A measure that becomes a target " * 3, delay=60)  # ~6 s, no pause
    saved_while_typing = _saved(attempt, "goodhart-optimisation-pressure")
    assert saved_while_typing.startswith("A measure that")
    _wait_until(lambda: _saved(attempt, "goodhart-optimisation-pressure").count("target") == 3)


def test_when_time_runs_out_the_page_shows_the_attempt_finished_with_saved_answers(
    live_server, page, transactional_db
):
    from datetime import timedelta

    from django.utils import timezone

    student = _student_on_the_course(page, live_server, "tim")
    page.goto(f"{live_server.url}/courses/alignment-training/quizzes/rlhf-check/")
    page.get_by_role("button", name="Start the quiz").click()
    attempt = Attempt.objects.get(user=student)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(seconds=4))
    page.reload()  # the countdown now ends in a few seconds
    page.get_by_role("group", name="Question 2").get_by_label("Your answer").fill("6")
    _wait_until(lambda: _saved(attempt, "pairs-from-four-responses") == "6")
    expect(page.get_by_text("when the time limit ran out", exact=False)).to_be_visible(
        timeout=20_000
    )
    attempt.refresh_from_db()
    assert attempt.finished_by_time_limit and attempt.score == 1


def _saved(attempt: Attempt, key: str) -> str:
    response = Response.objects.get(attempt=attempt, question__key=key)
    return str(response.answer.get("text", ""))


def _wait_until(condition, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("the answer never reached the server")
