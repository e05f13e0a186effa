"""Enrollment is the access rule: a student of class A never sees class B's course, on any
page of it (course, lessons, flashcards, quizzes, labs, labelling), and gets a clear
"you are not in this class" page instead."""

import pytest
from django.urls import reverse

from cohorts.models import CourseClass, GraderAssignment, Section
from course.models import Flashcard, Lesson, LessonProgress
from course.roles import GRADER, STUDENT
from labs.models import LabRun
from quizzes.models import Attempt, Quiz
from tests.factories import enroll, make_class, make_course, make_user
from tests.labs.conftest import make_lab
from tests.quizzes.factories import make_quiz


@pytest.fixture
def classes(db):
    """Course A with class A (alice) and course B with class B (bob); a quiz and a lab each."""
    made = {}
    for name in "ab":
        quiz = make_quiz(course_slug=f"course-{name}")
        make_lab(quiz.course)
        course_class = make_class(quiz.course, name=f"Class {name.upper()}")
        Section.objects.create(course_class=course_class, name="S1")
        made[name] = course_class
    return made


@pytest.fixture
def alice(classes):
    user = make_user("alice", STUDENT)
    enroll(user, classes["a"])
    return user


@pytest.fixture
def bob(classes):
    user = make_user("bob", STUDENT)
    enroll(user, classes["b"])
    return user


def _pages(slug: str) -> list[str]:
    return [
        reverse("course:detail", args=[slug]),
        reverse("course:lesson", args=[slug, "m1-lesson-1"]),
        reverse("course:review", args=[slug]),
        reverse("quizzes:quiz", args=[slug, "check"]),
        reverse("labs:lab", args=[slug, "sft-lab"]),
        reverse("labs:label", args=[slug]),
    ]


@pytest.mark.parametrize("page", range(6))
def test_a_student_opens_every_page_of_their_own_classs_course(client, alice, page):
    client.force_login(alice)
    assert client.get(_pages("course-a")[page]).status_code == 200


@pytest.mark.parametrize("page", range(6))
def test_a_student_of_another_class_gets_the_not_in_this_class_page(client, alice, bob, page):
    client.force_login(alice)
    response = client.get(_pages("course-b")[page])
    assert response.status_code == 403
    assert "You are not in this class" in response.text
    assert 'name="code"' in response.text and reverse("cohorts:join") in response.text
    for content in ("Lesson 1.1", "Quiz check", "SFT lab", "Question 1.1.1", "Class B"):
        assert content not in response.text


