"""Writes about classes: joining, enrolling, the roster upload, the demo class."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from cohorts import roster
from cohorts.coursework import work_of
from cohorts.models import (
    Accommodation,
    CourseClass,
    DueDate,
    DueDateOverride,
    Enrollment,
    GraderAssignment,
    Section,
    normalise_join_code,
)
from course.models import Course
from course.roles import STUDENT


class JoinRefused(Exception):
    """The code lets nobody join; the message says why, in the student's words."""


@dataclass
class JoinResult:
    enrollment: Enrollment
    created: bool  # False when the student was already in the class


def enrollment_add(
    *,
    course_class: CourseClass,
    user: AbstractBaseUser,
    section: Section | None = None,
    student_id: str = "",
) -> tuple[Enrollment, bool]:
    """Enroll a user (idempotent: an existing enrollment is returned unchanged)."""
    return Enrollment.objects.get_or_create(
        course_class=course_class,
        user=user,
        defaults={"section": section, "student_id": student_id},
    )


@transaction.atomic
def class_join(*, user: AbstractBaseUser, code: str, now: datetime | None = None) -> JoinResult:
    now = now or timezone.now()
    code = normalise_join_code(code)
    if not code:
        raise JoinRefused("Type the join code your instructor gave you.")
    course_class = CourseClass.objects.select_related("course").filter(join_code=code).first()
    if course_class is None:
        raise JoinRefused(
            "No class has that code. Check it letter by letter, or ask your instructor."
        )
    already = Enrollment.objects.filter(course_class=course_class, user=user).first()
    if already is not None:
        return JoinResult(enrollment=already, created=False)
    if course_class.archived:
        raise JoinRefused(f"“{course_class}” has finished; it takes no new students.")
    if not course_class.join_code_open(now):
        raise JoinRefused(
            "That code has expired. Ask your instructor for a new code or to add you."
        )
    if not course_class.course.published:
        raise JoinRefused("That class's course is not open yet. Try again when it starts.")
    enrollment, created = enrollment_add(course_class=course_class, user=user)
    return JoinResult(enrollment=enrollment, created=created)


@dataclass
class RosterApplied:
    created_accounts: list[AbstractBaseUser]
    enrolled: int
    updated: int
    skipped: int


class RosterChanged(Exception):
    """The class or the accounts changed since the preview; show the new preview."""

    def __init__(self, plan: roster.RosterPlan):
        super().__init__("The class changed since the preview.")
        self.plan = plan


@transaction.atomic
def roster_apply(*, course_class: CourseClass, text: str, fingerprint: str) -> RosterApplied:
    """Apply a previewed roster in one transaction: all of its rows or none.

    The plan is made again inside the transaction; if it is not the one the instructor
    previewed (`fingerprint`), nothing is written and RosterChanged carries the new plan.
    Only rows planned as "create" or "update" are applied; skipped rows stay skipped.
    New accounts get an unusable password (they sign in after a password reset).
    """
    course_class = CourseClass.objects.select_for_update().get(pk=course_class.pk)
    if course_class.archived:
        raise roster.RosterRefused("The class is archived; its roster can no longer change.")
    plan = roster.roster_plan_from_text(course_class=course_class, text=text)
    if plan.fingerprint() != fingerprint:
        raise RosterChanged(plan)
    student_group, _ = Group.objects.get_or_create(name=STUDENT)
    user_model = get_user_model()
    sections = {section.name.casefold(): section for section in course_class.sections.all()}
    created_accounts = []
    enrolled = updated = 0
    for row in plan.rows:
        if row.action == roster.Action.SKIP:
            continue
        section = sections.get(row.section.casefold()) if row.section else None
        user = row.user
        if user is None:
            user, created = _account_for_email(user_model, row)
            if created:
                user.groups.add(student_group)
                created_accounts.append(user)
        if row.action == roster.Action.CREATE:
            _, created = Enrollment.objects.get_or_create(
                course_class=course_class,
                user=user,
                defaults={"section": section, "student_id": row.student_id},
            )
            # a student who joined by code since the preview is left as they joined
            enrolled += created
            updated += not created
        else:
            enrollment = Enrollment.objects.select_for_update().get(
                course_class=course_class, user=user
            )
            if row.section:
                enrollment.section = section
            if row.student_id:
                enrollment.student_id = row.student_id
            enrollment.save(update_fields=["section", "student_id"])
            updated += 1
    return RosterApplied(created_accounts, enrolled, updated, plan.counts()[roster.Action.SKIP])


def _account_for_email(user_model, row: roster.RosterRow) -> tuple[AbstractBaseUser, bool]:
    """A new student account for a roster row, or the account someone else created for the
    same email since the preview (another upload, at the same moment). A username taken
    between choosing it and saving it is chosen again, so a race is never a 500."""
    for _ in range(5):
        existing = user_model.objects.filter(email__iexact=row.email).order_by("id").first()
        if existing is not None:
            return existing, False
        user = user_model(
            username=roster.free_username(row.email),
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
        )
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            continue
        return user, True
    raise roster.RosterRefused(
        f"Line {row.line}: could not create an account for {row.email}; apply the roster again."
    )


class ClassChangeRefused(Exception):
    """A change to a class's sections or graders that would lose something; says why."""


