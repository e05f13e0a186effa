"""Flashcards in a real browser: reveal by click and by keyboard, rate with a key."""

import pytest
from playwright.sync_api import expect

from course.models import FlashcardReview, FlashcardReviewState
from course.roles import STUDENT
from tests.factories import enroll, make_course, make_user

pytestmark = pytest.mark.e2e


def _log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Courses")).to_be_visible()


def test_a_student_reveals_cards_by_click_and_keyboard_and_rates_them(
    live_server, page, transactional_db
):
    make_course("cards", modules=1, lessons_per_module=1, cards_per_lesson=2)
    student = make_user("flo", STUDENT)
    enroll(student, "cards")
    _log_in(page, live_server, "flo")
    page.goto(f"{live_server.url}/courses/cards/lessons/m1-lesson-1/")

    first = page.locator("#card-card-1-1-1")
    face = first.get_by_role("button", name="Question 1.1.1?")
    expect(face).to_have_attribute("aria-expanded", "false")
    expect(first.get_by_text("An answer.")).to_be_hidden()
    face.click()
    expect(face).to_have_attribute("aria-expanded", "true")
    expect(first.get_by_text("An answer.")).to_be_visible()
    first.get_by_role("button", name="Good").click()
    expect(first.get_by_text("Saved. Next review")).to_be_visible()
    assert (
        FlashcardReviewState.objects.get(user=student, flashcard__key="card-1-1-1").review_count
        == 1
    )

    second = page.locator("#card-card-1-1-2")
    second_face = second.get_by_role("button", name="Question 1.1.2?")
    second_face.focus()
    page.keyboard.press("Space")
    expect(second_face).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Enter")
    expect(second_face).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(second_face).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("1")
    expect(second.get_by_text("Saved. Next review")).to_be_visible()
    review = FlashcardReview.objects.get(user=student, flashcard__key="card-1-1-2")
    assert review.rating == 1
    assert page.url.endswith("/lessons/m1-lesson-1/")  # no full page reload


def test_the_review_page_takes_a_due_card_by_keyboard(live_server, page, transactional_db):
    from datetime import timedelta

    from django.utils import timezone

    from course.models import Flashcard
    from course.services import flashcard_rate

    make_course("cards", modules=1, lessons_per_module=1, cards_per_lesson=1)
    student = make_user("rex", STUDENT)
    enroll(student, "cards")
    flashcard_rate(user=student, flashcard=Flashcard.objects.get(), rating=3, sequence=0)
    FlashcardReviewState.objects.update(due=timezone.now() - timedelta(minutes=5))
    _log_in(page, live_server, "rex")
    expect(page.get_by_label("1 card due")).to_be_visible()
    page.goto(f"{live_server.url}/courses/cards/review/")
    expect(page.get_by_text("1 card due now")).to_be_visible()
    page.get_by_role("button", name="Question 1.1.1?").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("3")
    expect(page.get_by_text("Your next card is due in")).to_be_visible()
    assert FlashcardReviewState.objects.get().review_count == 2


def test_a_rating_and_a_completion_show_when_the_kept_lesson_page_is_reloaded(
    live_server, page, transactional_db
):
    """The lesson page is kept for the browser (course/page_cache.py); the htmx posts give
    the browser a new generation cookie, so a reload renders the page afresh."""
    make_course("kept", modules=1, lessons_per_module=1, cards_per_lesson=1)
    enroll(make_user("kim", STUDENT), "kept")
    _log_in(page, live_server, "kim")
    url = f"{live_server.url}/courses/kept/lessons/m1-lesson-1/"
    page.goto(url)
    page.reload()  # the second view is the one kept: the first gave the browser its cookies
    card = page.locator("#card-card-1-1-1")
    expect(card.get_by_text("New card")).to_be_visible()
    card.get_by_role("button", name="Question 1.1.1?").click()
    card.get_by_role("button", name="Good").click()
    expect(card.get_by_text("Saved. Next review")).to_be_visible()
    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_role("button", name="Mark as not complete")).to_be_visible()
    page.reload()
    expect(page.locator("#card-card-1-1-1").get_by_text("Next review: in")).to_be_visible()
    expect(page.get_by_role("button", name="Mark as not complete")).to_be_visible()
