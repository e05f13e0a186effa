"""Running a class from its pages: create it with sections, change its settings, add and
remove sections, assign graders, archive and reopen it; only instructors may."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts.models import CourseClass, DueDate, DueDateOverride, GraderAssignment, Section
from course.roles import GRADER, STUDENT
from tests.factories import enroll, make_class, make_user


@pytest.fixture
def course_class(course):
    course_class = make_class(course, term="Spring 2027")
    Section.objects.create(course_class=course_class, name="Tuesday")
    return course_class


def _url(name, course_class, *args):
    return reverse(f"cohorts:{name}", args=[course_class.pk, *args])


def test_an_instructor_creates_a_class_with_its_sections(client, instructor, course):
    client.force_login(instructor)
    assert client.get(reverse("cohorts:class-new")).status_code == 200
    data = {
        "course": course.pk,
        "name": "Autumn run",
        "term": "Autumn 2027",
        "sections": "Mon lab\n\n  Wed lab  \n",
    }
    response = client.post(reverse("cohorts:class-new"), data)
    created = CourseClass.objects.get(name="Autumn run")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert sorted(created.sections.values_list("name", flat=True)) == ["Mon lab", "Wed lab"]
    assert len(created.join_code) == 8 and created.term == "Autumn 2027"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"sections": "A\na"}, "is listed twice"),
        ({"sections": "x" * 101}, "longer than 100 characters"),
        ({"course": "999999"}, "Select a valid choice"),
        ({"join_code_expires_at": "next tuesday"}, "Enter a valid date"),
    ],
)
def test_a_bad_new_class_form_says_what_is_wrong_and_creates_nothing(
    client, instructor, course, data, message
):
    client.force_login(instructor)
    response = client.post(reverse("cohorts:class-new"), {"course": course.pk, "name": "X", **data})
    assert response.status_code == 400
    assert message in response.text
    assert not CourseClass.objects.exists()


def test_an_instructor_changes_the_name_term_and_code_expiry(client, instructor, course_class):
    client.force_login(instructor)
    until = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    data = {"name": "Renamed", "term": "", "join_code_expires_at": until}
    response = client.post(_url("class-edit", course_class), data)
    assert response.status_code == 302
    course_class.refresh_from_db()
    assert course_class.name == "Renamed" and course_class.term == ""
    assert course_class.join_code_expires_at is not None


def test_sections_are_added_and_a_repeated_name_is_refused(client, instructor, course_class):
    client.force_login(instructor)
    assert client.post(_url("section-add", course_class), {"name": "Friday"}).status_code == 302
    response = client.post(_url("section-add", course_class), {"name": "tuesday"})
    assert response.status_code == 400
    assert "already has a section “tuesday”" in response.text
    assert sorted(course_class.sections.values_list("name", flat=True)) == ["Friday", "Tuesday"]


def test_an_empty_section_is_removed(client, instructor, course_class):
    section = course_class.sections.get()
    client.force_login(instructor)
    client.post(_url("section-remove", course_class, section.pk))
    assert not course_class.sections.exists()


def test_a_section_with_students_or_overrides_stays_with_the_reason(
    client, instructor, course_class, quiz_for_due
):
    section = course_class.sections.get()
    student = make_user("sam", STUDENT)
    enroll(student, course_class, section=section)
    client.force_login(instructor)
    response = client.post(_url("section-remove", course_class, section.pk), follow=True)
    assert "has 1 student: move them" in response.text
    student.enrollments.update(section=None)
    due = DueDate.objects.create(
        course_class=course_class, item=quiz_for_due, due_at=timezone.now()
    )
    DueDateOverride.objects.create(due_date=due, section=section, due_at=timezone.now())
    response = client.post(_url("section-remove", course_class, section.pk), follow=True)
    assert "has due-date overrides" in response.text
    assert course_class.sections.filter(pk=section.pk).exists()


@pytest.fixture
def quiz_for_due(course):
    from quizzes.models import Quiz

    return Quiz.objects.create(course=course, key="due-quiz", title="Due quiz")


def test_a_grader_is_assigned_to_a_section_then_removed(client, instructor, course_class):
    gina = make_user("gina", GRADER)
    section = course_class.sections.get()
    client.force_login(instructor)
    data = {"section": section.pk, "grader": gina.pk}
    assert client.post(_url("grader-assign", course_class), data).status_code == 302
    again = client.post(_url("grader-assign", course_class), data, follow=True)
    assert "gina already grades Tuesday" in again.text
    assignment = GraderAssignment.objects.get(section=section, grader=gina)
    client.post(_url("grader-unassign", course_class, assignment.pk))
    assert not GraderAssignment.objects.exists()


def test_only_accounts_with_the_grader_role_can_be_assigned(client, instructor, course_class):
    pupil = make_user("pupil", STUDENT)
    client.force_login(instructor)
    data = {"section": course_class.sections.get().pk, "grader": pupil.pk}
    response = client.post(_url("grader-assign", course_class), data)
    assert response.status_code == 400 and "Select a valid choice" in response.text
    assert not GraderAssignment.objects.exists()


def test_a_section_of_another_class_cannot_be_given_a_grader(client, instructor, course_class):
    other = Section.objects.create(course_class=make_class(course_class.course), name="Else")
    client.force_login(instructor)
    data = {"section": other.pk, "grader": make_user("gina", GRADER).pk}
    assert client.post(_url("grader-assign", course_class), data).status_code == 400
    url = _url("section-remove", course_class, other.pk)
    assert client.post(url).status_code == 404


def test_archiving_makes_the_class_read_only_and_reopening_undoes_it(
    client, instructor, course_class
):
    client.force_login(instructor)
    client.post(_url("class-archive", course_class), {"archived": "1"})
    course_class.refresh_from_db()
    assert course_class.archived
    response = client.post(_url("section-add", course_class), {"name": "Late"})
    assert response.status_code == 400 and "archived" in response.text
    client.post(_url("class-archive", course_class), {"archived": "0"})
    course_class.refresh_from_db()
    assert not course_class.archived


@pytest.mark.parametrize("who", ["student", "grader"])
def test_students_and_graders_cannot_create_or_change_classes(client, course_class, request, who):
    user = request.getfixturevalue(who)
    section = course_class.sections.get()
    GraderAssignment.objects.create(section=section, grader=request.getfixturevalue("grader"))
    client.force_login(user)
    assert client.get(reverse("cohorts:class-new")).status_code == 404
    posts = [
        _url("class-edit", course_class),
        _url("class-archive", course_class),
        _url("section-add", course_class),
        _url("section-remove", course_class, section.pk),
        _url("grader-assign", course_class),
    ]
    for url in posts:
        assert client.post(url, {"name": "x", "archived": "1"}).status_code == 404
    course_class.refresh_from_db()
    assert not course_class.archived and course_class.sections.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client, course_class):
    response = client.get(reverse("cohorts:class-new"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_an_archive_request_without_a_choice_changes_nothing(client, instructor, course_class):
    course_class.archived = True
    course_class.save()
    client.force_login(instructor)
    response = client.post(_url("class-archive", course_class), {}, follow=True)
    assert "Choose Archive or Reopen" in response.text
    course_class.refresh_from_db()
    assert course_class.archived  # not reopened by a request that did not ask for it
