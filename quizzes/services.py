"""Writes: bundle import, question-file import, and the attempt state machine.

An attempt is `in_progress` until it is submitted (by the student, or by the server when
its time limit has passed). Every state change is a conditional UPDATE that must change
exactly one row, so a double click, two tabs or a retry produce one graded attempt, and
an autosave that races a submit is refused rather than lost silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from cohorts.selectors import due_for_student, effective_time_limit
from course.models import Course, Lesson
from quizzes import grading
from quizzes.bundle_items import BundleQuestion, BundleQuiz
from quizzes.models import (
    Attempt,
    AttemptState,
    Choice,
    FeedbackMode,
    GradeChange,
    GradeChangeKind,
    Question,
    QuestionKind,
    Quiz,
    ReleaseMode,
    Response,
)

# An autosave sent in the last seconds before the deadline may arrive just after it.
DEADLINE_GRACE = timedelta(seconds=5)


class AttemptClosed(Exception):
    """The attempt is finished (submitted or out of time); nothing more is written."""


class NoAttemptsLeft(Exception):
    pass


class GradingError(ValueError):
    """A grade that does not fit the question (wrong state, level or points)."""


# --- bundle and question files ----------------------------------------------------------


def quizzes_apply_bundle(quizzes: list[BundleQuiz], course: Course) -> None:
    """Import the bundle's quizzes (inside load_course's transaction), matched by key.

    Quizzes and questions that left the bundle are archived, so attempts keep their rows.
    """
    lessons = {lesson.slug: lesson for lesson in Lesson.objects.filter(course=course)}
    existing = {quiz.key: quiz for quiz in Quiz.objects.filter(course=course)}
    seen = set()
    for order, bundle_quiz in enumerate(quizzes):
        quiz = existing.get(bundle_quiz.key) or Quiz(course=course, key=bundle_quiz.key)
        _quiz_sync(quiz, bundle_quiz, lessons.get(bundle_quiz.lesson or ""), order)
        seen.add(quiz.key)
    Quiz.objects.filter(course=course, archived=False).exclude(key__in=seen).update(archived=True)


def _quiz_sync(quiz: Quiz, data: BundleQuiz, lesson: Lesson | None, order: int) -> None:
    quiz.lesson = lesson
    quiz.title = data.title
    quiz.intro = data.intro
    quiz.max_attempts = data.attempts
    quiz.time_limit_minutes = data.time_limit
    quiz.grading_method = data.grading
    quiz.feedback_mode = data.feedback
    quiz.release_grades = data.release
    quiz.anonymous_grading = data.anonymous
    quiz.published = data.published
    quiz.order = order
    quiz.archived = False
    quiz.save()
    questions_replace(quiz=quiz, questions=data.questions)


def questions_replace(*, quiz: Quiz, questions: list[BundleQuestion]) -> None:
    """Make the quiz's questions exactly `questions`, keeping rows whose key is kept."""
    existing = {q.key: q for q in Question.objects.filter(quiz=quiz)}
    seen: set[str] = set()
    order = 0
    for bundle_question in questions:
        parent = _question_sync(quiz, existing, bundle_question, None, order)
        seen.add(parent.key)
        order += 1
        for part in bundle_question.parts:
            _question_sync(quiz, existing, part, parent, order)
            seen.add(part.key)
            order += 1
    Question.objects.filter(quiz=quiz, archived=False).exclude(key__in=seen).update(archived=True)


def _question_sync(quiz, existing, data: BundleQuestion, parent, order: int) -> Question:
    question = existing.get(data.key) or Question(quiz=quiz, key=data.key)
    question.parent = parent
    question.kind = data.kind
    question.title = data.title
    question.prompt = data.prompt
    question.explanation = data.explanation
    question.points = data.points
    question.rubric = data.rubric
    question.reference_answer = data.reference_answer
    question.order = order
    question.archived = False
    question.save()
    keys = [choice.key for choice in data.choices]
    question.choices.exclude(key__in=keys).delete()
    current = {choice.key: choice for choice in question.choices.all()}
    for position, bundle_choice in enumerate(data.choices):
        choice = current.get(bundle_choice.key) or Choice(question=question, key=bundle_choice.key)
        choice.text = bundle_choice.text
        choice.correct = bundle_choice.correct
        choice.weight = bundle_choice.weight
        choice.tolerance = bundle_choice.tolerance
        choice.feedback = bundle_choice.feedback
        choice.order = position
        choice.save()
    return question


