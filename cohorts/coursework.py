"""Kinds of course work that a class hands in and sets due dates for (quizzes, labs).

cohorts sits below the apps that own the work (ARCHITECTURE.md), so it never imports
them: each registers a `Coursework` in its AppConfig.ready(), the way course-bundle
sections register. The class pages ask the registry: the student's Due list, the due
dates page, the instructor's dashboard and a student's record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Model, QuerySet

if TYPE_CHECKING:
    from cohorts.models import Accommodation
    from course.models import Course


@dataclass
class Bar:
    label: str
    value: int | float | None
    of: int | float  # the bar's full width

    @property
    def percent(self) -> int:
        return round(100 * (self.value or 0) / self.of) if self.of else 0


@dataclass
class Panel:
    """A section a registered app adds to a class page: its own template and context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class StudentContext:
    """What a record panel knows about the student whose record it is part of."""

    user: AbstractBaseUser
    course: Course
    due: dict[tuple[str, int], datetime]  # (kind, id) -> the date that applies to them
    accommodation: Accommodation | None
    now: datetime

    def time_limit(self, limit: timedelta | None) -> timedelta | None:
        """A time limit with this student's extra time: the multiplier, then the minutes."""
        return self.accommodation.stretch(limit) if self.accommodation else limit


@dataclass
class RecordPanel(Panel):
    last_active: datetime | None = None


@dataclass
class ClassContext:
    """What a dashboard panel knows about the class it is part of."""

    course_id: int
    students: QuerySet  # the class's students' user ids, as a subquery
    total: int


@dataclass(frozen=True)
class Coursework:
    """One kind of work, as the app that owns it answers for it.

    Its `kind` is the model's name ("quiz", "lab"), which is also the item's field on a
    hand-in row (an attempt's `quiz`, a run's `lab`).
    """

    model: type[Model]  # Quiz, Lab: what a DueDate's item is for this kind
    order: int
    datable: Callable[[int], QuerySet]  # course id -> what a class can set dates for
    visible: Callable[[AbstractBaseUser, Course], QuerySet]  # what this student can open
    handed_in: Callable[[], QuerySet]  # hand-ins that count as done (rows with user, kind)
    last_active: Callable[[int, QuerySet], QuerySet]  # rows of user and `at` (a latest moment)
    record: Callable[[StudentContext], RecordPanel]
    dashboard: Callable[[ClassContext], Panel]
    # Mean percent per student (None: nothing graded yet), for "falling behind".
    mean_scores: Callable[[int, QuerySet], dict[int, float | None]] | None = None

    @property
    def kind(self) -> str:
        return self.model._meta.model_name


_REGISTRY: dict[str, Coursework] = {}


def register_coursework(work: Coursework) -> None:
    _REGISTRY[work.kind] = work


def coursework() -> list[Coursework]:
    """Every registered kind, in page order (quizzes before labs)."""
    return sorted(_REGISTRY.values(), key=lambda work: work.order)


def work_of(kind: str) -> Coursework:
    """The registered kind of course work called `kind` (LookupError when none is)."""
    if kind not in _REGISTRY:
        raise LookupError(f"{kind} is not a registered kind of course work")
    return _REGISTRY[kind]
