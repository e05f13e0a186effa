"""Moodle's GIFT format: read as Moodle reads it, and written so Moodle (and this app) read
it back.

Read: multiple choice (one `=` answer: single choice, `~%50%` partial credit allowed; only
`~%n%` weights: multiple answers), true/false with wrong/right feedback, short answer
(weights, `*` wildcards), numerical (value:tolerance, min..max, several weighted answers,
`~#feedback` for any other number), essay (`{}`), description (no answer block), missing
word (text after the block: the prompt gets a blank), per-answer feedback (`#`), general
feedback (`####`), titles (`::t::`), `//` comments, `$CATEGORY:` lines (reported),
`[html]`/`[moodle]`/`[plain]`/`[markdown]` before any text, and the escapes
`\\~ \\= \\# \\{ \\} \\: \\n \\\\`.

Refused by name and line: matching (`=a -> b`) and several answer blocks in one question
(embedded answers, Cloze); an HTML image whose file GIFT cannot carry.

This app's own addition, ignored by Moodle as a comment: `// [id:key] [points:2]` above a
question keeps its key and points through an export and import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from quizzes.bundle_items import BundleChoice, BundleQuestion, BundleQuiz
from quizzes.grading import choice_fractions
from quizzes.question_parsing import (
    ParsedFile,
    QuestionFileError,
    Unsupported,
    category_name,
    make_key,
)
from quizzes.question_text import ImageNotCarried, plain_words, to_markdown, to_plain

_FORMAT_RE = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT_RE = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
_META_RE = re.compile(r"\[(id|points):\s*([^\]\s]+)\s*\]", re.IGNORECASE)
_ESCAPES = {"~": "~", "=": "=", "#": "#", "{": "{", "}": "}", ":": ":", "n": "\n", "\\": "\\"}
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


@dataclass
class _Chunk:
    text: str
    line: int  # first line of the chunk in the file
    line_starts: list[int]  # character offset of each line within `text`
    category: str = ""
    meta: dict[str, str] = field(default_factory=dict)

    def line_at(self, offset: int) -> int:
        index = 0
        for i, start in enumerate(self.line_starts):
            if start <= offset:
                index = i
        return self.line + index


# --- reading ----------------------------------------------------------------------------


def parse_gift(text: str, stem: str = "q") -> ParsedFile:
    parsed = ParsedFile()
    for chunk in _chunks(text):
        try:
            question = _parse_chunk(chunk, parsed, stem)
        except ImageNotCarried as image:
            name = plain_words(chunk.text.split("{", 1)[0].strip(":")) or "question"
            parsed.unsupported.append(Unsupported(chunk.line, name, "image", reason=str(image)))
            continue
        if question is not None:
            question.category = chunk.category
            parsed.questions.append(question)
    return parsed


def _chunks(text: str) -> list[_Chunk]:
    """Questions are separated by blank lines; `//` lines are comments (this app reads
    `[id:]` and `[points:]` in them); a `$CATEGORY:` line files the questions after it."""
    chunks: list[_Chunk] = []
    lines: list[tuple[int, str]] = []
    category = ""
    meta: dict[str, str] = {}

    def close() -> None:
        nonlocal meta
        if lines:
            chunks.append(_make_chunk(lines, category, meta))
            lines.clear()
            meta = {}

    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        stripped = raw.strip()
        if stripped.startswith("//"):
            meta.update({k.lower(): v for k, v in _META_RE.findall(stripped)})
            continue
        if not stripped:
            close()
            continue
        if stripped.upper().startswith("$CATEGORY:") and not lines:
            category = category_name(stripped[len("$CATEGORY:") :])
            continue
        lines.append((number, raw.rstrip()))
    close()
    return chunks


def _make_chunk(lines: list[tuple[int, str]], category: str, meta: dict[str, str]) -> _Chunk:
    starts, offset = [], 0
    for _, line in lines:
        starts.append(offset)
        offset += len(line) + 1
    text = "\n".join(line for _, line in lines)
    return _Chunk(text, lines[0][0], starts, category, dict(meta))


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


def _rfind(text: str, target: str) -> int:
    """Index of the last unescaped `target`, or -1."""
    found, at = -1, _find(text, target)
    while at != -1:
        found = at
        at = _find(text, target, at + 1)
    return found


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


def _with_format(text: str, default: str) -> tuple[str, str]:
    """('[html]<b>x</b>', default) -> ('html', '<b>x</b>'), escapes undone."""
    match = _FORMAT_RE.match(text)
    if match:
        return match.group(1).lower(), unescape(text[match.end() :])
    return default, unescape(text)


def _parse_chunk(chunk: _Chunk, parsed: ParsedFile, stem: str) -> BundleQuestion | None:
    text = chunk.text
    title = ""
    if text.startswith("::"):
        end = _find(text, "::", 2)
        if end == -1:
            raise QuestionFileError(chunk.line, "the title opened with '::' is never closed")
        title = unescape(text[2:end])
        text_start = end + 2
    else:
        text_start = 0
    body = text[text_start:]
    open_at, close_at = _find(body, "{"), _find(body, "}")
    if close_at != -1 and (open_at == -1 or close_at < open_at):
        line = chunk.line_at(text_start + close_at)
        raise QuestionFileError(line, "'}' closes an answer block that was never opened")
    if open_at != -1 and close_at == -1:
        line = chunk.line_at(text_start + open_at)
        raise QuestionFileError(line, "the answer block opened with '{' is never closed with '}'")
    text_format, _ = _with_format(body, "moodle")
    name = title or plain_words(_with_format(body[: open_at if open_at >= 0 else len(body)], "")[1])
    name = name or "question"
    if open_at == -1:
        return _finish(
            BundleQuestion(key="", kind="description", prompt="", points=Decimal(0)),
            chunk,
            title,
            stem,
            _prompt(body, text_format),
        )
    after = body[close_at + 1 :]
    if _find(after, "{") != -1 or _find(after, "}") != -1:
        line = chunk.line_at(text_start + close_at + 1)
        reason = "has several answer blocks (embedded answers, Cloze), which this app has not"
        parsed.unsupported.append(Unsupported(line, name, "embedded answers", reason=reason))
        return None
    # Moodle: text after the block makes it a "missing word" question, with a blank there.
    before = body[:open_at]
    prompt_source = before + ("_____" + after if after.strip() else "")
    block = body[open_at + 1 : close_at]
    line = chunk.line_at(text_start + open_at)
    general = ""
    general_at = _rfind(block, "####")
    if general_at != -1:
        general = block[general_at + 4 :]
        block = block[:general_at]
    question = _parse_block(block.strip(), line, name, text_format, parsed)
    if question is None:
        return None
    if not unescape(_FORMAT_RE.sub("", prompt_source, count=1)):
        raise QuestionFileError(chunk.line, "a question needs text before its answer block")
    if general.strip():
        general_format, general_text = _with_format(general, text_format)
        question.explanation = to_markdown(general_text, general_format)
    return _finish(question, chunk, title, stem, _prompt(prompt_source, text_format))


def _prompt(source: str, text_format: str) -> str:
    _, text = _with_format(source, text_format)
    return to_markdown(text, text_format)


def _finish(
    question: BundleQuestion, chunk: _Chunk, title: str, stem: str, prompt: str
) -> BundleQuestion:
    question.prompt = prompt
    question.title = title
    key = chunk.meta.get("id", "")
    question.key = make_key(key, stem, chunk.line) if key else make_key(title, stem, chunk.line)
    if "points" in chunk.meta:
        try:
            points = Decimal(chunk.meta["points"])
        except InvalidOperation:
            raise QuestionFileError(
                chunk.line, f"[points:{chunk.meta['points']}] is not a number"
            ) from None
        if not 0 <= points <= 1000:
            raise QuestionFileError(chunk.line, "[points:] must be between 0 and 1000")
        question.points = points
    return question


def _parse_block(
    block: str, line: int, name: str, text_format: str, parsed: ParsedFile
) -> BundleQuestion | None:
    if not block:
        return BundleQuestion(key="", kind="essay", prompt="")
    if block.startswith("#"):
        return _numeric(block[1:], line, text_format)
    if _find(block, "~") != -1:
        return _choice(block, line, text_format)
    if _find(block, "=") != -1 and _find(block, "->") != -1:
        parsed.unsupported.append(Unsupported(line, name, "matching"))
        return None
    head = _split(block, "#")
    keyword = head[0][1].strip().upper()
    if keyword in _TRUE_FALSE:
        feedbacks = [piece for _, piece in head[1:]]
        # Moodle keeps whatever follows a third '#' in the right-answer feedback.
        wrong = feedbacks[0] if feedbacks else ""
        right = "#".join(feedbacks[1:])
        return _true_false(_TRUE_FALSE[keyword], wrong, right, text_format)
    # Moodle: text before the first '=' is an answer too ({answer} is a short answer).
    answers = [(mark, piece) for mark, piece in _split(block, "=") if mark or piece.strip()]
    return _short(answers, line, text_format)


def _answer_parts(piece: str, line: int, text_format: str) -> tuple[Decimal | None, str, str]:
    """'%50%text#feedback' -> (weight, text, feedback), each text in its format."""
    parts = _split(piece, "#")
    text = parts[0][1].strip()
    feedback_source = "#".join(p for _, p in parts[1:])
    weight = None
    match = _WEIGHT_RE.match(text)
    if match:
        weight = Decimal(match.group(1))
        if not -100 <= weight <= 100:
            raise QuestionFileError(line, f"the weight {weight}% is outside -100..100")
        text = text[match.end() :]
    answer_format, answer = _with_format(text, text_format)
    feedback_format, feedback = _with_format(feedback_source, text_format)
    answer = to_plain(answer, answer_format)
    if not answer:
        raise QuestionFileError(line, "an answer is empty")
    return weight, answer, to_plain(feedback, feedback_format)


def _true_false(answer: bool, wrong: str, right: str, text_format: str) -> BundleQuestion:
    wrong = to_plain(*reversed(_with_format(wrong, text_format)))
    right = to_plain(*reversed(_with_format(right, text_format)))
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


def _short(answers: list[tuple[str, str]], line: int, text_format: str) -> BundleQuestion:
    if not answers:
        raise QuestionFileError(line, "the answer block has no answers (= right, ~ wrong)")
    choices = []
    for index, (_, piece) in enumerate(answers):
        weight, text, feedback = _answer_parts(piece, line, text_format)
        weight = None if weight == Decimal(100) else weight
        choices.append(
            BundleChoice(
                key=_letter(index),
                text=text,
                correct=weight is None or weight > 0,
                weight=weight,
                feedback=feedback,
            )
        )
    return BundleQuestion(key="", kind="short", prompt="", choices=choices)


def _choice(block: str, line: int, text_format: str) -> BundleQuestion:
    # Moodle: text before the first mark is a wrong answer.
    answers = [(mark or "~", piece) for mark, piece in _split(block, "=~") if mark or piece.strip()]
    if len(answers) < 2:
        raise QuestionFileError(line, "a multiple-choice question needs at least two answers")
    parsed = [(mark, *_answer_parts(piece, line, text_format)) for mark, piece in answers]
    # Moodle: any '=' answer makes it single choice (partial ~%n% credit allowed);
    # otherwise the ~%n% weights make a multiple-answer question.
    single = any(mark == "=" for mark, *_ in parsed)
    if not single:
        positive = sum((w for _, w, _, _ in parsed if w is not None and w > 0), Decimal(0))
        if positive == 0:
            raise QuestionFileError(
                line, "a multiple-choice question needs a = right answer (or ~%n% weights)"
            )
        if abs(positive - 100) > 1:
            raise QuestionFileError(line, "the positive ~%n% weights must add up to 100")
    choices = []
    first_right = True
    for index, (mark, weight, text, feedback) in enumerate(parsed):
        if single:
            # One choice is "the" right one; further '=' answers earn full credit too.
            correct = mark == "=" and first_right
            first_right = first_right and not correct
            if mark == "=" and not correct:
                weight = Decimal(100)
            elif mark == "=" or weight == 0:
                weight = None
        else:
            correct = weight is not None and weight > 0
        choices.append(BundleChoice(_letter(index), text, correct, weight, feedback=feedback))
    if not single and _default_weights(choices):
        for choice in choices:
            choice.weight = None
    return BundleQuestion(
        key="", kind="single" if single else "multiple", prompt="", choices=choices
    )


def _default_weights(choices: list[BundleChoice]) -> bool:
    """Weights that are exactly this app's default partial credit need not be stored."""
    n_correct = sum(1 for c in choices if c.correct) or 1
    share = Decimal(100) / n_correct
    return all(
        c.weight is not None and abs(c.weight - (share if c.correct else -share)) < Decimal("0.001")
        for c in choices
    )


