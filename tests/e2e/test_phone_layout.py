"""At a phone's size (390x844, touch) the header takes two short rows, the attempt's sticky
Save/Submit bar stays small, and the flashcards speak of keys only to keyboard users."""

import pytest
from django.contrib.auth import get_user_model

from course.models import Lesson
from course.services import lesson_record_view
from tests.e2e.test_accessibility import build_world
from tests.e2e.test_quiz_flow import _log_in

pytestmark = pytest.mark.e2e
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def world(transactional_db):
    return build_world()  # the pages and data of the accessibility audit


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _height(page, selector: str) -> float:
    return page.evaluate(f"document.querySelector('{selector}').getBoundingClientRect().height")


def test_the_header_is_two_short_rows_on_a_phone(live_server, phone, world):
    _log_in(phone, live_server, "ines")  # an instructor has the most links
    phone.goto(f"{live_server.url}/")
    assert _height(phone, ".site-header") <= 80  # it was three rows, 134 px
    assert _height(phone, ".nav-links") <= 36  # the links: one row under the brand
    brand = phone.locator(".brand").bounding_box()
    log_out = phone.get_by_role("button", name="Log out").bounding_box()
    assert abs(brand["y"] + brand["height"] / 2 - log_out["y"] - log_out["height"] / 2) < 4


def test_the_attempts_sticky_bar_is_one_status_line_over_both_buttons(live_server, phone, world):
    _log_in(phone, live_server, "sara")
    phone.goto(f"{live_server.url}{world.open_attempt.get_absolute_url()}")
    assert _height(phone, ".attempt-actions") <= 90  # it was 163 px
    save = phone.get_by_role("button", name="Save answers").bounding_box()
    submit = phone.get_by_role("button", name="Submit attempt").bounding_box()
    assert abs(save["y"] - submit["y"]) < 4  # side by side
    assert submit["height"] < 48  # one line of text


def _review_with_a_card(page, live_server, world) -> None:
    student = get_user_model().objects.get(username="sara")
    lesson = Lesson.objects.get(slug="amoral-completion-engine")
    lesson_record_view(user=student, lesson=lesson)  # its cards join the review queue
    _log_in(page, live_server, "sara")
    page.goto(f"{live_server.url}/courses/{world.course.slug}/review/?reveal=1")


def test_a_touch_screen_is_not_told_to_press_keys(live_server, phone, world):
    _review_with_a_card(phone, live_server, world)
    assert phone.get_by_role("button", name="Good").first.is_visible()
    assert not phone.get_by_test_id("key-hint").is_visible()
    assert not phone.locator(".rating kbd").first.is_visible()


def test_a_keyboard_user_on_a_wide_screen_is_told_the_keys(live_server, browser, world):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    _review_with_a_card(page, live_server, world)
    assert page.get_by_test_id("key-hint").is_visible()
    assert page.get_by_test_id("key-hint").inner_text().startswith(", or press 1 Again")
    assert page.locator(".rating kbd").first.is_visible()
    context.close()
