import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from cohorts.access import get_class_for_staff
from cohorts.exports import csv_lines
from cohorts.selectors import class_sections, due_dates_for_student, due_for_student
from course.access import can_author, get_course_for_user, sees_work_of
from course.ids import parse_id
from labs import selectors, services
from labs.charts import compare_charts, phase_progress, run_charts
from labs.display import latest_values, result_tables
from labs.exports import class_run_rows
from labs.models import Lab, LabRun, PreferenceLabel, PreferencePair
from labs.parameters import humanize, lab_params

STUCK_AFTER = timedelta(minutes=2)  # a queued run waiting longer: is a worker serving it?


def _get_lab_for_user(
    user: AbstractBaseUser, course_slug: str, lab_slug: str, *, write: bool = False
) -> Lab:
    course = get_course_for_user(user, course_slug, write=write)
    lab = get_object_or_404(selectors.labs_for_user(user, course), slug=lab_slug)
    lab.course = course  # with its read_only annotation: a finished class shows no Run
    return lab


def _mark_late(runs: list[LabRun], due_at) -> list[LabRun]:
    """Set `late` on each run: created after the student's own due date. Computed on
    display (runs keep no due-date field); late runs are accepted all the same."""
    for run in runs:
        run.late = due_at is not None and run.created_at > due_at
    return runs


def _get_run_for_user(user: AbstractBaseUser, run_id: int) -> LabRun:
    """A student sees only their own runs; instructors see every run; a grader sees the
    runs of the students they grade (course.access.sees_work_of), read-only."""
    runs = LabRun.objects.select_related("lab", "lab__course", "user")
    if can_author(user):
        return get_object_or_404(runs, pk=run_id)
    run = get_object_or_404(runs, pk=run_id, lab__published=True, lab__archived=False)
    if run.user_id != user.pk and not sees_work_of(user, run.user_id, run.lab.course_id):
        raise Http404("No such run.")
    return run


def _can_cancel(user: AbstractBaseUser, run: LabRun) -> bool:
    return run.user_id == user.pk or can_author(user)


def _lab_page(request: HttpRequest, lab: Lab, *, submitted=None, error="", status=200):
    params = lab_params(lab.experiment, lab.defaults, lab.limits)
    runs = selectors.runs_of(request.user, lab)
    values = submitted or {}
    due_at = due_for_student(request.user, lab)
    context = {
        "lab": lab,
        "course": lab.course,
        "params": [(p, values.get(p.name, p.default)) for p in params],
        "submission": uuid.uuid4(),
        "runs": _mark_late(runs, due_at),
        # Overlaying needs two finished runs: with fewer, the page offers no overlay.
        "can_compare": sum(run.status == LabRun.Status.SUCCEEDED for run in runs) >= 2,
        "error": error,
        "due_at": due_at,
        "past_due": due_at is not None and due_at < timezone.now(),
    }
    return render(request, "labs/lab.html", context, status=status)


@dataclass
class LabIndexRow:
    lab: Lab
    latest: LabRun | None  # the student's latest run of the lab
    due_at: datetime | None
    overdue: bool  # past its date with no run started


@require_GET
@login_required
def lab_index(request: HttpRequest, course_slug: str) -> HttpResponse:
    """The course's labs in course order (by module and lesson), each with its lesson, the
    student's latest run and the due date their class sets (three queries)."""
    course = get_course_for_user(request.user, course_slug)
    labs = list(selectors.labs_in_course_order(request.user, course))
    latest: dict[int, LabRun] = {}
    mine = LabRun.objects.filter(user=request.user, lab__in=labs).defer(
        "result", "metrics", "samples", "params"
    )
    for run in mine.order_by("lab_id", "-created_at"):
        latest.setdefault(run.lab_id, run)
    due = due_dates_for_student(request.user, course.pk)
    now = timezone.now()
    rows = []
    for lab in labs:
        due_at, run = due.get(("lab", lab.pk)), latest.get(lab.pk)
        rows.append(LabIndexRow(lab, run, due_at, bool(due_at and due_at < now and not run)))
    context = {"course": course, "rows": rows, "has_due": any(row.due_at for row in rows)}
    return render(request, "labs/index.html", context)


