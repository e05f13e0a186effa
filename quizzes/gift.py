"""Moodle's GIFT format, read into bundle questions.

Supported: multiple choice (single answer, and multiple answers via ~%n% weights),
true/false, short answer, numerical (value:tolerance, min..max, several weighted
answers), essay ({}), per-answer feedback (#), general feedback (####), titles (::t::),
comments (//), $CATEGORY lines, [html]/[markdown]/[plain]/[moodle] markers and escapes.

Not supported, and reported by name and line instead of being misread: matching
(`=a -> b`), missing word / embedded answers (text after the answer block) and
descriptions (no answer block).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.html import strip_tags

from quizzes.bundle_items import BundleChoice, BundleQuestion
from quizzes.question_parsing import ParsedFile, QuestionFileError, Unsupported, make_key

_FORMAT_RE = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT_RE = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_ESCAPES = {"~": "~", "=": "=", "#": "#", "{": "{", "}": "}", ":": ":", "n": "\n", "\\": "\\"}


@dataclass
class _Chunk:
    text: str
    line: int  # first line of the chunk in the file
    line_starts: list[int]  # character offset of each line within `text`

    def line_at(self, offset: int) -> int:
        index = 0
        for i, start in enumerate(self.line_starts):
            if start <= offset:
                index = i
        return self.line + index


def parse_gift(text: str, stem: str = "q") -> ParsedFile:
    parsed = ParsedFile()
    for chunk in _chunks(text):
        question = _parse_chunk(chunk, parsed, stem)
        if question is not None:
            parsed.questions.append(question)
    return parsed


def _chunks(text: str) -> list[_Chunk]:
    """Questions are separated by blank lines; comment lines are dropped."""
    chunks: list[_Chunk] = []
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        stripped = raw.strip()
        if stripped.startswith("//"):
            continue
        if not stripped:
            if lines:
                chunks.append(_make_chunk(lines))
                lines = []
            continue
        if stripped.upper().startswith("$CATEGORY:") and not lines:
            continue
        lines.append((number, raw.rstrip()))
    if lines:
        chunks.append(_make_chunk(lines))
    return chunks


def _make_chunk(lines: list[tuple[int, str]]) -> _Chunk:
    starts, offset = [], 0
    for _, line in lines:
        starts.append(offset)
        offset += len(line) + 1
    return _Chunk("\n".join(line for _, line in lines), lines[0][0], starts)


def _find(text: str, target: str, start: int = 0) -> int:
    """Index of the first unescaped `target` at or after `start`, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(target, i):
            return i
        i += 1
    return -1


def _split(text: str, marks: str) -> list[tuple[str, str]]:
    """Split on unescaped characters in `marks`: [(mark, piece)], the first mark ''."""
    pieces: list[tuple[str, str]] = []
    mark, start, i = "", 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in marks:
            pieces.append((mark, text[start:i]))
            mark, start = text[i], i + 1
        i += 1
    pieces.append((mark, text[start:]))
    return pieces


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPES:
            out.append(_ESCAPES[text[i + 1]])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out).strip()


