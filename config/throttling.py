"""Throttling of logins and password-reset mail.

Logins (django-axes, configured in settings): by account and by address, with different
limits, because a whole classroom may reach the site from one address.

Axes counts a login's failures per lockout parameter (here the username and the client
address) and compares the larger count with one limit (AXES_FAILURE_LIMIT, the per-account
one). AccountOrAddressHandler scales the address's count down by how many more failures
an address may have, so each is held to its own limit.

Password-reset mail: at most PASSWORD_RESETS_PER_EMAIL an hour to one email address (past
that the page reads the same, and no mail goes), and PASSWORD_RESETS_PER_ADDRESS an hour
from one client address (past that, a 429 page). Counted in the cache: set
DJANGO_CACHE_URL to Redis when several web processes run, so they share the counts.
"""

from __future__ import annotations

import hashlib

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

RESET_WINDOW_SECONDS = 3600


class AxesBackend(AxesStandaloneBackend):
    """Axes' check on every login made for a request (the login page, the admin's).
    Code that authenticates with no request (a shell, the test client's login()) has no
    client to throttle; axes itself would refuse it, so it is passed to the next backend."""

    def authenticate(self, request: HttpRequest | None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class AccountOrAddressHandler(AxesDatabaseHandler):
    """Locked when the account has LOGIN_FAILURES_PER_ACCOUNT recent failures, or the
    address LOGIN_FAILURES_PER_ADDRESS (over every username tried from it)."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        by_account, by_address = self.get_user_attempts(request, credentials)
        scaled = (
            _failures(by_address)
            * settings.LOGIN_FAILURES_PER_ACCOUNT
            // settings.LOGIN_FAILURES_PER_ADDRESS
        )
        return max(_failures(by_account), scaled)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """A good login forgives its account's failures, not its address's: someone
        spraying passwords from one address cannot reset the count by logging in to their
        own account in between."""
        by_account = self.filter_user_attempts(request, credentials)[0]
        return by_account.delete()[0]


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or with DJANGO_TRUSTED_PROXIES=n in front, the
    n-th address from the right of X-Forwarded-For (the one the outermost trusted proxy
    saw; what the client wrote further left could be forged)."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.TRUSTED_PROXIES:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < settings.TRUSTED_PROXIES:
        return remote
    return forwarded[-settings.TRUSTED_PROXIES]


def _within_hourly_limit(key: str, limit: int) -> bool:
    """Count one more for `key` in this hour's window; False once past `limit`."""
    cache.add(key, 0, timeout=RESET_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a new window
        cache.set(key, 1, timeout=RESET_WINDOW_SECONDS)
        count = 1
    return count <= limit


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, throttled per client address and per email address."""

    def form_valid(self, form) -> HttpResponse:
        address = client_address(self.request)
        if not _within_hourly_limit(
            f"password-reset:address:{address}", settings.PASSWORD_RESETS_PER_ADDRESS
        ):
            return render(self.request, "registration/password_reset_throttled.html", status=429)
        email = hashlib.sha256(form.cleaned_data["email"].casefold().encode()).hexdigest()
        if not _within_hourly_limit(
            f"password-reset:email:{email}", settings.PASSWORD_RESETS_PER_EMAIL
        ):
            # The same "sent" page as ever: it never says whether an account exists.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
