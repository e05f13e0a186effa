"""Who may see and change what: every named URL of the site (the admin by its index and
each model's list and add pages) walked as six people.

- anon: not logged in
- student: Ann, enrolled in section S1; the attempt, answer and lab run are hers
- other: Ben, enrolled in the same class, section S2
- grader: grades S1 (Ann's section)
- outsider: grades S2 (Ben's section, not Ann's)
- instructor

For each URL the table says what a GET gives each of them (ok: 200, login: a redirect to
the login page, no: 403 or 404, away: another redirect, 405: GET not allowed), and which
of them a POST must refuse (login, 403, 404 or 405) without changing anything. A named URL
missing from the table fails the test that checks the table covers the site, so a new page
must say who may see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import get_resolver, reverse
from django.utils import timezone

from cohorts.models import DueDate, DueDateOverride, GraderAssignment
from cohorts.services import grader_assign, section_add
from course.roles import GRADER, INSTRUCTOR, STUDENT
from labs.models import LabRun
from quizzes import services as quiz_services
from quizzes.models import Question
from tests.factories import enroll, make_class, make_user
from tests.labs.conftest import make_lab
from tests.quizzes.factories import essay, make_quiz, single

ROLES = ("anon", "student", "other", "grader", "outsider", "instructor")
STAFF = {"grader", "outsider", "instructor"}
MEMBERS = {"student", "other", "grader", "outsider", "instructor"}  # see the course
ANN = {"student", "grader", "instructor"}  # Ann's work: Ann, her grader, instructors
EVERYONE_BUT = {role: set(ROLES) - {role} for role in ROLES}


@dataclass
class World:
    course: object
    course_class: object
    quiz: object
    lab: object
    attempt: object
    response: object
    question: object
    run: object
    users: dict
    s1: object
    assignment: object
    override: object

    def kwargs(self, name: str) -> dict:
        values = {
            "course_slug": self.course.slug,
            "lesson_slug": "m1-lesson-1",
            "key": "card-1-1-1",
            "quiz_key": self.quiz.key,
            "lab_slug": self.lab.slug,
            "attempt_id": self.attempt.pk,
            "question_id": self.question.pk,
            "class_id": self.course_class.pk,
            "response_id": self.response.pk,
            "quiz_id": self.quiz.pk,
            "run_id": self.run.pk,
            "section_id": self.s1.pk,
            "assignment_id": self.assignment.pk,
            "override_id": self.override.pk,
            "student_id": self.users["student"].pk,
            "code": self.course_class.join_code,
            "layout": "canvas",
            "extension": "csv",
        }
        pattern = _patterns()[name]
        return {key: values[key] for key in pattern.converters}


@pytest.fixture
def world(db) -> World:
    quiz = make_quiz("check", [single(), essay()], course_slug="matrix")
    course = quiz.course
    course_class = make_class(course)
    s1 = section_add(course_class=course_class, name="S1")
    s2 = section_add(course_class=course_class, name="S2")
    users = {
        "student": make_user("ann", STUDENT),
        "other": make_user("ben", STUDENT),
        "grader": make_user("gus", GRADER),
        "outsider": make_user("ola", GRADER),
        "instructor": make_user("ivy", INSTRUCTOR),
    }
    enroll(users["student"], course_class, section=s1)
    enroll(users["other"], course_class, section=s2)
    grader_assign(section=s1, grader=users["grader"])
    grader_assign(section=s2, grader=users["outsider"])
    attempt = quiz_services.attempt_start(user=users["student"], quiz=quiz)
    question = Question.objects.get(quiz=quiz, key="essay-q")
    quiz_services.attempt_submit(attempt=attempt, answers={question.pk: ({"text": "My essay"}, 0)})
    lab = make_lab(course)
    run = LabRun.objects.create(
        lab=lab,
        user=users["student"],
        submission="00000000-0000-0000-0000-000000000001",
        params={"steps": 3},
        status=LabRun.Status.SUCCEEDED,
        course_class=course_class,
    )
    due = DueDate.objects.create(
        course_class=course_class, item=quiz, due_at=timezone.now() + timedelta(days=3)
    )
    override = DueDateOverride.objects.create(
        due_date=due, section=s2, due_at=timezone.now() + timedelta(days=4)
    )
    return World(
        course=course,
        course_class=course_class,
        quiz=quiz,
        lab=lab,
        attempt=attempt,
        response=attempt.responses.get(question=question),
        question=question,
        run=run,
        users=users,
        s1=s1,
        assignment=GraderAssignment.objects.get(section=s1),
        override=override,
    )


def _get(ok: set[str], *, anon: str = "login", refused: str = "no") -> dict[str, str]:
    return {role: "ok" if role in ok else (anon if role == "anon" else refused) for role in ROLES}


POST_ONLY = {role: "405" for role in ROLES}  # the method is checked before the login

# name -> (GET expectation per role, roles a POST must refuse)
MATRIX: dict[str, tuple[dict[str, str] | None, set[str]]] = {
    # the site
    "healthz": ({role: "ok" for role in ROLES}, set()),
    "login": ({role: "ok" if role == "anon" else "away" for role in ROLES}, set()),
    "password_reset": ({role: "ok" for role in ROLES}, set()),
    "password_reset_done": ({role: "ok" for role in ROLES}, set()),
    "password_reset_complete": ({role: "ok" for role in ROLES}, set()),
    # course pages
    "course:catalog": (_get(MEMBERS), set()),
    "course:detail": (_get(MEMBERS), set()),
    "course:lesson": (_get(MEMBERS), set()),
    "course:lesson-complete": (POST_ONLY, {"anon"}),
    "course:review-index": (_get(set(), refused="away"), set()),  # one course: straight to it
    "course:review": (_get(MEMBERS), set()),
    "course:flashcard-rate": (POST_ONLY, {"anon"}),
    "course:markdown-preview": (POST_ONLY, {"anon", "student", "other", "grader", "outsider"}),
    "course:favicon": ({role: "away" for role in ROLES}, set()),  # to the static icon
    # quizzes
    "quizzes:quiz": (_get(MEMBERS), set()),
    "quizzes:start": (POST_ONLY, {"anon"}),
    "quizzes:grades": (_get(MEMBERS), set()),
    "quizzes:attempt": (_get(ANN), EVERYONE_BUT["student"]),
    "quizzes:autosave": (POST_ONLY, EVERYONE_BUT["student"]),
    "quizzes:check": (POST_ONLY, EVERYONE_BUT["student"]),
    "quizzes:submit": (POST_ONLY, EVERYONE_BUT["student"]),
    "quizzes:grading": (_get(STAFF), {"anon", "student", "other"}),
    "quizzes:grade-answer": (_get({"grader", "instructor"}), {"anon", "student", "other"}),
    "quizzes:override": (POST_ONLY, {"anon", "student", "other", "outsider"}),
    "quizzes:release": (POST_ONLY, {"anon", "student", "other"}),
    "quizzes:export": (_get(STAFF), set()),
    "quizzes:regrade": (_get({"instructor"}), {"anon", "student", "other", "grader", "outsider"}),
    "quizzes:item-analysis": (_get({"instructor"}), set()),
    "quizzes:grading-settings": (
        POST_ONLY,
        {"anon", "student", "other", "grader", "outsider"},
    ),
    # labs
    "labs:index": (_get(MEMBERS), set()),
    "labs:lab": (_get(MEMBERS), set()),
    "labs:run-start": (POST_ONLY, {"anon"}),
    "labs:compare": (_get(set(), refused="away") | {"anon": "login"}, set()),
    "labs:label": (_get(MEMBERS), {"anon"}),
    "labs:class-labels": (_get({"instructor"}), set()),
    "labs:class-labels-generate": (POST_ONLY, {"anon", "student", "other", "grader", "outsider"}),
    "labs:class-labels-train": (POST_ONLY, {"anon", "student", "other", "grader", "outsider"}),
    "labs:class-runs": (_get(STAFF), set()),
    "labs:class-runs-export": (_get(STAFF), set()),
    "labs:run": (_get(ANN), set()),
    "labs:run-cancel": (POST_ONLY, {"anon", "other", "grader", "outsider"}),
    "labs:run-result": (_get(ANN), set()),
    # classes
    "cohorts:join": (_get(MEMBERS), {"anon"}),
    "cohorts:join-link": (_get(MEMBERS), {"anon"}),
    "cohorts:classes": (_get(MEMBERS), set()),
    "cohorts:class-new": (_get({"instructor"}), {"anon", "student", "other", "grader", "outsider"}),
    "cohorts:class": (_get(STAFF), set()),
    "cohorts:class-edit": (
        _get({"instructor"}),
        {"anon", "student", "other", "grader", "outsider"},
    ),
    "cohorts:class-archive": (POST_ONLY, {"anon", "student", "other", "grader", "outsider"}),
    "cohorts:section-add": (POST_ONLY, {"anon", "student", "other", "grader", "outsider"}),
    "cohorts:section-remove": (POST_ONLY, {"anon", "student", "other", "grader", "outsider"}),
    "cohorts:grader-assign": (POST_ONLY, {"anon", "student", "other", "grader", "outsider"}),
    "cohorts:grader-unassign": (POST_ONLY, {"anon", "student", "other", "grader", "outsider"}),
    "cohorts:class-code": (POST_ONLY, {"anon", "student", "other", "grader", "outsider"}),
    "cohorts:roster": (_get({"instructor"}), {"anon", "student", "other", "grader", "outsider"}),
    "cohorts:dashboard": (_get({"instructor"}), set()),
    "cohorts:due": (_get({"instructor"}), {"anon", "student", "other", "grader", "outsider"}),
    "cohorts:due-override": (POST_ONLY, {"anon", "student", "other", "grader", "outsider"}),
    "cohorts:due-override-remove": (
        POST_ONLY,
        {"anon", "student", "other", "grader", "outsider"},
    ),
    "cohorts:student": (_get({"grader", "instructor"}), set()),
    "cohorts:student-extra-time": (
        POST_ONLY,
        {"anon", "student", "other", "grader", "outsider"},
    ),
    "cohorts:student-invite": (POST_ONLY, {"anon", "student", "other", "grader", "outsider"}),
}
# Reached only with a token from an email (tested in tests/cohorts and tests/security).
NOT_WALKED = {"logout", "password_reset_confirm"}


def _patterns() -> dict:
    """name ("app:name") -> its route pattern, for every named non-admin URL."""
    found = {}

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found[name] = pattern.pattern

    walk(get_resolver().url_patterns)
    return found


def _outcome(response) -> str:
    code = response.status_code
    if code in (200, 286):
        return "ok"
    if code in (403, 404):
        return "no"
    if code == 405:
        return "405"
    if code in (301, 302):
        return "login" if "/login/" in response["Location"] else "away"
    return str(code)


def _fingerprint() -> tuple:
    """What a refused POST must leave as it was: every row of the apps' own models."""
    from django.apps import apps

    rows = []
    for label in ("course", "quizzes", "labs", "cohorts"):
        for model in apps.get_app_config(label).get_models():
            rows.append((model._meta.label, sorted(map(str, model.objects.values_list()))))
    return tuple(rows)


