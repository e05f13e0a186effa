"""The review page: due cards one at a time, new cards from opened lessons, what is next."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from course.models import Flashcard, FlashcardReviewState, Lesson
from course.services import flashcard_rate, lesson_record_view
from tests.factories import enroll, make_course


def _url(course_slug: str = "demo-course") -> str:
    return reverse("course:review", args=[course_slug])


def _rate(user, key: str, rating: int = 3, when=None) -> None:
    card = Flashcard.objects.get(key=key)
    state = FlashcardReviewState.objects.filter(user=user, flashcard=card).first()
    flashcard_rate(
        user=user,
        flashcard=card,
        rating=rating,
        sequence=state.review_count if state else 0,
        now=when,
    )


def _make_due(user, key: str) -> None:
    FlashcardReviewState.objects.filter(user=user, flashcard__key=key).update(
        due=timezone.now() - timedelta(hours=1)
    )


def test_it_shows_the_most_overdue_card_first(client, student, course):
    _rate(student, "card-1-1-1")
    _rate(student, "card-2-1-1")
    FlashcardReviewState.objects.filter(flashcard__key="card-1-1-1").update(
        due=timezone.now() - timedelta(hours=1)
    )
    FlashcardReviewState.objects.filter(flashcard__key="card-2-1-1").update(
        due=timezone.now() - timedelta(days=2)
    )
    client.force_login(student)
    text = client.get(_url()).text
    assert "2 cards due now" in text
    assert "Question 2.1.1?" in text and "Question 1.1.1?" not in text


def test_rating_on_the_review_page_moves_to_the_next_card(client, student, course):
    _rate(student, "card-1-1-1")
    _rate(student, "card-1-2-1")
    _make_due(student, "card-1-1-1")
    _make_due(student, "card-1-2-1")
    client.force_login(student)
    first = client.get(_url()).text
    shown = "card-1-1-1" if "Question 1.1.1?" in first else "card-1-2-1"
    rate_url = reverse("course:flashcard-rate", args=["demo-course", shown])
    response = client.post(
        rate_url,
        {"rating": "3", "sequence": "1", "source": "review"},
        headers={"HX-Request": "true"},
    )
    assert response.text.lstrip().startswith('<section id="review-area"')
    assert "1 card due now" in response.text


def test_a_card_never_rated_is_new_not_due(client, student, course):
    lesson_record_view(user=student, lesson=Lesson.objects.get(slug="m1-lesson-1"))
    client.force_login(student)
    text = client.get(_url()).text
    assert "No cards due: here is a new card" in text
    assert "Question 1.1.1?" in text and "New card" in text
    assert not FlashcardReviewState.objects.exists()


def test_new_cards_come_only_from_lessons_i_have_opened(client, student, course):
    client.force_login(student)
    text = client.get(_url()).text
    assert "No cards yet" in text


def test_when_nothing_is_left_it_says_when_the_next_card_is_due(client, student, course):
    _rate(student, "card-1-1-1", rating=4)
    for key in ("card-1-2-1", "card-2-1-1", "card-2-2-1"):
        _rate(student, key, rating=4)
    client.force_login(student)
    text = client.get(_url()).text
    assert "All caught up" in text and "Your next card is due in" in text


def test_revealing_without_javascript_shows_the_answer(client, student, course):
    _rate(student, "card-1-1-1")
    _make_due(student, "card-1-1-1")
    client.force_login(student)
    hidden = client.get(_url()).text
    assert 'aria-expanded="false"' in hidden and 'card-1-1-1-back" hidden' in hidden
    shown = client.get(_url(), {"reveal": "1"}).text
    assert 'aria-expanded="true"' in shown and 'card-1-1-1-back" hidden' not in shown


def test_another_students_due_cards_are_not_mine(client, student, other_student, course):
    _rate(other_student, "card-1-1-1")
    _make_due(other_student, "card-1-1-1")
    client.force_login(student)
    assert "No cards yet" in client.get(_url()).text


def test_cards_of_unpublished_lessons_leave_the_queue(client, student, course):
    _rate(student, "card-1-1-1")
    _make_due(student, "card-1-1-1")
    Lesson.objects.filter(slug="m1-lesson-1").update(published=False)
    client.force_login(student)
    assert "Question 1.1.1?" not in client.get(_url()).text


def test_the_navigation_badge_counts_my_due_cards(client, student, course):
    _rate(student, "card-1-1-1")
    _rate(student, "card-2-2-1")
    _make_due(student, "card-1-1-1")
    _make_due(student, "card-2-2-1")
    client.force_login(student)
    text = client.get(reverse("course:catalog")).text
    assert 'aria-label="2 cards due"' in text


def test_without_a_shared_cache_the_badge_is_counted_on_every_page(
    client, student, course, settings
):
    settings.CACHE_SHARED = False
    _rate(student, "card-1-1-1")
    _rate(student, "card-2-2-1")
    _make_due(student, "card-1-1-1")
    client.force_login(student)
    assert 'aria-label="1 card due"' in client.get(reverse("course:catalog")).text
    _make_due(student, "card-2-2-1")
    assert 'aria-label="2 cards due"' in client.get(reverse("course:catalog")).text


def test_a_shared_cache_keeps_the_badge_a_minute_and_a_rating_forgets_it(
    client, student, course, settings, django_capture_on_commit_callbacks
):
    settings.CACHE_SHARED = True
    _rate(student, "card-1-1-1")
    _rate(student, "card-2-2-1")
    _make_due(student, "card-1-1-1")
    client.force_login(student)
    assert 'aria-label="1 card due"' in client.get(reverse("course:catalog")).text
    _make_due(student, "card-2-2-1")  # comes due while the count is kept
    assert 'aria-label="1 card due"' in client.get(reverse("course:catalog")).text
    rate_url = reverse("course:flashcard-rate", args=["demo-course", "card-1-2-1"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(rate_url, {"rating": "3", "sequence": "0"})  # a new card, not due after
    assert 'aria-label="2 cards due"' in client.get(reverse("course:catalog")).text


def test_it_returns_404_for_a_draft_course(client, student):
    make_course("draft", published=False)
    client.force_login(student)
    assert client.get(_url("draft")).status_code == 404


def test_it_requires_login(client, course):
    assert client.get(_url()).status_code == 302


def test_the_review_index_sends_a_one_course_student_straight_to_it(client, student, course):
    client.force_login(student)
    response = client.get(reverse("course:review-index"))
    assert response.status_code == 302 and response["Location"] == _url()


@pytest.mark.parametrize("cards", [1, 30])
def test_it_issues_a_constant_number_of_queries(
    client, student, django_assert_max_num_queries, cards
):
    enroll(student, make_course("sized", modules=1, lessons_per_module=2, cards_per_lesson=cards))
    for card in Flashcard.objects.filter(course__slug="sized"):
        flashcard_rate(user=student, flashcard=card, rating=3, sequence=0)
    FlashcardReviewState.objects.update(due=timezone.now() - timedelta(hours=1))
    client.force_login(student)
    with django_assert_max_num_queries(9):
        assert client.get(_url("sized")).status_code == 200
