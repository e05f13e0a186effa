"""FSRS scheduling through course.srs: plain functions, no database."""

from datetime import UTC, datetime, timedelta

import pytest

from course import srs
from course.models import CardState

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_a_new_card_is_due_now_and_new():
    card = srs.new_card(NOW)
    assert card["state"] == CardState.LEARNING  # fsrs starts cards in its first learning step
    assert datetime.fromisoformat(card["due"]) == NOW


def test_good_moves_due_forward_and_again_brings_it_back_within_the_learning_steps():
    learned = srs.review(srs.new_card(NOW), 3, NOW)
    graduated = srs.review(learned.card, 3, learned.due)
    assert graduated.state == CardState.REVIEW
    assert graduated.due - learned.due >= timedelta(days=1)

    forgot = srs.review(graduated.card, 1, graduated.due)
    assert forgot.state == CardState.RELEARNING
    assert forgot.due - graduated.due <= timedelta(minutes=10)


def test_easy_schedules_further_out_than_hard():
    first = srs.review(srs.new_card(NOW), 3, NOW)
    graduated = srs.review(first.card, 3, first.due)
    hard = srs.review(graduated.card, 2, graduated.due)
    easy = srs.review(graduated.card, 4, graduated.due)
    assert easy.due > hard.due


def test_again_on_a_new_card_keeps_it_in_minutes():
    result = srs.review(srs.new_card(NOW), 1, NOW)
    assert result.due - NOW <= timedelta(minutes=10)


def test_it_refuses_a_rating_outside_1_to_4():
    with pytest.raises(ValueError, match="rating must be 1-4"):
        srs.review(srs.new_card(NOW), 5, NOW)


def test_it_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        srs.review(srs.new_card(NOW), 3, NOW.replace(tzinfo=None))


def test_previews_say_what_each_rating_would_do():
    previews = srs.interval_previews(srs.new_card(NOW), NOW)
    assert previews[1] == "1 minute" and previews[3] == "10 minutes"
    assert previews[4].endswith("days")


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=30), "1 minute"),
        (timedelta(hours=5), "5 hours"),
        (timedelta(days=3), "3 days"),
        (timedelta(days=90), "3 months"),
        (timedelta(days=730), "2 years"),
    ],
)
def test_intervals_read_in_words(delta, text):
    assert srs.humanise_interval(delta) == text


def test_a_new_card_takes_its_id_from_the_time_without_waiting():
    # fsrs sleeps 1 ms per card when it picks the id itself; a lesson page makes one per card
    assert srs.new_card(NOW)["card_id"] == int(NOW.timestamp() * 1000)
