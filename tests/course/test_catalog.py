import pytest
from django.urls import reverse

from course.models import Lesson
from course.services import lesson_set_complete
from tests.factories import make_course

URL = reverse("course:catalog")


def test_it_lists_published_courses_with_my_progress(client, student, course):
    lesson_set_complete(user=student, lesson=Lesson.objects.first(), complete=True)
    client.force_login(student)
    response = client.get(URL)
    assert response.status_code == 200
    assert course.title in response.text
    assert "1 of 4 lessons complete" in response.text


def test_it_hides_draft_courses_from_students(client, student):
    make_course("secret-draft", published=False)
    client.force_login(student)
    assert "secret-draft" not in client.get(URL).text


def test_it_shows_draft_courses_to_instructors_marked_as_drafts(client, instructor):
    make_course("secret-draft", published=False)
    client.force_login(instructor)
    text = client.get(URL).text
    assert "Course secret-draft" in text and "Draft" in text


def test_it_does_not_count_another_students_progress(client, student, other_student, course):
    lesson_set_complete(user=other_student, lesson=Lesson.objects.first(), complete=True)
    client.force_login(student)
    assert "0 of 4 lessons complete" in client.get(URL).text


def test_it_requires_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("courses", [1, 5])
def test_it_issues_a_constant_number_of_queries(
    client, student, django_assert_max_num_queries, courses
):
    for n in range(courses):
        make_course(f"course-{n}")
    client.force_login(student)
    with django_assert_max_num_queries(6):
        client.get(URL)
