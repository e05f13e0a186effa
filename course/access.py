"""THE access rule: who may see which course, and whose work in it. Every page of every
app starts from these public names; no app keeps a copy.

Instructors (anyone with ``course.change_lesson``) and superusers see every course. Anyone
else sees a published course only through a class of it: as a student enrolled in the
class (an archived class stays readable, read-only), or as a grader of one of its sections.

Class membership lives in ``cohorts``, which sits above this app (ARCHITECTURE.md): the
rule reads it through the relations cohorts declares on ``Course`` (``classes``, then
``enrollments`` and ``sections__graders``), so no module here imports cohorts.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.http import Http404

from course.models import Course


class NotInClass(PermissionDenied):
    """A published course the user is in no class of: a 403 page offering to join by code
    (the site's 403 handler renders it, for course, quiz and lab pages alike)."""

    def __init__(self, course: Course):
        super().__init__(f"Not in a class of {course.slug}")
        self.course = course


class ClassArchived(PermissionDenied):
    """A write to a course the user reaches only through archived classes (read-only)."""

    def __init__(self, course: Course):
        super().__init__(f"Only archived classes of {course.slug}")
        self.course = course


# A "no" to can_author is remembered in the cache for a minute: asking the permission
# backend costs every course page two queries (the user's and their groups' permissions),
# and students, who are nearly every request, always get "no". Only "no" is remembered, so
# taking the permission away acts at once; giving it acts at once in this process
# (course.receivers forgets the answer when a user's groups or permissions change) and
# within NOT_AUTHOR_SECONDS in a web process whose cache is not shared.
NOT_AUTHOR_SECONDS = 60


def not_author_key(user_pk: int) -> str:
    return f"course:not-author:{user_pk}"


def can_author(user: AbstractBaseUser) -> bool:
    """Instructors (and superusers) see drafts and every student's work; students see only
    published content."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    known = getattr(user, "_course_can_author", None)
    if known is not None:
        return known
    if cache.get(not_author_key(user.pk)):
        answer = False
    else:
        answer = user.has_perm("course.change_lesson")
        if not answer:
            cache.set(not_author_key(user.pk), True, NOT_AUTHOR_SECONDS)
    user._course_can_author = answer  # for the rest of this request
    return answer


def in_a_class_of(user: AbstractBaseUser, course_field: str = "pk") -> Q:
    """A filter: the course (at `course_field`) has a class this user is enrolled in (an
    archived one too: it stays readable) or grades a section of. No query of its own."""
    enrolled = Course.objects.filter(classes__enrollments__user=user).values("pk")
    grading = Course.objects.filter(classes__sections__graders__grader=user).values("pk")
    return Q(**{f"{course_field}__in": enrolled}) | Q(**{f"{course_field}__in": grading})


def courses_for_user(user: AbstractBaseUser) -> QuerySet[Course]:
    """Every course this user may see (the rule above); every course page starts here."""
    courses = Course.objects.all()
    if can_author(user):
        return courses
    if not user.is_authenticated:
        return courses.none()
    return courses.filter(in_a_class_of(user), published=True)


def with_read_only(courses: QuerySet[Course], user: AbstractBaseUser) -> QuerySet[Course]:
    """Annotate `read_only`: True when the user reaches the course only through archived
    classes (a finished class stays readable, but its students change nothing in it).
    Part of the same query: no query of its own."""
    if can_author(user):
        return courses.annotate(read_only=Value(False, output_field=BooleanField()))
    running = Exists(
        Course.objects.filter(
            pk=OuterRef("pk"), classes__archived=False, classes__enrollments__user=user
        )
    ) | Exists(
        Course.objects.filter(
            pk=OuterRef("pk"), classes__archived=False, classes__sections__graders__grader=user
        )
    )
    return courses.annotate(read_only=ExpressionWrapper(~running, output_field=BooleanField()))


def get_course_for_user(user: AbstractBaseUser, slug: str, *, write: bool = False) -> Course:
    """The course if this user may see it, annotated with `read_only`.

    A published course of which the user is in no class raises NotInClass; anything else
    they may not see is a 404 (never reveal that a draft exists). With `write`, a user
    whose classes of the course are all archived gets ClassArchived (read-only).
    """
    if not user.is_authenticated:
        course = None
    elif can_author(user):
        course = with_read_only(Course.objects.filter(slug=slug), user).first()
    else:
        course = _course_of_member(user, slug)
    if course is not None:
        if write and course.read_only:
            raise ClassArchived(course)
        return course
    published = Course.objects.filter(slug=slug, published=True).first()
    if published is not None and user.is_authenticated:
        raise NotInClass(published)
    raise Http404("No such course.")


def _course_of_member(user: AbstractBaseUser, slug: str) -> Course | None:
    """The published course through the user's classes, with `read_only` (the rule of
    courses_for_user and with_read_only), from a row per class of the course they are
    enrolled in, then, unless one of those is running, per class they grade a section of.
    Plain joins on indexed columns: the subquery form cost about 2 ms of Python to build on
    every course page, which all start here."""
    published = Course.objects.filter(slug=slug, published=True)
    rows = list(
        published.filter(classes__enrollments__user=user).annotate(
            class_archived=F("classes__archived")
        )
    )
    if all(row.class_archived for row in rows):  # none, or only finished classes
        rows += published.filter(classes__sections__graders__grader=user).annotate(
            class_archived=F("classes__archived")
        )
    if not rows:
        return None
    course = rows[0]
    course.read_only = all(row.class_archived for row in rows)
    return course


def sees_work_of(viewer: AbstractBaseUser, student_id: int, course_id: int) -> bool:
    """Whose quiz attempts and lab runs in a course a user may read (never change): their
    own; every student's for an instructor; for a grader, the students of the sections
    they grade in a class of the course. Other students never see anyone's."""
    if viewer.pk == student_id or can_author(viewer):
        return True
    # One filter() call: the grader and the student are in the same section.
    return Course.objects.filter(
        pk=course_id,
        classes__sections__graders__grader=viewer,
        classes__sections__enrollments__user_id=student_id,
    ).exists()