@dataclass
class QuestionImport:
    quiz: Quiz
    created_quiz: bool
    added: int


@transaction.atomic
def quiz_import_questions(
    *,
    course: Course,
    quiz_key: str,
    questions: list[BundleQuestion],
    title: str = "",
    lesson: Lesson | None = None,
) -> QuestionImport:
    """Add imported questions (GIFT, Aiken) to a quiz, creating the quiz if needed.

    Keys that clash with the quiz's questions get a numeric suffix; all or nothing.
    """
    quiz, created = Quiz.objects.select_for_update().get_or_create(
        course=course,
        key=quiz_key,
        defaults={"title": title or quiz_key.replace("-", " ").capitalize(), "lesson": lesson},
    )
    taken = set(Question.objects.filter(quiz=quiz).values_list("key", flat=True))
    order = (Question.objects.filter(quiz=quiz).order_by("-order").first() or Question()).order
    added = 0
    for bundle_question in questions:
        for item in [bundle_question, *bundle_question.parts]:
            item.key = _free_key(item.key, taken)
            taken.add(item.key)
        order += 1
        parent = _question_sync(quiz, {}, bundle_question, None, order)
        for part in bundle_question.parts:
            order += 1
            _question_sync(quiz, {}, part, parent, order)
        added += 1
    return QuestionImport(quiz=quiz, created_quiz=created, added=added)


def _free_key(key: str, taken: set[str]) -> str:
    if key not in taken:
        return key
    n = 2
    while f"{key}-{n}" in taken:
        n += 1
    return f"{key}-{n}"


# --- attempts ---------------------------------------------------------------------------


def _answerable(quiz: Quiz):
    return (
        Question.objects.filter(quiz=quiz, archived=False)
        .exclude(kind__in=[QuestionKind.SCENARIO, QuestionKind.DESCRIPTION])
        .order_by("order", "id")
    )


def attempt_start(*, user: AbstractBaseUser, quiz: Quiz) -> Attempt:
    """The student's open attempt, or a new one if they have attempts left."""
    open_attempt = Attempt.objects.filter(user=user, quiz=quiz, state=AttemptState.IN_PROGRESS)
    current = open_attempt.first()
    if current is not None:
        expired = current.deadline is not None and attempt_finish_if_expired(attempt=current)
        if not expired:
            return current
    try:
        return _attempt_create(user=user, quiz=quiz)
    except IntegrityError:  # another tab started one at the same moment: use that one
        return open_attempt.get()


@transaction.atomic
def _attempt_create(*, user: AbstractBaseUser, quiz: Quiz) -> Attempt:
    used = Attempt.objects.filter(user=user, quiz=quiz).count()
    if quiz.max_attempts and used >= quiz.max_attempts:
        raise NoAttemptsLeft

    now = timezone.now()
    limit = effective_time_limit(user, quiz)  # the student's extra time included
    attempt = Attempt.objects.create(
        user=user,
        quiz=quiz,
        number=used + 1,
        started_at=now,
        deadline=now + limit if limit else None,
    )
    questions = list(_answerable(quiz))
    Response.objects.bulk_create([Response(attempt=attempt, question=q) for q in questions])
    attempt.max_score = sum((q.points for q in questions), Decimal(0))
    attempt.save(update_fields=["max_score"])
    return attempt


@dataclass
class SaveResult:
    saved: list[Response] = field(default_factory=list)
    conflicts: list[Response] = field(default_factory=list)


Answers = dict[int, tuple[dict, int]]  # question id -> (answer, revision the page had)


@transaction.atomic
def attempt_save_answers(*, attempt: Attempt, answers: Answers) -> SaveResult:
    """Autosave: write the answers that changed, if the attempt is still open.

    The conditional UPDATE locks the attempt row, so this waits for (and then loses to)
    a submit in flight. An answer based on an older revision than the stored one comes
    from a stale tab: it is refused and reported, never written over the newer answer.
    """
    now = timezone.now()
    still_open = Attempt.objects.filter(pk=attempt.pk, state=AttemptState.IN_PROGRESS).exclude(
        deadline__lt=now - DEADLINE_GRACE
    )
    if still_open.update(last_saved_at=now) != 1:
        raise AttemptClosed
    attempt.last_saved_at = now
    return _write_answers(attempt, answers, now)


