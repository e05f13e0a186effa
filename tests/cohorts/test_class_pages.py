"""The instructor's class list and class page (join code, sections, roster), and a new code."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cohorts.models import Accommodation, CourseClass, GraderAssignment, Section
from course.roles import STUDENT
from tests.factories import enroll, make_class, make_course, make_user


@pytest.fixture
def course_class(course):
    course_class = make_class(course, term="Spring 2027")
    section = Section.objects.create(course_class=course_class, name="Tuesday")
    enroll(
        make_user("carol", STUDENT, first_name="Carol", last_name="Chen"),
        course_class,
        section=section,
        student_id="S-42",
    )
    return course_class


def test_an_instructor_sees_the_class_with_its_code_sections_and_students(
    client, instructor, grader, course_class
):
    GraderAssignment.objects.create(section=course_class.sections.get(), grader=grader)
    client.force_login(instructor)
    response = client.get(reverse("cohorts:class", args=[course_class.pk]))
    assert response.status_code == 200
    text = response.text
    assert course_class.join_code in text and f"/join/{course_class.join_code}/" in text
    assert "Tuesday: 1 student; graded by gus" in text
    assert "Carol Chen" in text and "S-42" in text


def test_the_class_list_shows_every_class_with_its_student_count(
    client, instructor, course_class, django_assert_max_num_queries
):
    for n in range(5):
        make_class(make_course(f"course-{n}"), name=f"Run {n}")
    client.force_login(instructor)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("cohorts:classes"))
    assert response.status_code == 200
    assert "Class of 2027" in response.text and "Run 4" in response.text


def test_a_new_code_replaces_the_old_one(client, instructor, course_class):
    old = course_class.join_code
    client.force_login(instructor)
    response = client.post(reverse("cohorts:class-code", args=[course_class.pk]))
    assert response.status_code == 302
    course_class.refresh_from_db()
    assert course_class.join_code != old and len(course_class.join_code) == 8


def test_an_archived_class_keeps_its_code_closed(client, instructor, course_class):
    CourseClass.objects.filter(pk=course_class.pk).update(archived=True)
    old = course_class.join_code
    client.force_login(instructor)
    client.post(reverse("cohorts:class-code", args=[course_class.pk]))
    course_class.refresh_from_db()
    assert course_class.join_code == old
    text = client.get(reverse("cohorts:class", args=[course_class.pk])).text
    assert "The class is archived" in text and old not in text


@pytest.mark.parametrize("who", ["student", "other_student", "grader"])
def test_students_and_unassigned_graders_never_see_the_class_page(
    client, course_class, request, who
):
    client.force_login(request.getfixturevalue(who))
    assert course_class.join_code not in client.get(reverse("cohorts:classes")).text
    assert client.get(reverse("cohorts:class", args=[course_class.pk])).status_code == 404
    assert client.post(reverse("cohorts:class-code", args=[course_class.pk])).status_code == 404


def test_a_student_lists_only_their_own_classes(client, student, course_class):
    make_class(course_class.course, name="Someone else's run")
    client.force_login(student)
    text = client.get(reverse("cohorts:classes")).text
    assert "Your class of" in text and "Class of 2027" in text  # the fixture's class
    assert "Someone else" not in text and "Spring 2027" not in text


def test_a_grader_sees_the_students_of_their_sections_with_their_extra_time(
    client, grader, course_class
):
    tuesday = course_class.sections.get()
    thursday = Section.objects.create(course_class=course_class, name="Thursday")
    enroll(make_user("dan", STUDENT, first_name="Dan"), course_class, section=thursday)
    GraderAssignment.objects.create(section=tuesday, grader=grader)
    Accommodation.objects.create(
        enrollment=course_class.enrollments.get(user__username="carol"),
        time_multiplier=Decimal("1.5"),
        extra_minutes=10,
    )
    client.force_login(grader)
    assert "You grade sections" in client.get(reverse("cohorts:classes")).text
    response = client.get(reverse("cohorts:class", args=[course_class.pk]))
    assert response.status_code == 200
    text = response.text
    assert "Carol Chen" in text and "×1.5, +10 min" in text
    assert "Dan" not in text and "Thursday" not in text
    assert course_class.join_code not in text and "Upload a roster" not in text
    assert client.get(reverse("cohorts:roster", args=[course_class.pk])).status_code == 404
    assert client.get(reverse("cohorts:dashboard", args=[course_class.pk])).status_code == 404


def test_students_never_see_anyones_extra_time(client, student, course_class):
    carol = course_class.enrollments.get(user__username="carol")
    Accommodation.objects.create(enrollment=carol, extra_minutes=30, note="Letter on file")
    enroll(student, course_class)
    client.force_login(student)
    for url in (
        reverse("cohorts:classes"),
        reverse("course:detail", args=[course_class.course.slug]),
        reverse("course:catalog"),
    ):
        text = client.get(url).text
        assert "+30 min" not in text and "Letter on file" not in text


def test_anonymous_visitors_are_sent_to_log_in(client, course_class):
    for url in (reverse("cohorts:classes"), reverse("cohorts:class", args=[course_class.pk])):
        assert client.get(url)["Location"].startswith(reverse("login"))


def test_the_admin_lists_classes_and_opens_one_with_its_inlines(client, instructor, course_class):
    client.force_login(instructor)
    changelist = client.get(reverse("admin:cohorts_courseclass_changelist"), {"q": "2027"})
    assert changelist.status_code == 200 and "Class of 2027" in changelist.text
    change = client.get(reverse("admin:cohorts_courseclass_change", args=[course_class.pk]))
    assert change.status_code == 200 and "Tuesday" in change.text and "S-42" in change.text
    for model in ("section", "enrollment", "graderassignment"):
        assert client.get(reverse(f"admin:cohorts_{model}_changelist")).status_code == 200


def test_an_instructor_creates_a_class_in_the_admin(client, instructor, course):
    client.force_login(instructor)
    inline = {
        f"{prefix}-{key}": value
        for prefix in ("sections", "enrollments")
        for key, value in (
            ("TOTAL_FORMS", "0"),
            ("INITIAL_FORMS", "0"),
            ("MIN_NUM_FORMS", "0"),
            ("MAX_NUM_FORMS", "1000"),
        )
    }
    inline.update({"sections-TOTAL_FORMS": "1", "sections-0-name": "Lab group 1"})
    data = {"course": course.pk, "name": "Autumn run", "term": "Autumn 2027", **inline}
    response = client.post(reverse("admin:cohorts_courseclass_add"), data)
    assert response.status_code == 302, response.text
    created = CourseClass.objects.get(name="Autumn run")
    assert len(created.join_code) == 8
    assert list(created.sections.values_list("name", flat=True)) == ["Lab group 1"]
