"""Quiz pages: the quiz (settings, attempts, grade), the attempt (answer, autosave, check,
submit) and its result. Only the student who owns an attempt ever sees it."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from cohorts.selectors import (
    due_dates_for_student,
    due_for_student,
    effective_time_limit,
    enrollment_in_course,
)
from course.access import get_course_for_user, sees_work_of, with_read_only
from course.models import Course
from quizzes import selectors, services
from quizzes.coursework import QuizRow
from quizzes.models import Attempt, Question, QuestionKind, Quiz, Response


def _get_quiz_for_user(
    user: AbstractBaseUser, course_slug: str, quiz_key: str, *, write: bool = False
) -> Quiz:
    course = get_course_for_user(user, course_slug, write=write)
    quizzes = selectors.quizzes_for_user(user, course).select_related("lesson__course")
    quiz = get_object_or_404(quizzes, key=quiz_key)
    quiz.course = course  # with its read_only annotation: a finished class shows no writes
    return quiz


def _get_attempt_for_user(
    user: AbstractBaseUser, attempt_id: int, *, write: bool = False
) -> Attempt:
    """The user's own attempt; anyone else's (staff included) is a 404. With `write`, the
    course's class rule applies too: no answers into a class that has finished. Its
    course comes with `read_only` while it is open, so a finished class offers no writes."""
    attempts = Attempt.objects.select_related("user", "quiz__course", "quiz__lesson")
    attempt = get_object_or_404(attempts, pk=attempt_id, user=user, quiz__archived=False)
    if write:
        attempt.quiz.course = get_course_for_user(user, attempt.quiz.course.slug, write=True)
        return attempt
    return _with_class_state(attempt, user)


def _with_class_state(attempt: Attempt, user: AbstractBaseUser) -> Attempt:
    """An open attempt's page offers writes, unless the owner's class has finished."""
    if attempt.is_open:
        courses = with_read_only(Course.objects.filter(pk=attempt.quiz.course_id), user)
        attempt.quiz.course = courses.get()
    return attempt


def _get_attempt_for_viewer(user: AbstractBaseUser, attempt_id: int) -> Attempt:
    """An attempt to read: the student's own (as _get_attempt_for_user), or one that staff
    may read (course.access.sees_work_of: instructors, the student's graders)."""
    attempts = Attempt.objects.select_related("user", "quiz__course", "quiz__lesson")
    attempt = get_object_or_404(attempts, pk=attempt_id, quiz__archived=False)
    if attempt.user_id == user.pk:
        return _with_class_state(attempt, user)
    if not sees_work_of(user, attempt.user_id, attempt.quiz.course_id):
        raise Http404("No such attempt.")
    return attempt


def answers_from_form(data: QueryDict, attempt: Attempt) -> services.Answers:
    """Answers the page posted: `q-<id>` values with the `rev-<id>` the page was built on."""
    kinds = dict(
        Response.objects.filter(attempt=attempt).values_list("question_id", "question__kind")
    )
    answers: services.Answers = {}
    for question_id, kind in kinds.items():
        revision = data.get(f"rev-{question_id}")
        if revision is None or not (revision.isascii() and revision.isdigit()):
            continue  # not on the form that was posted ("²" is a digit to isdigit, not to int)
        name = f"q-{question_id}"
        if kind == QuestionKind.MULTIPLE:
            answer = {"choices": sorted(set(data.getlist(name)))}
        elif kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE):
            answer = {"choice": data[name]} if data.get(name) else {}
        else:
            answer = {"text": data.get(name, "")[:20_000]} if data.get(name, "").strip() else {}
        answers[question_id] = (answer, int(revision))
    return answers