def _write_answers(attempt: Attempt, answers: Answers, now) -> SaveResult:
    result = SaveResult()
    responses = Response.objects.filter(attempt=attempt, question_id__in=answers)
    for response in responses.select_related("question"):
        answer, base_revision = answers[response.question_id]
        if response.checked_at is not None or answer == response.answer:
            continue
        updated = Response.objects.filter(pk=response.pk, revision=base_revision).update(
            answer=answer, revision=F("revision") + 1, saved_at=now
        )
        if updated:
            response.answer, response.revision = answer, base_revision + 1
            result.saved.append(response)
        else:
            response.refresh_from_db()
            result.conflicts.append(response)
    return result


@dataclass
class SubmitResult:
    attempt: Attempt
    submitted_now: bool
    conflicts: list[Response] = field(default_factory=list)


@transaction.atomic
def attempt_submit(*, attempt: Attempt, answers: Answers | None = None) -> SubmitResult:
    """Finish the attempt once. Later or concurrent submits change nothing.

    Answers posted with the submit are saved first (stale ones refused, as in autosave),
    unless the time limit has passed: then the autosaved answers are graded as they are.
    """
    now = timezone.now()
    in_time = attempt.deadline is None or now < attempt.deadline + DEADLINE_GRACE
    due_at, late = _lateness(attempt, now if in_time else attempt.deadline)
    changed = Attempt.objects.filter(pk=attempt.pk, state=AttemptState.IN_PROGRESS).update(
        state=AttemptState.SUBMITTED,
        submitted_at=now,
        finished_by_time_limit=not in_time,
        due_at=due_at,
        submitted_late=late,
    )
    attempt.refresh_from_db()
    if changed != 1:
        return SubmitResult(attempt=attempt, submitted_now=False)
    conflicts = []
    if answers and in_time:
        conflicts = _write_answers(attempt, answers, now).conflicts
    _grade_attempt(attempt)
    return SubmitResult(attempt=attempt, submitted_now=True, conflicts=conflicts)


@transaction.atomic
def attempt_finish_if_expired(*, attempt: Attempt) -> bool:
    """Finish an open attempt whose time is up, with its autosaved answers."""
    now = timezone.now()
    expired = attempt.deadline is not None and attempt.deadline < now - DEADLINE_GRACE
    # Its answers stopped at the deadline, however much later this runs.
    due_at, late = _lateness(attempt, attempt.deadline) if expired else (None, False)
    changed = Attempt.objects.filter(
        pk=attempt.pk, state=AttemptState.IN_PROGRESS, deadline__lt=now - DEADLINE_GRACE
    ).update(
        state=AttemptState.SUBMITTED,
        submitted_at=now,
        finished_by_time_limit=True,
        due_at=due_at,
        submitted_late=late,
    )
    attempt.refresh_from_db()
    if changed == 1:
        _grade_attempt(attempt)
    return changed == 1


def _lateness(attempt: Attempt, answered_at: datetime | None) -> tuple[datetime | None, bool]:
    """The student's own due date (overrides applied) and whether answers given at
    `answered_at` are late. Late work is accepted, only marked (as Canvas does)."""

    due_at = due_for_student(attempt.user, attempt.quiz)
    return due_at, due_at is not None and answered_at is not None and answered_at > due_at


def attempts_finish_expired() -> int:
    """Finish every attempt whose time is up (the `finish_expired_attempts` command)."""
    expired = Attempt.objects.filter(
        state=AttemptState.IN_PROGRESS, deadline__lt=timezone.now() - DEADLINE_GRACE
    )
    return sum(attempt_finish_if_expired(attempt=attempt) for attempt in expired)


def _grade_attempt(attempt: Attempt) -> None:
    responses = list(
        Response.objects.filter(attempt=attempt)
        .select_related("question")
        .prefetch_related("question__choices")
    )
    total, waiting = Decimal(0), False
    for response in responses:
        question = response.question
        outcome = grading.grade(question, list(question.choices.all()), response.answer)
        if outcome.fraction is None and grading.is_answered(response.answer):
            waiting = True
            response.score = None
        else:
            response.score = outcome.score(question.points) or Decimal(0)
            total += response.score
    Response.objects.bulk_update(responses, ["score"])
    attempt.score = total
    attempt.needs_grading = waiting
    attempt.save(update_fields=["score", "needs_grading"])


