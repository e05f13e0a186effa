"""What every question-file parser (GIFT, Aiken) returns and raises."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.text import slugify


class QuestionFileError(Exception):
    """A malformed question file, located by line. Nothing of the file is imported."""

    def __init__(self, line: int | None, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class Unsupported:
    line: int
    name: str
    kind: str

    def __str__(self) -> str:
        return f"line {self.line}: '{self.name}' is a {self.kind} question, which this app has not"


@dataclass
class ParsedFile:
    questions: list = field(default_factory=list)
    unsupported: list[Unsupported] = field(default_factory=list)


def make_key(title: str, stem: str, line: int) -> str:
    base = slugify(title)[:60].strip("-") if title else ""
    return base or f"{slugify(stem)[:40].strip('-') or 'q'}-line-{line}"
