"""Grading pages of a class (/classes/<id>/grading/...): the queue, grading one answer by
keyboard, overrides, and releasing a quiz's grades. Instructors see every section; a
grader only the sections they grade; everyone else gets a 404 (cohorts.access)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cohorts.access import get_class_for_staff
from cohorts.exports import csv_lines
from cohorts.models import CourseClass, Enrollment, Section
from cohorts.selectors import class_sections
from cohorts.xlsx import xlsx_file
from course.access import can_author
from course.ids import parse_id
from quizzes import gradebook, grading_queue, services
from quizzes.forms import GradeForm, OverrideForm, QuizGradingForm
from quizzes.item_analysis import quiz_item_analysis
from quizzes.models import GradeChange, Quiz, Response

PAGE_SIZE = 50


def _staff_scope(user: AbstractBaseUser, course_class: CourseClass) -> tuple[list[Section], bool]:
    """The sections this user grades in the class (every one for an instructor)."""
    is_author = can_author(user)
    return class_sections(course_class, None if is_author else user), is_author


def _get_answer_for_staff(
    user: AbstractBaseUser, course_class: CourseClass, response_id: int
) -> Response:
    """An answer of a submitted attempt by a student this user grades in the class; any
    other answer (another section's, an open attempt's, another class's) is a 404."""
    sections, is_author = _staff_scope(user, course_class)
    answers = grading_queue.class_answers(course_class, None if is_author else sections)
    answers = answers.select_related("attempt__user", "attempt__quiz", "question__parent")
    return get_object_or_404(answers, pk=response_id)


def _queue_url(course_class: CourseClass, chosen: grading_queue.QueueFilter, **changes) -> str:
    query = chosen.query(**changes)
    url = reverse("quizzes:grading", args=[course_class.pk])
    return f"{url}?{query}" if query else url


@require_GET
@login_required
def queue(request: HttpRequest, class_id: int) -> HttpResponse:
    course_class = get_class_for_staff(request.user, class_id)
    sections, is_author = _staff_scope(request.user, course_class)
    chosen = grading_queue.QueueFilter.from_query(request.GET)
    built = grading_queue.grading_queue(course_class, sections, chosen, all_sections=is_author)
    page = Paginator(built.answers, PAGE_SIZE).get_page(request.GET.get("page"))
    for answer in page:
        answer.student_name = _student_name(answer)
    context = {
        "course_class": course_class,
        "is_author": is_author,
        "queue": built,
        "page": page,
        "chosen": chosen,
        "query": chosen.query(),
        "quizzes": grading_queue.quizzes_to_release(course_class) if is_author else [],
    }
    return render(request, "quizzes/grading_queue.html", context)


def _student_name(answer: Response) -> str:
    user, quiz = answer.attempt.user, answer.attempt.quiz
    if quiz.anonymous_grading:
        return grading_queue.pseudonym(quiz.pk, user.pk)
    return user.get_full_name() or user.get_username()


@require_http_methods(["GET", "POST"])
@login_required
def answer_grade(request: HttpRequest, class_id: int, response_id: int) -> HttpResponse:
    """One answer: the question, its rubric, the reference answer, the student's answer;
    POST grades it, then shows the next answer to grade ("save and next")."""
    course_class = get_class_for_staff(request.user, class_id)
    answer = _get_answer_for_staff(request.user, course_class, response_id)
    chosen = grading_queue.QueueFilter.from_query(request.GET)
    form = GradeForm(request.POST or None, question=answer.question, initial=_initial(answer))
    if request.method == "POST" and answer.question.kind == "essay" and form.is_valid():
        try:
            services.response_grade(
                response=answer,
                grader=request.user,
                levels=form.levels,
                points=form.cleaned_data.get("points"),
                comment=form.cleaned_data["comment"],
            )
        except services.GradingError as refusal:
            form.add_error(None, str(refusal))
        else:
            return _after_grading(request, course_class, chosen, answer)
    status = 400 if request.method == "POST" else 200
    return _grade_page(request, course_class, answer, chosen, form=form, status=status)


def _initial(answer: Response) -> dict:
    initial = {"comment": answer.grader_comment}
    initial.update({f"level-{i}": level for i, level in enumerate(answer.rubric_levels)})
    if answer.score is not None and not answer.question.rubric:
        initial["points"] = answer.score
    return initial


def _after_grading(request, course_class, chosen, answer) -> HttpResponse:
    messages.success(request, "Saved the grade.")
    if request.POST.get("then") != "next":
        return redirect(_answer_url(course_class, answer.pk, chosen))
    sections, is_author = _staff_scope(request.user, course_class)
    answers = grading_queue.written_answers(course_class, None if is_author else sections)
    following = grading_queue.next_to_grade(chosen.apply(answers, skip="status"), answer)
    if following is None:
        messages.info(request, "Every answer here is graded.")
        return redirect(_queue_url(course_class, chosen))
    return redirect(_answer_url(course_class, following, chosen))


def _answer_url(course_class: CourseClass, response_id: int, chosen) -> str:
    url = reverse("quizzes:grade-answer", args=[course_class.pk, response_id])
    query = chosen.query()
    return f"{url}?{query}" if query else url


def _grade_page(request, course_class, answer, chosen, *, form=None, override=None, status=200):
    sections, is_author = _staff_scope(request.user, course_class)
    answers = chosen.apply(
        grading_queue.written_answers(course_class, None if is_author else sections),
        skip="status",
    )
    progress = grading_queue.grading_progress(answers)
    enrollment = Enrollment.objects.filter(
        course_class=course_class, user=answer.attempt.user
    ).select_related("section")
    view = grading_queue.answer_view(answer)
    context = {
        "course_class": course_class,
        "is_author": is_author,
        "answer": answer,
        "q": view,
        "student_name": _student_name(answer),
        "enrollment": enrollment.first(),
        "form": form or GradeForm(question=answer.question, initial=_initial(answer)),
        "override_form": override or OverrideForm(question=answer.question, prefix="override"),
        "changes": GradeChange.objects.filter(response=answer).select_related("changed_by"),
        "progress": progress,
        "chosen": chosen,
        "query": chosen.query(),
        "queue_url": _queue_url(course_class, chosen),
    }
    return render(request, "quizzes/grade_answer.html", context, status=status)


@require_POST
@login_required
def answer_override(request: HttpRequest, class_id: int, response_id: int) -> HttpResponse:
    course_class = get_class_for_staff(request.user, class_id)
    answer = _get_answer_for_staff(request.user, course_class, response_id)
    chosen = grading_queue.QueueFilter.from_query(request.GET)
    form = OverrideForm(request.POST, question=answer.question, prefix="override")
    if form.is_valid():
        try:
            services.response_override(
                response=answer,
                by=request.user,
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
            )
        except services.GradingError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Overrode the score; the reason is kept with the answer.")
            return redirect(_answer_url(course_class, answer.pk, chosen))
    return _grade_page(request, course_class, answer, chosen, override=form, status=400)


def _get_quiz_for_author(user: AbstractBaseUser, course_class: CourseClass, quiz_id) -> Quiz:
    if not can_author(user):
        raise Http404
    quizzes = Quiz.objects.filter(course_id=course_class.course_id, archived=False)
    return get_object_or_404(quizzes, pk=quiz_id)


@require_POST
@login_required
def grades_release(request: HttpRequest, class_id: int) -> HttpResponse:
    """Instructors: show the class's students every grade given so far on one quiz."""
    course_class = get_class_for_staff(request.user, class_id)
    quiz = _get_quiz_for_author(request.user, course_class, parse_id(request.POST.get("quiz")))
    students = Enrollment.objects.filter(course_class=course_class).values("user")
    released = services.quiz_release_grades(quiz=quiz, students=students)
    messages.success(request, f"Released {released} grade{'s' if released != 1 else ''} of {quiz}.")
    return redirect("quizzes:grading", course_class.pk)


@require_POST
@login_required
def quiz_grading_settings(request: HttpRequest, class_id: int, quiz_id: int) -> HttpResponse:
    """Instructors: release a quiz's grades as they are given or when staff say so; grade
    it anonymously, or reveal the names."""
    course_class = get_class_for_staff(request.user, class_id)
    quiz = _get_quiz_for_author(request.user, course_class, quiz_id)
    form = QuizGradingForm(request.POST, instance=quiz)
    if not form.is_valid():
        messages.error(request, "Pick when grades are released.")
    else:
        form.save()
        messages.success(request, f"Saved how {quiz} is graded.")
    return redirect("quizzes:grading", course_class.pk)


EXPORTS = {
    "canvas": (gradebook.canvas_rows, "gradebook-canvas", "Gradebook"),
    "moodle": (gradebook.moodle_rows, "gradebook-moodle", "Gradebook"),
    "responses": (gradebook.response_rows, "responses", "Responses"),
}


@require_GET
@login_required
def export(request: HttpRequest, class_id: int, layout: str, extension: str) -> HttpResponse:
    """The class's gradebook (Canvas's or Moodle's import layout) or every answer, as CSV
    or XLSX, streamed; a grader's holds only the students of the sections they grade."""
    course_class = get_class_for_staff(request.user, class_id)
    if layout not in EXPORTS or extension not in ("csv", "xlsx"):
        raise Http404
    sections, is_author = _staff_scope(request.user, course_class)
    make_rows, stem, sheet = EXPORTS[layout]
    rows = make_rows(course_class, None if is_author else sections)
    name = f"{slugify(course_class.name) or 'class'}-{stem}-{timezone.now():%Y%m%d}.{extension}"
    if extension == "xlsx":
        return FileResponse(xlsx_file(rows, sheet), as_attachment=True, filename=name)
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def regrade(request: HttpRequest, class_id: int, quiz_id: int) -> HttpResponse:
    """Instructors, after changing a quiz's answer key or rubric: GET is the dry run
    (whose scores would change, by how much); POST applies it. Answers never change."""
    course_class = get_class_for_staff(request.user, class_id)
    quiz = _get_quiz_for_author(request.user, course_class, quiz_id)
    students = Enrollment.objects.filter(course_class=course_class).values("user")
    apply = request.method == "POST"
    result = services.quiz_regrade(quiz=quiz, students=students, by=request.user, apply=apply)
    if apply:
        changed = len(result.applied)
        messages.success(request, f"Regraded {changed} answer{'s' if changed != 1 else ''}.")
        return redirect("quizzes:regrade", course_class.pk, quiz.pk)
    context = {"course_class": course_class, "quiz": quiz, "result": result}
    return render(request, "quizzes/regrade.html", context)


@require_GET
@login_required
def item_analysis(request: HttpRequest, class_id: int, quiz_id: int) -> HttpResponse:
    """Instructors: facility, discrimination, option counts and Cronbach's alpha."""
    course_class = get_class_for_staff(request.user, class_id)
    quiz = _get_quiz_for_author(request.user, course_class, quiz_id)
    students = Enrollment.objects.filter(course_class=course_class).values("user")
    context = {
        "course_class": course_class,
        "quiz": quiz,
        "analysis": quiz_item_analysis(quiz, students),
    }
    return render(request, "quizzes/item_analysis.html", context)
