"""Moodle's Aiken format: single-choice questions, one per block.

    What does the reward model output for a response?
    A. A probability distribution over tokens
    B. A single number (a score)
    ANSWER: B

Options are lettered in order (A. or A)); the ANSWER line ends the question.
"""

from __future__ import annotations

import re

from quizzes.bundle_items import BundleChoice, BundleQuestion
from quizzes.question_parsing import ParsedFile, QuestionFileError, make_key

_OPTION_RE = re.compile(r"^([A-Z])[.)]\s+(\S.*)$")
_ANSWER_RE = re.compile(r"^ANSWER\s*:\s*(\S*)\s*$", re.IGNORECASE)


def parse_aiken(text: str, stem: str = "q") -> ParsedFile:
    parsed = ParsedFile()
    prompt: list[str] = []
    options: list[tuple[str, str]] = []
    start = 0
    for number, raw in enumerate(text.replace("\r\n", "\n").rstrip().split("\n"), start=1):
        line = raw.strip()
        if not line:
            if options:
                raise QuestionFileError(number, "a blank line among the options: ANSWER: expected")
            continue
        option = _OPTION_RE.match(line)
        answer = _ANSWER_RE.match(line)
        if answer:
            parsed.questions.append(
                _question(prompt, options, answer.group(1), start, number, stem)
            )
            prompt, options = [], []
        elif option:
            if not prompt:
                raise QuestionFileError(number, "an option comes before any question text")
            expected = chr(ord("A") + len(options))
            if option.group(1) != expected:
                raise QuestionFileError(
                    number, f"option {option.group(1)} is out of order ({expected} expected)"
                )
            options.append((option.group(1), option.group(2).strip()))
        elif options:
            raise QuestionFileError(number, f"'{line[:40]}' is not an option and not ANSWER: X")
        else:
            if not prompt:
                start = number
            prompt.append(line)
    if prompt or options:
        raise QuestionFileError(start, "the last question has no ANSWER: line")
    return parsed


def _question(prompt, options, letter: str, start: int, line: int, stem: str) -> BundleQuestion:
    if not prompt:
        raise QuestionFileError(line, "ANSWER: without a question before it")
    if len(options) < 2:
        raise QuestionFileError(line, "a question needs at least two options (A., B., ...)")
    letters = [key for key, _ in options]
    if letter.upper() not in letters:
        raise QuestionFileError(
            line, f"ANSWER: '{letter}' is not one of the options ({', '.join(letters)})"
        )
    return BundleQuestion(
        key=make_key("", stem, start),
        kind="single",
        prompt="\n".join(prompt),
        choices=[BundleChoice(key.lower(), text, key == letter.upper()) for key, text in options],
    )
