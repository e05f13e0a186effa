"""A quiz as files describe it (a course bundle's YAML; a GIFT, Aiken, Moodle XML or
Canvas QTI file): plain data that the bundle reader, the parsers and the services share."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class BundleChoice:
    key: str
    text: str
    correct: bool = False
    weight: Decimal | None = None
    tolerance: float | None = None
    feedback: str = ""


@dataclass
class BundleQuestion:
    key: str
    kind: str
    prompt: str
    title: str = ""
    points: Decimal = Decimal(1)
    explanation: str = ""
    choices: list[BundleChoice] = field(default_factory=list)
    rubric: list[dict] = field(default_factory=list)
    reference_answer: str = ""
    parts: list[BundleQuestion] = field(default_factory=list)
    category: str = ""  # where a question file filed it (reported, not stored)


@dataclass
class BundleQuiz:
    key: str
    title: str
    lesson: str | None = None
    intro: str = ""
    attempts: int = 0
    time_limit: int | None = None
    grading: str = "highest"
    feedback: str = "after-submission"
    release: str = "on-grading"
    anonymous: bool = False
    published: bool = True
    questions: list[BundleQuestion] = field(default_factory=list)