@require_GET
@login_required
def lab_detail(request: HttpRequest, course_slug: str, lab_slug: str) -> HttpResponse:
    return _lab_page(request, _get_lab_for_user(request.user, course_slug, lab_slug))


@require_POST
@login_required
def run_start(request: HttpRequest, course_slug: str, lab_slug: str) -> HttpResponse:
    lab = _get_lab_for_user(request.user, course_slug, lab_slug, write=True)
    try:
        submission = uuid.UUID(request.POST.get("submission", ""))
    except ValueError:
        return _lab_page(
            request, lab, error="The form was incomplete; please press Run again.", status=400
        )
    try:
        run = services.lab_run_start(
            lab=lab, user=request.user, submitted=request.POST.dict(), submission=submission
        )
    except services.RunRefused as refusal:
        return _lab_page(
            request, lab, submitted=request.POST.dict(), error=str(refusal), status=400
        )
    return redirect(run)


@require_GET
@login_required
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _get_run_for_user(request.user, run_id)
    context = {
        "run": run,
        "lab": run.lab,
        "course": run.lab.course,
        "ahead": selectors.runs_ahead(run),
        "charts": run_charts(run),
        "shown_params": [(humanize(key), value) for key, value in run.shown_params],
        "tables": result_tables(run.lab.experiment, run.result),
        "latest": latest_values(run.metrics),
        "phase_step": phase_progress(run) if run.status == LabRun.Status.RUNNING else "",
        "can_cancel": _can_cancel(request.user, run),
        # A silent worker: the reaper (manage.py reap_lab_runs) acts on it; a page never does.
        "stalled": run.status == LabRun.Status.RUNNING and services.needs_recovery(run),
    }
    if request.htmx:
        response = render(request, "labs/run.html#run-status", context)
        if not run.is_active:
            response.status_code = HttpResponseStopPolling.status_code
        return response
    context["due_at"] = due_for_student(run.user, run.lab)  # the run's student's, for staff too
    _mark_late([run], context["due_at"])
    return render(request, "labs/run.html", context)


@require_POST
@login_required
def run_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _get_run_for_user(request.user, run_id)
    if not _can_cancel(request.user, run):
        return HttpResponse(status=404)
    services.lab_run_cancel(run=run)
    if not request.htmx:
        messages.info(request, "Cancel requested: the run stops at its next progress report.")
    return redirect(run)


