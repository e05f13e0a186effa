"""Bad input never makes a 500: ids beyond 64 bits, non-numeric ids, NUL characters and
oversized bodies get a 404 or a 400 that says why, and nothing is written. Run on SQLite
(ids it cannot compare) and PostgreSQL (text it cannot store) by make test-services."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohorts.models import Enrollment, Section
from labs.models import LabRun, PreferenceLabel, PreferencePair
from labs.services import preference_pairs_create
from quizzes import services as quiz_services
from quizzes.models import Response
from tests.factories import enroll, make_class
from tests.labs.conftest import make_lab
from tests.quizzes.factories import field_names, make_quiz

pytestmark = [pytest.mark.django_db, pytest.mark.services]

HUGE = "99999999999999999999"  # beyond 2**63 - 1
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def course_class(course, student):
    course_class = make_class(course, name="Bad input class")
    enroll(student, course_class, section=Section.objects.create(course_class=course_class))
    return course_class


@pytest.mark.parametrize("pair", ["abc", "", "²", "-1", "1.5", HUGE, "0"])
def test_labelling_a_pair_that_is_no_id_is_not_found_and_writes_nothing(
    client, student, course, pair
):
    preference_pairs_create(course=course, count=2)
    client.force_login(student)
    url = reverse("labs:label", args=[course.slug])
    response = client.post(url, {"pair": pair, "choice": "a"})
    assert response.status_code == 404
    assert not PreferenceLabel.objects.exists()
    assert PreferencePair.objects.count() == 2


@pytest.mark.parametrize(
    "path",
    [
        "/classes/{class_id}/students/" + HUGE + "/",
        "/classes/" + HUGE + "/students/{student_id}/",
        "/classes/" + HUGE + "/",
        "/classes/" + HUGE + "/runs/",
        "/classes/{class_id}/due/overrides/" + HUGE + "/remove/",
        "/attempts/" + HUGE + "/",
        "/labs/runs/" + HUGE + "/",
        "/labs/runs/" + HUGE + "/result.json",
    ],
)
def test_an_id_beyond_64_bits_in_the_address_is_not_found(
    client, instructor, student, course_class, path
):
    client.force_login(instructor)
    url = path.format(class_id=course_class.pk, student_id=student.pk)
    method = client.post if url.endswith("/remove/") else client.get
    assert method(url).status_code == 404


def test_ids_beyond_64_bits_or_not_digits_in_the_query_string_are_ignored(client, student, course):
    lab = make_lab(course)
    finished = {"status": "succeeded", "active_slot": None, "dispatches": 1}
    runs = [
        LabRun.objects.create(lab=lab, user=student, submission=uuid.uuid4(), **finished)
        for _ in range(2)
    ]
    client.force_login(student)
    url = reverse("labs:compare", args=[lab.course.slug, lab.slug])
    response = client.get(url, {"runs": [HUGE, "²", "x", runs[0].pk]}, follow=True)
    assert response.status_code == 200
    assert "Pick two or more finished runs" in response.text
    response = client.get(url, {"runs": [HUGE, runs[0].pk, runs[1].pk]})
    assert response.status_code == 200
    assert response.context["runs"] == runs


def test_an_autosaved_answer_with_a_nul_is_refused_with_a_reason_and_not_saved(
    client, student, course
):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = quiz_services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    form = {f"q-{ids['short-q']}": "Good\x00hart", f"rev-{ids['short-q']}": "0"}
    response = client.post(reverse("quizzes:autosave", args=[attempt.pk]), form, **HTMX)
    assert response.status_code == 400
    assert "NUL character" in response.text and "Nothing was saved" in response.text
    assert Response.objects.get(question_id=ids["short-q"]).answer == {}


def test_an_answer_posted_without_javascript_with_a_nul_gets_the_sites_400_page(
    client, student, course
):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = quiz_services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    form = {f"q-{ids['short-q']}": "\x00", f"rev-{ids['short-q']}": "0", "action": "save"}
    response = client.post(attempt.get_absolute_url(), form)
    assert response.status_code == 400
    assert "NUL character" in response.text and "Alignment Lab" in response.text


def test_a_revision_that_str_isdigit_accepts_but_int_does_not_is_ignored(client, student, course):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = quiz_services.attempt_start(user=student, quiz=quiz)
    client.force_login(student)
    form = {f"q-{ids['short-q']}": "Goodhart", f"rev-{ids['short-q']}": "²"}
    response = client.post(reverse("quizzes:autosave", args=[attempt.pk]), form, **HTMX)
    assert response.status_code == 200
    assert Response.objects.get(question_id=ids["short-q"]).answer == {}


@pytest.mark.parametrize("path", ["/join/%00/", "/join/?code=%00", "/courses/%00/"])
def test_a_nul_in_the_address_is_a_400(client, student, path):
    client.force_login(student)
    response = client.get(path)
    assert response.status_code == 400
    assert "NUL character" in response.text


def test_a_nul_posted_to_the_join_page_is_a_400_and_enrolls_nobody(client, student):
    client.force_login(student)
    before = Enrollment.objects.count()
    response = client.post("/join/", {"code": "AB\x00CD"})
    assert response.status_code == 400
    assert Enrollment.objects.count() == before


def test_a_nul_in_the_login_form_is_a_400(client, student):
    response = client.post(reverse("login"), {"username": "alice\x00", "password": "x"})
    assert response.status_code == 400


def test_a_roster_with_a_nul_cell_is_refused_at_the_preview_naming_its_row(
    client, instructor, course_class
):
    client.force_login(instructor)
    text = "email,name\nkim@example.org,Kim\nlee@example.org,Le\x00e\n"
    url = reverse("cohorts:roster", args=[course_class.pk])
    upload = SimpleUploadedFile("roster.csv", text.encode())
    response = client.post(url, {"roster": upload})
    assert response.status_code == 400
    assert "Line 3 of the file" in response.text and "NUL character" in response.text
    assert "apply_form" not in response.context
    assert Enrollment.objects.filter(course_class=course_class).count() == 1


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(client, student, settings):
    settings.MAX_REQUEST_BYTES = 1000
    client.force_login(student)
    response = client.post("/join/", {"code": "x" * 2000})
    assert response.status_code == 413
    assert "larger than" in response.text