def _parse_chunk(chunk: _Chunk, parsed: ParsedFile, stem: str) -> BundleQuestion | None:
    text = chunk.text
    title = ""
    body_start = 0
    if text.startswith("::"):
        end = _find(text, "::", 2)
        if end == -1:
            raise QuestionFileError(chunk.line, "the title opened with '::' is never closed")
        title = unescape(text[2:end])
        body_start = end + 2
    body = text[body_start:].lstrip()
    body_start = len(text) - len(body)
    marker = _FORMAT_RE.match(body)
    is_html = marker is not None and marker.group(1).lower() in ("html", "moodle")
    body = _FORMAT_RE.sub("", body, count=1)
    body_start = len(text) - len(body)
    open_at = _find(body, "{")
    name = title or unescape(body[: open_at if open_at >= 0 else len(body)])[:60]
    if open_at == -1:
        parsed.unsupported.append(Unsupported(chunk.line, name, "description (no answer block)"))
        return None
    close_at = _find(body, "}", open_at + 1)
    if close_at == -1:
        line = chunk.line_at(body_start + open_at)
        raise QuestionFileError(line, "the answer block opened with '{' is never closed with '}'")
    if _find(body, "{", close_at + 1) != -1 or _find(body, "}", close_at + 1) != -1:
        line = chunk.line_at(body_start + close_at + 1)
        parsed.unsupported.append(Unsupported(line, name, "embedded answers (several blocks)"))
        return None
    prompt = unescape(body[:open_at])
    after = unescape(body[close_at + 1 :])
    block = body[open_at + 1 : close_at]
    line = chunk.line_at(body_start + open_at)
    if after:
        parsed.unsupported.append(Unsupported(chunk.line, name, "missing word (embedded answer)"))
        return None
    if not prompt:
        raise QuestionFileError(chunk.line, "a question needs text before its answer block")
    general = ""
    general_at = _find(block, "####")
    if general_at != -1:
        general = unescape(block[general_at + 4 :])
        block = block[:general_at]
    question = _parse_block(block.strip(), line, name, parsed)
    if question is None:
        return None
    question.key = make_key(title, stem, chunk.line)
    question.title = title
    # Question text is Markdown here, where raw HTML would show as tags: keep the words.
    question.prompt = _html_to_text(prompt) if is_html else prompt
    question.explanation = _html_to_text(general) if is_html else general
    return question


def _parse_block(block: str, line: int, name: str, parsed: ParsedFile) -> BundleQuestion | None:
    if not block:
        return BundleQuestion(key="", kind="essay", prompt="")
    head = _split(block, "#")
    keyword = head[0][1].strip().upper()
    if keyword in ("T", "F", "TRUE", "FALSE"):
        return _true_false(keyword.startswith("T"), [unescape(p) for _, p in head[1:]], line)
    if block.startswith("#"):
        return _numeric(block[1:], line)
    answers = _split(block, "=~")
    if answers[0][1].strip():
        raise QuestionFileError(
            line, f"unexpected text '{answers[0][1].strip()[:30]}' before the first = or ~ answer"
        )
    answers = answers[1:]
    if not answers:
        raise QuestionFileError(line, "the answer block has no answers (= right, ~ wrong)")
    if any(mark == "=" and _find(piece, "->") != -1 for mark, piece in answers):
        parsed.unsupported.append(Unsupported(line, name, "matching"))
        return None
    if all(mark == "=" for mark, _ in answers):
        return _short(answers, line)
    return _choice(answers, line)


def _answer_parts(piece: str, line: int) -> tuple[Decimal | None, str, str]:
    """'%50%text#feedback' -> (weight, text, feedback)."""
    parts = _split(piece, "#")
    text = parts[0][1].strip()
    feedback = unescape("#".join(p for _, p in parts[1:]))
    weight = None
    match = _WEIGHT_RE.match(text)
    if match:
        weight = Decimal(match.group(1))
        if not -100 <= weight <= 100:
            raise QuestionFileError(line, f"the weight {weight}% is outside -100..100")
        text = text[match.end() :]
    text = unescape(text)
    if not text:
        raise QuestionFileError(line, "an answer is empty")
    return weight, text, feedback


def _true_false(answer: bool, feedbacks: list[str], line: int) -> BundleQuestion:
    if len(feedbacks) > 2:
        raise QuestionFileError(line, "a true/false answer takes at most two # feedbacks")
    wrong = feedbacks[0] if feedbacks else ""
    right = feedbacks[1] if len(feedbacks) > 1 else ""
    # Moodle shows the first feedback for a wrong answer, the second for a right one.
    return BundleQuestion(
        key="",
        kind="true-false",
        prompt="",
        choices=[
            BundleChoice("true", "True", answer, feedback=right if answer else wrong),
            BundleChoice("false", "False", not answer, feedback=wrong if answer else right),
        ],
    )