@require_GET
@login_required
def quiz_detail(request: HttpRequest, course_slug: str, quiz_key: str) -> HttpResponse:
    quiz = _get_quiz_for_user(request.user, course_slug, quiz_key)
    attempts = selectors.attempts_for_user(request.user, quiz)
    for attempt in attempts:
        if (
            attempt.is_open
            and attempt.is_expired()
            and services.attempt_finish_if_expired(attempt=attempt)
        ):
            messages.info(request, "Your time ran out; the attempt was submitted as saved.")
    open_attempt = next((a for a in attempts if a.is_open), None)
    used = len(attempts)
    due_at = due_for_student(request.user, quiz)
    submitted = any(not a.is_open for a in attempts)
    context = {
        "quiz": quiz,
        "course": quiz.course,
        "attempts": attempts,
        "open_attempt": open_attempt,
        "grade": selectors.quiz_grade(quiz, attempts, for_student=True),
        "attempts_left": None if not quiz.max_attempts else max(quiz.max_attempts - used, 0),
        "my_minutes": _minutes(effective_time_limit(request.user, quiz)),
        "due_at": due_at,
        "past_due": due_at is not None and due_at < timezone.now(),
        "overdue": due_at is not None and due_at < timezone.now() and not submitted,
    }
    return render(request, "quizzes/quiz.html", context)


@require_GET
@login_required
def course_grades(request: HttpRequest, course_slug: str) -> HttpResponse:
    """The student's grades in a course: every quiz with its grade by the quiz's method
    (released grades only), due date, late and missing flags."""
    course = get_course_for_user(request.user, course_slug)
    quizzes = list(selectors.quizzes_for_user(request.user, course))
    attempts: dict[int, list[Attempt]] = {}
    mine = Attempt.objects.filter(user=request.user, quiz__in=quizzes).order_by("number")
    for attempt in mine:
        attempts.setdefault(attempt.quiz_id, []).append(attempt)
    due = due_dates_for_student(request.user, course.pk)
    now = timezone.now()
    rows = [
        QuizRow(
            quiz,
            attempts.get(quiz.pk, []),
            selectors.quiz_grade(quiz, attempts.get(quiz.pk, []), for_student=True),
            due.get(("quiz", quiz.pk)),
            None,
            now,
        )
        for quiz in quizzes
    ]
    context = {"course": course, "rows": rows}
    return render(request, "quizzes/grades.html", context)


def _minutes(limit) -> int | None:
    return round(limit.total_seconds() / 60) if limit else None


@require_POST
@login_required
def attempt_start(request: HttpRequest, course_slug: str, quiz_key: str) -> HttpResponse:
    quiz = _get_quiz_for_user(request.user, course_slug, quiz_key, write=True)
    try:
        attempt = services.attempt_start(user=request.user, quiz=quiz)
    except services.NoAttemptsLeft:
        messages.error(request, "You have used all your attempts at this quiz.")
        return redirect(quiz)
    return redirect(attempt)


@require_http_methods(["GET", "POST"])
@login_required
def attempt_page(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """GET: the attempt (or its result once finished); staff read a student's attempt as a
    result page, never a form. POST: save without JavaScript (the owner only)."""
    if request.method == "GET":
        attempt = _get_attempt_for_viewer(request.user, attempt_id)
    else:
        attempt = _get_attempt_for_user(request.user, attempt_id, write=True)
    if attempt.is_open and attempt.is_expired():
        services.attempt_finish_if_expired(attempt=attempt)
    if request.method == "POST":
        try:
            result = services.attempt_save_answers(
                attempt=attempt, answers=answers_from_form(request.POST, attempt)
            )
        except services.AttemptClosed:
            messages.error(request, "This attempt is finished; your saved answers were kept.")
            return redirect(attempt)
        _report_conflicts(request, result.conflicts)
        messages.success(request, "Your answers are saved.")
        return redirect(attempt)
    answering = attempt.is_open and attempt.user_id == request.user.pk  # staff only read
    due_at = due_for_student(request.user, attempt.quiz) if answering else attempt.due_at
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "course": attempt.quiz.course,
        "questions": selectors.attempt_questions(attempt),
        "check_each": selectors.shows_feedback_per_question(attempt.quiz),
        "due_at": due_at,
        "past_due": due_at is not None and due_at < timezone.now(),
        "student": None if attempt.user_id == request.user.pk else attempt.user,
    }
    if context["student"] is not None and not attempt.is_open:
        enrollment = enrollment_in_course(attempt.user, attempt.quiz.course_id)
        context["grading_class"] = enrollment.course_class if enrollment else None
    if not answering and context["student"] is None:  # the student's own result
        context["shown_score"] = _shown_score(context["questions"])
    template = "quizzes/attempt.html" if answering else "quizzes/result.html"
    return render(request, template, context)


