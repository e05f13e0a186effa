"""Grading one answer, and combining attempts into a grade. Plain functions, no database.

Answers are JSON the attempt page posts:
single/true-false {"choice": key}; multiple {"choices": [keys]};
short/numeric/essay {"text": "..."}.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from quizzes.models import GradingMethod, QuestionKind

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Outcome:
    """The result of grading one answer: a fraction of the points (None: a person grades)."""

    fraction: Decimal | None
    feedback: list[str]

    def score(self, points: Decimal) -> Decimal | None:
        if self.fraction is None:
            return None
        return (points * self.fraction).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def fold_text(value: str) -> str:
    """Case-, accent-width- and whitespace-insensitive form for short answers."""
    value = unicodedata.normalize("NFKC", value).casefold()
    return re.sub(r"\s+", " ", value).strip()


def matches_short_answer(given: str, accepted: str) -> bool:
    """Moodle's short-answer rule: `*` in an accepted answer stands for any characters
    (a backslashed star is a star); case, width and spacing are folded on both sides.

    Stars alone need no backtracking: the pieces between them are found in order, each
    as early as it can be, so a long answer cannot make this slow (no regex)."""
    given = fold_text(given)
    parts = [part.replace("\\*", "*") for part in re.split(r"(?<!\\)\*+", accepted)]
    if len(parts) == 1:
        return given == fold_text(parts[0])
    first, *middle, last = (_fold_spaces(part) for part in parts)
    first, last = first.lstrip(), last.rstrip()
    if len(given) < len(first) + len(last):
        return False
    if not (given.startswith(first) and given.endswith(last)):
        return False
    position, end = len(first), len(given) - len(last)
    for piece in middle:
        found = given.find(piece, position, end)
        if found == -1:
            return False
        position = found + len(piece)
    return True


def _fold_spaces(value: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value).casefold())


def parse_number(value: str) -> float | None:
    """A number as people type it: "1,000.5", "0,5" (decimal comma) or "2e-3"."""
    text = re.sub(r"\s+", "", value)
    text = text.replace(",", "") if "." in text else text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def choice_fractions(choices: Sequence) -> dict[str, Decimal]:
    """The fraction each choice is worth when selected.

    Explicit weights (GIFT's ~%50%) are used as given. Otherwise, in a multiple select,
    each correct choice is worth 1/n_correct and each wrong one costs as much (Canvas's
    partial credit), so ticking everything is not a strategy.
    """
    if any(choice.weight is not None for choice in choices):
        return {c.key: Decimal(c.weight or 0) / 100 for c in choices}
    n_correct = sum(1 for c in choices if c.correct) or 1
    share = Decimal(1) / n_correct
    return {c.key: share if c.correct else -share for c in choices}


def grade(question, choices: Sequence, answer: dict) -> Outcome:
    """Grade `answer` to `question`, whose choices (options or accepted answers) are given."""
    kind = question.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE):
        picked = next((c for c in choices if c.key == answer.get("choice")), None)
        if picked is None:
            return Outcome(Decimal(0), [])
        fraction = Decimal(picked.weight) / 100 if picked.weight is not None else None
        if fraction is None:
            fraction = Decimal(1) if picked.correct else Decimal(0)
        return Outcome(max(fraction, Decimal(0)), _nonblank([picked.feedback]))
    if kind == QuestionKind.MULTIPLE:
        selected = set(answer.get("choices") or [])
        fractions = choice_fractions(choices)
        total = sum((fractions[c.key] for c in choices if c.key in selected), Decimal(0))
        fraction = min(max(total, Decimal(0)), Decimal(1))
        return Outcome(fraction, _nonblank(c.feedback for c in choices if c.key in selected))
    if kind == QuestionKind.SHORT:
        given = fold_text(str(answer.get("text", "")))
        for accepted in choices:  # the first that matches, as Moodle does
            if given and matches_short_answer(given, accepted.text):
                return Outcome(_answer_fraction(accepted), _nonblank([accepted.feedback]))
        return Outcome(Decimal(0), [])
    if kind == QuestionKind.NUMERIC:
        number = parse_number(str(answer.get("text", "")))
        if number is None:
            return Outcome(Decimal(0), [])
        best = None
        for accepted in sorted(choices, key=_answer_fraction, reverse=True):
            if accepted.text.strip() == "*":  # any other number (Moodle's catch-all)
                best = accepted
                break
            target = float(accepted.text)
            if abs(number - target) <= (accepted.tolerance or 0) + 1e-12:
                best = accepted
                break
        if best is None:
            return Outcome(Decimal(0), [])
        return Outcome(_answer_fraction(best), _nonblank([best.feedback]))
    return Outcome(None, [])  # essays: graded by a person against the rubric


def _answer_fraction(choice) -> Decimal:
    """An accepted short or numeric answer is worth full points unless weighted."""
    if choice.weight is not None:
        return max(Decimal(choice.weight) / 100, Decimal(0))
    return Decimal(1)


def _nonblank(texts: Iterable[str]) -> list[str]:
    return [text for text in texts if text and text.strip()]


def is_answered(answer: dict) -> bool:
    if "choices" in answer:
        return bool(answer["choices"])
    return bool(str(answer.get("choice") or answer.get("text") or "").strip())


def rubric_points(rubric: list) -> Decimal:
    """The most a rubric awards: the best level of every criterion."""
    return sum(
        (
            max(Decimal(str(level["points"])) for level in criterion["levels"])
            for criterion in rubric
        ),
        Decimal(0),
    )


def combine_attempts(method: str, scores: Sequence[Decimal | None]) -> Decimal | None:
    """The quiz grade from finished attempts' scores, in attempt order.

    An attempt still waiting for a grader (None) leaves the grade pending when it matters:
    always for average, and for first/last when it is that attempt.
    """
    if not scores:
        return None
    if method == GradingMethod.FIRST:
        return scores[0]
    if method == GradingMethod.LAST:
        return scores[-1]
    known = [score for score in scores if score is not None]
    if method == GradingMethod.HIGHEST:
        return max(known) if known else None
    if len(known) != len(scores):
        return None
    return (sum(known, Decimal(0)) / len(known)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
