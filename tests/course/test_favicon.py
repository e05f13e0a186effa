"""A favicon on every page: a <link rel=icon> to a static SVG, and /favicon.ico (which
browsers fetch on pages without the link) sends there instead of a 404."""

from django.contrib.staticfiles import finders
from django.urls import reverse


def test_favicon_ico_redirects_to_the_static_icon_for_anyone(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("favicon.svg")
    assert finders.find("favicon.svg")


def test_favicon_ico_refuses_a_post(client):
    assert client.post("/favicon.ico").status_code == 405


def test_the_site_and_the_admin_link_the_icon(client, instructor, student, course):
    client.force_login(student)
    assert (
        '<link rel="icon" href="/static/favicon.svg"' in client.get(reverse("course:catalog")).text
    )
    client.force_login(instructor)
    admin = client.get(reverse("admin:index")).text
    assert '<link rel="icon" href="/static/favicon.svg"' in admin
