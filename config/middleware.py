"""Input the site cannot take is refused at the door, with a page that says why: a body
larger than MAX_REQUEST_BYTES (413), and text the database cannot store (400).

PostgreSQL refuses a NUL character (U+0000) in any text ("cannot contain NUL (0x00)
bytes"), so a NUL anywhere in the path, the query string or a posted form field would
otherwise reach a query and fail there as a 500, after part of the work was done. One
check here covers every page, the admin included. Uploaded files are their readers'
business (the roster and question imports check their own contents).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template.loader import render_to_string

NUL = "\x00"
NUL_REFUSED = (
    "The request contains a NUL character (U+0000), which the site cannot store. It usually "
    "comes from text pasted from another program: remove it and try again. Nothing was saved."
)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_nul(data: QueryDict) -> bool:
    return any(NUL in key or any(NUL in value for value in data.getlist(key)) for key in data)


def _carries_nul(request: HttpRequest) -> bool:
    if NUL in request.path_info or _has_nul(request.GET):
        return True
    if request.method in ("POST", "PUT", "PATCH") and request.content_type in _FORM_TYPES:
        if _has_nul(request.POST):
            return True
        return any(NUL in (upload.name or "") for upload in request.FILES.values())
    return False


class RefuseOversizedBodies:
    """A 413 for a request whose declared length is over MAX_REQUEST_BYTES, before any of
    it is read. (A proxy in front should refuse them too: client_max_body_size.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _bad_request(request, "The request's Content-Length is not a number.")
        if length > settings.MAX_REQUEST_BYTES:
            limit = settings.MAX_REQUEST_BYTES // 1_000_000
            reason = f"The upload is larger than {limit} MB, the most the site accepts."
            return _bad_request(request, reason, status=413)
        return self.get_response(request)


class RefuseNulCharacters:
    """A 400 for a NUL in the path, the query string or a form field (or a file's name)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _carries_nul(request):
            return _bad_request(request, NUL_REFUSED)
        return self.get_response(request)


def _bad_request(request: HttpRequest, reason: str, *, status: int = 400) -> HttpResponse:
    """The reason as plain text for htmx (the page's script shows it), or the site's 400
    page with the reason."""
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(reason, status=status, content_type="text/plain; charset=utf-8")
    page = render_to_string("400.html", {"reason": reason}, request)
    return HttpResponse(page, status=status)
