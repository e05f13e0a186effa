"""Question files from other systems: one entry point for the bundle, the
`import_questions` command and the admin import page.

Formats: GIFT and Aiken (text), Moodle XML, Canvas QTI (its export zip, or one of its
XML files). The format is the one asked for, else the file's name says it (`.gift`,
`.aiken`, `.xml`, `.zip`), else, for a name that does not settle it (`.txt`,
`questions.gift.txt`, no suffix), the content does.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from quizzes.aiken import parse_aiken
from quizzes.gift import parse_gift
from quizzes.moodle_xml import parse_moodle_xml
from quizzes.qti import parse_qti_xml, parse_qti_zip
from quizzes.question_parsing import (
    MAX_QUESTIONS,
    MAX_TEXT_BYTES,
    MAX_ZIP_BYTES,
    ParsedFile,
    QuestionFileError,
    decode_text,
)

__all__ = [
    "FORMATS",
    "ParsedFile",
    "QuestionFileError",
    "detect_format",
    "parse_question_file",
    "read_question_file",
]

FORMATS = {
    "gift": "GIFT (Moodle)",
    "aiken": "Aiken (Moodle)",
    "moodle-xml": "Moodle XML",
    "qti": "Canvas QTI (export zip or its XML)",
}
_BY_SUFFIX = {".gift": "gift", ".aiken": "aiken", ".zip": "qti", ".imscc": "qti"}
_ZIP_MAGIC = b"PK\x03\x04"
_AIKEN_ANSWER = re.compile(r"^\s*ANSWER\s*:\s*[A-Za-z]\s*$", re.MULTILINE)
_GIFT_MARKS = re.compile(r"(?<!\\)\{[^{}]*(?<!\\)\}|^\s*::|^\s*\$CATEGORY:|^\s*//", re.MULTILINE)


def detect_format(data: bytes, filename: str) -> str:
    """The format of a file, from its name where that settles it, else from its content."""
    if data.startswith(_ZIP_MAGIC):
        return "qti"
    suffixes = [suffix.lower() for suffix in PurePath(filename).suffixes]
    last = suffixes[-1] if suffixes else ""
    if last in _BY_SUFFIX:
        return _BY_SUFFIX[last]
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "qti" if b"questestinterop" in head else "moodle-xml"
    for suffix in reversed(suffixes):  # questions.gift.txt
        if suffix in (".gift", ".aiken"):
            return _BY_SUFFIX[suffix]
    text = data[:MAX_TEXT_BYTES].decode("utf-8", errors="replace")
    gift = _GIFT_MARKS.search(text) is not None
    aiken = _AIKEN_ANSWER.search(text) is not None
    if gift != aiken:
        return "gift" if gift else "aiken"
    raise QuestionFileError(
        None,
        f"cannot tell the format of '{filename}' from its name or its content; "
        f"choose one ({', '.join(FORMATS.values())})",
    )


def read_question_file(
    data: bytes, filename: str, *, file_format: str | None = None, allow_unsupported: bool = False
) -> ParsedFile:
    """Parse an uploaded question file (bytes: a zip is not text).

    Questions of a type this app lacks are refused, each named with its place, unless
    `allow_unsupported`, in which case they are left out and listed in `unsupported`.
    A malformed, oversized or binary file raises QuestionFileError; nothing is parsed
    half-way.
    """
    if file_format is not None and file_format not in FORMATS:
        raise QuestionFileError(
            None, f"'{file_format}' is not a format here ({', '.join(FORMATS)})"
        )
    limit = MAX_ZIP_BYTES if data.startswith(_ZIP_MAGIC) else MAX_TEXT_BYTES
    if len(data) > limit:
        raise QuestionFileError(
            None,
            f"the file is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{limit // 1024 // 1024} MB. Split the question bank into smaller files.",
        )
    file_format = file_format or detect_format(data, filename)
    stem = PurePath(filename).name.split(".")[0] or "q"
    if file_format == "qti" and data.startswith(_ZIP_MAGIC):
        parsed = parse_qti_zip(data, stem)
    elif data.startswith(_ZIP_MAGIC):
        raise QuestionFileError(None, f"this is a zip file, not {FORMATS[file_format]}")
    else:
        text = decode_text(data)
        if file_format == "qti":
            parsed = parse_qti_xml(text, stem)
        elif file_format == "moodle-xml":
            parsed = parse_moodle_xml(text, stem)
        elif file_format == "gift":
            parsed = parse_gift(text, stem)
        else:
            parsed = parse_aiken(text, stem)
    parsed.file_format = file_format
    return _checked(parsed, allow_unsupported)


def parse_question_file(
    text: str, filename: str, *, file_format: str | None = None, allow_unsupported: bool = False
) -> ParsedFile:
    """Parse a question file already read as text (the course bundle's questions_from)."""
    return read_question_file(
        text.encode("utf-8"), filename, file_format=file_format, allow_unsupported=allow_unsupported
    )


def _checked(parsed: ParsedFile, allow_unsupported: bool) -> ParsedFile:
    if parsed.unsupported and not allow_unsupported:
        first = parsed.unsupported[0]
        others = "; ".join(str(item) for item in parsed.unsupported)
        raise QuestionFileError(first.line, f"not imported: {others}")
    if not parsed.questions:
        raise QuestionFileError(None, "the file holds no questions this app can import")
    if len(parsed.questions) > MAX_QUESTIONS:
        raise QuestionFileError(
            None, f"the file holds {len(parsed.questions)} questions; at most {MAX_QUESTIONS}"
        )
    keys: set[str] = set()
    for question in parsed.questions:
        if question.key in keys:
            n = 2
            while f"{question.key}-{n}" in keys:
                n += 1
            question.key = f"{question.key}-{n}"
        keys.add(question.key)
    return parsed
