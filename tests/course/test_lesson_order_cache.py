"""The lesson page's cached reading order: never served after an edit, never shared between
students and authors, and a student's progress is never cached at all."""

from django.urls import reverse

from course.models import Lesson, Module


def _url(lesson_slug: str, course_slug: str = "demo-course") -> str:
    return reverse("course:lesson", args=[course_slug, lesson_slug])


def _seen(client, lesson_slug: str = "m1-lesson-1") -> str:
    response = client.get(_url(lesson_slug))
    assert response.status_code == 200
    return response.text


def test_a_renamed_lesson_shows_its_new_title_in_the_pager_on_the_next_request(
    client, student, course
):
    client.force_login(student)
    assert "Renamed lesson" not in _seen(client)
    lesson = Lesson.objects.get(slug="m1-lesson-2")
    lesson.title = "Renamed lesson"
    lesson.save()
    assert f'rel="next" href="{_url("m1-lesson-2")}">Renamed lesson' in _seen(client)


def test_a_new_lesson_counts_in_the_pager_on_the_next_request(client, student, course):
    client.force_login(student)
    assert "Lesson 1 of 4" in _seen(client)
    module = Module.objects.get(slug="module-2")
    Lesson.objects.create(
        course=course, module=module, slug="m2-lesson-3", title="Extra", order=9, published=True
    )
    assert "Lesson 1 of 5" in _seen(client)


def test_an_unpublished_lesson_is_a_404_on_the_next_request(client, student, course):
    client.force_login(student)
    _seen(client, "m1-lesson-2")
    lesson = Lesson.objects.get(slug="m1-lesson-2")
    lesson.published = False
    lesson.save()
    assert client.get(_url("m1-lesson-2")).status_code == 404
    assert "Lesson 1 of 3" in _seen(client)


def test_an_archived_module_takes_its_lessons_away_on_the_next_request(client, student, course):
    client.force_login(student)
    _seen(client, "m2-lesson-1")
    module = Module.objects.get(slug="module-2")
    module.archived = True
    module.save()
    assert client.get(_url("m2-lesson-1")).status_code == 404


def test_a_deleted_lesson_is_a_404_on_the_next_request(client, student, course):
    client.force_login(student)
    _seen(client, "m1-lesson-2")
    Lesson.objects.get(slug="m1-lesson-2").delete()
    assert client.get(_url("m1-lesson-2")).status_code == 404


def test_the_admins_unpublish_action_hides_the_lessons_on_the_next_request(
    client, student, instructor, course
):
    client.force_login(student)
    _seen(client, "m1-lesson-2")
    client.force_login(instructor)
    lesson = Lesson.objects.get(slug="m1-lesson-2")
    response = client.post(
        reverse("admin:course_lesson_changelist"),
        {"action": "unpublish", "_selected_action": [lesson.pk]},
    )
    assert response.status_code == 302
    client.force_login(student)
    assert client.get(_url("m1-lesson-2")).status_code == 404
    client.force_login(instructor)
    client.post(
        reverse("admin:course_module_changelist"),
        {"action": "unpublish", "_selected_action": [Module.objects.get(slug="module-2").pk]},
    )
    client.force_login(student)
    assert client.get(_url("m2-lesson-1")).status_code == 404


def test_a_draft_lesson_an_author_saw_stays_hidden_from_a_student(
    client, student, instructor, course
):
    Lesson.objects.filter(slug="m1-lesson-2").update(published=False)
    client.force_login(instructor)
    assert client.get(_url("m1-lesson-2")).status_code == 200
    assert "Lesson 1 of 4" in _seen(client)
    client.force_login(student)
    assert client.get(_url("m1-lesson-2")).status_code == 404
    assert "Lesson 1 of 3" in _seen(client)


def test_one_students_completion_never_shows_to_another(client, student, other_student, course):
    client.force_login(student)
    client.post(reverse("course:lesson-complete", args=["demo-course", "m1-lesson-1"]))
    assert "You completed this lesson" in _seen(client)
    client.force_login(other_student)
    text = _seen(client)
    assert "You completed this lesson" not in text and "Mark as complete" in text
