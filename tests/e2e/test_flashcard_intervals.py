"""In a real browser, the interval on the rating button a student presses is the one the
card then reports, word for word."""

import pytest
from playwright.sync_api import expect

from course.roles import STUDENT
from tests.e2e.test_flashcards import _log_in
from tests.factories import enroll, make_course, make_user

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("rating", "words"), [("Again", "1 minute"), ("Good", "10 minutes"), ("Easy", "8 days")]
)
def test_the_button_pressed_promises_what_the_card_says_after(
    live_server, page, transactional_db, rating, words
):
    make_course("cards", modules=1, lessons_per_module=1, cards_per_lesson=1)
    enroll(make_user("ida", STUDENT), "cards")
    _log_in(page, live_server, "ida")
    page.goto(f"{live_server.url}/courses/cards/lessons/m1-lesson-1/")
    card = page.locator("#card-card-1-1-1")
    card.get_by_role("button", name="Question 1.1.1?").click()
    button = card.get_by_role("button", name=rating)
    promised = button.locator(".rating-interval").inner_text()
    assert promised == words
    button.click()
    expect(card.get_by_role("status")).to_have_text(f"Saved. Next review in {promised}.")
