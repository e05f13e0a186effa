"""Invitations: new accounts from a roster get an email with their username and a link
to set their password; the link works once; a failure to send never undoes the roster."""

import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohorts.models import Enrollment, Section
from course.roles import STUDENT
from tests.factories import enroll, make_class, make_user

User = get_user_model()
HEADER = "email,name,section,student id\n"


@pytest.fixture
def course_class(course):
    course_class = make_class(course, name="Invite class")
    Section.objects.create(course_class=course_class, name="A")
    return course_class


def _apply(client, course_class, text, *, invite=True):
    url = reverse("cohorts:roster", args=[course_class.pk])
    preview = client.post(url, {"roster": SimpleUploadedFile("r.csv", text.encode())})
    form = preview.context["apply_form"]
    data = {"apply": "1", "text": form.initial["text"], "fingerprint": form.initial["fingerprint"]}
    if invite:
        data["invite"] = "1"
    return client.post(url, data)


def _link(message) -> str:
    return re.search(r"http://testserver(/accounts/password/set/\S+/)", message.body).group(1)


def test_each_new_account_gets_an_invitation_with_its_username_and_a_link(
    client, instructor, course_class
):
    client.force_login(instructor)
    response = _apply(client, course_class, HEADER + "ana@example.org,Ana Diaz,A,\n")
    assert response.status_code == 200
    assert "1 invitation sent" in response.text
    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    assert "Invite class" in message.subject and "Your username: ana" in message.body


def test_the_link_sets_the_password_once_and_the_student_logs_in(client, instructor, course_class):
    client.force_login(instructor)
    _apply(client, course_class, HEADER + "ana@example.org,Ana Diaz,A,\n")
    client.logout()
    link = _link(mail.outbox[0])
    form_page = client.get(link, follow=True)
    assert "Your username is <strong>ana</strong>" in form_page.text
    new = {"new_password1": "tokens-and-gradients-42", "new_password2": "tokens-and-gradients-42"}
    done = client.post(form_page.redirect_chain[-1][0], new, follow=True)
    assert "Your password is set" in done.text
    assert client.login(username="ana", password="tokens-and-gradients-42")
    client.logout()
    again = client.get(link, follow=True)
    assert "This link no longer works" in again.text


def test_a_weak_password_is_refused_with_the_reason(client, instructor, course_class):
    client.force_login(instructor)
    _apply(client, course_class, HEADER + "ana@example.org,Ana Diaz,A,\n")
    client.logout()
    form_page = client.get(_link(mail.outbox[0]), follow=True)
    weak = {"new_password1": "12345678", "new_password2": "12345678"}
    response = client.post(form_page.redirect_chain[-1][0], weak)
    assert response.status_code == 200 and "This password is too common" in response.text
    assert not User.objects.get(username="ana").has_usable_password()


def test_known_accounts_get_no_invitation_and_unticking_sends_none(
    client, instructor, course_class
):
    make_user("kim", STUDENT, email="kim@example.org")
    client.force_login(instructor)
    _apply(client, course_class, HEADER + "kim@example.org,,A,\n")
    assert mail.outbox == []
    _apply(client, course_class, HEADER + "new@example.org,,A,\n", invite=False)
    assert mail.outbox == []
    assert Enrollment.objects.filter(course_class=course_class).count() == 2


def test_a_mail_server_that_is_down_is_reported_and_the_roster_stays_applied(
    client, instructor, course_class
):
    client.force_login(instructor)
    with mock.patch(
        "django.core.mail.backends.locmem.EmailBackend.send_messages",
        side_effect=OSError("Connection refused"),
    ):
        response = _apply(client, course_class, HEADER + "ana@example.org,Ana Diaz,A,\n")
    assert response.status_code == 200
    assert "Not sent to 1" in response.text and "Connection refused" in response.text
    assert Enrollment.objects.filter(course_class=course_class, user__username="ana").exists()


def test_the_instructor_sends_the_invitation_again_from_the_record(
    client, instructor, course_class
):
    ana = make_user("ana", STUDENT, email="ana@example.org")
    ana.set_unusable_password()
    ana.save()
    enroll(ana, course_class)
    client.force_login(instructor)
    record = client.get(reverse("cohorts:student", args=[course_class.pk, ana.pk]))
    assert "No password set yet" in record.text
    url = reverse("cohorts:student-invite", args=[course_class.pk, ana.pk])
    response = client.post(url, follow=True)
    assert "Invitation sent to ana@example.org" in response.text
    assert len(mail.outbox) == 1


def test_graders_and_students_cannot_send_invitations(client, grader, course_class):
    ana = make_user("ana", STUDENT, email="ana@example.org")
    enroll(ana, course_class, section=course_class.sections.get())
    course_class.sections.get().graders.create(grader=grader)
    url = reverse("cohorts:student-invite", args=[course_class.pk, ana.pk])
    for user in (grader, ana):
        client.force_login(user)
        assert client.post(url).status_code == 404
    assert mail.outbox == []


def test_forgot_password_sends_a_link_without_saying_whether_the_address_exists(client, db):
    make_user("kim", STUDENT, email="kim@example.org")
    url = reverse("password_reset")
    assert "Forgot your password?" in client.get(reverse("login")).text
    known = client.post(url, {"email": "kim@example.org"}, follow=True)
    unknown = client.post(url, {"email": "nobody@example.org"}, follow=True)
    assert "Check your email" in known.text and "Check your email" in unknown.text
    assert [message.to for message in mail.outbox] == [["kim@example.org"]]
