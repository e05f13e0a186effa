"""Joining a class by code (the join page) and by link (/join/<code>/)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import CourseClass, Enrollment
from course.roles import STUDENT
from tests.factories import make_class, make_course, make_user

URL = reverse("cohorts:join")


@pytest.fixture
def newcomer(db):
    return make_user("nina", STUDENT)


@pytest.fixture
def course_class(course):
    return make_class(course, term="Spring 2027")


def test_the_right_code_enrolls_me_and_opens_the_course(client, newcomer, course_class):
    client.force_login(newcomer)
    response = client.post(URL, {"code": course_class.join_code}, follow=True)
    assert response.redirect_chain[-1][0] == course_class.course.get_absolute_url()
    assert Enrollment.objects.filter(user=newcomer, course_class=course_class).exists()
    assert "Welcome to Class of 2027 (Spring 2027)" in response.text
    assert "Lesson 1.1" in response.text


def test_the_code_may_be_typed_in_lower_case_with_spaces_and_hyphens(
    client, newcomer, course_class
):
    code = course_class.join_code
    typed = f" {code[:4].lower()}-{code[4:]} "
    client.force_login(newcomer)
    assert client.post(URL, {"code": typed}).status_code == 302
    assert Enrollment.objects.filter(user=newcomer, course_class=course_class).exists()


def test_a_wrong_code_says_so_and_enrolls_nobody(client, newcomer, course_class):
    client.force_login(newcomer)
    response = client.post(URL, {"code": "NOPE2345"})
    assert response.status_code == 400
    assert "No class has that code" in response.text
    assert not Enrollment.objects.filter(user=newcomer).exists()


def test_an_empty_code_asks_for_one(client, newcomer, db):
    client.force_login(newcomer)
    response = client.post(URL, {"code": "  - "})
    assert response.status_code == 400 and "Type the join code" in response.text


def test_an_expired_code_says_so(client, newcomer, course_class):
    course_class.join_code_expires_at = timezone.now() - timedelta(minutes=1)
    course_class.save()
    client.force_login(newcomer)
    response = client.post(URL, {"code": course_class.join_code})
    assert response.status_code == 400 and "That code has expired" in response.text
    assert not Enrollment.objects.filter(user=newcomer).exists()


def test_a_code_with_a_future_expiry_still_works(client, newcomer, course_class):
    course_class.join_code_expires_at = timezone.now() + timedelta(days=1)
    course_class.save()
    client.force_login(newcomer)
    assert client.post(URL, {"code": course_class.join_code}).status_code == 302


def test_the_code_of_an_archived_class_takes_no_new_students(client, newcomer, course_class):
    CourseClass.objects.filter(pk=course_class.pk).update(archived=True)
    client.force_login(newcomer)
    response = client.post(URL, {"code": course_class.join_code})
    assert response.status_code == 400 and "has finished" in response.text
    assert not Enrollment.objects.filter(user=newcomer).exists()


def test_a_class_of_an_unpublished_course_takes_nobody_yet(client, newcomer, db):
    course_class = make_class(make_course("draft", published=False))
    client.force_login(newcomer)
    response = client.post(URL, {"code": course_class.join_code})
    assert response.status_code == 400 and "not open yet" in response.text


def test_joining_twice_is_harmless(client, newcomer, course_class):
    client.force_login(newcomer)
    client.post(URL, {"code": course_class.join_code})
    response = client.post(URL, {"code": course_class.join_code}, follow=True)
    assert "You are already in" in response.text
    assert Enrollment.objects.filter(user=newcomer).count() == 1


def test_an_enrolled_student_rejoining_after_archiving_is_told_they_are_in(
    client, newcomer, course_class
):
    client.force_login(newcomer)
    client.post(URL, {"code": course_class.join_code})
    CourseClass.objects.filter(pk=course_class.pk).update(archived=True)
    response = client.post(URL, {"code": course_class.join_code}, follow=True)
    assert "You are already in" in response.text


def test_a_regenerated_code_replaces_the_old_one(client, newcomer, course_class):
    old = course_class.join_code
    course_class.regenerate_join_code()
    assert course_class.join_code != old
    client.force_login(newcomer)
    assert client.post(URL, {"code": old}).status_code == 400
    assert client.post(URL, {"code": course_class.join_code}).status_code == 302


def test_the_page_prefills_a_code_from_the_query(client, newcomer, db):
    client.force_login(newcomer)
    response = client.get(URL, {"code": "ABCD2345"})
    assert response.status_code == 200 and 'value="ABCD2345"' in response.text


def test_it_requires_login(client, course_class):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.post(URL, {"code": course_class.join_code}).status_code == 302
    assert not Enrollment.objects.exists()


# --- the join link -----------------------------------------------------------------------


def _link(code: str) -> str:
    return reverse("cohorts:join-link", args=[code])


def test_opening_the_link_asks_before_enrolling(client, newcomer, course_class):
    client.force_login(newcomer)
    response = client.get(_link(course_class.join_code))
    assert response.status_code == 200
    assert "You are about to join" in response.text and course_class.course.title in response.text
    assert not Enrollment.objects.exists()


def test_confirming_the_link_enrolls_me(client, newcomer, course_class):
    client.force_login(newcomer)
    response = client.post(_link(course_class.join_code))
    assert response.status_code == 302
    assert response["Location"] == course_class.course.get_absolute_url()
    assert Enrollment.objects.filter(user=newcomer, course_class=course_class).exists()


def test_a_link_with_an_unknown_code_says_so(client, newcomer, db):
    client.force_login(newcomer)
    response = client.get(_link("WRONG234"))
    assert response.status_code == 200 and "No class has the code in this link" in response.text
    assert client.post(_link("WRONG234")).status_code == 400


def test_an_expired_link_says_so(client, newcomer, course_class):
    course_class.join_code_expires_at = timezone.now() - timedelta(seconds=1)
    course_class.save()
    client.force_login(newcomer)
    response = client.post(_link(course_class.join_code))
    assert response.status_code == 400 and "That code has expired" in response.text


def test_the_link_sends_an_anonymous_visitor_to_log_in_first(client, course_class):
    response = client.get(_link(course_class.join_code))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert _link(course_class.join_code) in response["Location"]
