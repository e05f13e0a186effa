"""A second tab of an attempt submitted in the first: typing there says the attempt was
already submitted, with a link to the result, and the tab stays where it is."""

import pytest
from playwright.sync_api import expect

from quizzes.models import Attempt
from tests.e2e.test_quiz_flow import _student_on_the_course

pytestmark = pytest.mark.e2e


def test_typing_in_a_second_tab_after_submitting_says_so(live_server, page, transactional_db):
    student = _student_on_the_course(page, live_server, "tabitha")
    page.goto(f"{live_server.url}/courses/alignment-training/lessons/red-teaming-never-done/")
    page.get_by_role("link", name="Check your understanding: what alignment training").click()
    page.get_by_role("button", name="Start the quiz").click()
    attempt_url = page.url
    second = page.context.new_page()
    second.goto(attempt_url)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit attempt").click()
    expect(page.get_by_text("Submitted. Here is your result.")).to_be_visible()

    essay = second.get_by_role("group", name="Question 6: Why alignment is never finished")
    essay.get_by_label("Your answer").fill("Typed after submitting in the other tab.")
    status = second.get_by_role("status")
    expect(status).to_contain_text("This attempt was already submitted")
    expect(status).to_contain_text("What you type here is not saved.")
    assert second.url == attempt_url  # no silent jump to the result
    expect(essay.get_by_label("Your answer")).to_have_value(
        "Typed after submitting in the other tab."
    )
    status.get_by_role("link", name="See your result").click()
    expect(second.get_by_role("heading", level=1)).to_contain_text("result")
    saved = Attempt.objects.get(user=student).responses.values_list("answer", flat=True)
    assert not any("Typed after" in str(answer) for answer in saved)