def _client(client, world: World, role: str):
    client.logout()
    if role != "anon":
        client.force_login(world.users[role])
    return client


def test_the_table_names_every_url_of_the_site():
    assert sorted(set(_patterns()) - set(MATRIX) - NOT_WALKED) == []
    assert sorted(set(MATRIX) - set(_patterns())) == []


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_person_gets_what_the_table_says(client, world, name):
    expected_get, refused_post = MATRIX[name]
    url = reverse(name, kwargs=world.kwargs(name))
    wrong = []
    for role in ROLES:
        got = _outcome(_client(client, world, role).get(url))
        if got != expected_get[role]:
            wrong.append(f"GET as {role}: {got}, expected {expected_get[role]}")
    before = _fingerprint()
    for role in sorted(refused_post):
        got = _outcome(_client(client, world, role).post(url, {}))
        if got not in ("login", "no", "405"):
            wrong.append(f"POST as {role}: {got}, expected it refused")
    if refused_post and _fingerprint() != before:
        wrong.append("a refused POST changed the database")
    assert wrong == [], f"{name} {url}"


@pytest.mark.parametrize(
    "model", [f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry]
)
def test_only_instructors_reach_the_admin(client, world, model):
    for role in ROLES:
        c = _client(client, world, role)
        for url in (reverse("admin:index"), reverse(f"admin:{model}_changelist")):
            got = _outcome(c.get(url))
            expected = "ok" if role == "instructor" else "login"
            assert got == expected or (role == "instructor" and got == "no"), (role, url, got)
