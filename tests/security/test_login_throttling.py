"""Login throttling (django-axes): an account is locked after LOGIN_FAILURES_PER_ACCOUNT
wrong passwords, on the site's login and the admin's alike; an address after
LOGIN_FAILURES_PER_ADDRESS; the lockout page says what happened and for how long."""

import pytest
from django.contrib.auth.hashers import make_password
from django.test import RequestFactory
from django.urls import reverse

import config.settings as configured
from config.throttling import client_address
from course.roles import INSTRUCTOR, STUDENT
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"  # tests.factories.make_user's
LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")


def _login(client, url: str, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_ten_wrong_passwords_lock_the_account_and_then_the_right_one_is_refused(client):
    make_user("sam", STUDENT)
    answers = [_login(client, LOGIN, "sam", f"guess-{n}").status_code for n in range(10)]
    assert answers[:9] == [200] * 9  # the form again, "do not match"
    locked = _login(client, LOGIN, "sam", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text and "15 minutes" in locked.text
    assert "_auth_user_id" not in client.session


def test_the_admin_login_is_throttled_too(client):
    make_user("irma", INSTRUCTOR)
    for n in range(10):
        _login(client, ADMIN_LOGIN, "irma", f"guess-{n}")
    locked = _login(client, ADMIN_LOGIN, "irma", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text
    assert "_auth_user_id" not in client.session


def test_a_locked_account_does_not_lock_out_anyone_else(client):
    make_user("sam", STUDENT)
    make_user("tia", STUDENT)
    for n in range(10):
        _login(client, LOGIN, "sam", f"guess-{n}", address="10.0.0.9")
    ok = _login(client, LOGIN, "tia", PASSWORD, address="10.0.0.9")
    assert ok.status_code == 302


def test_the_lock_holds_from_another_address(client):
    make_user("sam", STUDENT)
    for n in range(10):
        _login(client, LOGIN, "sam", f"guess-{n}", address="10.0.0.1")
    assert _login(client, LOGIN, "sam", PASSWORD, address="10.0.0.2").status_code == 429


def test_an_address_guessing_many_accounts_is_locked_at_its_own_higher_limit(client, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 30
    victims = [make_user(f"v{n}", STUDENT).username for n in range(10)]
    make_user("sam", STUDENT)
    for n in range(29):  # at most 3 per account: no account reaches its own limit of 10
        _login(client, LOGIN, victims[n % 10], "password1", address="10.0.0.7")
    assert _login(client, LOGIN, "sam", PASSWORD, address="10.0.0.7").status_code == 302
    client.logout()
    _login(client, LOGIN, victims[0], "password1", address="10.0.0.7")  # the 30th failure
    assert _login(client, LOGIN, "sam", PASSWORD, address="10.0.0.7").status_code == 429
    assert _login(client, LOGIN, "sam", PASSWORD, address="10.0.0.8").status_code == 302


def test_a_good_login_forgives_its_own_accounts_failures_only(client, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 20
    make_user("sam", STUDENT)
    victims = [make_user(f"v{n}", STUDENT).username for n in range(10)]
    for n in range(9):
        _login(client, LOGIN, "sam", f"guess-{n}")
    assert _login(client, LOGIN, "sam", PASSWORD).status_code == 302
    client.logout()
    for n in range(9):  # nine more for sam: not locked, the account's count restarted
        assert _login(client, LOGIN, "sam", f"again-{n}").status_code == 200
    assert _login(client, LOGIN, "sam", PASSWORD).status_code == 302
    client.logout()
    # Sam sprays the others from the same address and logs in to his own account between:
    # that does not wipe the others' failures, so the address reaches its limit.
    for n in range(19):
        _login(client, LOGIN, victims[n % 10], "password1")
    assert _login(client, LOGIN, "sam", PASSWORD).status_code == 302
    client.logout()
    _login(client, LOGIN, victims[0], "password1")  # the address's 20th
    assert _login(client, LOGIN, "sam", PASSWORD).status_code == 429


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1"),  # no proxy trusted: the header could be forged
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # what our proxy saw, not the forgery
        (2, "203.0.113.5, 10.1.1.1", "203.0.113.5"),
        (2, "10.1.1.1", "10.0.0.1"),  # fewer hops than proxies: not through them
    ],
)
def test_the_client_address_comes_from_trusted_proxies_only(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_passwords_are_hashed_with_argon2(settings):
    assert configured.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS  # the tests' own is MD5, for speed
    assert make_password("x").startswith("argon2$argon2id$")
