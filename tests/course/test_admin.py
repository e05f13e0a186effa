"""Authoring in the admin: inlines, rendering on save, clear errors, who may enter."""

from django.urls import reverse

from course.markdown import render_markdown
from course.models import Course, Flashcard, Lesson, Module


def _inline_management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_an_instructor_creates_a_course_with_ordered_modules_inline(client, instructor):
    client.force_login(instructor)
    data = {
        "title": "New course",
        "slug": "new-course",
        "summary": "",
        "published": "on",
        **_inline_management("modules", total=2),
        "modules-0-order": "1",
        "modules-0-title": "Second",
        "modules-0-slug": "second",
        "modules-0-published": "on",
        "modules-1-order": "0",
        "modules-1-title": "First",
        "modules-1-slug": "first",
        "modules-1-published": "on",
    }
    response = client.post(reverse("admin:course_course_add"), data)
    assert response.status_code == 302, response.text
    course = Course.objects.get(slug="new-course")
    assert list(course.modules.order_by("order").values_list("slug", flat=True)) == [
        "first",
        "second",
    ]


def test_saving_a_lesson_renders_and_sanitises_its_body(client, instructor, course):
    client.force_login(instructor)
    lesson = Lesson.objects.get(slug="m1-lesson-1")
    data = {
        "module": lesson.module_id,
        "title": "Edited",
        "slug": lesson.slug,
        "summary": "",
        "minutes": "7",
        "order": "0",
        "published": "on",
        "body_markdown": "::: key-insight\r\nNew **insight** [x](javascript:alert(1))\r\n:::\r\n",
        **_inline_management("flashcards", total=0),
    }
    response = client.post(reverse("admin:course_lesson_change", args=[lesson.pk]), data)
    assert response.status_code == 302, response.text
    lesson.refresh_from_db()
    assert "<strong>insight</strong>" in lesson.body_html
    assert lesson.body_html == render_markdown(lesson.body_markdown)
    assert "javascript:" not in lesson.body_html.split("</p>")[0].split("href=")[-1]
    assert "\r" not in lesson.body_markdown


def test_a_duplicate_lesson_slug_in_the_course_is_a_form_error_not_a_crash(
    client, instructor, course
):
    client.force_login(instructor)
    module = Module.objects.get(slug="module-2")
    data = {
        "module": module.pk,
        "title": "Clash",
        "slug": "m1-lesson-1",
        "summary": "",
        "minutes": "5",
        "order": "9",
        "published": "on",
        "body_markdown": "x",
        **_inline_management("flashcards", total=0),
    }
    response = client.post(reverse("admin:course_lesson_add"), data)
    assert response.status_code == 200
    assert "is already used in the course" in response.text


def test_a_duplicate_card_key_in_the_course_is_a_form_error(client, instructor, course):
    client.force_login(instructor)
    lesson = Lesson.objects.get(slug="m2-lesson-1")
    data = {"lesson": lesson.pk, "key": "card-1-1-1", "front": "f", "back": "b", "order": "0"}
    response = client.post(reverse("admin:course_flashcard_add"), data)
    assert response.status_code == 200 and "is already used in the course" in response.text
    assert Flashcard.objects.filter(key="card-1-1-1").count() == 1


def test_the_lesson_change_page_shows_a_preview(client, instructor, course):
    client.force_login(instructor)
    lesson = Lesson.objects.get(slug="m1-lesson-1")
    response = client.get(reverse("admin:course_lesson_change", args=[lesson.pk]))
    assert 'id="lesson-preview"' in response.text
    assert "callout-key-insight" in response.text
    assert "js/lesson-preview.js" in response.text


def test_instructors_can_search_and_filter_lessons(client, instructor, course):
    client.force_login(instructor)
    response = client.get(reverse("admin:course_lesson_changelist"), {"q": "Lesson 2.1"})
    assert response.status_code == 200 and "Lesson 2.1" in response.text
    response = client.get(reverse("admin:course_lesson_changelist"), {"published__exact": "0"})
    assert response.status_code == 200 and "0 lessons" in response.text


def test_students_cannot_enter_the_admin(client, student):
    client.force_login(student)
    response = client.get(reverse("admin:course_lesson_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_graders_cannot_edit_lessons(client, grader, course):
    grader.is_staff = True
    grader.save()
    client.force_login(grader)
    lesson = Lesson.objects.get(slug="m1-lesson-1")
    response = client.post(reverse("admin:course_lesson_change", args=[lesson.pk]), {})
    assert response.status_code == 403
