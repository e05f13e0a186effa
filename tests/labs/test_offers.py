"""What the lab pages offer: overlaying runs only with two finished runs to overlay, and
training the class reward model only once the class has labels enough (a count otherwise)."""

import uuid

from django.urls import reverse

from labs import services
from labs.models import LabRun, PreferenceLabel

OVERLAY = "Overlay the selected runs"


def _run(lab, user, status=LabRun.Status.SUCCEEDED) -> LabRun:
    return LabRun.objects.create(
        lab=lab, user=user, submission=uuid.uuid4(), params={"steps": 3}, status=status
    )


def test_one_finished_run_offers_no_overlay(client, student, lab):
    _run(lab, student)
    _run(lab, student, status=LabRun.Status.FAILED)
    client.force_login(student)
    text = client.get(lab.get_absolute_url()).text
    assert OVERLAY not in text and 'name="runs"' not in text
    assert "Once two runs have finished you can overlay" in text


def test_two_finished_runs_offer_the_overlay(client, student, lab):
    _run(lab, student)
    _run(lab, student)
    client.force_login(student)
    text = client.get(lab.get_absolute_url()).text
    assert OVERLAY in text and text.count('type="checkbox" name="runs"') == 2


def test_the_runs_table_is_a_focusable_scroll_region(client, student, lab):
    _run(lab, student)
    client.force_login(student)
    text = client.get(lab.get_absolute_url()).text
    assert 'tabindex="0" role="region" aria-label="Table of your runs"' in text


def _labels_page(client, instructor, course):
    client.force_login(instructor)
    return client.get(reverse("labs:class-labels", args=[course.slug])).text


def test_with_no_labels_training_is_not_offered_and_the_page_says_how_many_are_needed(
    client, instructor, lab
):
    text = _labels_page(client, instructor, lab.course)
    assert "Train a reward model on the class's labels" not in text
    assert f"at least {services.MIN_CLASS_LABELS} labels that pick a side" in text
    assert "The class has given 0 so far" in text


def test_ties_do_not_count_towards_the_labels_needed(client, instructor, student, lab):
    services.preference_pairs_create(course=lab.course, count=services.MIN_CLASS_LABELS)
    pairs = list(lab.course.preference_pairs.all())
    for pair in pairs[:-1]:
        PreferenceLabel.objects.create(pair=pair, user=student, choice="a")
    PreferenceLabel.objects.create(pair=pairs[-1], user=student, choice="tie")
    text = _labels_page(client, instructor, lab.course)
    assert f"The class has given {services.MIN_CLASS_LABELS - 1} so far" in text


def test_enough_labels_offer_training(client, instructor, student, lab):
    services.preference_pairs_create(course=lab.course, count=services.MIN_CLASS_LABELS)
    for pair in lab.course.preference_pairs.all():
        PreferenceLabel.objects.create(pair=pair, user=student, choice="b")
    text = _labels_page(client, instructor, lab.course)
    assert "Train a reward model on the class's labels" in text
    assert "so far" not in text
