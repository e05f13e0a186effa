"""A student presses Run on a lab page and watches a real run on a real worker."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from course.roles import STUDENT
from tests.factories import enroll, make_course, make_user
from tests.labs.conftest import make_lab
from tests.labs.worker import Worker

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WATCH_POINTS = """
window.pointCounts = [];
const record = () => {
  const charts = document.querySelector('[data-charts]');
  const value = charts && charts.dataset.points;
  if (value && window.pointCounts[window.pointCounts.length - 1] !== value) {
    window.pointCounts.push(value);
  }
};
new MutationObserver(record).observe(document.body, {
  subtree: true, childList: true, attributes: true, attributeFilter: ['data-points'],
});
record();
"""


def test_a_student_presses_run_and_sees_the_chart_grow_and_the_run_finish(
    live_server, page, transactional_db, small_base_model, tmp_path
):
    course = make_course("lab-course")
    lab = make_lab(course, limits={})
    lab.queue = f"test-{uuid.uuid4().hex[:8]}"
    lab.save()
    enroll(make_user("lena", STUDENT), course)
    worker = Worker(tmp_path, small_base_model, queue=lab.queue).start()
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("lena")
        page.get_by_label("Password").fill("a-long-test-password")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Courses")).to_be_visible()

        page.goto(f"{live_server.url}{lab.get_absolute_url()}")
        page.get_by_label("Steps").fill("60")
        page.get_by_label("Samples per prompt").fill("1")
        page.get_by_label("Max new tokens").fill("8")
        page.get_by_role("button", name="Run").click()
        # The run page, in whatever state a busy machine's worker has reached by now.
        expect(page.locator(".run-state")).to_contain_text(re.compile("Queued|Running"))
        # Every value the chart's point count takes while the page polls: a run can go
        # from its first point to its last between two polls on a busy machine, so the
        # test watches the whole run instead of sampling it once.
        page.evaluate(WATCH_POINTS)

        expect(page.locator(".status-running")).to_be_visible(timeout=60_000)
        expect(page.locator("figure.chart")).not_to_have_count(0, timeout=60_000)
        expect(page.locator(".status-succeeded")).to_be_visible(timeout=120_000)
        seen = [int(value) for value in page.evaluate("window.pointCounts")]
        assert len(seen) >= 2 and seen == sorted(seen), seen  # the chart grew, live
        expect(page.get_by_text("Finding:")).to_be_visible()
        expect(page.get_by_role("link", name="Download the JSON result")).to_be_visible()
        assert page.locator("figure.chart").count() >= 2
    finally:
        worker.stop()