def _shown_score(questions: list[selectors.QuestionView]) -> Decimal:
    """The points the student may see: what the machine scored, and what a person graded
    once it is released."""
    views = [view for top in questions for view in [top, *top.parts]]
    return sum(
        (
            view.response.score
            for view in views
            if view.response
            and view.response.score is not None
            and view.response.visible_to_student
        ),
        Decimal(0),
    )


@require_POST
@login_required
def attempt_autosave(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _get_attempt_for_user(request.user, attempt_id, write=True)
    try:
        result = services.attempt_save_answers(
            attempt=attempt, answers=answers_from_form(request.POST, attempt)
        )
    except services.AttemptClosed:
        if request.htmx:  # say so where "Saved at" goes; the typing stays on the page
            return _closed_status(request, attempt)
        services.attempt_finish_if_expired(attempt=attempt)
        return redirect(attempt)
    if not request.htmx:
        return redirect(attempt)
    context = {"attempt": attempt, "saved": result.saved, "conflicts": result.conflicts}
    return render(request, "quizzes/partials/save_status.html", context)


def _closed_status(request: HttpRequest, attempt: Attempt) -> HttpResponse:
    """The status line of an attempt finished elsewhere (another tab, the time limit), with
    a link to its result, swapped in where "Saved at" goes."""
    services.attempt_finish_if_expired(attempt=attempt)
    attempt.refresh_from_db()
    response = render(request, "quizzes/partials/save_status.html", {"attempt": attempt})
    return reswap(retarget(response, "#save-status"), "outerHTML")


@require_POST
@login_required
def attempt_check(request: HttpRequest, attempt_id: int, question_id: int) -> HttpResponse:
    """After-each-question mode: lock one answer and show its feedback."""
    attempt = _get_attempt_for_user(request.user, attempt_id, write=True)
    question = get_object_or_404(Question, pk=question_id, quiz=attempt.quiz, archived=False)
    answers = {
        k: v for k, v in answers_from_form(request.POST, attempt).items() if k == question.pk
    }
    try:
        services.response_check(attempt=attempt, question=question, answers=answers)
    except services.AttemptClosed:
        if request.htmx:  # a second tab: say so in the status line, not in the question
            return _closed_status(request, attempt)
        return redirect(attempt)
    except ValueError:
        raise Http404 from None
    if request.htmx:
        views = selectors.attempt_questions(attempt)
        view = next(v for top in views for v in [top, *top.parts] if v.question.pk == question.pk)
        context = {"attempt": attempt, "q": view, "check_each": True}
        return render(request, "quizzes/attempt.html#question", context)
    return redirect(f"{attempt.get_absolute_url()}#question-{question.pk}")


@require_POST
@login_required
def attempt_submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = _get_attempt_for_user(request.user, attempt_id, write=True)
    result = services.attempt_submit(
        attempt=attempt, answers=answers_from_form(request.POST, attempt)
    )
    if result.submitted_now:
        _report_conflicts(request, result.conflicts)
        messages.success(request, "Submitted. Here is your result.")
    else:
        messages.info(request, "This attempt had already been submitted; nothing changed.")
    return redirect(result.attempt)


def _report_conflicts(request: HttpRequest, conflicts: list[Response]) -> None:
    if conflicts:
        messages.warning(
            request,
            f"{len(conflicts)} answer(s) had been changed in another tab or window; "
            "the newer answer was kept.",
        )
