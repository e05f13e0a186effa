"""Class pages: joining by code (students) and running a class (instructors)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import defaults
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohorts import dashboard, invitations, record, roster, selectors, services
from cohorts.access import get_class_for_author, get_class_for_staff, get_enrollment_for_staff
from cohorts.coursework import coursework
from cohorts.forms import (
    AccommodationForm,
    ClassForm,
    DueDatesForm,
    DueOverrideForm,
    GraderAssignForm,
    JoinForm,
    RosterApplyForm,
    RosterUploadForm,
    SectionForm,
)
from cohorts.models import (
    CourseClass,
    DueDateOverride,
    GraderAssignment,
    Section,
    normalise_join_code,
)
from course.access import ClassArchived, NotInClass, can_author
from course.models import Course
from course.roles import GRADER


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: "you are not in this class" with a join form, or Django's own 403."""
    if isinstance(exception, NotInClass):
        context = {"course": exception.course, "form": JoinForm()}
        return render(request, "cohorts/not_in_class.html", context, status=403)
    if isinstance(exception, ClassArchived):
        context = {"course": exception.course}
        return render(request, "cohorts/class_archived.html", context, status=403)
    return defaults.permission_denied(request, exception)


def _join(request: HttpRequest, form: JoinForm, template: str, context: dict) -> HttpResponse:
    if form.is_valid():
        try:
            result = services.class_join(user=request.user, code=form.cleaned_data["code"])
        except services.JoinRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            course_class = result.enrollment.course_class
            if result.created:
                messages.success(request, f"Welcome to {course_class}.")
            else:
                messages.info(request, f"You are already in {course_class}.")
            return redirect(course_class.course)
    return render(request, template, {**context, "form": form}, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def join(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _join(request, JoinForm(request.POST), "cohorts/join.html", {})
    initial = {"code": request.GET.get("code", "")[:32]}
    return render(request, "cohorts/join.html", {"form": JoinForm(initial=initial)})


@require_http_methods(["GET", "POST"])
@login_required
def join_link(request: HttpRequest, code: str) -> HttpResponse:
    """The link an instructor shares: a confirm button (a GET never enrolls anyone)."""
    course_class = (
        CourseClass.objects.select_related("course")
        .filter(join_code=normalise_join_code(code))
        .first()
    )
    context = {"course_class": course_class}
    if request.method == "POST":
        return _join(request, JoinForm({"code": code}), "cohorts/join_link.html", context)
    return render(request, "cohorts/join_link.html", {**context, "form": JoinForm({"code": code})})


@require_GET
@login_required
def class_list(request: HttpRequest) -> HttpResponse:
    """Instructors: every class. Anyone else: the classes they are in or grade."""
    if can_author(request.user):
        context = {"classes": selectors.classes_for_author(), "is_author": True}
    else:
        context = {"memberships": selectors.classes_for_member(request.user), "is_author": False}
    return render(request, "cohorts/class_list.html", context)


def _grader_form(course_class: CourseClass, data=None) -> GraderAssignForm:
    return GraderAssignForm(
        data,
        sections=course_class.sections.all(),
        graders=get_user_model()
        .objects.filter(groups__name=GRADER, is_active=True)
        .order_by("username"),
    )


def _class_page(request, course_class, *, status=200, **forms) -> HttpResponse:
    is_author = can_author(request.user)
    sections = selectors.class_sections(course_class, None if is_author else request.user)
    context = {
        "course_class": course_class,
        "is_author": is_author,
        "sections": sections,
        "enrollments": selectors.class_roster(course_class, None if is_author else sections),
        "join_link": request.build_absolute_uri(course_class.join_url()),
        "section_form": forms.get("section_form") or SectionForm(),
        "grader_form": forms.get("grader_form") or _grader_form(course_class),
    }
    return render(request, "cohorts/class_detail.html", context, status=status)


@require_GET
@login_required
def class_detail(request: HttpRequest, class_id: int) -> HttpResponse:
    return _class_page(request, get_class_for_staff(request.user, class_id))


def _due_items(course_class: CourseClass) -> list[tuple[str, object]]:
    """The course work a class can set dates for (quizzes, then labs; not archived)."""
    return [
        (work.kind, item) for work in coursework() for item in work.datable(course_class.course_id)
    ]


def _due_page(request, course_class, *, dates_form=None, override_form=None, status=200):
    items = _due_items(course_class)
    if dates_form is None:
        initial = {f"{due.kind}-{due.item_id}": due.due_at for due in course_class.due_dates.all()}
        dates_form = DueDatesForm(initial=initial, items=items)
    context = {
        "course_class": course_class,
        "dates_form": dates_form,
        "override_form": override_form or DueOverrideForm(course_class=course_class),
        "overrides": DueDateOverride.objects.filter(due_date__course_class=course_class)
        .select_related("due_date", "section", "user")
        .prefetch_related("due_date__item")
        .order_by("due_date__due_at", "section__name", "user__username"),
    }
    return render(request, "cohorts/due_dates.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def due_dates(request: HttpRequest, class_id: int) -> HttpResponse:
    """The class's due dates, one per quiz and lab, and their overrides."""
    course_class = get_class_for_author(request.user, class_id)
    if request.method == "GET":
        return _due_page(request, course_class)
    if course_class.archived:
        messages.error(request, "The class is archived; its due dates can no longer change.")
        return redirect("cohorts:due", class_id)
    form = DueDatesForm(request.POST, items=_due_items(course_class))
    if not form.is_valid():
        return _due_page(request, course_class, dates_form=form, status=400)
    try:
        created, changed, cleared = services.due_dates_set(
            course_class=course_class, dates=form.dates()
        )
    except services.ClassChangeRefused as refusal:
        form.add_error(None, str(refusal))
        return _due_page(request, course_class, dates_form=form, status=409)
    messages.success(request, f"Saved: {created} set, {changed} moved, {cleared} cleared.")
    return redirect("cohorts:due", class_id)


@require_POST
@login_required
def due_override_add(request: HttpRequest, class_id: int) -> HttpResponse:
    course_class = get_class_for_author(request.user, class_id)
    form = DueOverrideForm(request.POST, course_class=course_class)
    if course_class.archived:
        form.add_error(None, "The class is archived; its due dates can no longer change.")
    if not form.is_valid():
        return _due_page(request, course_class, override_form=form, status=400)
    data = form.cleaned_data
    services.due_override_set(
        due_date=data["due_date"],
        due_at=data["due_at"],
        section=data["section"],
        user=data["student"],
    )
    who = data["section"].name if data["section"] else data["student"].get_username()
    messages.success(request, f"{data['due_date'].item.title} moved for {who}.")
    return redirect("cohorts:due", class_id)


@require_POST
@login_required
def due_override_remove(request: HttpRequest, class_id: int, override_id: int) -> HttpResponse:
    course_class = get_class_for_author(request.user, class_id)
    override = get_object_or_404(
        DueDateOverride, pk=override_id, due_date__course_class=course_class
    )
    if course_class.archived:
        messages.error(request, "The class is archived; its due dates can no longer change.")
    else:
        override.delete()
        messages.success(request, "Override removed: the class's date applies again.")
    return redirect("cohorts:due", class_id)


@require_http_methods(["GET", "POST"])
@login_required
def class_create(request: HttpRequest) -> HttpResponse:
    if not can_author(request.user):
        raise Http404
    courses = Course.objects.order_by("title")
    form = ClassForm(request.POST or None, courses=courses)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        course_class = services.class_create(
            course=data["course"],
            name=data["name"],
            term=data["term"],
            join_code_expires_at=data["join_code_expires_at"],
            lab_queue=data["lab_queue"],
            section_names=data["sections"],
        )
        messages.success(request, f"{course_class} is ready: share its join code.")
        return redirect(course_class)
    status = 400 if form.is_bound else 200
    return render(request, "cohorts/class_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def class_edit(request: HttpRequest, class_id: int) -> HttpResponse:
    course_class = get_class_for_author(request.user, class_id)
    initial = {
        "name": course_class.name,
        "term": course_class.term,
        "join_code_expires_at": course_class.join_code_expires_at,
        "lab_queue": course_class.lab_queue,
    }
    form = ClassForm(request.POST or None, initial=initial, courses=None, with_course=False)
    if request.method == "POST" and form.is_valid():
        for name, value in form.cleaned_data.items():
            setattr(course_class, name, value)
        course_class.save(update_fields=list(form.cleaned_data))
        messages.success(request, "Saved.")
        return redirect(course_class)
    context = {"form": form, "course_class": course_class}
    return render(request, "cohorts/class_form.html", context, status=400 if form.is_bound else 200)


@require_POST
@login_required
def class_archive(request: HttpRequest, class_id: int) -> HttpResponse:
    """Archive a finished class (read-only for its students) or reopen it."""
    course_class = get_class_for_author(request.user, class_id)
    wanted = request.POST.get("archived")
    if wanted not in ("0", "1"):
        messages.error(request, "Choose Archive or Reopen on the class page.")
        return redirect(course_class)
    course_class.archived = wanted == "1"
    course_class.save(update_fields=["archived"])
    if course_class.archived:
        messages.success(request, "Archived: students keep reading; nothing can change.")
    else:
        messages.success(request, "Reopened: students can work in the class again.")
    return redirect(course_class)


@require_POST
@login_required
def section_add(request: HttpRequest, class_id: int) -> HttpResponse:
    course_class = get_class_for_author(request.user, class_id)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            name = form.cleaned_data["name"]
            section = services.section_add(course_class=course_class, name=name)
        except services.ClassChangeRefused as refusal:
            form.add_error("name", str(refusal))
        else:
            messages.success(request, f"Section “{section.name}” added.")
            return redirect(course_class)
    return _class_page(request, course_class, status=400, section_form=form)


@require_POST
@login_required
def section_remove(request: HttpRequest, class_id: int, section_id: int) -> HttpResponse:
    course_class = get_class_for_author(request.user, class_id)
    section = get_object_or_404(Section, pk=section_id, course_class=course_class)
    try:
        services.section_remove(section=section)
    except services.ClassChangeRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"Section “{section.name}” removed.")
    return redirect(course_class)


@require_POST
@login_required
def grader_assign(request: HttpRequest, class_id: int) -> HttpResponse:
    course_class = get_class_for_author(request.user, class_id)
    form = _grader_form(course_class, request.POST)
    if not form.is_valid():
        return _class_page(request, course_class, status=400, grader_form=form)
    section, grader = form.cleaned_data["section"], form.cleaned_data["grader"]
    if services.grader_assign(section=section, grader=grader):
        messages.success(request, f"{grader.get_username()} now grades {section.name}.")
    else:
        messages.info(request, f"{grader.get_username()} already grades {section.name}.")
    return redirect(course_class)


@require_POST
@login_required
def grader_unassign(request: HttpRequest, class_id: int, assignment_id: int) -> HttpResponse:
    course_class = get_class_for_author(request.user, class_id)
    assignment = get_object_or_404(
        GraderAssignment.objects.select_related("grader", "section"),
        pk=assignment_id,
        section__course_class=course_class,
    )
    assignment.delete()
    messages.success(
        request,
        f"{assignment.grader.get_username()} no longer grades {assignment.section.name}.",
    )
    return redirect(course_class)


@require_GET
@login_required
def class_dashboard(request: HttpRequest, class_id: int) -> HttpResponse:
    course_class = get_class_for_author(request.user, class_id)
    try:
        idle_days = max(1, min(int(request.GET.get("idle", "7")), 365))
    except ValueError:
        idle_days = 7
    board = dashboard.class_dashboard(course_class, now=timezone.now(), idle_days=idle_days)
    context = {"course_class": course_class, "board": board}
    return render(request, "cohorts/dashboard.html", context)


@require_GET
@login_required
def student_record(request: HttpRequest, class_id: int, student_id: int) -> HttpResponse:
    enrollment = get_enrollment_for_staff(request.user, class_id, student_id)
    return _record_page(request, enrollment)


def _record_page(request, enrollment, *, form=None, status=200) -> HttpResponse:
    is_author = can_author(request.user)
    if is_author and form is None:
        current = getattr(enrollment, "accommodation", None)
        initial = (
            {
                "time_multiplier": current.time_multiplier.normalize(),
                "extra_minutes": current.extra_minutes,
                "note": current.note,
            }
            if current
            else None
        )
        form = AccommodationForm(initial=initial)
    context = {
        "course_class": enrollment.course_class,
        "record": record.student_record(enrollment, now=timezone.now()),
        "is_author": is_author,
        "accommodation_form": form,
    }
    return render(request, "cohorts/student_record.html", context, status=status)


@require_POST
@login_required
def student_extra_time(request: HttpRequest, class_id: int, student_id: int) -> HttpResponse:
    """Set or clear a student's extra time on timed quizzes (instructors)."""
    get_class_for_author(request.user, class_id)
    enrollment = get_enrollment_for_staff(request.user, class_id, student_id)
    form = AccommodationForm(request.POST)
    if not form.is_valid():
        return _record_page(request, enrollment, form=form, status=400)
    saved = services.accommodation_set(enrollment=enrollment, **form.cleaned_data)
    if saved:
        messages.success(request, f"Extra time saved: {saved.describe()}.")
    else:
        messages.success(request, "No extra time.")
    return redirect("cohorts:student", class_id, student_id)


@require_POST
@login_required
def student_invite(request: HttpRequest, class_id: int, student_id: int) -> HttpResponse:
    """Email the student a link to set their password (again)."""
    get_class_for_author(request.user, class_id)
    enrollment = get_enrollment_for_staff(request.user, class_id, student_id)
    sent = invitations.invitations_send(
        users=[enrollment.user],
        course_class=enrollment.course_class,
        base_url=request.build_absolute_uri("/"),
    )
    if sent.sent:
        messages.success(request, f"Invitation sent to {enrollment.user.email}.")
    else:
        messages.error(request, f"The invitation was not sent: {sent.failed[0][1]}.")
    return redirect("cohorts:student", class_id, student_id)


@require_POST
@login_required
def class_code_regenerate(request: HttpRequest, class_id: int) -> HttpResponse:
    course_class = get_class_for_author(request.user, class_id)
    if course_class.archived:
        messages.error(request, "The class is archived; its code stays closed.")
    else:
        course_class.regenerate_join_code()
        messages.success(request, "A new join code; the old one no longer works.")
    return redirect(course_class)


@require_http_methods(["GET", "POST"])
@login_required
def roster_upload(request: HttpRequest, class_id: int) -> HttpResponse:
    """Upload a CSV and see the preview; apply it with one more click (one transaction)."""
    course_class = get_class_for_author(request.user, class_id)
    context = {"course_class": course_class, "form": RosterUploadForm()}
    if course_class.archived:
        context["error"] = "The class is archived; its roster can no longer change."
        return render(request, "cohorts/roster.html", context, status=409)
    if request.method == "GET":
        return render(request, "cohorts/roster.html", context)
    if "apply" in request.POST:
        return _roster_apply(request, course_class, context)
    form = RosterUploadForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "cohorts/roster.html", context, status=400)
    try:
        text = roster.decode_roster(form.cleaned_data["roster"].read())
        plan = roster.roster_plan_from_text(course_class=course_class, text=text)
    except roster.RosterRefused as refusal:
        context["error"] = str(refusal)
        return render(request, "cohorts/roster.html", context, status=400)
    return _render_preview(request, context, text, plan)


def _render_preview(request, context, text, plan, *, status=200, note="") -> HttpResponse:
    apply_form = RosterApplyForm(initial={"text": text, "fingerprint": plan.fingerprint()})
    context = {**context, "plan": plan, "apply_form": apply_form, "note": note}
    return render(request, "cohorts/roster.html", context, status=status)


def _roster_apply(request: HttpRequest, course_class: CourseClass, context: dict) -> HttpResponse:
    form = RosterApplyForm(request.POST)
    if not form.is_valid():
        context["error"] = "Upload the roster again: the preview did not come back whole."
        return render(request, "cohorts/roster.html", context, status=400)
    text = form.cleaned_data["text"]
    try:
        applied = services.roster_apply(
            course_class=course_class, text=text, fingerprint=form.cleaned_data["fingerprint"]
        )
    except services.RosterChanged as changed:
        note = "The class changed since your preview: check this new preview and apply again."
        return _render_preview(request, context, text, changed.plan, status=409, note=note)
    except roster.RosterRefused as refusal:
        context["error"] = str(refusal)
        return render(request, "cohorts/roster.html", context, status=400)
    context["applied"] = applied
    if form.cleaned_data["invite"] and applied.created_accounts:
        context["invitations"] = invitations.invitations_send(
            users=applied.created_accounts,
            course_class=course_class,
            base_url=request.build_absolute_uri("/"),
        )
    return render(request, "cohorts/roster_applied.html", context)
