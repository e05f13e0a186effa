"""A student logs in, opens a lesson, reads its callout and marks it complete."""

import pytest
from playwright.sync_api import expect

from course.models import LessonProgress
from course.roles import STUDENT
from tests.factories import enroll, make_course, make_user

pytestmark = pytest.mark.e2e


def test_a_student_logs_in_opens_a_lesson_and_marks_it_complete(
    live_server, page, transactional_db
):
    make_course("alignment-demo")
    student = make_user("ada", STUDENT)
    enroll(student, "alignment-demo")

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("a-long-test-password")
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Course alignment-demo").click()
    expect(page.get_by_text("0 of 4 lessons complete")).to_be_visible()
    page.get_by_role("link", name="Lesson 1.1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lesson 1.1")
    expect(page.get_by_role("note", name="Key insight")).to_be_visible()

    page.get_by_role("button", name="Mark as complete").click()
    expect(page.get_by_text("You completed this lesson")).to_be_visible()
    assert LessonProgress.objects.get(user=student).completed

    page.get_by_role("link", name="Lesson 1.2 →").click()
    page.get_by_role("link", name="← Lesson 1.1").click()
    expect(page.get_by_role("button", name="Mark as not complete")).to_be_visible()
    page.goto(f"{live_server.url}/courses/alignment-demo/")
    expect(page.get_by_text("1 of 4 lessons complete")).to_be_visible()


def test_the_completion_button_works_by_keyboard(live_server, page, transactional_db):
    make_course("keyboard-course", modules=1, lessons_per_module=1)
    enroll(make_user("kim", STUDENT), "keyboard-course")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("kim")
    page.get_by_label("Password").fill("a-long-test-password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Courses")).to_be_visible()
    page.goto(f"{live_server.url}/courses/keyboard-course/lessons/m1-lesson-1/")
    page.get_by_role("button", name="Mark as complete").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("You completed this lesson")).to_be_visible()
