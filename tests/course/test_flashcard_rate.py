"""Rating a flashcard: FSRS scheduling, once per sequence, only one's own, only visible cards."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from course.models import CardState, Flashcard, FlashcardReview, FlashcardReviewState, Lesson
from course.services import flashcard_rate


def _url(key: str = "card-1-1-1", course_slug: str = "demo-course") -> str:
    return reverse("course:flashcard-rate", args=[course_slug, key])


def _state(user, key: str = "card-1-1-1") -> FlashcardReviewState:
    return FlashcardReviewState.objects.get(user=user, flashcard__key=key)


def test_a_good_rating_schedules_the_card_and_logs_the_review(client, student, course):
    client.force_login(student)
    response = client.post(_url(), {"rating": "3", "sequence": "0"})
    assert response.status_code == 302
    assert response["Location"].endswith("/lessons/m1-lesson-1/#card-card-1-1-1")
    state = _state(student)
    assert state.review_count == 1 and state.due > timezone.now()
    review = FlashcardReview.objects.get(user=student)
    assert review.rating == 3 and review.state_before == CardState.NEW and review.sequence == 0


def test_with_htmx_it_returns_the_card_with_its_next_review(client, student, course):
    client.force_login(student)
    response = client.post(_url(), {"rating": "3", "sequence": "0"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div class="flashcard"')
    assert "Saved. Next review" in response.text
    assert 'name="sequence" value="1"' in response.text


def test_replaying_the_same_rating_schedules_once(client, student, course):
    client.force_login(student)
    client.post(_url(), {"rating": "3", "sequence": "0"})
    due = _state(student).due
    client.post(_url(), {"rating": "3", "sequence": "0"})
    client.post(_url(), {"rating": "1", "sequence": "0"})
    state = _state(student)
    assert state.review_count == 1 and state.due == due
    assert FlashcardReview.objects.filter(user=student).count() == 1


def test_the_next_rating_names_the_next_sequence(client, student, course):
    client.force_login(student)
    client.post(_url(), {"rating": "3", "sequence": "0"})
    client.post(_url(), {"rating": "3", "sequence": "1"})
    assert _state(student).review_count == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_concurrent_replays_schedule_once(student_tx, course_tx):
    card = Flashcard.objects.get(key="card-1-1-1")
    barrier = threading.Barrier(4)
    results = []

    def rate():
        barrier.wait()
        try:
            results.append(flashcard_rate(user=student_tx, flashcard=card, rating=3, sequence=0))
        finally:
            connection.close()

    threads = [threading.Thread(target=rate) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result.applied for result in results) == 1
    assert FlashcardReview.objects.filter(user=student_tx).count() == 1
    assert _state(student_tx).review_count == 1


@pytest.mark.parametrize(
    "data",
    [
        {"rating": "5", "sequence": "0"},
        {"rating": "good", "sequence": "0"},
        {"rating": "3"},
        {"rating": "3", "sequence": "-1"},
        {},
    ],
)
def test_a_bad_rating_is_refused_with_a_message(client, student, course, data):
    client.force_login(student)
    response = client.post(_url(), data)
    assert response.status_code == 400
    assert "Choose Again, Hard, Good or Easy" in response.text
    assert not FlashcardReviewState.objects.exists()


def test_a_rating_changes_only_my_own_state(client, student, other_student, course):
    card = Flashcard.objects.get(key="card-1-1-1")
    flashcard_rate(user=other_student, flashcard=card, rating=1, sequence=0)
    before = _state(other_student)
    client.force_login(student)
    client.post(_url(), {"rating": "4", "sequence": "1"})
    after = _state(other_student)
    assert (after.due, after.review_count) == (before.due, before.review_count)
    assert _state(student).review_count == 0  # my first rating must name sequence 0


def test_it_refuses_a_card_of_an_unpublished_lesson(client, student, course):
    Lesson.objects.filter(slug="m1-lesson-1").update(published=False)
    client.force_login(student)
    assert client.post(_url(), {"rating": "3", "sequence": "0"}).status_code == 404


def test_it_refuses_an_archived_card(client, student, course):
    Flashcard.objects.filter(key="card-1-1-1").update(archived=True)
    client.force_login(student)
    assert client.post(_url(), {"rating": "3", "sequence": "0"}).status_code == 404


def test_it_refuses_a_card_key_from_another_course(client, student, course):
    from tests.factories import make_course

    make_course("other-course")
    Flashcard.objects.filter(course__slug="other-course", key="card-1-1-1").update(key="elsewhere")
    client.force_login(student)
    assert client.post(_url("elsewhere"), {"rating": "3", "sequence": "0"}).status_code == 404


def test_it_requires_login(client, course):
    assert client.post(_url(), {"rating": "3", "sequence": "0"}).status_code == 302
    assert not FlashcardReviewState.objects.exists()


def test_it_refuses_get(client, student, course):
    client.force_login(student)
    assert client.get(_url()).status_code == 405


def test_it_requires_a_csrf_token(student, course):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    assert client.post(_url(), {"rating": "3", "sequence": "0"}).status_code == 403


def test_a_card_rated_again_comes_back_within_ten_minutes(student, course):
    card = Flashcard.objects.get(key="card-1-1-1")
    now = timezone.now()
    flashcard_rate(user=student, flashcard=card, rating=1, sequence=0, now=now)
    assert _state(student).due - now <= timedelta(minutes=10)
