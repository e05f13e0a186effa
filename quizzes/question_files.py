"""Question files from other systems (GIFT, Aiken): one entry point for the bundle, the
`import_questions` command and the admin upload page."""

from __future__ import annotations

from pathlib import PurePath

from quizzes.aiken import parse_aiken
from quizzes.gift import parse_gift
from quizzes.question_parsing import ParsedFile, QuestionFileError

__all__ = ["FORMATS", "ParsedFile", "QuestionFileError", "parse_question_file"]

FORMATS = {".gift": "gift", ".aiken": "aiken", ".txt": "aiken"}


def parse_question_file(
    text: str, filename: str, *, file_format: str | None = None, allow_unsupported: bool = False
) -> ParsedFile:
    """Parse a GIFT or Aiken file (format from the name unless given).

    Questions of a type this app lacks are refused, each named with its line, unless
    `allow_unsupported`, in which case they are left out and listed in `unsupported`.
    """
    path = PurePath(filename)
    file_format = file_format or FORMATS.get(path.suffix.lower())
    if file_format not in ("gift", "aiken"):
        raise QuestionFileError(None, f"'{filename}': give a .gift or .aiken (or .txt) file")
    parse = parse_gift if file_format == "gift" else parse_aiken
    parsed = parse(text.lstrip("\ufeff"), path.stem)
    if parsed.unsupported and not allow_unsupported:
        first = parsed.unsupported[0]
        others = "; ".join(str(item) for item in parsed.unsupported)
        raise QuestionFileError(first.line, f"not imported: {others}")
    if not parsed.questions:
        raise QuestionFileError(None, "the file holds no questions")
    keys: set[str] = set()
    for question in parsed.questions:
        if question.key in keys:
            n = 2
            while f"{question.key}-{n}" in keys:
                n += 1
            question.key = f"{question.key}-{n}"
        keys.add(question.key)
    return parsed
