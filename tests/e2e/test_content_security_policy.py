"""The pages work under the site's Content-Security-Policy in a real browser: htmx
autosave, the submit confirmation (no inline onclick) and the lab charts, with no
policy violation reported."""

import uuid

import pytest
from playwright.sync_api import expect

from labs.models import LabRun
from quizzes.models import Attempt
from tests.e2e.test_quiz_flow import _student_on_the_course
from tests.labs.conftest import make_lab
from tests.labs.test_run_page import FINISHED

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


def test_autosave_the_submit_confirmation_and_charts_run_under_the_policy(
    live_server, page, transactional_db
):
    page.add_init_script(RECORD_VIOLATIONS)
    student = _student_on_the_course(page, live_server, "cora")
    page.goto(f"{live_server.url}/courses/alignment-training/lessons/red-teaming-never-done/")
    page.get_by_role("link", name="Check your understanding: what alignment training").click()
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_label("Reward hacking").check()
    expect(page.get_by_role("status")).to_contain_text("Saved at")  # htmx, under the policy

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Submit attempt").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("attempt 1")
    assert Attempt.objects.get(user=student).is_open  # dismissed: nothing submitted
    assert page.evaluate("window.cspViolations") == []
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit attempt").click()
    expect(page.get_by_text("Submitted. Here is your result.")).to_be_visible()

    lab = make_lab(student.enrollments.get().course_class.course)
    run = LabRun.objects.create(
        lab=lab, user=student, submission=uuid.uuid4(), dispatches=1, **FINISHED
    )
    page.goto(f"{live_server.url}{run.get_absolute_url()}")
    expect(page.locator("#charts canvas").first).to_be_visible()  # Chart.js drew
    assert page.evaluate("window.cspViolations") == []