@transaction.atomic
def response_check(*, attempt: Attempt, question: Question, answers: Answers) -> Response:
    """After-each-question mode: save this answer, lock it, and score it now."""
    if attempt.quiz.feedback_mode != FeedbackMode.AFTER_EACH or not question.is_auto_graded:
        raise ValueError("this question is not checked one at a time")
    attempt_save_answers(attempt=attempt, answers=answers)
    response = Response.objects.select_related("question").get(attempt=attempt, question=question)
    if response.checked_at is None:
        outcome = grading.grade(question, list(question.choices.all()), response.answer)
        response.score = outcome.score(question.points)
        response.checked_at = timezone.now()
        response.save(update_fields=["score", "checked_at"])
    return response


@transaction.atomic
def response_grade(
    *,
    response: Response,
    grader: AbstractBaseUser,
    levels: list[int] | None = None,
    points: Decimal | None = None,
    comment: str = "",
) -> Attempt:
    """Grade a free-text answer of a submitted attempt: one level per rubric criterion
    (or, without a rubric, points), keep the change in the audit, release it if the quiz
    releases on grading, then bring the attempt's score up to date."""
    attempt = Attempt.objects.select_for_update().select_related("quiz").get(pk=response.attempt_id)
    response = Response.objects.select_related("question").get(pk=response.pk)
    question = response.question
    if attempt.state != AttemptState.SUBMITTED:
        raise GradingError("only a submitted attempt is graded")
    if question.kind != QuestionKind.ESSAY:
        raise GradingError("only free-text answers are graded by hand")
    if question.rubric:
        levels = list(levels or [])
        if len(levels) != len(question.rubric) or any(
            not 0 <= level < len(criterion["levels"])
            for level, criterion in zip(levels, question.rubric, strict=False)
        ):
            raise GradingError("choose one existing level for every criterion")
        points = sum(
            (
                Decimal(str(criterion["levels"][level]["points"]))
                for level, criterion in zip(levels, question.rubric, strict=True)
            ),
            Decimal(0),
        )
    elif points is None or not 0 <= points <= question.points:
        raise GradingError(f"give between 0 and {question.points} points")
    _response_change(
        response,
        attempt.quiz,
        by=grader,
        kind=GradeChangeKind.GRADE,
        score=points,
        levels=levels or [],
        comment=comment,
    )
    _total_attempt(attempt)
    return attempt


@transaction.atomic
def response_override(
    *, response: Response, by: AbstractBaseUser, points: Decimal, reason: str
) -> Attempt:
    """Set any answer's score by hand (an auto-graded one too), with the reason why: kept in
    the audit and shown on the answer. A later regrade leaves an overridden score alone."""
    attempt = Attempt.objects.select_for_update().select_related("quiz").get(pk=response.attempt_id)
    response = Response.objects.select_related("question").get(pk=response.pk)
    if attempt.state != AttemptState.SUBMITTED:
        raise GradingError("only a submitted attempt is graded")
    if not reason.strip():
        raise GradingError("say why the score changes")
    if points is None or not 0 <= points <= response.question.points:
        raise GradingError(f"give between 0 and {response.question.points} points")
    _response_change(
        response,
        attempt.quiz,
        by=by,
        kind=GradeChangeKind.OVERRIDE,
        score=points,
        levels=response.rubric_levels,
        comment=response.grader_comment,
        reason=reason.strip(),
    )
    _total_attempt(attempt)
    return attempt


def _response_change(
    response: Response,
    quiz: Quiz,
    *,
    by: AbstractBaseUser,
    kind: str,
    score: Decimal,
    levels: list,
    comment: str,
    reason: str = "",
) -> None:
    """Write a person's grade on one answer and its audit row (inside the caller's
    transaction). Under manual release a new grade is hidden until staff release it."""
    now = timezone.now()
    GradeChange.objects.create(
        response=response,
        kind=kind,
        changed_by=by,
        changed_at=now,
        old_score=response.score,
        new_score=score,
        old_levels=response.rubric_levels,
        new_levels=levels,
        reason=reason,
    )
    response.score = score
    response.rubric_levels = levels
    response.grader_comment = comment
    response.graded_by = by
    response.graded_at = now
    response.released_at = now if quiz.release_grades == ReleaseMode.ON_GRADING else None
    response.save(
        update_fields=[
            "score",
            "rubric_levels",
            "grader_comment",
            "graded_by",
            "graded_at",
            "released_at",
        ]
    )


