"""Content-Security-Policy on every page, kept by the templates and scripts (no inline
script, no event-handler attributes, no eval, htmx's allowEval off), and HTTPS only in
production (HSTS, redirect)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
SCRIPTS = sorted((ROOT / "static" / "js").glob("*.js"))


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.django_db
def test_every_page_carries_a_policy_without_inline_script_or_eval(client, student, course):
    client.force_login(student)
    for url in [reverse("login"), course.get_absolute_url(), "/no/such/page/"]:
        policy = _policy(client.get(url))
        assert policy["script-src"] == ["'self'"]
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-eval'" not in " ".join(sum(policy.values(), []))
        assert "'unsafe-inline'" not in policy["style-src"]


@pytest.mark.django_db
def test_the_admin_carries_the_policy_too(client, instructor):
    client.force_login(instructor)
    assert _policy(client.get("/admin/"))["script-src"] == ["'self'"]


def test_htmx_may_not_eval():
    base = (ROOT / "templates" / "base.html").read_text()
    assert """<meta name="htmx-config" content='{"allowEval": false""" in base


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_template_has_inline_script_or_event_handlers(template):
    text = template.read_text()
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag or "application/json" in tag, tag
    assert not re.search(r"\son[a-z]+\s*=", text), "an on...= attribute runs inline script"
    assert "javascript:" not in text
    assert not re.search(r"\shx-on", text), "hx-on evaluates its script"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_no_script_evaluates_strings(script):
    text = script.read_text()
    assert not re.search(r"\beval\(|new Function\(|setTimeout\(\s*[\"']", text)


def test_production_redirects_to_https_and_sends_hsts():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="p" * 20 + "roduction-key-for-the-header-test-only-0123456789",
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_STATIC_MANIFEST="false",  # no collectstatic here
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "plain = Client().get('/accounts/login/')\n"
        "print(plain.status_code, plain['Location'])\n"
        "secure = Client().get('/accounts/login/', secure=True)\n"
        "print(secure.status_code, secure['Strict-Transport-Security'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    plain, secure = result.stdout.strip().splitlines()[-2:]
    assert plain == "301 https://testserver/accounts/login/"
    assert secure == "200 max-age=31536000; includeSubDomains; preload"
