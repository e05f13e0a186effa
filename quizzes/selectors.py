"""Reads: which quizzes a user may see, an attempt laid out for its page, grades, export."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, Q, QuerySet

from course.access import can_author
from course.models import Course, Lesson
from course.selectors import IN_COURSE_ORDER
from quizzes import grading
from quizzes.bundle_items import BundleChoice, BundleQuestion, BundleQuiz
from quizzes.models import (
    Attempt,
    AttemptState,
    Choice,
    FeedbackMode,
    Question,
    QuestionKind,
    Quiz,
    Response,
)


def quizzes_for_user(user: AbstractBaseUser, course: Course) -> QuerySet[Quiz]:
    """Visible quizzes: published, not archived, and not attached to a hidden lesson."""
    quizzes = Quiz.objects.filter(course=course, archived=False)
    if not can_author(user):
        quizzes = quizzes.filter(published=True).filter(
            Q(lesson__isnull=True)
            | Q(
                lesson__published=True,
                lesson__archived=False,
                lesson__module__published=True,
                lesson__module__archived=False,
            )
        )
    return quizzes.order_by(*IN_COURSE_ORDER)


def lesson_quizzes_for_user(user: AbstractBaseUser, lesson: Lesson) -> list[Quiz]:
    """The lesson's quizzes with the user's finished-attempt count, in one query."""
    quizzes = Quiz.objects.filter(lesson=lesson, archived=False)
    if not can_author(user):
        quizzes = quizzes.filter(published=True)
    return list(
        quizzes.annotate(
            question_count=Count(
                "questions",
                filter=Q(questions__archived=False, questions__parent__isnull=True)
                & ~Q(questions__kind=QuestionKind.DESCRIPTION),
                distinct=True,
            ),
            finished_count=Count(
                "attempts",
                filter=Q(attempts__user=user, attempts__state=AttemptState.SUBMITTED),
                distinct=True,
            ),
        ).order_by("order", "id")
    )


def course_quizzes_for_user(user: AbstractBaseUser, course: Course) -> list[Quiz]:
    """The course's visible quizzes with the user's finished-attempt count, in one query."""
    return list(
        quizzes_for_user(user, course)
        .select_related("lesson")
        .annotate(
            finished_count=Count(
                "attempts",
                filter=Q(attempts__user=user, attempts__state=AttemptState.SUBMITTED),
                distinct=True,
            )
        )
    )


@dataclass
class QuestionView:
    """One question on the attempt or result page, with what this page may reveal."""

    question: Question
    number: str
    choices: list[Choice]
    response: Response | None
    reveal: bool
    parts: list[QuestionView] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)

    @property
    def selected(self) -> set[str]:
        answer = self.response.answer if self.response else {}
        return set(answer.get("choices") or []) | {answer.get("choice")} - {None}

    @property
    def text(self) -> str:
        return str(self.response.answer.get("text", "")) if self.response else ""

    @property
    def rubric(self) -> list[dict]:
        """The rubric with the level the grader chose for each criterion marked."""
        chosen = self.response.rubric_levels if self.response else []
        return [
            {
                "criterion": criterion["criterion"],
                "levels": [
                    {**level, "chosen": i < len(chosen) and chosen[i] == j}
                    for j, level in enumerate(criterion["levels"])
                ],
            }
            for i, criterion in enumerate(self.question.rubric)
        ]

    @property
    def locked(self) -> bool:
        return self.response is not None and self.response.checked_at is not None


def attempt_questions(attempt: Attempt) -> list[QuestionView]:
    """The attempt's questions in order, scenario parts nested; answers and feedback only
    where the attempt is finished or the question has been checked."""
    finished = attempt.state == AttemptState.SUBMITTED
    responses = {r.question_id: r for r in Response.objects.filter(attempt=attempt)}
    questions = (
        Question.objects.filter(quiz_id=attempt.quiz_id, archived=False)
        .filter(
            Q(pk__in=responses.keys())
            | Q(kind__in=[QuestionKind.SCENARIO, QuestionKind.DESCRIPTION])
        )
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order", "id")))
        .order_by("order", "id")
    )
    top: list[QuestionView] = []
    by_id: dict[int, QuestionView] = {}
    numbered = 0  # descriptions are text between questions: they take no number
    for question in questions:
        response = responses.get(question.pk)
        reveal = finished or (response is not None and response.checked_at is not None)
        parent = by_id.get(question.parent_id) if question.parent_id else None
        if question.kind == QuestionKind.DESCRIPTION:
            number = ""
        elif parent is None:
            numbered += 1
            number = f"{numbered}"
        else:
            number = f"{parent.number}.{len(parent.parts) + 1}"
        view = QuestionView(question, number, list(question.choices.all()), response, reveal)
        if reveal and response is not None and question.is_auto_graded:
            view.feedback = grading.grade(question, view.choices, response.answer).feedback
        by_id[question.pk] = view
        (parent.parts if parent else top).append(view)
    return [view for view in top if view.question.kind != QuestionKind.SCENARIO or view.parts]


def attempts_for_user(user: AbstractBaseUser, quiz: Quiz) -> list[Attempt]:
    return list(Attempt.objects.filter(user=user, quiz=quiz).order_by("number"))


@dataclass
class QuizGrade:
    score: Decimal | None
    max_score: Decimal
    pending: bool

    @property
    def percent(self) -> int | None:
        if self.score is None or not self.max_score:
            return None
        return round(100 * self.score / self.max_score)


def quiz_grade(
    quiz: Quiz, attempts: list[Attempt], *, for_student: bool = False
) -> QuizGrade | None:
    """The grade by the quiz's method over finished attempts (None if none finished).
    An attempt waiting for a grader counts as pending, never as its partial score; for
    the student, so does one with grades not released to them yet."""
    finished = [a for a in attempts if a.state == AttemptState.SUBMITTED]
    if not finished:
        return None
    scores = [
        None if a.needs_grading or (for_student and a.grades_hidden) else a.score for a in finished
    ]
    score = grading.combine_attempts(quiz.grading_method, scores)
    return QuizGrade(score=score, max_score=finished[-1].max_score, pending=score is None)


def shows_feedback_per_question(quiz: Quiz) -> bool:
    return quiz.feedback_mode == FeedbackMode.AFTER_EACH


def quizzes_snapshot(course: Course) -> list[BundleQuiz]:
    """The course's quizzes as bundle data (archived ones left out), sorted by key."""
    quizzes = Quiz.objects.filter(course=course, archived=False).select_related("lesson")
    snapshots = quizzes_as_bundle(sorted(quizzes, key=lambda quiz: quiz.key))
    return [quiz for quiz in snapshots if quiz.questions]


