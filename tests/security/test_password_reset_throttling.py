"""Password-reset mail is throttled: a few an hour to one email address (the page reads
the same past that, saying nothing about accounts), and a 429 for one client address."""

import pytest
from django.core import mail
from django.urls import reverse

from course.roles import STUDENT
from tests.factories import make_user

pytestmark = pytest.mark.django_db
URL = reverse("password_reset")


def test_ten_requests_for_one_email_send_three_and_all_read_the_same(client):
    make_user("kim", STUDENT, email="kim@example.org")
    pages = [
        client.post(URL, {"email": "Kim@Example.org"}, REMOTE_ADDR=f"10.0.0.{n}", follow=True)
        for n in range(10)
    ]
    assert all("Check your email" in page.text for page in pages)
    assert len(mail.outbox) == 3


def test_one_address_asking_for_many_emails_gets_a_429(client, settings):
    settings.PASSWORD_RESETS_PER_ADDRESS = 5
    for n in range(5):
        make_user(f"s{n}", STUDENT, email=f"s{n}@example.org")
        response = client.post(URL, {"email": f"s{n}@example.org"}, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302
    refused = client.post(URL, {"email": "s0@example.org"}, REMOTE_ADDR="10.0.0.1")
    assert refused.status_code == 429
    assert "Too many password-reset requests" in refused.text
    assert len(mail.outbox) == 5
    other = client.post(URL, {"email": "s1@example.org"}, REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 302
