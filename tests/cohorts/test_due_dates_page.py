"""The class's due-dates page: a date per quiz and lab, overrides for a section or a
student; only instructors change them, never in an archived class."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from cohorts.models import DueDate, DueDateOverride, Section
from cohorts.selectors import due_for_student
from course.roles import STUDENT
from tests.factories import enroll, make_class, make_user
from tests.labs.conftest import make_lab
from tests.quizzes.factories import make_quiz

WHEN = datetime(2027, 3, 1, 17, 0, tzinfo=UTC)
LATER = datetime(2027, 3, 8, 17, 0, tzinfo=UTC)


@pytest.fixture
def built(db):
    quiz = make_quiz()
    lab = make_lab(quiz.course)
    course_class = make_class(quiz.course, name="Dated class")
    section = Section.objects.create(course_class=course_class, name="Mon")
    ann = make_user("ann", STUDENT)
    enroll(ann, course_class, section=section)
    return course_class, quiz, lab, section, ann


def _url(course_class, name="due", *args):
    return reverse(f"cohorts:{name}", args=[course_class.pk, *args])


def test_an_instructor_sets_moves_and_clears_the_class_dates(client, instructor, built):
    course_class, quiz, lab, _, ann = built
    client.force_login(instructor)
    assert client.get(_url(course_class)).status_code == 200
    data = {f"quiz-{quiz.pk}": "2027-03-01T17:00", f"lab-{lab.pk}": ""}
    response = client.post(_url(course_class), data, follow=True)
    assert "Saved: 1 set, 0 moved, 0 cleared." in response.text
    assert due_for_student(ann, quiz) == WHEN and due_for_student(ann, lab) is None
    data = {f"quiz-{quiz.pk}": "2027-03-08T17:00", f"lab-{lab.pk}": "2027-03-01T17:00"}
    client.post(_url(course_class), data)
    assert due_for_student(ann, quiz) == LATER and due_for_student(ann, lab) == WHEN
    client.post(_url(course_class), {f"quiz-{quiz.pk}": "", f"lab-{lab.pk}": ""})
    assert not DueDate.objects.exists()


def test_a_section_and_a_student_override_move_the_date(client, instructor, built):
    course_class, quiz, _, section, ann = built
    due = DueDate.objects.create(course_class=course_class, item=quiz, due_at=WHEN)
    client.force_login(instructor)
    data = {"due_date": due.pk, "section": section.pk, "due_at": "2027-03-08T17:00"}
    assert client.post(_url(course_class, "due-override"), data).status_code == 302
    assert due_for_student(ann, quiz) == LATER
    data = {"due_date": due.pk, "student": ann.pk, "due_at": "2027-03-15T17:00"}
    client.post(_url(course_class, "due-override"), data)
    assert due_for_student(ann, quiz).day == 15
    mine = DueDateOverride.objects.get(user=ann)
    client.post(_url(course_class, "due-override-remove", mine.pk))
    assert due_for_student(ann, quiz) == LATER


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Pick a section or a student"),
        ({"section": "S", "student": "U"}, "Pick a section or a student"),
        ({"section": "S", "due_at": "soon"}, "Enter a valid date"),
    ],
)
def test_a_bad_override_says_what_is_wrong_and_writes_nothing(
    client, instructor, built, data, message
):
    course_class, quiz, _, section, ann = built
    due = DueDate.objects.create(course_class=course_class, item=quiz, due_at=WHEN)
    values = {"section": section.pk, "student": ann.pk}
    posted = {"due_date": due.pk, "due_at": "2027-03-08T17:00"}
    posted.update({key: values.get(value, value) for key, value in data.items()})
    if not data:
        posted.update(section="", student="")
    client.force_login(instructor)
    response = client.post(_url(course_class, "due-override"), posted)
    assert response.status_code == 400 and message in response.text
    assert not DueDateOverride.objects.exists()


def test_a_student_of_another_class_cannot_be_given_an_override(client, instructor, built):
    course_class, quiz, _, _, _ = built
    due = DueDate.objects.create(course_class=course_class, item=quiz, due_at=WHEN)
    stranger = make_user("stranger", STUDENT)
    enroll(stranger, make_class(course_class.course, name="Other"))
    client.force_login(instructor)
    data = {"due_date": due.pk, "student": stranger.pk, "due_at": "2027-03-08T17:00"}
    assert client.post(_url(course_class, "due-override"), data).status_code == 400
    assert not DueDateOverride.objects.exists()


def test_a_date_with_overrides_is_not_cleared_and_the_page_says_why(client, instructor, built):
    course_class, quiz, lab, section, _ = built
    due = DueDate.objects.create(course_class=course_class, item=quiz, due_at=WHEN)
    DueDateOverride.objects.create(due_date=due, section=section, due_at=LATER)
    client.force_login(instructor)
    response = client.post(_url(course_class), {f"quiz-{quiz.pk}": "", f"lab-{lab.pk}": ""})
    assert response.status_code == 409 and "remove them before clearing" in response.text
    assert DueDate.objects.filter(pk=due.pk).exists()


def test_a_bad_date_is_refused_and_nothing_is_saved(client, instructor, built):
    course_class, quiz, lab, _, _ = built
    client.force_login(instructor)
    data = {f"quiz-{quiz.pk}": "2027-03-01T17:00", f"lab-{lab.pk}": "the 31st of never"}
    response = client.post(_url(course_class), data)
    assert response.status_code == 400 and "Enter a valid date" in response.text
    assert not DueDate.objects.exists()


def test_an_archived_classs_dates_are_read_only(client, instructor, built):
    course_class, quiz, lab, section, _ = built
    due = DueDate.objects.create(course_class=course_class, item=quiz, due_at=WHEN)
    override = DueDateOverride.objects.create(due_date=due, section=section, due_at=LATER)
    course_class.archived = True
    course_class.save()
    client.force_login(instructor)
    client.post(_url(course_class), {f"quiz-{quiz.pk}": "", f"lab-{lab.pk}": ""})
    client.post(_url(course_class, "due-override-remove", override.pk))
    assert DueDate.objects.count() == 1 and DueDateOverride.objects.count() == 1
    assert "Save the dates" not in client.get(_url(course_class)).text


@pytest.mark.parametrize("who", ["ann", "grader"])
def test_students_and_graders_never_reach_it(client, built, request, who):
    course_class = built[0]
    user = built[4] if who == "ann" else request.getfixturevalue("grader")
    client.force_login(user)
    assert client.get(_url(course_class)).status_code == 404
    assert client.post(_url(course_class, "due-override"), {}).status_code == 404
