from django.urls import reverse

URL = reverse("course:markdown-preview")


def test_it_renders_markdown_for_instructors(client, instructor):
    client.force_login(instructor)
    response = client.post(URL, {"markdown": "::: key-insight\n**Hi**\n:::\n<script>x</script>"})
    assert response.status_code == 200
    html = response.json()["html"]
    assert "callout-key-insight" in html and "<strong>Hi</strong>" in html
    assert "<script>" not in html


def test_it_refuses_an_oversized_body_with_a_message(client, instructor):
    client.force_login(instructor)
    response = client.post(URL, {"markdown": "x" * 200_001})
    assert response.status_code == 400
    assert "longer than 200,000" in response.json()["error"]


def test_it_is_not_found_for_students(client, student):
    client.force_login(student)
    assert client.post(URL, {"markdown": "x"}).status_code == 404


def test_it_is_not_found_for_graders(client, grader):
    client.force_login(grader)
    assert client.post(URL, {"markdown": "x"}).status_code == 404


def test_it_requires_login(client, db):
    assert client.post(URL, {"markdown": "x"}).status_code == 302


def test_it_refuses_get(client, instructor):
    client.force_login(instructor)
    assert client.get(URL).status_code == 405
