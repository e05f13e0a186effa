"""The grader's queue of a class: the written answers of submitted attempts, graders
only their sections' students, instructors every section; filters with counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import DueDate, GraderAssignment
from course.roles import GRADER, STUDENT
from quizzes import services
from quizzes.grading_queue import pseudonym
from tests.factories import enroll, make_user
from tests.quizzes.factories import essay, single
from tests.quizzes.grading_factories import grading_class, submit

pytestmark = pytest.mark.django_db


def _queue(client, built, **query):
    return client.get(reverse("quizzes:grading", args=[built.course_class.pk]), query)


def test_a_grader_sees_only_the_written_answers_of_the_sections_they_grade(client):
    built = grading_class()
    client.force_login(built.gina)
    page = _queue(client, built)
    assert page.status_code == 200
    assert "Ann Lee" in page.text and "Ben Okafor" not in page.text
    assert "<strong>0 of 1</strong> written answer graded" in page.text
    assert "Wed" not in page.text  # not even the other section's name in the filters


def test_an_instructor_sees_every_section(client, instructor):
    built = grading_class()
    client.force_login(instructor)
    page = _queue(client, built)
    assert "Ann Lee" in page.text and "Ben Okafor" in page.text
    assert "<strong>0 of 2</strong>" in page.text
    assert page.text.count('data-testid="queue-row"') == 2  # the choice answers are not queued


@pytest.mark.parametrize("who", ["ann", "outsider", "other_class_grader"])
def test_a_student_or_a_grader_of_no_section_of_the_class_reaches_no_queue(client, who):
    built = grading_class()
    users = {
        "ann": built.ann,
        "outsider": make_user("olga", STUDENT),
        "other_class_grader": make_user("greta", GRADER),
    }
    client.force_login(users[who])
    assert _queue(client, built).status_code == 404


def test_filters_narrow_the_queue_and_count_each_choice_under_the_others(client, instructor):
    built = grading_class()
    DueDate.objects.create(
        course_class=built.course_class, item=built.quiz, due_at=timezone.now() - timedelta(days=1)
    )
    cara = make_user("cara", STUDENT, first_name="Cara", last_name="Diaz")
    enroll(cara, built.course_class, section=built.wed)
    submit(cara, built.quiz, essay_text="Late essay")  # after the date: late
    services.response_grade(response=built.essay_of(built.ann), grader=instructor, levels=[1])
    client.force_login(instructor)

    page = _queue(client, built)
    assert "Ann Lee" not in page.text  # graded: not "to grade"
    assert '<option value="ungraded" selected>To grade (2)</option>' in page.text
    assert '<option value="graded">Graded (1)</option>' in page.text
    assert "Late only (1)" in page.text
    assert f'<option value="{built.wed.pk}">Wed (2)</option>' in page.text

    late = _queue(client, built, late="1")
    assert "Cara Diaz" in late.text and "Ben Okafor" not in late.text
    graded = _queue(client, built, status="graded")
    assert "Ann Lee" in graded.text and "Cara Diaz" not in graded.text
    mon = _queue(client, built, status="all", section=built.mon.pk)
    assert "Ann Lee" in mon.text and "Ben Okafor" not in mon.text
    question = built.quiz.questions.get(key="essay-q")
    by_question = _queue(client, built, quiz=built.quiz.pk, question=question.pk, status="all")
    assert by_question.text.count('data-testid="queue-row"') == 3


def test_a_filter_naming_no_such_row_is_ignored_not_an_error(client, instructor):
    built = grading_class()
    client.force_login(instructor)
    page = _queue(client, built, quiz="abc", section="99999999999999999999999", status="x")
    assert page.status_code == 200 and page.text.count('data-testid="queue-row"') == 2


def test_the_queue_reads_in_a_fixed_number_of_queries(
    client, instructor, django_assert_max_num_queries
):
    built = grading_class()
    for n in range(8):
        student = make_user(f"s{n}", STUDENT)
        enroll(student, built.course_class, section=built.mon)
        submit(student, built.quiz)
    client.force_login(instructor)
    with django_assert_max_num_queries(20):
        page = _queue(client, built, status="all")
    assert page.text.count('data-testid="queue-row"') == 10


def test_anonymous_grading_shows_a_stable_pseudonym_instead_of_the_name(client, instructor):
    built = grading_class()
    built.quiz.anonymous_grading = True
    built.quiz.save()
    client.force_login(instructor)
    page = _queue(client, built)
    name = pseudonym(built.quiz.pk, built.ann.pk)
    assert name in page.text and "Ann Lee" not in page.text
    assert name == pseudonym(built.quiz.pk, built.ann.pk) != pseudonym(built.quiz.pk, built.ben.pk)
    answer = built.essay_of(built.ann)
    one = client.get(reverse("quizzes:grade-answer", args=[built.course_class.pk, answer.pk]))
    assert name in one.text and "Ann Lee" not in one.text and "the whole attempt" not in one.text


def test_the_class_page_links_graders_and_instructors_to_the_queue(client, instructor):
    built = grading_class()
    url = reverse("quizzes:grading", args=[built.course_class.pk])
    for user in (built.gina, instructor):
        client.force_login(user)
        assert url in client.get(built.course_class.get_absolute_url()).text


def test_a_grader_assigned_later_sees_the_new_section_at_once(client):
    built = grading_class(questions=[single(), essay()])
    GraderAssignment.objects.create(section=built.wed, grader=built.gina)
    client.force_login(built.gina)
    assert "Ben Okafor" in _queue(client, built).text
