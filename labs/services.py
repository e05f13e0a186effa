"""Lab runs: start (at most two active per student, one run per submission), dispatch to
the broker without ever losing a run, cancel, and recover runs whose worker died."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cohorts.models import CourseClass
from cohorts.selectors import enrollment_in_course
from labs import parameters
from labs.models import Lab, LabRun, PreferenceLabel, PreferencePair
from labs.selectors import class_label_rows
from labs.tasks import run_lab, worker_queue
from workers.class_labels import labelling_pairs
from workers.experiments import validate_params

log = logging.getLogger(__name__)

HEARTBEAT_STALE_AFTER = timedelta(seconds=30)
REDISPATCH_AFTER = timedelta(seconds=20)


class RunRefused(Exception):
    """A run that cannot start; the message is for the student."""


def lab_run_start(
    *, lab: Lab, user: AbstractBaseUser, submitted: dict, submission: uuid.UUID
) -> LabRun:
    """Create a queued run and send it to the lab's queue once the row is committed.

    A second POST of the same form (double click, retry) returns the first run. The
    database allows each student two active runs (slots 1 and 2), whatever the timing.
    """
    existing = LabRun.objects.filter(user=user, submission=submission).first()
    if existing:
        return existing
    try:
        params = parameters.validate(lab.experiment, submitted, lab.defaults, lab.limits)
    except ValueError as error:
        raise RunRefused(str(error)) from None
    enrollment = enrollment_in_course(user, lab.course_id)
    course_class = enrollment.course_class if enrollment else None
    return _queue_run(
        lab=lab, user=user, submission=submission, params=params, course_class=course_class
    )


def _queue_run(
    *,
    lab: Lab,
    user: AbstractBaseUser,
    submission: uuid.UUID,
    params: dict,
    course_class: CourseClass | None = None,
) -> LabRun:
    """Insert the run into a free active slot (1 or 2; the database refuses a third) and
    send it to the broker once committed: to `gpu` or `cpu` as the site's workers are
    (``worker_queue``), the class's own variant of it when the class has one.
    A submission already used returns its run."""
    shared = worker_queue(lab.queue)
    queue = course_class.queue_for(shared) if course_class else shared
    for slot in (1, 2):
        try:
            with transaction.atomic():
                run = LabRun.objects.create(
                    lab=lab,
                    user=user,
                    submission=submission,
                    active_slot=slot,
                    params=params,
                    queue=queue,
                    course_class=course_class,
                )
            break
        except IntegrityError:
            duplicate = LabRun.objects.filter(user=user, submission=submission).first()
            if duplicate:
                return duplicate
    else:
        raise RunRefused(
            "You already have two runs queued or running. Wait for one to finish or cancel it."
        )
    transaction.on_commit(lambda: lab_run_dispatch(run_id=run.pk))
    return run


def lab_run_dispatch(*, run_id: int) -> bool:
    """Publish the run to its queue. A broker that is down leaves the run queued with a
    note, and `reap_stale_runs` sends it again later: the run is never lost."""
    dispatch = _next_dispatch(run_id)
    if dispatch is None:
        return False
    run = LabRun.objects.only("queue").get(pk=run_id)
    try:
        run_lab.apply_async(
            args=[run_id, dispatch],
            queue=run.queue,
            retry=True,
            retry_policy={
                "max_retries": 2,
                "interval_start": 0.2,
                "interval_step": 0.5,
                "interval_max": 1,
            },
        )
    except Exception as error:  # kombu raises several types for an unreachable broker
        log.warning("lab run %s: broker unavailable: %s", run_id, error)
        LabRun.objects.filter(pk=run_id).update(
            dispatch_error=(
                "The lab queue is unreachable right now. Your run is saved and will be sent "
                "to a worker as soon as the queue is back."
            )
        )
        return False
    LabRun.objects.filter(pk=run_id, dispatches=dispatch).update(dispatch_error="")
    return True


def _next_dispatch(run_id: int) -> int | None:
    """Number this dispatch before publishing, so a worker never sees an unknown number."""
    changed = LabRun.objects.filter(pk=run_id, status=LabRun.Status.QUEUED).update(
        dispatches=F("dispatches") + 1, dispatched_at=timezone.now()
    )
    if not changed:
        return None
    return LabRun.objects.values_list("dispatches", flat=True).get(pk=run_id)


def lab_run_cancel(*, run: LabRun) -> None:
    """Ask the worker to stop; a run still queued is cancelled at once."""
    now = timezone.now()
    LabRun.objects.filter(pk=run.pk, status=LabRun.Status.QUEUED).update(
        status=LabRun.Status.CANCELLED,
        cancel_requested=True,
        active_slot=None,
        finished_at=now,
        headline="Cancelled before it started.",
    )
    LabRun.objects.filter(pk=run.pk, status=LabRun.Status.RUNNING).update(cancel_requested=True)


def needs_recovery(run: LabRun, now=None) -> bool:
    """Whether `reap_stale_runs` would act on this run (checked without a query)."""
    now = now or timezone.now()
    if run.status == LabRun.Status.RUNNING:
        beat = run.heartbeat_at or run.started_at or run.created_at
        return now - beat >= HEARTBEAT_STALE_AFTER
    if run.status == LabRun.Status.QUEUED:
        return bool(run.dispatch_error) or (
            run.dispatched_at is None and now - run.created_at > REDISPATCH_AFTER
        )
    return False


def reap_stale_runs(*, now=None) -> int:
    """Recover runs whose worker died (no heartbeat for 30 s) or that never reached the
    broker: restart once, then fail with the reason. Returns how many runs were touched."""
    now = now or timezone.now()
    runs = LabRun.objects.filter(status__in=LabRun.ACTIVE)
    touched = 0
    for run in runs.defer("result", "metrics", "samples"):
        if not needs_recovery(run, now):
            continue
        if run.status == LabRun.Status.RUNNING:
            touched += _recover(run, now)
        else:
            touched += int(lab_run_dispatch(run_id=run.pk))
    return touched


def _recover(run: LabRun, now) -> int:
    stale = {"pk": run.pk, "status": LabRun.Status.RUNNING, "dispatches": run.dispatches}
    if run.cancel_requested:
        return LabRun.objects.filter(**stale).update(
            status=LabRun.Status.CANCELLED,
            active_slot=None,
            finished_at=now,
            headline="Cancelled.",
        )
    lost = f"The worker running this lab stopped responding at step {run.step} of {run.total}."
    if run.attempts >= LabRun.MAX_ATTEMPTS:
        return LabRun.objects.filter(**stale).update(
            status=LabRun.Status.FAILED,
            active_slot=None,
            finished_at=now,
            error=f"{lost} It had already been restarted once, so the run was stopped.",
        )
    changed = LabRun.objects.filter(**stale).update(
        status=LabRun.Status.QUEUED,
        error=f"{lost} It was queued again.",
        step=0,
        metrics={},
        samples=[],
    )
    if changed:
        lab_run_dispatch(run_id=run.pk)
    return changed


# --- class preference labelling ---------------------------------------------------------


@transaction.atomic
def preference_pairs_create(*, course, count: int = 40, seed: int = 0) -> int:
    """Draw `count` pairs from the lab world for the class (added after existing ones)."""
    start = PreferencePair.objects.filter(course=course).count()
    pairs = labelling_pairs(count, seed=seed + start)
    PreferencePair.objects.bulk_create(
        PreferencePair(course=course, order=start + i, **pair) for i, pair in enumerate(pairs)
    )
    return len(pairs)


def preference_label_save(*, user: AbstractBaseUser, pair, choice: str):
    label, _ = PreferenceLabel.objects.update_or_create(
        user=user, pair=pair, defaults={"choice": choice}
    )
    return label


CLASS_RM_EXPERIMENT = "class_reward_model"
MIN_CLASS_LABELS = 4  # labels that pick a side (ties carry no preference) to train on


def class_reward_model_start(*, course, user: AbstractBaseUser) -> LabRun:
    """Queue a reward-model run on the class's labels (an instructor's action). The labels
    travel inside the run's parameters, so a worker on another machine can read them."""
    rows = class_label_rows(course)
    if len(rows) < MIN_CLASS_LABELS:
        raise RunRefused(
            f"The class has given {len(rows)} labels that pick a side; "
            f"at least {MIN_CLASS_LABELS} are needed."
        )
    lab, _ = Lab.objects.get_or_create(
        course=course,
        slug="class-reward-model",
        defaults={
            "title": "A reward model from the class's labels",
            "experiment": CLASS_RM_EXPERIMENT,
            "published": False,
        },
    )
    params = validate_params(CLASS_RM_EXPERIMENT, {})
    params["inline_files"] = {"labels": rows}
    return _queue_run(lab=lab, user=user, submission=uuid.uuid4(), params=params)
