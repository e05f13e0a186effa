"""A student's own pages, kept for a minute so that reading one again is cheap.

A lesson page is mostly the same from one view to the next: the student goes back to it
from the next lesson, reloads it, opens it in a second tab. Rendering it costs about ten
queries and 8 ms of CPU; serving the copy kept for this browser costs the session, the
user and the course row (which the access check reads anyway).

What the copy depends on is in its key, so a change shows on the next view:

- the **browser's generation** (the `pagegen` cookie). Every request that may write
  (POST, PUT, PATCH, DELETE), answered or refused, gives the browser a new one, so
  whatever this student changes (a lesson marked complete, a card rated, a quiz handed
  in, an author's edit in the admin) is on the next page they open, in this process or
  another, whatever the cache backend;
- the user, and the browser's CSRF secret (the page's forms carry tokens made from it);
- what the view puts in: for a lesson, the course's `updated_at` (any edit of a lesson
  or module moves it), whether the class is read-only, and whether the user is an author.

Anything else (a grade, another device's rating, an author's edit of a quiz or a lab, the
Review badge's count as cards fall due, "next review in ...") shows within
`PAGE_SECONDS`. Nothing is kept for a request with a query string, an htmx request, a
page that shows a one-time message, or a browser without the two cookies yet.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

PAGE_SECONDS = 60
GENERATION_COOKIE = "pagegen"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def page_key(request: HttpRequest, name: str, *parts: object) -> str | None:
    """The cache key of this page for this browser, or None when it must be rendered."""
    generation = request.COOKIES.get(GENERATION_COOKIE, "")
    csrf_secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if (
        request.method != "GET"
        or request.GET
        or request.headers.get("HX-Request")
        or not request.user.is_authenticated
        or not generation
        or not csrf_secret
        or len(messages.get_messages(request))  # counts them without using them up
    ):
        return None
    browser = hashlib.sha256(f"{generation}\0{csrf_secret}".encode()).hexdigest()[:32]
    page = hashlib.sha256("\0".join(str(part) for part in parts).encode()).hexdigest()[:32]
    return f"page:{name}:{request.user.pk}:{browser}:{page}"


def kept_page(key: str | None) -> HttpResponse | None:
    if key is None:
        return None
    content = cache.get(key)
    return None if content is None else HttpResponse(content)


def keep_page(key: str | None, response: HttpResponse) -> HttpResponse:
    if key is not None and response.status_code == 200 and not response.streaming:
        cache.set(key, response.content, timeout=PAGE_SECONDS)
    return response


class PageGenerationMiddleware:
    """A new `pagegen` cookie after every request that may write, and a first one for a
    signed-in browser without it; the kept pages of the old generation are then unused
    and expire."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        wrote = request.method not in _SAFE_METHODS
        first = (
            GENERATION_COOKIE not in request.COOKIES
            and settings.SESSION_COOKIE_NAME in request.COOKIES  # else no one is signed in
            and request.user.is_authenticated
        )
        if wrote or first:
            response.set_cookie(
                GENERATION_COOKIE,
                secrets.token_urlsafe(12),
                max_age=settings.SESSION_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
