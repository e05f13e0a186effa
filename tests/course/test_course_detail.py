import pytest
from django.urls import reverse

from course.models import Lesson, Module
from course.services import lesson_record_view, lesson_set_complete


def _url(slug: str = "demo-course") -> str:
    return reverse("course:detail", args=[slug])


def test_it_shows_modules_and_lessons_in_order_with_my_progress(client, student, course):
    first, second = Lesson.objects.filter(module__slug="module-1").order_by("order")
    lesson_set_complete(user=student, lesson=first, complete=True)
    lesson_record_view(user=student, lesson=second)
    client.force_login(student)
    text = client.get(_url()).text
    assert text.index("Module 1") < text.index("Module 2")
    assert (
        text.index(">Lesson 1.1</a>")
        < text.index(">Lesson 1.2</a>")
        < text.index(">Lesson 2.1</a>")
    )
    assert "1 of 4 lessons complete" in text
    assert "Completed" in text and "Started" in text
    assert "Continue: Lesson 1.2" in text


def test_it_offers_the_first_lesson_to_a_newcomer(client, student, course):
    client.force_login(student)
    assert "Start: Lesson 1.1" in client.get(_url()).text


def test_it_hides_unpublished_modules_and_lessons_from_students(client, student, course):
    Module.objects.filter(slug="module-2").update(published=False)
    Lesson.objects.filter(slug="m1-lesson-2").update(published=False)
    client.force_login(student)
    text = client.get(_url()).text
    assert "Module 2" not in text and "Lesson 1.2" not in text
    assert "0 of 1 lesson complete" in text


def test_it_returns_404_for_a_draft_course_to_students(client, student):
    from tests.factories import make_course

    make_course("draft-course", published=False)
    client.force_login(student)
    assert client.get(_url("draft-course")).status_code == 404


def test_instructors_see_draft_courses(client, instructor):
    from tests.factories import make_course

    make_course("draft-course", published=False)
    client.force_login(instructor)
    assert client.get(_url("draft-course")).status_code == 200


def test_it_returns_404_for_an_unknown_course(client, student):
    client.force_login(student)
    assert client.get(_url("no-such-course")).status_code == 404


def test_it_requires_login(client, course):
    assert client.get(_url()).status_code == 302


@pytest.mark.parametrize("lessons", [2, 12])
def test_it_issues_a_constant_number_of_queries(
    client, student, django_assert_max_num_queries, lessons
):
    from tests.factories import enroll, make_course

    enroll(student, make_course("sized", lessons_per_module=lessons))
    client.force_login(student)
    # 11 for the course itself, +1 its quizzes, +2 its labs and pairs, +1 the Due list
    with django_assert_max_num_queries(15):
        assert client.get(_url("sized")).status_code == 200
