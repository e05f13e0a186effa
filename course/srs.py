"""Spaced repetition with FSRS (the `fsrs` package): plain functions, no database.

Card state travels as `fsrs.Card.to_dict()` JSON; every datetime is timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler

# No fuzzing: fsrs draws the fuzz from `random()` at each review, so the interval a rating
# button promises could not be the one the rating then gets ("Easy 8d" became 10 days).
# One scheduler serves both the promise and the review.
SCHEDULER = Scheduler(desired_retention=0.9, enable_fuzzing=False)
RATINGS = [(1, "Again"), (2, "Hard"), (3, "Good"), (4, "Easy")]


@dataclass(frozen=True)
class Scheduled:
    card: dict
    state: int
    due: datetime


def new_card(now: datetime) -> dict:
    """A never-rated card due `now`. The id is given (the epoch milliseconds fsrs would
    take itself): without one, fsrs sleeps 1 ms per card to keep ids apart, and a lesson
    page builds a new card for every card its student has not rated yet."""
    return Card(card_id=int(now.timestamp() * 1000), due=now).to_dict()


def review(card: dict, rating: int, now: datetime) -> Scheduled:
    """Apply one rating (1 Again .. 4 Easy) at `now`; return the new card state."""
    if rating not in (1, 2, 3, 4):
        raise ValueError(f"rating must be 1-4, not {rating!r}")
    if now.tzinfo is None:
        raise ValueError("review times must be timezone-aware")
    updated, _log = SCHEDULER.review_card(Card.from_dict(card), Rating(rating), now.astimezone(UTC))
    return Scheduled(card=updated.to_dict(), state=int(updated.state), due=updated.due)


def interval_previews(card: dict, now: datetime) -> dict[int, str]:
    """What each rating would do, in the words the card uses once rated: {3: '10 minutes'}.
    The same `review` call as the rating itself, so the promise is the outcome."""
    return {value: humanise_interval(review(card, value, now).due - now) for value, _ in RATINGS}


def _count(value: float, unit: str) -> str:
    text = f"{value:.1f}".removesuffix(".0")
    return f"{text} {unit}{'' if text == '1' else 's'}"


def humanise_interval(delta: timedelta) -> str:
    """An interval in words, rounded to the nearest unit (never down to '0 minutes'): the
    rating buttons, the 'Next review in ...' line and the review page all say it so."""
    seconds = max(0, delta.total_seconds())
    if (minutes := max(1, round(seconds / 60))) < 60:
        return _count(minutes, "minute")
    if (hours := round(seconds / 3600)) < 24:
        return _count(hours, "hour")
    if (days := round(seconds / 86400)) < 31:
        return _count(days, "day")
    if days < 365:
        return _count(round(days / 30, 1), "month")
    return _count(round(days / 365, 1), "year")