@transaction.atomic
def class_create(
    *,
    course: Course,
    name: str,
    term: str = "",
    join_code_expires_at: datetime | None = None,
    lab_queue: str = "",
    section_names: list[str] = (),
) -> CourseClass:
    course_class = CourseClass.objects.create(
        course=course,
        name=name,
        term=term,
        join_code_expires_at=join_code_expires_at,
        lab_queue=lab_queue,
    )
    Section.objects.bulk_create(
        Section(course_class=course_class, name=section_name) for section_name in section_names
    )
    return course_class


def section_add(*, course_class: CourseClass, name: str) -> Section:
    if course_class.archived:
        raise ClassChangeRefused("The class is archived; its sections can no longer change.")
    if course_class.sections.filter(name__iexact=name).exists():
        raise ClassChangeRefused(f"The class already has a section “{name}”.")
    try:
        with transaction.atomic():
            return Section.objects.create(course_class=course_class, name=name)
    except IntegrityError:
        raise ClassChangeRefused(f"The class already has a section “{name}”.") from None


@transaction.atomic
def section_remove(*, section: Section) -> None:
    """Remove an empty section. One with students or due-date overrides stays: removing
    it would silently drop students' sections and the dates an instructor set."""
    section = Section.objects.select_for_update().get(pk=section.pk)
    if section.course_class.archived:
        raise ClassChangeRefused("The class is archived; its sections can no longer change.")
    students = section.enrollments.count()
    if students:
        raise ClassChangeRefused(
            f"“{section.name}” has {students} student{'s' if students != 1 else ''}: move "
            "them to another section (a roster upload or the admin) before removing it."
        )
    if section.due_overrides.exists():
        raise ClassChangeRefused(
            f"“{section.name}” has due-date overrides: remove them in the admin first."
        )
    section.delete()


def grader_assign(*, section: Section, grader: AbstractBaseUser) -> bool:
    """Assign a grader to a section (idempotent); True when the assignment is new."""
    _, created = GraderAssignment.objects.get_or_create(section=section, grader=grader)
    return created


@transaction.atomic
def due_dates_set(
    *, course_class: CourseClass, dates: dict[tuple[str, int], datetime | None]
) -> tuple[int, int, int]:
    """Set the class's due dates, ("quiz" or "lab", id) -> date or None (no date). A date
    that still has overrides is never cleared (they would go with it): ClassChangeRefused
    names them and nothing is written. Returns (set, changed, cleared)."""
    CourseClass.objects.select_for_update().get(pk=course_class.pk)  # one save at a time
    existing = {
        (due.kind, due.item_id): due
        for due in course_class.due_dates.with_kind().annotate(override_count=Count("overrides"))
    }
    blocked = [
        due.item.title
        for key, due in existing.items()
        if key in dates and dates[key] is None and due.override_count
    ]
    if blocked:
        raise ClassChangeRefused(
            f"“{blocked[0]}” has overrides for sections or students: remove them before "
            "clearing its date."
        )
    created = changed = cleared = 0
    for (kind, item_id), due_at in dates.items():
        due = existing.get((kind, item_id))
        if due_at is None:
            if due is not None:
                due.delete()
                cleared += 1
        elif due is None:
            DueDate.objects.create(
                course_class=course_class,
                due_at=due_at,
                content_type=ContentType.objects.get_for_model(work_of(kind).model),
                object_id=item_id,
            )
            created += 1
        elif due.due_at != due_at:
            due.due_at = due_at
            due.save(update_fields=["due_at"])
            changed += 1
    return created, changed, cleared


def due_override_set(
    *,
    due_date: DueDate,
    due_at: datetime,
    section: Section | None = None,
    user: AbstractBaseUser | None = None,
) -> bool:
    """Move a due date for one section or one student; True when the override is new."""
    target = {"section": section} if section is not None else {"user": user}
    _, created = DueDateOverride.objects.update_or_create(
        due_date=due_date, **target, defaults={"due_at": due_at}
    )
    return created


def accommodation_set(
    *, enrollment: Enrollment, time_multiplier, extra_minutes: int, note: str = ""
) -> Accommodation | None:
    """A student's extra time on timed quizzes (none at ×1, +0 and no note). Attempts
    already started keep the deadline they started with."""
    if time_multiplier == 1 and not extra_minutes and not note:
        Accommodation.objects.filter(enrollment=enrollment).delete()
        return None
    accommodation, _ = Accommodation.objects.update_or_create(
        enrollment=enrollment,
        defaults={
            "time_multiplier": time_multiplier,
            "extra_minutes": extra_minutes,
            "note": note,
        },
    )
    return accommodation


@transaction.atomic
def demo_class_ensure(
    *, course: Course, students: list[str], graders: list[str]
) -> tuple[CourseClass, bool]:
    """The demo class of a course with one section, the demo students in it and the demo
    graders assigned to it; idempotent. Returns the class and whether it was created."""
    course_class = CourseClass.objects.filter(course=course, name="Demo class").first()
    created = course_class is None
    if created:
        course_class = CourseClass.objects.create(course=course, name="Demo class", term="Demo")
    section, _ = Section.objects.get_or_create(course_class=course_class, name="Section A")
    user_model = get_user_model()
    for user in user_model.objects.filter(username__in=students):
        enrollment_add(course_class=course_class, user=user, section=section)
    for user in user_model.objects.filter(username__in=graders):
        GraderAssignment.objects.get_or_create(section=section, grader=user)
    return course_class, created