def _numeric(block: str, line: int, text_format: str) -> BundleQuestion:
    # Moodle: from the first '~' on, the text is feedback for any other number.
    wrong_at = _find(block, "~")
    wrong = block[wrong_at + 1 :] if wrong_at != -1 else None
    block = block[:wrong_at] if wrong_at != -1 else block
    pieces = _split(block, "=")
    entries = [piece for _, piece in pieces if piece.strip()]
    if not entries:
        raise QuestionFileError(line, "a numerical question needs at least one answer")
    choices = []
    for index, piece in enumerate(entries):
        weight, text, feedback = _answer_parts(piece, line, text_format)
        value, tolerance = _number_and_tolerance(text, line)
        weight = None if weight == Decimal(100) else weight
        choices.append(
            BundleChoice(
                key=_letter(index),
                text=value,
                correct=weight is None or weight > 0,
                weight=weight,
                tolerance=tolerance,
                feedback=feedback,
            )
        )
    if wrong is not None:
        parts = _split(wrong, "#")
        feedback_format, feedback = _with_format("#".join(p for _, p in parts[1:]), text_format)
        choices.append(
            BundleChoice(
                key=_letter(len(choices)),
                text="*",
                correct=False,
                weight=Decimal(0),
                feedback=to_plain(feedback, feedback_format),
            )
        )
    return BundleQuestion(key="", kind="numeric", prompt="", choices=choices)


