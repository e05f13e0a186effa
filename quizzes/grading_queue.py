"""Reads for graders: a class's answers that a person grades (the grading queue), its
filters with their counts, and the next answer to grade.

The queue holds the written answers (essays, scenario parts included) of submitted
attempts by the class's students, only the sections a grader grades; an instructor sees
every section. Any answer of those students can be opened for an override.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import QueryDict
from django.utils.crypto import salted_hmac

from cohorts.models import CourseClass, Enrollment, Section
from course.ids import parse_id
from quizzes import grading
from quizzes.models import AttemptState, Question, QuestionKind, Quiz, Response
from quizzes.selectors import QuestionView

STATUSES = {"ungraded": "To grade", "graded": "Graded", "all": "All"}
ORDER = ("attempt__quiz__order", "attempt__quiz_id", "question__order", "attempt__submitted_at")
WRITTEN = Q(question__kind=QuestionKind.ESSAY) & Q(answer__has_key="text")


def pseudonym(quiz_id: int, user_id: int) -> str:
    """A stable name for a student under anonymous grading: the same on every page of the
    quiz, different from one quiz to the next, and not reversible without the secret key."""
    digest = salted_hmac("quizzes.pseudonym", f"{quiz_id}:{user_id}").hexdigest()
    return f"Student {digest[:6].upper()}"


def class_answers(course_class: CourseClass, sections: list[Section] | None) -> QuerySet[Response]:
    """Every answer in submitted attempts, at the course's quizzes, by the class's
    students (of `sections` only, when given), each with its student's `section_id`."""
    students = Enrollment.objects.filter(course_class=course_class)
    if sections is not None:
        students = students.filter(section__in=sections)
    section_of = Enrollment.objects.filter(
        course_class=course_class, user=OuterRef("attempt__user")
    ).values("section_id")[:1]
    return Response.objects.filter(
        attempt__quiz__course_id=course_class.course_id,
        attempt__quiz__archived=False,
        attempt__state=AttemptState.SUBMITTED,
        attempt__user__in=students.values("user"),
    ).annotate(section_id=Subquery(section_of))


@dataclass
class QueueFilter:
    quiz: int | None = None
    question: int | None = None
    section: int | None = None
    status: str = "ungraded"
    late: bool = False

    @classmethod
    def from_query(cls, data: QueryDict) -> QueueFilter:
        status = data.get("status", "ungraded")
        return cls(
            quiz=parse_id(data.get("quiz")),
            question=parse_id(data.get("question")),
            section=parse_id(data.get("section")),
            status=status if status in STATUSES else "ungraded",
            late=data.get("late") == "1",
        )

    def query(self, **changes) -> str:
        """The filter as a query string (what differs from the defaults), with `changes`."""
        values = {
            "quiz": self.quiz,
            "question": self.question,
            "section": self.section,
            "status": self.status if self.status != "ungraded" else None,
            "late": "1" if self.late else None,
        }
        values.update(changes)
        return urlencode({key: value for key, value in values.items() if value})

    def apply(self, answers: QuerySet[Response], *, skip: str = "") -> QuerySet[Response]:
        """The answers this filter keeps; `skip` names one facet to leave out (its counts)."""
        if self.quiz and skip != "quiz":
            answers = answers.filter(attempt__quiz_id=self.quiz)
        if self.question and skip != "question":
            answers = answers.filter(question_id=self.question)
        if self.section and skip != "section":
            answers = answers.filter(section_id=self.section)
        if self.late and skip != "late":
            answers = answers.filter(attempt__submitted_late=True)
        if skip != "status":
            if self.status == "ungraded":
                answers = answers.filter(score__isnull=True)
            elif self.status == "graded":
                answers = answers.filter(score__isnull=False)
        return answers


@dataclass
class Option:
    value: int | str
    label: str
    count: int
    chosen: bool


@dataclass
class Queue:
    answers: QuerySet[Response]  # filtered, in queue order
    graded: int  # of `total`: the filter without its status
    total: int
    late: int
    quizzes: list[Option] = field(default_factory=list)
    questions: list[Option] = field(default_factory=list)
    sections: list[Option] = field(default_factory=list)
    statuses: list[Option] = field(default_factory=list)


def written_answers(course_class: CourseClass, sections: list[Section] | None):
    """The queue's answers before any filter: written ones, which a person grades."""
    return class_answers(course_class, sections).filter(WRITTEN)


