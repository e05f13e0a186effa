"""A finished run's result table at a desktop's and a phone's width: never cut off, and
when wider than the screen, a scroll region a keyboard user can reach and scroll (the
condition of axe's scrollable-region-focusable rule, checked on every scrolling element)."""

import os
import uuid

import pytest

from course.roles import STUDENT
from labs.models import LabRun
from tests.factories import enroll, make_course, make_user
from tests.labs.conftest import make_lab
from tests.labs.test_result_tables import SFT_RESULT

pytestmark = [pytest.mark.e2e]

# Every element that scrolls sideways and that no keyboard user could reach: it is not
# focusable itself and holds nothing focusable (axe's scrollable-region-focusable).
UNREACHABLE_SCROLLERS = """
() => [...document.querySelectorAll('body *')].filter((el) => {
  const style = getComputedStyle(el);
  if (!['auto', 'scroll'].includes(style.overflowX)) return false;
  if (el.scrollWidth <= el.clientWidth) return false;
  if (el.tabIndex >= 0) return false;
  return !el.querySelector('a[href], button, input, select, textarea, [tabindex]');
}).map((el) => el.outerHTML.slice(0, 120))
"""


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_the_result_table_is_never_cut_off_and_scrolls_from_the_keyboard(
    live_server, browser, transactional_db, width, height
):
    course = make_course("table-course")
    lab = make_lab(course)
    enroll(make_user("tara", STUDENT), course)
    result = {
        **SFT_RESULT,
        "tables": SFT_RESULT["tables"] * 2,
        "base_model_label": "the default preset",
        "timings": {"model_parameters": 1234567},
    }
    run = LabRun.objects.create(
        lab=lab,
        user=lab.course.classes.get().enrollments.get().user,
        submission=uuid.uuid4(),
        params={"steps": 36},
        status=LabRun.Status.SUCCEEDED,
        result=result,
        headline=result["headline"],
    )
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill("tara")
        page.get_by_label("Password").fill("a-long-test-password")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}{run.get_absolute_url()}")

        model = page.get_by_test_id("base-model")
        assert model.inner_text() == "Base model: the default preset (1,234,567 parameters)."
        model_box = model.bounding_box()
        assert model_box["x"] + model_box["width"] <= width  # wraps on a phone, never cut

        region = page.get_by_role("region", name="Gold score and refusal rate by family").first
        assert region.get_attribute("tabindex") == "0"
        # The page itself never scrolls sideways: what is too wide scrolls in its region.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.evaluate(UNREACHABLE_SCROLLERS) == []
        box, table = region.bounding_box(), region.locator("table").bounding_box()
        assert box["x"] + box["width"] <= width
        if table["width"] > box["width"]:  # on the phone: the keyboard scrolls the table
            region.focus()
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")
            # chromium scrolls smoothly: wait for the region to have moved
            page.wait_for_function(
                "el => el.scrollLeft > 0", arg=region.element_handle(), timeout=5000
            )
        else:  # on the desktop the whole table shows
            assert table["width"] <= box["width"] + 1
        assert region.get_by_role("columnheader", name="Covered by the SFT set").is_visible()
        if os.environ.get("SCREENSHOT_DIR"):  # to look at the page
            page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/run-{width}.png", full_page=True)
    finally:
        context.close()
