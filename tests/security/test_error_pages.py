"""The site's own 400, 403, 404 and 500 pages (never Django's debug page in production)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.views import defaults

from cohorts.views import permission_denied

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_the_sites_404_without_the_url_list(client, student):
    client.force_login(student)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.text and "Alignment Lab" in response.text
    assert "Log out" in response.text  # the site's header, for the logged-in user
    assert "urlpatterns" not in response.text and "URLconf" not in response.text


def test_an_object_that_is_not_there_is_the_sites_404(client, instructor):
    client.force_login(instructor)
    response = client.get("/classes/424242/")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_a_refusal_that_is_not_about_a_class_is_the_sites_403():
    request = RequestFactory().get("/somewhere/")
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "You may not do that" in response.content.decode()
    assert "Alignment Lab" in response.content.decode()


def test_a_server_error_is_the_sites_500_page_needing_no_request_context():
    response = defaults.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong on our side" in text and "css/site.css" in text


def test_a_bad_request_is_the_sites_400_page():
    response = defaults.bad_request(RequestFactory().get("/"), Exception())
    assert response.status_code == 400
    assert "The site could not use that request" in response.content.decode()