@require_GET
@login_required
def run_result(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _get_run_for_user(request.user, run_id)
    payload = {
        "run": run.pk,
        "lab": run.lab.slug,
        "experiment": run.lab.experiment,
        "status": run.status,
        "params": run.params,
        "metrics": run.metrics,
        "error": run.error,
        "result": run.result,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "device": run.device,
        "worker": run.worker,
    }
    response = HttpResponse(json.dumps(payload, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{run.lab.slug}-run-{run.pk}.json"'
    return response


@require_GET
@login_required
def compare(request: HttpRequest, course_slug: str, lab_slug: str) -> HttpResponse:
    lab = _get_lab_for_user(request.user, course_slug, lab_slug)
    ids = {parse_id(value) for value in request.GET.getlist("runs")} - {None}
    runs = list(
        LabRun.objects.filter(
            lab=lab, user=request.user, pk__in=ids, status=LabRun.Status.SUCCEEDED
        ).order_by("created_at")
    )
    if len(runs) < 2:
        messages.error(request, "Pick two or more finished runs of this lab to compare.")
        return redirect(lab)
    context = {
        "lab": lab,
        "course": lab.course,
        "runs": runs,
        "charts": compare_charts(runs, lab.experiment),
    }
    return render(request, "labs/compare.html", context)


# --- class preference labelling ---------------------------------------------------------


def _require_author(user: AbstractBaseUser) -> None:
    if not can_author(user):
        raise Http404


@login_required
def label_pairs(request: HttpRequest, course_slug: str) -> HttpResponse:
    """A student compares two responses and picks the better one (or a tie)."""
    course = get_course_for_user(request.user, course_slug, write=request.method == "POST")
    if request.method == "POST":
        pair_id = parse_id(request.POST.get("pair"))
        if pair_id is None:
            raise Http404("No such pair.")
        pair = get_object_or_404(PreferencePair, course=course, pk=pair_id)
        choice = request.POST.get("choice", "")
        if choice not in PreferenceLabel.Choice.values:
            messages.error(request, "Pick response A, response B, or “about the same”.")
        else:
            services.preference_label_save(user=request.user, pair=pair, choice=choice)
        return redirect("labs:label", course.slug)
    if request.method != "GET":
        return HttpResponse(status=405)
    done, total = selectors.label_progress(request.user, course)
    context = {
        "course": course,
        "pair": selectors.next_pair_to_label(request.user, course),
        "done": done,
        "total": total,
    }
    return render(request, "labs/label.html", context)


@require_GET
@login_required
def class_labels(request: HttpRequest, course_slug: str) -> HttpResponse:
    """The instructor's view of the class's labels and the reward models trained on them."""
    course = get_course_for_user(request.user, course_slug)
    _require_author(request.user)
    runs = LabRun.objects.filter(
        lab__course=course, lab__experiment=services.CLASS_RM_EXPERIMENT
    ).select_related("user")[:20]
    agreement = selectors.class_agreement(course)
    context = {
        "course": course,
        "agreement": agreement,
        "pairs": PreferencePair.objects.filter(course=course).count(),
        "runs": runs,
        "decided": agreement.labels - agreement.ties,  # ties carry no preference
        "labels_needed": services.MIN_CLASS_LABELS,
    }
    return render(request, "labs/class_labels.html", context)


@require_POST
@login_required
def class_labels_generate(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = get_course_for_user(request.user, course_slug)
    _require_author(request.user)
    try:
        count = int(request.POST.get("count", "40"))
        if not 1 <= count <= 200:
            raise ValueError
    except ValueError:
        messages.error(request, "Ask for between 1 and 200 pairs.")
        return redirect("labs:class-labels", course.slug)
    made = services.preference_pairs_create(course=course, count=count)
    messages.success(request, f"Added {made} pairs for the class to label.")
    return redirect("labs:class-labels", course.slug)


@require_POST
@login_required
def class_labels_train(request: HttpRequest, course_slug: str) -> HttpResponse:
    course = get_course_for_user(request.user, course_slug)
    _require_author(request.user)
    try:
        run = services.class_reward_model_start(course=course, user=request.user)
    except services.RunRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("labs:class-labels", course.slug)
    return redirect(run)


# --- a class's lab queue, for its staff -------------------------------------------------


@require_GET
@login_required
def class_runs(request: HttpRequest, class_id: int) -> HttpResponse:
    """The class's lab queue: what is waiting or running, where, and what finished."""
    course_class = get_class_for_staff(request.user, class_id)
    is_author = can_author(request.user)
    sections = None if is_author else class_sections(course_class, request.user)
    queue = selectors.class_lab_runs(course_class, now=timezone.now(), sections=sections)
    context = {
        "course_class": course_class,
        "queue": queue,
        "is_author": is_author,
        "stuck": queue.oldest_wait is not None and queue.oldest_wait > STUCK_AFTER,
        "waited_minutes": int(queue.oldest_wait.total_seconds() // 60) if queue.oldest_wait else 0,
    }
    if request.htmx:
        return render(request, "labs/class_runs.html#queue", context)
    return render(request, "labs/class_runs.html", context)


@require_GET
@login_required
def class_runs_export(request: HttpRequest, class_id: int) -> HttpResponse:
    """Every run of the class's students as CSV, streamed (a grader's: their sections)."""
    course_class = get_class_for_staff(request.user, class_id)
    sections = None if can_author(request.user) else class_sections(course_class, request.user)
    response = StreamingHttpResponse(
        csv_lines(class_run_rows(course_class, sections)), content_type="text/csv; charset=utf-8"
    )
    name = f"{course_class.course.slug}-{course_class.pk}-lab-runs.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
