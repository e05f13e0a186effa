"""The lesson page's deck: each card's rating previews are what rating it would do."""

from django.urls import reverse

from course import services, srs
from course.models import Flashcard
from tests.factories import enroll, make_course


def test_every_card_previews_what_its_own_rating_would_schedule(client, student):
    enroll(student, make_course("sized", modules=1, lessons_per_module=1, cards_per_lesson=4))
    rated = Flashcard.objects.get(key="card-1-1-2")
    services.flashcard_rate(user=student, flashcard=rated, rating=4, sequence=0)
    client.force_login(student)
    response = client.get(reverse("course:lesson", args=["sized", "m1-lesson-1"]))
    deck = response.context["deck"]
    assert [item.card.key for item in deck if item.state] == ["card-1-1-2"]
    for item in deck:
        card = item.state.fsrs_card if item.state else srs.new_card(item.now)
        assert item.previews == srs.interval_previews(card, item.now)
    new, old = deck[0].previews, deck[1].previews
    assert new != old  # a rated card's own schedule, not the new cards' one


def test_the_cards_show_in_their_authored_order(client, student):
    enroll(student, make_course("sized", modules=1, lessons_per_module=2, cards_per_lesson=3))
    for n, key in enumerate(["card-1-1-3", "card-1-1-1", "card-1-1-2"]):
        Flashcard.objects.filter(key=key).update(order=n)
    Flashcard.objects.filter(key="card-1-1-1").update(archived=True)
    client.force_login(student)
    response = client.get(reverse("course:lesson", args=["sized", "m1-lesson-1"]))
    assert [item.card.key for item in response.context["deck"]] == ["card-1-1-3", "card-1-1-2"]
