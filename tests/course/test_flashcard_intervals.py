"""The interval a rating button promises is the one the card then gets, in the same words:
one scheduler call (no random fuzz), one rounding, one wording."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from course import srs
from course.models import Flashcard, FlashcardReview, FlashcardReviewState
from course.services import flashcard_rate

HTMX = {"HX-Request": "true"}
BUTTON = re.compile(
    r'data-rating="(\d)"[^>]*>\s*<span class="rating-label">\w+</span> '
    r'<span class="rating-interval">([^<]+)</span>'
)


def _promises(client, key: str) -> dict[int, str]:
    page = client.get(reverse("course:lesson", args=["demo-course", "m1-lesson-1"]))
    card = page.text[page.text.index(f'id="card-{key}"') :]
    card = card.split("data-flashcard>")[1]  # up to the next card
    return {int(value): text for value, text in BUTTON.findall(card)}


def _outcome(client, key: str, rating: int, sequence: int) -> str:
    url = reverse("course:flashcard-rate", args=["demo-course", key])
    response = client.post(url, {"rating": rating, "sequence": sequence}, headers=HTMX)
    return re.search(r"Saved\. Next review in (.+?)\.</p>", response.text).group(1)


@pytest.mark.parametrize("rating", [1, 2, 3, 4])
def test_a_new_cards_button_promises_what_the_rating_gives(client, student, course, rating):
    client.force_login(student)
    promised = _promises(client, "card-1-1-1")
    assert promised[1] == "1 minute" and promised[3] == "10 minutes"
    assert _outcome(client, "card-1-1-1", rating, 0) == promised[rating]


@pytest.mark.parametrize("rating", [1, 2, 3, 4])
def test_a_review_cards_button_promises_what_the_rating_gives(client, student, course, rating):
    card = Flashcard.objects.get(key="card-1-1-1")
    long_ago = timezone.now() - timedelta(days=12)
    flashcard_rate(user=student, flashcard=card, rating=4, sequence=0, now=long_ago)
    client.force_login(student)
    promised = _promises(client, "card-1-1-1")
    assert promised[4].endswith("days") or promised[4].endswith("months")
    assert _outcome(client, "card-1-1-1", rating, 1) == promised[rating]


def test_the_same_rating_gets_the_same_interval_every_time(student, course):
    card = Flashcard.objects.get(key="card-1-1-1")
    now = timezone.now()
    dues = set()
    for _ in range(20):
        FlashcardReviewState.objects.all().delete()
        FlashcardReview.objects.all().delete()
        flashcard_rate(user=student, flashcard=card, rating=4, sequence=0, now=now)
        dues.add(FlashcardReviewState.objects.get().due)
    assert len(dues) == 1  # fsrs's random fuzz would spread Easy's 8 days over 7-10


def test_the_lesson_page_says_when_a_rated_card_comes_back_in_the_same_words(
    client, student, course
):
    card = Flashcard.objects.get(key="card-1-1-1")
    flashcard_rate(user=student, flashcard=card, rating=4, sequence=0)
    client.force_login(student)
    text = client.get(reverse("course:lesson", args=["demo-course", "m1-lesson-1"])).text
    assert "Next review: in 8 days" in text


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=0), "1 minute"),
        (timedelta(minutes=9, seconds=59), "10 minutes"),
        (timedelta(minutes=59, seconds=50), "1 hour"),
        (timedelta(hours=5), "5 hours"),
        (timedelta(hours=23, minutes=50), "1 day"),
        (timedelta(days=8), "8 days"),
        (timedelta(days=90), "3 months"),
        (timedelta(days=45), "1.5 months"),
        (timedelta(days=730), "2 years"),
    ],
)
def test_intervals_are_rounded_to_the_nearest_unit_never_down_to_zero(delta, text):
    assert srs.humanise_interval(delta) == text
