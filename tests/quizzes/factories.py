"""Quizzes made by the real services: bundles with a quizzes/ section, imported."""

from __future__ import annotations

from decimal import Decimal

from course.services import course_import_bundle
from quizzes.bundle_items import BundleChoice, BundleQuestion, BundleQuiz
from quizzes.models import Quiz
from tests.factories import make_bundle


def single(key: str = "single-q", correct: str = "b") -> BundleQuestion:
    return BundleQuestion(
        key=key,
        kind="single",
        prompt=f"Pick {correct} ({key})",
        explanation=f"SECRET-EXPLANATION {key}",
        choices=[
            BundleChoice(k, f"Option {k}", k == correct, feedback=f"SECRET-FEEDBACK {key} {k}")
            for k in "abc"
        ],
    )


def multiple(key: str = "multi-q") -> BundleQuestion:
    return BundleQuestion(
        key=key,
        kind="multiple",
        prompt="Pick a and b",
        choices=[
            BundleChoice("a", "A", True),
            BundleChoice("b", "B", True),
            BundleChoice("c", "C", False),
            BundleChoice("d", "D", False),
        ],
    )


def short(key: str = "short-q") -> BundleQuestion:
    return BundleQuestion(
        key=key,
        kind="short",
        prompt="Name the law",
        choices=[BundleChoice("a", "Goodhart's law", True), BundleChoice("b", "Goodhart", True)],
    )


def numeric(key: str = "numeric-q") -> BundleQuestion:
    return BundleQuestion(
        key=key,
        kind="numeric",
        prompt="sigmoid(2)?",
        choices=[BundleChoice("a", "0.88", True, tolerance=0.01)],
    )


def essay(key: str = "essay-q") -> BundleQuestion:
    return BundleQuestion(
        key=key,
        kind="essay",
        prompt="Explain",
        points=Decimal(3),
        rubric=[
            {
                "criterion": "Clear",
                "levels": [
                    {"points": 0, "description": "No"},
                    {"points": 3, "description": "Yes"},
                ],
            }
        ],
        reference_answer="SECRET-REFERENCE",
    )


def true_false(key: str = "tf-q", answer: bool = True) -> BundleQuestion:
    return BundleQuestion(
        key=key,
        kind="true-false",
        prompt="True?",
        choices=[BundleChoice("true", "True", answer), BundleChoice("false", "False", not answer)],
    )


def scenario(key: str = "scenario-q") -> BundleQuestion:
    return BundleQuestion(
        key=key,
        kind="scenario",
        prompt="A scenario",
        points=Decimal(4),
        parts=[single(f"{key}-part-1", "a"), essay(f"{key}-part-2")],
    )


def make_quiz(
    key: str = "check",
    questions: list[BundleQuestion] | None = None,
    *,
    course_slug: str = "demo-course",
    lesson: str | None = "m1-lesson-1",
    **settings,
) -> Quiz:
    """Import a course (make_bundle) with one quiz; settings are BundleQuiz fields."""
    bundle = make_bundle(course_slug)
    quiz = BundleQuiz(
        key=key,
        title=f"Quiz {key}",
        lesson=lesson,
        questions=questions if questions is not None else [single(), multiple(), short()],
        **settings,
    )
    bundle.sections["quizzes"] = [quiz]
    course = course_import_bundle(bundle=bundle).course
    return Quiz.objects.get(course=course, key=key)


def field_names(quiz: Quiz) -> dict[str, int]:
    """question key -> id, for building form posts."""
    return dict(quiz.questions.values_list("key", "id"))
