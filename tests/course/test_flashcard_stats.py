"""Per-student flashcard statistics on the course page."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from course import selectors
from course.models import Flashcard, FlashcardReviewState
from course.services import flashcard_rate


def _rate(user, key, rating, when):
    card = Flashcard.objects.get(key=key)
    state = FlashcardReviewState.objects.filter(user=user, flashcard=card).first()
    return flashcard_rate(
        user=user,
        flashcard=card,
        rating=rating,
        sequence=state.review_count if state else 0,
        now=when,
    ).state


def test_it_counts_learned_cards_due_today_and_30_day_retention(student, course):
    start = timezone.now() - timedelta(days=20)
    # card A: learned (two Goods graduate it), then recalled in review: a pass
    state = _rate(student, "card-1-1-1", 3, start)
    state = _rate(student, "card-1-1-1", 3, state.due)
    state = _rate(student, "card-1-1-1", 3, state.due)
    # card B: learned, then forgotten in review: a lapse
    other = _rate(student, "card-1-2-1", 3, start)
    other = _rate(student, "card-1-2-1", 3, other.due)
    _rate(student, "card-1-2-1", 1, other.due)
    stats = selectors.flashcard_stats(student, course, timezone.now())
    assert stats.learned == 1
    assert stats.reviews_30d == 2 and stats.passed_30d == 1 and stats.retention == 50
    assert stats.due_today >= 1  # card B relearns within minutes


def test_the_course_page_shows_my_statistics(client, student, course):
    client.force_login(student)
    text = client.get(reverse("course:detail", args=["demo-course"])).text
    assert "Learned" in text and "Due today" in text and "no reviews of learned cards yet" in text


def test_another_students_reviews_do_not_count(student, other_student, course):
    _rate(other_student, "card-1-1-1", 3, timezone.now())
    stats = selectors.flashcard_stats(student, course, timezone.now())
    assert (stats.learned, stats.due_today, stats.reviews_30d) == (0, 0, 0)
