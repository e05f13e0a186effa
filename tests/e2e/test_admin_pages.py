"""The authoring admin at a laptop's width in a real browser: the lesson list shows every
column without scrolling, the Markdown preview draws list bullets, attempts are read only,
and the favicon loads."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from course.models import Lesson
from course.roles import INSTRUCTOR, STUDENT
from quizzes import services
from quizzes.models import Quiz
from tests.e2e.test_quiz_flow import CONTENT, _log_in
from tests.factories import enroll, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def admin_page(live_server, browser, transactional_db):
    call_command("load_course", str(CONTENT), verbosity=0)
    make_user("ivy", INSTRUCTOR)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    _log_in(page, live_server, "ivy")
    yield page
    context.close()


def test_the_lesson_list_shows_every_column_at_1280px(live_server, admin_page):
    page = admin_page
    page.goto(f"{live_server.url}/admin/course/lesson/")
    headers = page.locator("#result_list thead th")
    names = [text.strip().lower() for text in headers.all_inner_texts()]
    for column in ("title", "module", "order", "minutes", "published", "archived"):
        assert any(name.endswith(column) for name in names), names
    visible_right = page.evaluate(
        "document.querySelector('#changelist .results').getBoundingClientRect().right"
    )
    for header in headers.all():
        assert header.bounding_box()["x"] + header.bounding_box()["width"] <= visible_right + 1
    scroll = page.evaluate(
        "(() => { const r = document.querySelector('#changelist .results');"
        " return r.scrollWidth - r.clientWidth; })()"
    )
    assert scroll <= 1  # nothing to scroll to


def test_the_markdown_preview_draws_bullets_and_numbers(live_server, admin_page):
    page = admin_page
    lesson = Lesson.objects.order_by("id").first()
    page.goto(f"{live_server.url}/admin/course/lesson/{lesson.pk}/change/")
    page.fill("#id_body_markdown", "Text\n\n- one\n- two\n\n1. first\n2. second\n")
    preview = page.locator("#lesson-preview")
    expect(preview.locator("ul > li").first).to_have_text("one")
    styles = page.evaluate(
        "['ul > li', 'ol > li'].map(s => getComputedStyle("
        "document.querySelector('#lesson-preview ' + s)).listStyleType)"
    )
    assert styles == ["disc", "decimal"]


def test_an_attempt_opens_read_only_without_save_buttons(live_server, admin_page):
    page = admin_page
    student = make_user("sam", STUDENT)
    enroll(student, "alignment-training")
    attempt = services.attempt_start(user=student, quiz=Quiz.objects.order_by("id").first())
    page.goto(f"{live_server.url}/admin/quizzes/attempt/{attempt.pk}/change/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("View attempt")
    assert page.locator("input[name=_save], input[name=_continue]").count() == 0


def test_the_favicon_loads_on_the_site_and_for_favicon_ico(live_server, admin_page):
    page = admin_page
    icon = page.request.get(f"{live_server.url}/favicon.ico")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")
    page.goto(f"{live_server.url}/")
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(f"{live_server.url}{href}").ok
