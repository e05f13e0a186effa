"""`make run` gives the demo student a demo class of the course, once."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cohorts.models import CourseClass, Enrollment, GraderAssignment


def test_it_enrolls_the_demo_student_and_assigns_the_demo_grader_once(client, course, capsys):
    call_command("seed_demo")
    call_command("seed_demo_class", course.slug)
    out = capsys.readouterr().out
    course_class = CourseClass.objects.get(course=course)
    assert f"code {course_class.join_code}" in out
    assert Enrollment.objects.filter(course_class=course_class, user__username="student").exists()
    assert GraderAssignment.objects.filter(grader__username="grader").count() == 1

    call_command("seed_demo_class", course.slug)
    again = capsys.readouterr().out
    assert "Demo class exists" in again and course_class.join_code not in again
    assert CourseClass.objects.count() == 1 and Enrollment.objects.count() == 1

    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="student"))
    assert client.get(reverse("course:detail", args=[course.slug])).status_code == 200


def test_it_refuses_a_course_that_is_not_loaded(db):
    with pytest.raises(CommandError, match="no course 'missing'"):
        call_command("seed_demo_class", "missing")