def _short(answers: list[tuple[str, str]], line: int) -> BundleQuestion:
    choices = []
    for index, (_, piece) in enumerate(answers):
        weight, text, feedback = _answer_parts(piece, line)
        choices.append(
            BundleChoice(
                key=_letter(index),
                text=text,
                correct=True,
                weight=None if weight in (None, Decimal(100)) else weight,
                feedback=feedback,
            )
        )
    return BundleQuestion(key="", kind="short", prompt="", choices=choices)


def _choice(answers: list[tuple[str, str]], line: int) -> BundleQuestion:
    parsed = [(mark, *_answer_parts(piece, line)) for mark, piece in answers]
    right = [p for p in parsed if p[0] == "="]
    positive = [p for p in parsed if p[0] == "~" and p[1] is not None and p[1] > 0]
    if right and positive:
        raise QuestionFileError(line, "mix of = answers and ~%n% weights: use one or the other")
    if len(right) > 1:
        raise QuestionFileError(
            line, "several = answers among ~ choices: weight them (~%50%) for multiple answers"
        )
    multiple = bool(positive)
    if multiple and abs(sum(p[1] for p in positive) - 100) > 1:
        raise QuestionFileError(line, "the positive ~%n% weights must add up to 100")
    if not right and not multiple:
        raise QuestionFileError(line, "a multiple-choice question needs a = right answer")
    choices = []
    for index, (mark, weight, text, feedback) in enumerate(parsed):
        correct = mark == "=" or (weight is not None and weight > 0)
        choices.append(
            BundleChoice(
                key=_letter(index),
                text=text,
                correct=correct,
                weight=weight if multiple else (None if weight in (None, Decimal(0)) else weight),
                feedback=feedback,
            )
        )
    return BundleQuestion(
        key="", kind="multiple" if multiple else "single", prompt="", choices=choices
    )


def _numeric(block: str, line: int) -> BundleQuestion:
    block = block.strip()
    pieces = _split(block, "=~")
    if pieces[0][1].strip() and len(pieces) == 1:
        entries = [("=", pieces[0][1])]
    elif pieces[0][1].strip():
        raise QuestionFileError(line, "unexpected text before the first = numeric answer")
    else:
        entries = pieces[1:]
    choices = []
    for index, (mark, piece) in enumerate(entries):
        if mark == "~":
            continue  # a wrong numeric answer only carries feedback; nothing to grade
        weight, text, feedback = _answer_parts(piece, line)
        value, tolerance = _number_and_tolerance(text, line)
        choices.append(
            BundleChoice(
                key=_letter(index),
                text=value,
                correct=True,
                weight=None if weight in (None, Decimal(100)) else weight,
                tolerance=tolerance,
                feedback=feedback,
            )
        )
    if not choices:
        raise QuestionFileError(line, "a numerical question needs at least one = answer")
    return BundleQuestion(key="", kind="numeric", prompt="", choices=choices)


def _number_and_tolerance(text: str, line: int) -> tuple[str, float | None]:
    try:
        if ".." in text:
            low, high = (Decimal(part.strip()) for part in text.split("..", 1))
            if low > high:
                raise QuestionFileError(line, f"the range {text} runs backwards")
            return str((low + high) / 2), float((high - low) / 2)
        if ":" in text:
            value, tolerance = (Decimal(part.strip()) for part in text.split(":", 1))
            return str(value), float(abs(tolerance))
        return str(Decimal(text.strip())), None
    except InvalidOperation:
        raise QuestionFileError(line, f"'{text}' is not a number (or number:tolerance)") from None


def _html_to_text(text: str) -> str:
    text = re.sub(r"(?i)<br\s*/?>|</p>", "\n\n", text)
    return re.sub(r"\n{3,}", "\n\n", html.unescape(strip_tags(text))).strip()


def _letter(index: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[index % 26] + ("" if index < 26 else str(index))