def test_writes_to_another_classs_course_are_refused_and_write_nothing(client, alice, bob):
    client.force_login(alice)
    lesson = Lesson.objects.get(course__slug="course-b", slug="m1-lesson-1")
    card = Flashcard.objects.filter(course__slug="course-b").first()
    posts = [
        (reverse("course:lesson-complete", args=["course-b", lesson.slug]), {}),
        (
            reverse("course:flashcard-rate", args=["course-b", card.key]),
            {"rating": 3, "sequence": 0},
        ),
        (reverse("quizzes:start", args=["course-b", "check"]), {}),
        (reverse("labs:run-start", args=["course-b", "sft-lab"]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert not LessonProgress.objects.exists()
    assert not card.states.exists()
    assert not Attempt.objects.exists() and not LabRun.objects.exists()


def test_the_catalog_and_review_list_only_my_classes_courses(client, alice, bob):
    client.force_login(alice)
    catalog = client.get(reverse("course:catalog")).text
    assert "Course course-a" in catalog and "Course course-b" not in catalog
    # one visible course: the review index goes straight to it
    assert client.get(reverse("course:review-index"))["Location"].endswith("/course-a/review/")


def test_a_student_in_no_class_sees_no_course_and_is_offered_to_join(client, classes):
    client.force_login(make_user("nobody", STUDENT))
    text = client.get(reverse("course:catalog")).text
    assert "Course course-a" not in text and reverse("cohorts:join") in text


def test_an_archived_class_stays_readable(client, alice):
    CourseClass.objects.filter(name="Class A").update(archived=True)
    client.force_login(alice)
    assert client.get(reverse("course:detail", args=["course-a"])).status_code == 200
    assert "Course course-a" in client.get(reverse("course:catalog")).text


def test_a_draft_course_is_a_404_even_for_its_students(client, alice):
    from course.models import Course

    Course.objects.filter(slug="course-a").update(published=False)
    client.force_login(alice)
    assert client.get(reverse("course:detail", args=["course-a"])).status_code == 404


def test_an_unknown_course_is_a_404(client, alice):
    client.force_login(alice)
    assert client.get(reverse("course:detail", args=["no-such-course"])).status_code == 404


def test_a_grader_sees_the_courses_of_the_sections_they_grade_only(client, classes):
    grader = make_user("gus", GRADER)
    GraderAssignment.objects.create(section=classes["a"].sections.get(), grader=grader)
    client.force_login(grader)
    assert client.get(reverse("course:detail", args=["course-a"])).status_code == 200
    assert client.get(reverse("course:detail", args=["course-b"])).status_code == 403


def test_an_unassigned_grader_sees_no_course(client, classes):
    client.force_login(make_user("gus", GRADER))
    assert client.get(reverse("course:detail", args=["course-a"])).status_code == 403


def test_an_instructor_sees_every_course_without_a_class(client, instructor, classes):
    make_course("draft", published=False)
    client.force_login(instructor)
    for slug in ("course-a", "course-b", "draft"):
        assert client.get(reverse("course:detail", args=[slug])).status_code == 200


def test_joining_from_the_not_in_this_class_page_opens_the_course(client, alice, classes):
    client.force_login(alice)
    response = client.post(reverse("cohorts:join"), {"code": classes["b"].join_code}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("course:detail", args=["course-b"])
    assert client.get(reverse("quizzes:quiz", args=["course-b", "check"])).status_code == 200


def test_the_review_badge_counts_only_cards_of_my_classes(client, alice, bob):
    from datetime import timedelta

    from django.utils import timezone

    from course.models import FlashcardReviewState
    from course.selectors import due_count_everywhere
    from course.services import flashcard_rate

    for card in Flashcard.objects.all():
        flashcard_rate(user=alice, flashcard=card, rating=1, sequence=0)
    FlashcardReviewState.objects.update(due=timezone.now() - timedelta(hours=1))
    in_a = Flashcard.objects.filter(course__slug="course-a").count()
    assert due_count_everywhere(alice, timezone.now()) == in_a


def test_an_archived_class_is_read_only(client, alice):
    CourseClass.objects.filter(name="Class A").update(archived=True)
    client.force_login(alice)
    lesson = Lesson.objects.get(course__slug="course-a", slug="m1-lesson-1")
    card = Flashcard.objects.filter(course__slug="course-a").first()
    posts = [
        (reverse("course:lesson-complete", args=["course-a", lesson.slug]), {}),
        (
            reverse("course:flashcard-rate", args=["course-a", card.key]),
            {"rating": 3, "sequence": 0},
        ),
        (reverse("labs:run-start", args=["course-a", "sft-lab"]), {}),
        (reverse("labs:label", args=["course-a"]), {"pair": 1, "choice": "a"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "This class has finished" in response.text
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
    assert not card.states.exists() and not LabRun.objects.exists()
    assert client.get(reverse("course:lesson", args=["course-a", lesson.slug])).status_code == 200


def test_a_student_also_in_a_running_class_of_the_course_still_writes(client, alice, classes):
    CourseClass.objects.filter(name="Class A").update(archived=True)
    enroll(alice, make_class(classes["a"].course, name="Class A, second run"))
    client.force_login(alice)
    url = reverse("course:lesson-complete", args=["course-a", "m1-lesson-1"])
    assert client.post(url).status_code == 302


def test_the_course_and_lesson_pages_say_when_the_class_has_finished(client, alice, bob):
    client.force_login(alice)
    pages = [
        reverse("course:detail", args=["course-a"]),
        reverse("course:lesson", args=["course-a", "m1-lesson-1"]),
    ]
    for url in pages:
        assert 'data-testid="read-only"' not in client.get(url).text
    CourseClass.objects.filter(name="Class A").update(archived=True)
    for url in pages:
        assert "Your class has finished" in client.get(url).text


def test_an_archived_class_takes_no_more_quiz_answers_but_shows_them(client, alice):
    from quizzes import services as quiz_services

    quiz = Quiz.objects.get(course__slug="course-a")
    attempt = quiz_services.attempt_start(user=alice, quiz=quiz)
    CourseClass.objects.filter(name="Class A").update(archived=True)
    client.force_login(alice)
    start = reverse("quizzes:start", args=["course-a", quiz.key])
    assert client.post(start).status_code == 403
    for url in (
        reverse("quizzes:autosave", args=[attempt.pk]),
        reverse("quizzes:submit", args=[attempt.pk]),
        reverse("quizzes:attempt", args=[attempt.pk]),
    ):
        response = client.post(url, {})
        assert response.status_code == 403, url
        assert "This class has finished" in response.text
    assert client.get(reverse("quizzes:attempt", args=[attempt.pk])).status_code == 200
    attempt.refresh_from_db()
    assert attempt.state == "in_progress" and Attempt.objects.count() == 1


def test_a_student_of_a_finished_class_who_grades_a_running_one_still_writes(
    client, alice, classes
):
    CourseClass.objects.filter(name="Class A").update(archived=True)
    running = make_class(classes["a"].course, name="Class A, second run")
    section = Section.objects.create(course_class=running, name="S1")
    GraderAssignment.objects.create(section=section, grader=alice)
    client.force_login(alice)
    url = reverse("course:lesson-complete", args=["course-a", "m1-lesson-1"])
    assert client.post(url).status_code == 302


def test_a_grader_whose_only_class_has_finished_reads_but_cannot_write(client, classes):
    grader = make_user("gus", GRADER)
    GraderAssignment.objects.create(section=classes["a"].sections.get(), grader=grader)
    CourseClass.objects.filter(name="Class A").update(archived=True)
    client.force_login(grader)
    assert client.get(reverse("course:detail", args=["course-a"])).status_code == 200
    url = reverse("course:lesson-complete", args=["course-a", "m1-lesson-1"])
    assert client.post(url).status_code == 403
