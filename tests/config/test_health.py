"""/healthz/ answers the containers' health check: the app and its database are up."""

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.services]


def test_it_answers_ok_without_a_login(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.text == "ok\n"
    assert "no-cache" in response["Cache-Control"]