def _total_attempt(attempt: Attempt) -> None:
    rows = list(
        Response.objects.filter(attempt=attempt).values_list(
            "score", "question__kind", "answer", "graded_at", "released_at"
        )
    )
    attempt.score = sum((row[0] for row in rows if row[0] is not None), Decimal(0))
    attempt.needs_grading = any(
        score is None and kind == QuestionKind.ESSAY and grading.is_answered(answer)
        for score, kind, answer, _, _ in rows
    )
    attempt.grades_hidden = any(
        graded_at is not None and released_at is None for *_, graded_at, released_at in rows
    )
    attempt.save(update_fields=["score", "needs_grading", "grades_hidden"])


@transaction.atomic
def quiz_release_grades(*, quiz: Quiz, students: QuerySet) -> int:
    """Show the students (a class's, as a subquery of user ids) every grade a person has
    given on this quiz so far; returns how many answers were released."""
    now = timezone.now()
    released = Response.objects.filter(
        attempt__quiz=quiz,
        attempt__user__in=students,
        graded_at__isnull=False,
        released_at__isnull=True,
    ).update(released_at=now)
    Attempt.objects.filter(quiz=quiz, user__in=students, grades_hidden=True).update(
        grades_hidden=False
    )
    return released


@dataclass
class ScoreChange:
    response: Response
    old: Decimal | None
    new: Decimal
    kept: bool = False  # overridden by a person: left as it is

    @property
    def difference(self) -> Decimal:
        return self.new - (self.old or Decimal(0))


@dataclass
class Regrade:
    changes: list[ScoreChange]  # scores the current key (or rubric) gives differently

    @property
    def applied(self) -> list[ScoreChange]:
        return [change for change in self.changes if not change.kept]


@transaction.atomic
def quiz_regrade(
    *, quiz: Quiz, students: QuerySet, by: AbstractBaseUser, apply: bool = False
) -> Regrade:
    """Score the stored answers of `students` (a subquery of user ids) again with the
    quiz's current answer key and rubric points. A dry run (the default) only says whose
    scores would change and by how much; `apply` writes them, with an audit row each, and
    brings the attempts' totals up to date. Answers themselves never change, and a score
    a person overrode is kept."""
    responses = list(
        Response.objects.filter(
            attempt__quiz=quiz, attempt__user__in=students, attempt__state=AttemptState.SUBMITTED
        )
        .select_related("question", "attempt__user")
        .prefetch_related("question__choices")
        .order_by("attempt__user__username", "attempt__number", "question__order", "id")
    )
    latest_kind: dict[int, str] = dict(
        GradeChange.objects.filter(response__in=responses)
        .order_by("changed_at", "id")
        .values_list("response_id", "kind")
    )
    result = Regrade(changes=[])
    for response in responses:
        new = _key_score(response)
        if new is None or new == response.score:
            continue
        overridden = latest_kind.get(response.pk) == GradeChangeKind.OVERRIDE
        result.changes.append(ScoreChange(response, response.score, new, kept=overridden))
    if apply:
        _regrade_apply(result, by)
    return result


def _key_score(response: Response) -> Decimal | None:
    """What the current key gives this answer: auto-graded ones by grading.grade, graded
    essays by their chosen levels' points in the current rubric (None: a person decides)."""
    question = response.question
    if question.is_auto_graded:
        outcome = grading.grade(question, list(question.choices.all()), response.answer)
        return outcome.score(question.points) or Decimal(0)
    levels, rubric = response.rubric_levels, question.rubric
    if question.kind != QuestionKind.ESSAY or not levels or len(levels) != len(rubric):
        return None
    try:
        return sum(
            (
                Decimal(str(criterion["levels"][level]["points"]))
                for level, criterion in zip(levels, rubric, strict=True)
            ),
            Decimal(0),
        )
    except (IndexError, KeyError):
        return None


def _regrade_apply(result: Regrade, by: AbstractBaseUser) -> None:
    now = timezone.now()
    attempts = {}
    for change in result.applied:
        response = change.response
        GradeChange.objects.create(
            response=response,
            kind=GradeChangeKind.REGRADE,
            changed_by=by,
            changed_at=now,
            old_score=change.old,
            new_score=change.new,
            old_levels=response.rubric_levels,
            new_levels=response.rubric_levels,
            reason="The answer key or rubric changed.",
        )
        Response.objects.filter(pk=response.pk).update(score=change.new)
        attempts[response.attempt_id] = response.attempt
    for attempt in Attempt.objects.select_for_update().filter(pk__in=attempts):
        _total_attempt(attempt)
