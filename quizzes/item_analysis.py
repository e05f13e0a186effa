"""Item analysis of a quiz from its finished, fully graded attempts: each question's
facility (mean fraction of its points), discrimination (the correlation of its score
with the rest of the attempt's score, as Moodle's discrimination index), how often each
option was chosen, and the test's Cronbach's alpha. The statistics are plain functions
of a score table; `quiz_item_analysis` reads the table from the database."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet

from quizzes.models import AttemptState, Choice, Question, Quiz, Response


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def _variance(values: Sequence[float]) -> float:
    """Population variance (what Cronbach's alpha needs; its ratio is the same either way)."""
    mean = _mean(values)
    return sum((value - mean) ** 2 for value in values) / len(values)


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None when either side does not vary (or fewer than two values)."""
    if len(xs) < 2:
        return None
    mx, my = _mean(xs), _mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def facility(scores: Sequence[float], points: float) -> float | None:
    """Mean fraction of the item's points (1: everybody got it all)."""
    if not scores or not points:
        return None
    return _mean(scores) / points


def discrimination(table: Sequence[Sequence[float]], item: int) -> float | None:
    """The item's score against the rest of the attempt's score (the item left out)."""
    item_scores = [row[item] for row in table]
    rest = [sum(row) - row[item] for row in table]
    return correlation(item_scores, rest)


def cronbach_alpha(table: Sequence[Sequence[float]]) -> float | None:
    """k/(k-1) x (1 - sum of item variances / variance of the totals); None with fewer
    than two items, two attempts, or totals that do not vary."""
    if len(table) < 2 or len(table[0]) < 2:
        return None
    k = len(table[0])
    totals = [sum(row) for row in table]
    total_variance = _variance(totals)
    if total_variance == 0:
        return None
    item_variances = sum(_variance([row[i] for row in table]) for i in range(k))
    return k / (k - 1) * (1 - item_variances / total_variance)


@dataclass
class OptionCount:
    choice: Choice
    count: int
    share: float


@dataclass
class ItemRow:
    question: Question
    facility: float | None
    discrimination: float | None
    options: list[OptionCount] = field(default_factory=list)


@dataclass
class ItemAnalysis:
    attempts: int
    items: list[ItemRow]
    alpha: float | None


def quiz_item_analysis(quiz: Quiz, students: QuerySet) -> ItemAnalysis:
    """The analysis over the submitted, fully graded attempts of `students` (a subquery of
    user ids) at `quiz`, every attempt counted. Three queries."""
    questions = list(
        Question.objects.filter(quiz=quiz, archived=False)
        .exclude(kind__in=["scenario", "description"])
        .prefetch_related("choices")
        .order_by("order", "id")
    )
    rows: dict[int, dict[int, Response]] = {}
    responses = Response.objects.filter(
        attempt__quiz=quiz,
        attempt__user__in=students,
        attempt__state=AttemptState.SUBMITTED,
        attempt__needs_grading=False,
        question__in=questions,
    ).only("attempt_id", "question_id", "score", "answer")
    for response in responses:
        rows.setdefault(response.attempt_id, {})[response.question_id] = response
    table = [
        [float(answers[q.pk].score or 0) if q.pk in answers else 0.0 for q in questions]
        for answers in rows.values()
    ]
    items = []
    for i, question in enumerate(questions):
        scores = [row[i] for row in table]
        item = ItemRow(
            question,
            facility(scores, float(question.points)),
            discrimination(table, i) if table else None,
        )
        if question.is_choice:
            item.options = _options(
                question, [answers.get(question.pk) for answers in rows.values()]
            )
        items.append(item)
    return ItemAnalysis(attempts=len(table), items=items, alpha=cronbach_alpha(table))


def _options(question: Question, responses: list[Response | None]) -> list[OptionCount]:
    chosen: Counter[str] = Counter()
    for response in responses:
        answer = response.answer if response else {}
        chosen.update(answer.get("choices") or [])
        if answer.get("choice"):
            chosen[answer["choice"]] += 1
    total = len(responses) or 1
    return [
        OptionCount(choice, chosen[choice.key], chosen[choice.key] / total)
        for choice in question.choices.all()
    ]
