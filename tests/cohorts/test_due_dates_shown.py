"""Students see their own due dates (their override, else their section's, else the
class's) on the course, quiz and lab pages; nobody sees another student's."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.models import DueDate, DueDateOverride, Section
from cohorts.selectors import due_dates_for_student, due_for_student
from course.roles import STUDENT
from course.services import course_import_bundle
from quizzes import services as quiz_services
from quizzes.bundle_items import BundleQuiz
from tests.factories import enroll, make_bundle, make_class, make_user
from tests.labs.conftest import make_lab
from tests.quizzes.factories import make_quiz, single

pytestmark = pytest.mark.django_db

# Whole seconds, and an hour past the day, so "in 3 days" reads the same a moment later.
NOW = timezone.now().replace(microsecond=0)
CLASS_DUE = NOW + timedelta(days=3, hours=1)
SECTION_DUE = NOW + timedelta(days=5, hours=1)
STUDENT_DUE = NOW + timedelta(days=9, hours=1)


@pytest.fixture
def quiz():
    return make_quiz()


@pytest.fixture
def lab(quiz):
    return make_lab(quiz.course)


@pytest.fixture
def course_class(quiz):
    course_class = make_class(quiz.course)
    for name in ("Mon", "Wed"):
        Section.objects.create(course_class=course_class, name=name)
    return course_class


@pytest.fixture
def dates(course_class, quiz, lab):
    """The quiz and the lab are due on CLASS_DUE, moved to SECTION_DUE for Mon."""
    mon = course_class.sections.get(name="Mon")
    rows = []
    for item in (quiz, lab):
        due = DueDate.objects.create(course_class=course_class, item=item, due_at=CLASS_DUE)
        DueDateOverride.objects.create(due_date=due, section=mon, due_at=SECTION_DUE)
        rows.append(due)
    return rows


def _student(name: str, course_class, section: str | None = None):
    user = make_user(name, STUDENT)
    enroll(user, course_class, section=course_class.sections.get(name=section) if section else None)
    return user


def _pages(quiz, lab) -> list[str]:
    slug = quiz.course.slug
    return [
        reverse("course:detail", args=[slug]),
        reverse("quizzes:quiz", args=[slug, quiz.key]),
        reverse("labs:lab", args=[slug, lab.slug]),
    ]


def _shows(text: str, when) -> bool:
    return f'datetime="{when.isoformat()}"' in text


def test_a_student_sees_their_sections_date_and_not_the_classs(
    client, course_class, quiz, lab, dates
):
    client.force_login(_student("mo", course_class, "Mon"))
    for url in _pages(quiz, lab):
        text = client.get(url).text
        assert _shows(text, SECTION_DUE), url
        assert not _shows(text, CLASS_DUE), url
        assert "in 5\xa0days" in text, url


def test_a_student_without_a_section_override_sees_the_classs_date(
    client, course_class, quiz, lab, dates
):
    client.force_login(_student("wes", course_class, "Wed"))
    for url in _pages(quiz, lab):
        text = client.get(url).text
        assert _shows(text, CLASS_DUE) and not _shows(text, SECTION_DUE), url


def test_a_student_override_beats_the_sections(client, course_class, quiz, lab, dates):
    user = _student("mo", course_class, "Mon")
    for due in dates:
        DueDateOverride.objects.create(due_date=due, user=user, due_at=STUDENT_DUE)
    client.force_login(user)
    for url in _pages(quiz, lab):
        text = client.get(url).text
        assert _shows(text, STUDENT_DUE), url
        assert not _shows(text, SECTION_DUE) and not _shows(text, CLASS_DUE), url


def test_another_student_of_the_class_never_sees_someone_elses_override(
    client, course_class, quiz, lab, dates
):
    extended = _student("mo", course_class, "Mon")
    for due in dates:
        DueDateOverride.objects.create(due_date=due, user=extended, due_at=STUDENT_DUE)
    client.force_login(_student("max", course_class, "Mon"))
    for url in _pages(quiz, lab):
        text = client.get(url).text
        assert _shows(text, SECTION_DUE), url
        assert not _shows(text, STUDENT_DUE) and "in 9\xa0days" not in text, url


def test_the_course_wide_selector_agrees_with_the_one_item_selector_for_every_student(
    course_class, quiz, lab, dates
):
    extended = _student("mo", course_class, "Mon")
    DueDateOverride.objects.create(due_date=dates[0], user=extended, due_at=STUDENT_DUE)
    students = [
        extended,
        _student("max", course_class, "Mon"),
        _student("wes", course_class, "Wed"),
        _student("nos", course_class),
    ]
    for user in students:
        mine = due_dates_for_student(user, quiz.course_id)
        assert mine == {
            ("quiz", quiz.pk): due_for_student(user, quiz),
            ("lab", lab.pk): due_for_student(user, lab),
        }
    assert due_dates_for_student(extended, quiz.course_id)["quiz", quiz.pk] == STUDENT_DUE


def test_the_course_page_lists_due_work_soonest_first_and_marks_what_is_overdue(
    client, course_class, quiz, lab
):
    DueDate.objects.create(course_class=course_class, item=lab, due_at=CLASS_DUE)
    DueDate.objects.create(course_class=course_class, item=quiz, due_at=NOW - timedelta(hours=2))
    client.force_login(_student("wes", course_class, "Wed"))
    text = client.get(reverse("course:detail", args=[quiz.course.slug])).text
    due_list = text[text.index('id="due-heading"') :]
    assert due_list.index(quiz.title) < due_list.index(lab.title)
    assert "Overdue" in due_list and "2\xa0hours ago" in due_list and "in 3\xa0days" in due_list


def test_a_submitted_quiz_is_no_longer_overdue(client, course_class, quiz):
    DueDate.objects.create(course_class=course_class, item=quiz, due_at=NOW - timedelta(hours=2))
    user = _student("wes", course_class, "Wed")
    quiz_services.attempt_submit(attempt=quiz_services.attempt_start(user=user, quiz=quiz))
    client.force_login(user)
    text = client.get(reverse("course:detail", args=[quiz.course.slug])).text
    assert "Submitted" in text and "Overdue" not in text


def test_the_course_page_reads_due_dates_in_the_same_number_of_queries_for_1_or_10(
    client, course_class
):
    bundle = make_bundle("demo-course")
    bundle.sections["quizzes"] = [
        BundleQuiz(key=f"quiz-{n}", title=f"Quiz {n}", questions=[single()]) for n in range(10)
    ]
    course = course_import_bundle(bundle=bundle).course
    quizzes = list(course.quizzes.filter(archived=False).order_by("order"))
    user = _student("mo", course_class, "Mon")
    mon = course_class.sections.get(name="Mon")
    client.force_login(user)
    url = reverse("course:detail", args=[course.slug])

    def add_dates(chosen):
        for n, quiz in enumerate(chosen):
            due = DueDate.objects.create(
                course_class=course_class, item=quiz, due_at=CLASS_DUE + timedelta(hours=n)
            )
            DueDateOverride.objects.create(due_date=due, section=mon, due_at=SECTION_DUE)
            DueDateOverride.objects.create(due_date=due, user=user, due_at=STUDENT_DUE)

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            text = client.get(url).text
        return len(captured), text

    client.get(url)  # the first page also asks the permission backend (then remembered)
    add_dates(quizzes[:1])
    one, text = queries()
    assert text.count('data-testid="due-item"') == 1
    add_dates(quizzes[1:])
    ten, text = queries()
    assert text.count('data-testid="due-item"') == 10
    assert one == ten


def test_a_user_in_no_class_sees_no_due_dates(client, instructor, course_class, quiz, lab, dates):
    client.force_login(instructor)
    for url in _pages(quiz, lab):
        text = client.get(url).text
        assert 'data-testid="due' not in text and not _shows(text, CLASS_DUE), url
    assert due_dates_for_student(make_user("outsider", STUDENT), quiz.course_id) == {}


def test_a_student_of_a_class_without_dates_sees_none(client, course_class, quiz, lab):
    client.force_login(_student("wes", course_class, "Wed"))
    for url in _pages(quiz, lab):
        assert 'data-testid="due' not in client.get(url).text, url