def quizzes_as_bundle(quizzes: list[Quiz]) -> list[BundleQuiz]:
    """The given quizzes as bundle data, in the order given: their questions that are not
    archived, scenario parts nested (the course export, the GIFT and Moodle XML exports)."""
    questions = (
        Question.objects.filter(quiz__in=quizzes, archived=False)
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order", "id")))
        .order_by("order", "id")
    )
    by_quiz: dict[int, list[BundleQuestion]] = {}
    by_id: dict[int, BundleQuestion] = {}
    for question in questions:
        data = BundleQuestion(
            key=question.key,
            kind=question.kind,
            prompt=question.prompt,
            title=question.title,
            points=question.points,
            explanation=question.explanation,
            choices=[
                BundleChoice(
                    key=c.key,
                    text=c.text,
                    correct=c.correct,
                    weight=c.weight.normalize() if c.weight is not None else None,
                    tolerance=c.tolerance,
                    feedback=c.feedback,
                )
                for c in question.choices.all()
            ],
            rubric=question.rubric,
            reference_answer=question.reference_answer,
        )
        by_id[question.pk] = data
        if question.parent_id:
            if question.parent_id in by_id:
                by_id[question.parent_id].parts.append(data)
        else:
            by_quiz.setdefault(question.quiz_id, []).append(data)
    return [
        BundleQuiz(
            key=quiz.key,
            title=quiz.title,
            lesson=quiz.lesson.slug if quiz.lesson and not quiz.lesson.archived else None,
            intro=quiz.intro,
            attempts=quiz.max_attempts,
            time_limit=quiz.time_limit_minutes,
            grading=quiz.grading_method,
            feedback=quiz.feedback_mode,
            release=quiz.release_grades,
            anonymous=quiz.anonymous_grading,
            published=quiz.published,
            questions=by_quiz.get(quiz.pk, []),
        )
        for quiz in quizzes
    ]
