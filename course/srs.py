"""Spaced repetition with FSRS (the `fsrs` package): plain functions, no database.

Card state travels as `fsrs.Card.to_dict()` JSON; every datetime is timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler

SCHEDULER = Scheduler(desired_retention=0.9, enable_fuzzing=True)
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
    """What each rating would do, as Anki shows on its buttons: {3: '2d', ...}."""
    previews = {}
    for value, _label in RATINGS:
        scheduler = Scheduler(desired_retention=SCHEDULER.desired_retention, enable_fuzzing=False)
        updated, _ = scheduler.review_card(Card.from_dict(card), Rating(value), now)
        previews[value] = humanise_interval(updated.due - now)
    return previews


def humanise_interval(delta: timedelta) -> str:
    seconds = max(0, delta.total_seconds())
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 31:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")
