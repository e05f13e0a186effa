"""What every question-file parser (GIFT, Aiken, Moodle XML, Canvas QTI) returns and
raises, and the limits every file is held to before it is parsed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.text import slugify

# A question bank of a thousand questions is well under these; a file over them is
# refused before it is parsed, so one upload cannot hold a web worker for long.
MAX_TEXT_BYTES = 2 * 1024 * 1024  # a GIFT, Aiken or XML file
MAX_ZIP_BYTES = 5 * 1024 * 1024  # a Canvas QTI zip, as uploaded
MAX_UNZIPPED_BYTES = 20 * 1024 * 1024  # what its XML files hold once unpacked
MAX_QUESTIONS = 1000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class QuestionFileError(Exception):
    """A malformed question file, located by line. Nothing of the file is imported."""

    def __init__(self, line: int | None, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class Unsupported:
    """A question left out: named, placed (a line, or `where`: "item 3") and why."""

    line: int | None
    name: str
    kind: str
    reason: str = ""
    where: str = ""

    @property
    def position(self) -> str:
        return self.where or (f"line {self.line}" if self.line else "")

    def __str__(self) -> str:
        article = "an" if self.kind[:1].lower() in "aeiou" else "a"
        why = self.reason or f"is {article} {self.kind} question, which this app has not"
        return f"{self.position}: '{self.name}' {why}"


@dataclass
class ParsedFile:
    questions: list = field(default_factory=list)
    unsupported: list[Unsupported] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # kept, but not quite as written
    file_format: str = ""  # the format it was read as (question_files.FORMATS)

    @property
    def categories(self) -> dict[str, int]:
        """Each category the file names ($CATEGORY, Moodle's category, Canvas's quiz
        title), with how many of the imported questions it holds."""
        counts: dict[str, int] = {}
        for question in self.questions:
            if question.category:
                counts[question.category] = counts.get(question.category, 0) + 1
        return counts


def category_name(path: str) -> str:
    """A Moodle category path without its context and top: '$course$/top/Quiz 1' -> 'Quiz 1'."""
    path = re.sub(r"^\$(course|system|module|coursecategory|cat\d*)\$/", "", path.strip())
    return re.sub(r"^top(/|$)", "", path).strip() or path.strip()


def make_key(title: str, stem: str, line: int) -> str:
    base = slugify(title)[:60].strip("-") if title else ""
    return base or f"{slugify(stem)[:40].strip('-') or 'q'}-line-{line}"


def decode_text(data: bytes, what: str = "the file") -> str:
    """UTF-8 text within the size limit, or a QuestionFileError saying what it is instead."""
    if len(data) > MAX_TEXT_BYTES:
        raise QuestionFileError(
            None, f"{what} is {_size(len(data))}; the limit is {_size(MAX_TEXT_BYTES)}"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise QuestionFileError(None, f"{what} is UTF-16; save it as UTF-8 and upload it again")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise QuestionFileError(
            line, f"{what} is not UTF-8 text (a binary file, or another encoding)"
        ) from None
    control = _CONTROL.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        name = "a NUL byte" if control.group() == "\x00" else "a control character"
        raise QuestionFileError(line, f"{what} holds {name}: it is not a text file")
    return text.lstrip("\ufeff")


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"
