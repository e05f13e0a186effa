"""Reads for the lab pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, Q, QuerySet

from cohorts.models import CourseClass, Section
from course.access import can_author
from course.models import Course
from course.selectors import lessons_for_user
from labs.models import Lab, LabRun, PreferenceLabel, PreferencePair


def labs_for_user(user: AbstractBaseUser, course: Course) -> QuerySet[Lab]:
    """Labs of the course this user may open: published ones whose lesson they can see."""
    labs = Lab.objects.filter(course=course, archived=False)
    if not can_author(user):
        visible = lessons_for_user(user, course).values("pk")
        labs = labs.filter(published=True).filter(Q(lesson__isnull=True) | Q(lesson__in=visible))
    return labs.order_by("order", "id")


def lesson_labs_for_user(user: AbstractBaseUser, lesson) -> list[Lab]:
    """The labs of a lesson the caller has already shown this user (so its lesson is
    visible to them): the published ones, or every one for an author. The rule of
    labs_for_user without its visible-lessons subquery, which the lesson page paid for
    on every view."""
    labs = Lab.objects.filter(lesson=lesson, archived=False)
    if not can_author(user):
        labs = labs.filter(published=True)
    return list(labs.order_by("order", "id"))


def labs_in_course_order(user: AbstractBaseUser, course: Course) -> QuerySet[Lab]:
    """The labs this user may open, in the order the course teaches them: by their lesson's
    module and place in it, then the lab's own order; labs with no lesson come last."""
    return (
        labs_for_user(user, course)
        .select_related("lesson", "course")
        .order_by(
            F("lesson__module__order").asc(nulls_last=True),
            F("lesson__order").asc(nulls_last=True),
            "lesson_id",
            "order",
            "id",
        )
    )


def runs_of(user: AbstractBaseUser, lab: Lab, limit: int = 50) -> list[LabRun]:
    return list(LabRun.objects.filter(user=user, lab=lab).defer("result")[:limit])


def runs_ahead(run: LabRun) -> int:
    """Runs queued on the same queue before this one ("2 runs ahead of yours")."""
    if run.status != LabRun.Status.QUEUED:
        return 0
    return LabRun.objects.filter(
        queue=run.queue, status=LabRun.Status.QUEUED, created_at__lt=run.created_at
    ).count()


# --- a class's lab queue ------------------------------------------------------------


def lab_queue_names(*, shared_only: bool = False) -> list[str]:
    """The shared lab queues, then every running class's own ("cpu-ml101", "gpu-ml101")."""
    shared = [queue for queue, _ in Lab.Queue.choices]
    if shared_only:
        return shared
    own = (
        CourseClass.objects.filter(archived=False)
        .exclude(lab_queue="")
        .values_list("lab_queue", flat=True)
        .distinct()
        .order_by("lab_queue")
    )
    return shared + [f"{queue}-{name}" for name in own for queue in shared]


@dataclass
class ClassRunsQueue:
    active: list  # queued and running runs of the class, oldest first, with .position
    recent: list  # the class's last finished runs
    queues: list[str]
    oldest_wait: timedelta | None  # how long the oldest queued run has waited


def class_lab_runs(
    course_class: CourseClass,
    *,
    now: datetime,
    sections: list[Section] | None = None,
    recent: int = 50,
) -> ClassRunsQueue:
    """The class's lab queue: its active runs with their place on their queue (the runs of
    every class sharing that queue count), and its recent finished runs (three queries).
    With `sections` (a grader's), only the runs of those sections' students."""
    active_states = [LabRun.Status.QUEUED, LabRun.Status.RUNNING]
    runs = LabRun.objects.select_related("lab", "user").defer("result", "metrics", "samples")
    if sections is not None:
        runs = runs.filter(
            user__enrollments__course_class=course_class,
            user__enrollments__section__in=sections,
        )
    active = list(
        runs.filter(course_class=course_class, status__in=active_states).order_by("created_at")
    )
    queues = sorted({run.queue for run in active})
    waiting = LabRun.objects.filter(queue__in=queues, status=LabRun.Status.QUEUED).order_by(
        "created_at"
    )
    places: dict[int, int] = {}
    seen: dict[str, int] = {}
    for run_id, queue in waiting.values_list("pk", "queue"):
        seen[queue] = seen.get(queue, 0) + 1
        places[run_id] = seen[queue]
    for run in active:
        run.position = places.get(run.pk)
    queued = [run.created_at for run in active if run.status == LabRun.Status.QUEUED]
    finished = runs.filter(course_class=course_class).exclude(status__in=active_states)
    return ClassRunsQueue(
        active=active,
        recent=list(finished.order_by("-created_at")[:recent]),
        queues=[course_class.queue_for(queue) for queue, _ in Lab.Queue.choices],
        oldest_wait=now - min(queued) if queued else None,
    )


# --- class preference labelling ---------------------------------------------------------


def next_pair_to_label(user: AbstractBaseUser, course: Course) -> PreferencePair | None:
    return (
        PreferencePair.objects.filter(course=course)
        .exclude(labels__user=user)
        .order_by("order", "id")
        .first()
    )


def label_progress(user: AbstractBaseUser, course: Course) -> tuple[int, int]:
    total = PreferencePair.objects.filter(course=course).count()
    done = PreferenceLabel.objects.filter(user=user, pair__course=course).count()
    return done, total


@dataclass
class ClassAgreement:
    labellers: int
    labels: int
    ties: int
    pairs_with_two_or_more: int
    between_labellers: float | None  # share of labeller pairs on one pair who agree
    with_gold: float | None  # share of non-tie labels that pick the higher-gold response


def class_agreement(course: Course) -> ClassAgreement:
    """Agreement between the class's labellers, and with the gold score (one query)."""
    rows = list(
        PreferenceLabel.objects.filter(pair__course=course).values_list(
            "pair_id", "user_id", "choice", "pair__gold_a", "pair__gold_b"
        )
    )
    by_pair: dict[int, list[str]] = {}
    gold_hits = decided = 0
    for pair_id, _user, choice, gold_a, gold_b in rows:
        by_pair.setdefault(pair_id, []).append(choice)
        if choice != "tie" and gold_a != gold_b:
            decided += 1
            gold_hits += (choice == "a") == (gold_a > gold_b)
    agree = total = 0
    for choices in by_pair.values():
        for i, first in enumerate(choices):
            for second in choices[i + 1 :]:
                total += 1
                agree += first == second
    return ClassAgreement(
        labellers=len({row[1] for row in rows}),
        labels=len(rows),
        ties=sum(1 for row in rows if row[2] == "tie"),
        pairs_with_two_or_more=sum(1 for choices in by_pair.values() if len(choices) > 1),
        between_labellers=agree / total if total else None,
        with_gold=gold_hits / decided if decided else None,
    )


def class_label_rows(course: Course) -> list[dict[str, str]]:
    """The class's labels as reward-model training rows (ties carry no preference)."""
    labels = PreferenceLabel.objects.filter(pair__course=course).exclude(choice="tie")
    rows = []
    for label in labels.select_related("pair").order_by("pair__order", "id"):
        pair = label.pair
        chosen, rejected = (
            (pair.response_a, pair.response_b)
            if label.choice == "a"
            else (pair.response_b, pair.response_a)
        )
        rows.append({"prompt": pair.prompt, "chosen": chosen, "rejected": rejected})
    return rows
