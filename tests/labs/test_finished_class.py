"""A finished (archived) class: the lab and labelling pages show no Run or label buttons,
only a line saying the class has finished; past runs stay readable."""

import uuid

import pytest
from django.urls import reverse

from cohorts.models import CourseClass
from labs.models import LabRun
from labs.services import preference_pairs_create

FINISHED = "This class has finished; you can read everything but not change it."


@pytest.fixture
def finished(lab):
    CourseClass.objects.filter(course=lab.course).update(archived=True)


def test_a_running_class_offers_run_and_label_buttons(client, student, lab):
    preference_pairs_create(course=lab.course, count=2)
    client.force_login(student)
    page = client.get(lab.get_absolute_url()).text
    assert "data-run-button" in page and FINISHED not in page
    label = client.get(reverse("labs:label", args=[lab.course.slug])).text
    assert "A is better" in label and FINISHED not in label


def test_the_lab_page_of_a_finished_class_has_no_run_button(client, student, lab, finished):
    LabRun.objects.create(lab=lab, user=student, submission=uuid.uuid4(), params={})
    client.force_login(student)
    page = client.get(lab.get_absolute_url()).text
    assert FINISHED in page
    assert "data-run-button" not in page
    assert reverse("labs:run-start", args=[lab.course.slug, lab.slug]) not in page
    assert "Your runs" in page and "Run " in page


def test_the_labelling_page_of_a_finished_class_has_no_label_buttons(
    client, student, lab, finished
):
    preference_pairs_create(course=lab.course, count=2)
    client.force_login(student)
    page = client.get(reverse("labs:label", args=[lab.course.slug])).text
    assert FINISHED in page
    assert "A is better" not in page and 'name="choice"' not in page
