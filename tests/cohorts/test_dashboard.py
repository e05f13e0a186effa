"""The class dashboard: figures on a hand-built class, a constant number of queries,
and only instructors see it."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.dashboard import class_dashboard
from cohorts.models import Section
from course.models import Flashcard, Lesson, LessonProgress
from course.roles import STUDENT
from course.services import flashcard_rate, lesson_set_complete
from labs.models import LabRun
from quizzes.models import Attempt, AttemptState
from tests.factories import enroll, make_class, make_user
from tests.labs.conftest import make_lab
from tests.quizzes.factories import make_quiz


def _submitted(user, quiz, score, max_score):
    return Attempt.objects.create(
        user=user,
        quiz=quiz,
        number=1,
        state=AttemptState.SUBMITTED,
        submitted_at=timezone.now(),
        score=Decimal(score),
        max_score=Decimal(max_score),
    )


def _run(user, lab):
    return LabRun.objects.create(lab=lab, user=user, submission=uuid.uuid4(), params={})


@pytest.fixture
def built(db):
    """Ann (Mon) does a lot, Ben (Wed) a little and scores low, Cy (no section) nothing;
    Out, in no class, does everything and must count nowhere."""
    quiz = make_quiz()
    lab = make_lab(quiz.course)
    course_class = make_class(quiz.course, name="Hand-built")
    mon = Section.objects.create(course_class=course_class, name="Mon")
    wed = Section.objects.create(course_class=course_class, name="Wed")
    ann, ben, cy, out = (make_user(name, STUDENT) for name in ("ann", "ben", "cy", "out"))
    enroll(ann, course_class, section=mon)
    enroll(ben, course_class, section=wed)
    enroll(cy, course_class)
    lessons = list(Lesson.objects.filter(course=quiz.course).order_by("module__order", "order"))
    for user, done in ((ann, 2), (ben, 1), (out, 4)):
        for lesson in lessons[:done]:
            lesson_set_complete(user=user, lesson=lesson, complete=True)
    _submitted(ann, quiz, 3, 4)
    _submitted(ben, quiz, 1, 4)
    _submitted(out, quiz, 0, 4)
    for card in Flashcard.objects.filter(course=quiz.course)[:2]:
        flashcard_rate(user=ann, flashcard=card, rating=3, sequence=0)
        flashcard_rate(user=out, flashcard=card, rating=3, sequence=0)
    _run(ann, lab)
    _run(out, lab)
    return course_class


def test_the_figures_count_the_class_and_nobody_else(built):
    board = class_dashboard(built, now=timezone.now())
    assert board.students == 3
    assert [(bar.label, bar.value) for bar in board.sections] == [
        ("Mon", 1),
        ("No section", 1),
        ("Wed", 1),
    ]
    assert [(bar.label, bar.value) for bar in board.lessons] == [
        ("Lesson 1.1", 2),
        ("Lesson 1.2", 1),
        ("Lesson 2.1", 0),
        ("Lesson 2.2", 0),
    ]
    assert [(bar.value, bar.percent) for bar in board.panels["quiz"].context["completion"]] == [
        (2, 67)
    ]
    assert [bar.value for bar in board.panels["quiz"].context["scores"]] == [50]
    assert [bar.value for bar in board.reviews_by_week] == [2]
    assert [(bar.label, bar.value) for bar in board.panels["lab"].context["runs"]] == [
        ("SFT lab", 1)
    ]
    behind = {row.enrollment.user.username: row.reasons for row in board.behind}
    assert behind == {"ben": ["mean quiz score 25%"], "cy": ["no activity yet"]}


def test_a_student_idle_for_longer_than_the_window_is_behind(built):
    later = timezone.now() + timedelta(days=10)
    behind = {
        row.enrollment.user.username: row.reasons
        for row in class_dashboard(built, now=later, idle_days=7).behind
    }
    assert behind["ann"] == ["no activity for 10 days"]
    assert "ann" not in {
        row.enrollment.user.username
        for row in class_dashboard(built, now=later, idle_days=30).behind
    }


def test_the_page_shows_the_figures_and_links_each_student_behind(client, instructor, built):
    client.force_login(instructor)
    response = client.get(reverse("cohorts:dashboard", args=[built.pk]))
    assert response.status_code == 200
    assert "3 students in" in response.text and "mean quiz score 25%" in response.text
    ben = built.enrollments.get(user__username="ben").user
    assert reverse("cohorts:student", args=[built.pk, ben.pk]) in response.text


def test_a_strange_idle_window_falls_back_to_a_week(client, instructor, built):
    client.force_login(instructor)
    response = client.get(reverse("cohorts:dashboard", args=[built.pk]), {"idle": "soon"})
    assert response.status_code == 200 and 'value="7"' in response.text


@pytest.mark.parametrize("size", [3, 30])
def test_it_issues_a_constant_number_of_queries_whatever_the_class_size(
    client, instructor, built, size, django_assert_max_num_queries
):
    from cohorts.models import DueDate, DueDateOverride

    quiz = built.course.quizzes.get()
    due = DueDate.objects.create(course_class=built, item=quiz, due_at=timezone.now())
    DueDateOverride.objects.create(
        due_date=due, section=built.sections.first(), due_at=timezone.now()
    )
    lesson = Lesson.objects.filter(course=built.course).first()
    for n in range(size):
        user = make_user(f"extra-{n}", STUDENT)
        enroll(user, built)
        lesson_set_complete(user=user, lesson=lesson, complete=True)
        _submitted(user, quiz, 2, 4)
    client.force_login(instructor)
    # 20: the quizzes' mean scores are their own query since quizzes register their figures
    with django_assert_max_num_queries(20):
        assert client.get(reverse("cohorts:dashboard", args=[built.pk])).status_code == 200


@pytest.mark.parametrize("who", ["student", "grader"])
def test_students_and_graders_never_see_it(client, built, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("cohorts:dashboard", args=[built.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, built):
    response = client.get(reverse("cohorts:dashboard", args=[built.pk]))
    assert response["Location"].startswith(reverse("login"))


def test_lesson_progress_of_other_courses_is_not_counted(built):
    other = make_quiz(course_slug="elsewhere").course
    ann = built.enrollments.get(user__username="ann").user
    for lesson in Lesson.objects.filter(course=other):
        LessonProgress.objects.create(
            user=ann, lesson=lesson, last_viewed_at=timezone.now(), completed_at=timezone.now()
        )
    board = class_dashboard(built, now=timezone.now())
    assert [bar.value for bar in board.lessons] == [2, 1, 0, 0]


def test_work_past_a_students_own_due_date_and_not_handed_in_puts_them_behind(built):
    """The quiz was due yesterday: Ann and Ben submitted it, Cy did not. The lab was due
    yesterday for the class, but Mon's date is next week: Ann ran it anyway, Ben did not
    (so he is missing it), and Cy did not either."""
    from cohorts.models import DueDate, DueDateOverride

    now = timezone.now()
    quiz = built.course.quizzes.get()
    lab = built.course.labs.get()
    DueDate.objects.create(course_class=built, item=quiz, due_at=now - timedelta(days=1))
    lab_due = DueDate.objects.create(course_class=built, item=lab, due_at=now - timedelta(1))
    DueDateOverride.objects.create(
        due_date=lab_due, section=built.sections.get(name="Mon"), due_at=now + timedelta(7)
    )
    board = class_dashboard(built, now=now, idle_days=30)
    reasons = {row.enrollment.user.username: row.reasons for row in board.behind}
    assert "ann" not in reasons
    assert "1 past due, not handed in" in reasons["ben"]
    assert "2 past due, not handed in" in reasons["cy"]
