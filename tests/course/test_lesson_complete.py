from django.urls import reverse

from course.models import Lesson, LessonProgress


def _url(lesson_slug: str = "m1-lesson-1", course_slug: str = "demo-course") -> str:
    return reverse("course:lesson-complete", args=[course_slug, lesson_slug])


def test_it_marks_the_lesson_complete_and_redirects_back(client, student, course):
    client.force_login(student)
    response = client.post(_url(), {"complete": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("course:lesson", args=["demo-course", "m1-lesson-1"])
    assert LessonProgress.objects.get(user=student, lesson__slug="m1-lesson-1").completed


def test_it_returns_only_the_completion_partial_to_htmx(client, student, course):
    client.force_login(student)
    response = client.post(_url(), {"complete": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="completion"')
    assert "Mark as not complete" in response.text
    assert "<html" not in response.text


def test_it_can_mark_a_lesson_not_complete_again(client, student, course):
    client.force_login(student)
    client.post(_url(), {"complete": "1"})
    client.post(_url(), {"complete": "0"})
    assert not LessonProgress.objects.get(user=student, lesson__slug="m1-lesson-1").completed


def test_completing_twice_keeps_the_first_completion_time(client, student, course):
    client.force_login(student)
    client.post(_url(), {"complete": "1"})
    first = LessonProgress.objects.get(user=student).completed_at
    client.post(_url(), {"complete": "1"})
    assert LessonProgress.objects.get(user=student).completed_at == first


def test_my_completion_is_mine_alone(client, student, other_student, course):
    client.force_login(student)
    client.post(_url(), {"complete": "1"})
    assert not LessonProgress.objects.filter(user=other_student).exists()


def test_progress_is_still_there_when_i_come_back(client, student, course):
    client.force_login(student)
    client.post(_url(), {"complete": "1"})
    client.logout()
    client.force_login(student)
    page = client.get(reverse("course:lesson", args=["demo-course", "m1-lesson-1"]))
    assert "You completed this lesson" in page.text


def test_it_refuses_an_unpublished_lesson(client, student, course):
    Lesson.objects.filter(slug="m1-lesson-1").update(published=False)
    client.force_login(student)
    assert client.post(_url(), {"complete": "1"}).status_code == 404
    assert not LessonProgress.objects.exists()


def test_it_refuses_get(client, student, course):
    client.force_login(student)
    assert client.get(_url()).status_code == 405


def test_it_requires_login(client, course):
    assert client.post(_url(), {"complete": "1"}).status_code == 302
    assert not LessonProgress.objects.exists()


def test_it_requires_a_csrf_token(student, course):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    assert client.post(_url(), {"complete": "1"}).status_code == 403
