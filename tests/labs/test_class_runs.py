"""The class's lab queue page: what waits and runs (with each run's place on its queue)
and what finished; instructors see the class, graders their sections, students nothing."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import GraderAssignment, Section
from course.roles import GRADER, STUDENT
from labs.models import LabRun
from tests.factories import enroll, make_class, make_user
from tests.labs.conftest import make_lab


@pytest.fixture
def built(course):
    """Ann (Mon) has a run waiting behind another class's run on the shared queue and a
    finished one; Ben (Wed) has one running."""
    lab = make_lab(course)
    course_class = make_class(course, name="Queue class")
    mon = Section.objects.create(course_class=course_class, name="Mon")
    wed = Section.objects.create(course_class=course_class, name="Wed")
    ann, ben = make_user("ann", STUDENT), make_user("ben", STUDENT)
    enroll(ann, course_class, section=mon)
    enroll(ben, course_class, section=wed)
    GraderAssignment.objects.create(section=mon, grader=make_user("gina", GRADER))
    other_class = make_class(course, name="Other class")
    stranger = make_user("stranger", STUDENT)
    enroll(stranger, other_class)

    def run(user, course_class, status, minutes_ago, **extra):
        made = LabRun.objects.create(
            lab=lab, user=user, submission=uuid.uuid4(), course_class=course_class, **extra
        )
        LabRun.objects.filter(pk=made.pk).update(
            status=status, created_at=timezone.now() - timedelta(minutes=minutes_ago)
        )
        return made

    run(stranger, other_class, "queued", 3)
    run(ann, course_class, "queued", 1)
    run(ann, course_class, "succeeded", 30, active_slot=None)
    run(ben, course_class, "running", 2, active_slot=1)
    return course_class


def _url(course_class):
    return reverse("labs:class-runs", args=[course_class.pk])


def test_the_instructor_sees_waiting_running_and_finished_runs_with_places(
    client, instructor, built
):
    client.force_login(instructor)
    response = client.get(_url(built))
    assert response.status_code == 200
    queue = response.context["queue"]
    places = {run.user.username: (run.status, run.position) for run in queue.active}
    assert places == {"ben": ("running", None), "ann": ("queued", 2)}  # behind stranger's
    assert [run.status for run in queue.recent] == ["succeeded"]
    assert "stranger" not in response.text
    assert not response.context["stuck"]


def test_each_finished_run_says_how_long_it_waited_and_which_worker_and_device_ran_it(
    client, instructor, built
):
    finished = LabRun.objects.get(user__username="ann", status="succeeded")
    LabRun.objects.filter(pk=finished.pk).update(
        started_at=finished.created_at + timedelta(seconds=42.5),
        finished_at=finished.created_at + timedelta(seconds=60),
        worker="gpu@box",
        device="cuda",
    )
    client.force_login(instructor)
    response = client.get(_url(built))
    assert '<td data-testid="waited">42.5 s</td>' in response.text
    assert '<td data-testid="ran-on">cuda · gpu@box</td>' in response.text


def test_a_run_waiting_for_minutes_warns_that_no_worker_may_serve_the_queue(
    client, instructor, built
):
    LabRun.objects.filter(user__username="ann", status="queued").update(
        created_at=timezone.now() - timedelta(minutes=9)
    )
    client.force_login(instructor)
    response = client.get(_url(built))
    assert response.context["stuck"] and "waited 9 minutes" in response.text


def test_a_grader_sees_only_the_runs_of_their_sections(client, built):
    client.force_login(built.sections.get(name="Mon").graders.get().grader)
    response = client.get(_url(built))
    assert response.status_code == 200
    assert {run.user.username for run in response.context["queue"].active} == {"ann"}


def test_the_page_refreshes_its_queue_as_an_htmx_partial(client, instructor, built):
    client.force_login(instructor)
    response = client.get(_url(built), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'id="class-queue"' in response.text and "<html" not in response.text


@pytest.mark.parametrize("who", ["ann", "stranger"])
def test_students_never_see_it(client, built, who):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=who))
    assert client.get(_url(built)).status_code == 404


def test_a_grader_of_another_class_never_sees_it(client, built):
    client.force_login(make_user("walt", GRADER))
    assert client.get(_url(built)).status_code == 404


def test_a_bad_lab_queue_name_is_refused_in_the_settings(client, instructor, built):
    client.force_login(instructor)
    url = reverse("cohorts:class-edit", args=[built.pk])
    response = client.post(url, {"name": built.name, "lab_queue": "ML 101!"})
    assert response.status_code == 400 and "Lower-case letters, digits and hyphens" in response.text
    client.post(url, {"name": built.name, "lab_queue": "ml101"})
    built.refresh_from_db()
    assert built.lab_queue == "ml101"