def _number_and_tolerance(text: str, line: int) -> tuple[str, float | None]:
    if text.strip() == "*":
        return "*", None
    try:
        if ".." in text:
            low, high = (Decimal(part.strip()) for part in text.split("..", 1))
            if low > high:
                raise QuestionFileError(line, f"the range {text} runs backwards")
            return _plain_number((low + high) / 2), float((high - low) / 2)
        if ":" in text:
            value, tolerance = (Decimal(part.strip()) for part in text.split(":", 1))
            return _plain_number(value), float(abs(tolerance)) or None
        return _plain_number(Decimal(text.strip())), None
    except InvalidOperation:
        raise QuestionFileError(line, f"'{text}' is not a number (or number:tolerance)") from None


def _plain_number(value: Decimal) -> str:
    if not value.is_finite():
        raise InvalidOperation
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def _letter(index: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[index % 26] + ("" if index < 26 else str(index))


# --- writing ----------------------------------------------------------------------------


def write_gift(quizzes: list[BundleQuiz]) -> tuple[str, list[str]]:
    """The quizzes as one GIFT file (a $CATEGORY per quiz), and notes on what GIFT could
    not carry (rubrics, reference answers, scenario structure)."""
    out: list[str] = []
    notes: list[str] = []
    for quiz in quizzes:
        out.append(f"// {_one_line(quiz.title)} (quiz '{quiz.key}')")
        out.append(f"$CATEGORY: $course$/top/{_one_line(quiz.title)}\n")
        for question in quiz.questions:
            if question.kind == "scenario":
                notes.append(
                    f"'{question.key}': a scenario; GIFT has none, so its text is a "
                    "description followed by its parts"
                )
                description = BundleQuestion(
                    key=question.key,
                    kind="description",
                    prompt=question.prompt,
                    title=question.title,
                    points=Decimal(0),
                )
                out.append(_gift_question(description, notes))
                out.extend(_gift_question(part, notes) for part in question.parts)
            else:
                out.append(_gift_question(question, notes))
    return "\n".join(out), notes


def _gift_question(question: BundleQuestion, notes: list[str]) -> str:
    default_points = Decimal(0) if question.kind == "description" else Decimal(1)
    meta = f"// [id:{question.key}]"
    if question.points != default_points:
        meta += f" [points:{_plain_number(Decimal(question.points))}]"
    head = f"::{_escape(question.title)}::" if question.title else ""
    head += "[markdown]" + _escape(question.prompt)
    if question.kind == "description":
        return f"{meta}\n{head}\n"
    if question.kind == "essay" and (question.rubric or question.reference_answer):
        notes.append(f"'{question.key}': GIFT has no rubric or reference answer; left out")
    block = _gift_block(question)
    if question.explanation:
        block += "\n\t####" + _escape(question.explanation)
    return f"{meta}\n{head} {{{block}\n}}\n"


def _gift_block(question: BundleQuestion) -> str:
    choices = question.choices
    if question.kind == "essay":
        return ""
    if question.kind == "true-false":
        right = next(c for c in choices if c.correct)
        wrong = next(c for c in choices if not c.correct)
        keyword = "TRUE" if right.key == "true" else "FALSE"
        feedback = ""
        if wrong.feedback or right.feedback:
            feedback = "#" + _escape(wrong.feedback)
            if right.feedback:
                feedback += "#" + _escape(right.feedback)
        return keyword + feedback
    lines = []
    if question.kind == "single":
        for choice in choices:
            if choice.correct or choice.weight == Decimal(100):
                mark = "="
            elif choice.weight:
                mark = f"~%{_plain_number(Decimal(choice.weight))}%"
            else:
                mark = "~"
            lines.append(mark + _answer(choice))
    elif question.kind == "multiple":
        fractions = choice_fractions(choices)
        for choice in choices:
            weight = (fractions[choice.key] * 100).quantize(Decimal("0.00001"))
            lines.append(f"~%{_plain_number(weight)}%" + _answer(choice))
    elif question.kind == "short":
        for choice in choices:
            lines.append("=" + _weight(choice) + _answer(choice))
    elif question.kind == "numeric":
        lines.append("#")
        for choice in choices:
            if choice.text == "*" and not choice.weight:
                lines.append("~#" + _escape(choice.feedback))
                continue
            value = choice.text if choice.text == "*" else _plain_number(Decimal(choice.text))
            tolerance = (
                f":{_plain_number(Decimal(str(choice.tolerance)))}" if choice.tolerance else ""
            )
            feedback = "#" + _escape(choice.feedback) if choice.feedback else ""
            lines.append("=" + _weight(choice) + value + tolerance + feedback)
        return lines[0] + "".join("\n\t" + line for line in lines[1:])
    return "".join("\n\t" + line for line in lines)


def _weight(choice: BundleChoice) -> str:
    return "" if choice.weight is None else f"%{_plain_number(Decimal(choice.weight))}%"


def _answer(choice: BundleChoice) -> str:
    text = _escape(choice.text)
    return text + ("#" + _escape(choice.feedback) if choice.feedback else "")


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