def grading_queue(
    course_class: CourseClass, sections: list[Section], chosen: QueueFilter, *, all_sections: bool
) -> Queue:
    """The filtered queue with a count beside every choice of every filter (each count
    under the other filters): a fixed number of queries, however big the class."""
    base = written_answers(course_class, None if all_sections else sections)
    progress = chosen.apply(base, skip="status").aggregate(
        graded=Count("id", filter=Q(score__isnull=False)), total=Count("id")
    )
    late = chosen.apply(base, skip="late").filter(attempt__submitted_late=True).count()
    by_quiz = _counts(chosen.apply(base, skip="quiz"), "attempt__quiz")
    by_question = _counts(chosen.apply(base, skip="question"), "question")
    by_section = _counts(chosen.apply(base, skip="section"), "section_id")
    quizzes = Quiz.objects.filter(
        course_id=course_class.course_id, archived=False, questions__kind=QuestionKind.ESSAY
    ).distinct()
    questions = Question.objects.filter(
        quiz__in=quizzes, kind=QuestionKind.ESSAY, pk__in=list(by_question)
    ).select_related("quiz")
    if chosen.quiz:
        questions = questions.filter(quiz_id=chosen.quiz)
    statuses = [
        ("ungraded", progress["total"] - progress["graded"]),
        ("graded", progress["graded"]),
        ("all", progress["total"]),
    ]
    return Queue(
        answers=chosen.apply(base)
        .select_related("attempt__user", "attempt__quiz", "question__parent")
        .order_by(*ORDER, "id"),
        graded=progress["graded"],
        total=progress["total"],
        late=late,
        quizzes=[
            Option(q.pk, q.title, by_quiz.get(q.pk, 0), q.pk == chosen.quiz)
            for q in quizzes.order_by("order", "id")
        ],
        questions=[
            Option(q.pk, _question_label(q), by_question.get(q.pk, 0), q.pk == chosen.question)
            for q in questions.order_by("quiz__order", "quiz_id", "order")
        ],
        sections=[
            Option(s.pk, s.name, by_section.get(s.pk, 0), s.pk == chosen.section) for s in sections
        ],
        statuses=[
            Option(key, STATUSES[key], count, key == chosen.status) for key, count in statuses
        ],
    )


def _counts(answers: QuerySet[Response], key: str) -> dict[int, int]:
    rows = answers.order_by().values(key).annotate(n=Count("id"))
    return {row[key]: row["n"] for row in rows}


def _question_label(question: Question) -> str:
    return f"{question.quiz.title}: {question.title or question.prompt[:50]}"


def next_to_grade(answers: QuerySet[Response], after: Response) -> int | None:
    """The next answer without a score after `after` in queue order, wrapping round to
    the first one; None when every answer of the filtered queue is graded."""
    rows = list(answers.order_by(*ORDER, "id").values_list("pk", "score"))
    ids = [pk for pk, _ in rows]
    start = ids.index(after.pk) + 1 if after.pk in ids else 0
    for pk, score in rows[start:] + rows[:start]:
        if score is None and pk != after.pk:
            return pk
    return None


@dataclass
class Progress:
    graded: int
    total: int


def grading_progress(answers: QuerySet[Response]) -> Progress:
    """How many of `answers` have a score ("12 of 40 graded"), in one query."""
    row = answers.aggregate(graded=Count("id", filter=Q(score__isnull=False)), total=Count("id"))
    return Progress(row["graded"], row["total"])


def answer_view(answer: Response) -> QuestionView:
    """One answer laid out as the result page lays it out (choices, feedback, rubric)."""
    question = answer.question
    choices = list(question.choices.order_by("order", "id"))
    view = QuestionView(question, "", choices, answer, reveal=True)
    if question.is_auto_graded:
        view.feedback = grading.grade(question, choices, answer.answer).feedback
    return view


def quizzes_to_release(course_class: CourseClass) -> QuerySet[Quiz]:
    """The course's quizzes, each with `unreleased`: the class's answers a person graded
    that the students do not see yet (one query)."""
    students = Enrollment.objects.filter(course_class=course_class).values("user")
    hidden = Q(
        attempts__user__in=students,
        attempts__responses__graded_at__isnull=False,
        attempts__responses__released_at__isnull=True,
    )
    return (
        Quiz.objects.filter(course_id=course_class.course_id, archived=False)
        .annotate(unreleased=Count("attempts__responses", filter=hidden))
        .order_by("order", "id")
    )
