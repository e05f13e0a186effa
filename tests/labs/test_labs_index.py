"""The course's labs page (/courses/<course>/labs/): its labs in course order with their
lesson, the student's latest run and due dates; linked from the course page; refused to
anyone outside the course's classes."""

import uuid
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.models import DueDate
from course.roles import STUDENT
from labs.models import LabRun
from tests.factories import make_user
from tests.labs.conftest import make_lab


def _url(course) -> str:
    return reverse("labs:index", args=[course.slug])


def _rows(text: str) -> list[str]:
    return text.split('data-testid="lab-row"')[1:]


def test_labs_are_listed_in_the_order_the_course_teaches_them(client, student, course):
    lessons = list(course.lessons.order_by("module__order", "order"))
    # made out of order, and a lab with no lesson, which comes last
    make_lab(course, slug="late", title="Zeta lab", lesson=lessons[-1])
    make_lab(course, slug="loose", title="Alpha lab", lesson=None)
    make_lab(course, slug="early", title="Omega lab", lesson=lessons[0])
    client.force_login(student)
    rows = _rows(client.get(_url(course)).text)
    assert [row.split("</a>")[0].rsplit(">", 1)[1] for row in rows] == [
        "Omega lab",
        "Zeta lab",
        "Alpha lab",
    ]
    assert lessons[0].title in rows[0] and lessons[-1].title in rows[1]


def test_each_lab_shows_the_students_latest_run(client, student, other_student, course):
    lab = make_lab(course)
    old = LabRun.objects.create(lab=lab, user=student, submission=uuid.uuid4(), status="failed")
    LabRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=1))
    new = LabRun.objects.create(lab=lab, user=student, submission=uuid.uuid4(), status="succeeded")
    theirs = LabRun.objects.create(lab=lab, user=other_student, submission=uuid.uuid4())
    make_lab(course, slug="second", title="Second lab")
    client.force_login(student)
    rows = _rows(client.get(_url(course)).text)
    assert f"Run {new.pk}</a>: " in rows[0] and "Finished" in rows[0]
    assert f"Run {old.pk}<" not in rows[0] and f"Run {theirs.pk}<" not in "".join(rows)
    assert "Not run yet" in rows[1]


def test_due_dates_show_where_the_class_sets_them(client, student, course):
    dated = make_lab(course, slug="dated", title="Dated lab")
    make_lab(course, slug="undated", title="Undated lab")
    DueDate.objects.create(
        course_class=course.classes.get(),
        item=dated,
        due_at=timezone.now() - timedelta(days=1),
    )
    client.force_login(student)
    text = client.get(_url(course)).text
    assert '<th scope="col">Due</th>' in text
    dated_row, undated_row = _rows(text)
    assert "<time datetime=" in dated_row and "Missing" in dated_row
    assert "<time" not in undated_row


def test_no_due_column_when_the_class_sets_no_dates(client, student, course):
    make_lab(course)
    client.force_login(student)
    assert '<th scope="col">Due</th>' not in client.get(_url(course)).text


def test_the_table_is_a_focusable_scroll_region(client, student, course):
    make_lab(course)
    client.force_login(student)
    assert 'tabindex="0" role="region" aria-label="The course\'s labs"' in (
        client.get(_url(course)).text
    )


def test_the_course_page_links_the_labs_page(client, student, course):
    make_lab(course)
    client.force_login(student)
    text = client.get(reverse("course:detail", args=[course.slug])).text
    assert f'href="{_url(course)}"' in text


def test_a_course_with_no_labs_says_so(client, student, course):
    client.force_login(student)
    assert "The course has no labs yet." in client.get(_url(course)).text


def test_an_unpublished_lab_is_not_listed_for_students(client, student, course):
    make_lab(course, slug="draft", title="Draft lab", published=False)
    client.force_login(student)
    assert "Draft lab" not in client.get(_url(course)).text


def test_anonymous_visitors_are_sent_to_log_in(client, course):
    response = client.get(_url(course))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_someone_in_no_class_of_the_course_is_refused(client, course):
    make_lab(course)
    client.force_login(make_user("olga", STUDENT))
    response = client.get(_url(course))
    assert response.status_code == 403 and "SFT lab" not in response.text


def test_an_unknown_course_is_not_found(client, student, course):
    client.force_login(student)
    assert client.get(reverse("labs:index", args=["no-such-course"])).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_takes_as_many_queries_for_six_labs_as_for_one(client, student, course):
    client.force_login(student)
    lab = make_lab(course, slug="lab-0", title="Lab 0")
    LabRun.objects.create(lab=lab, user=student, submission=uuid.uuid4())
    client.get(_url(course))  # warm the session and content types
    one = _queries(client, _url(course))
    for n in range(1, 6):
        lab = make_lab(course, slug=f"lab-{n}", title=f"Lab {n}")
        LabRun.objects.create(lab=lab, user=student, submission=uuid.uuid4())
    assert _queries(client, _url(course)) == one


def test_a_lab_page_links_back_to_the_labs_page(client, student, course):
    lab = make_lab(course)
    client.force_login(student)
    assert f'<a href="{_url(course)}">Labs</a>' in client.get(lab.get_absolute_url()).text
