"""The quizzes/ folder of a course bundle: one YAML file per quiz or scenario exercise.

    quizzes/<quiz-key>.yaml     settings + questions (see content/README.md)

A quiz may take its questions from a GIFT or Aiken file next to it
(`questions_from: extra.gift`); the export writes them inline, so the data round-trips.
Questions and choices keep stable keys, so reloading an edited bundle keeps attempts.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from course.bundle import (
    SLUG_RE,
    Bundle,
    BundleError,
    LineList,
    _Fields,
    _read_text,
    dump_yaml,
    parse_yaml,
)
from quizzes.bundle_items import BundleChoice, BundleQuestion, BundleQuiz
from quizzes.grading import rubric_points
from quizzes.question_files import QuestionFileError, parse_question_file

PART_KINDS = ("single", "multiple", "true-false", "short", "numeric", "essay")
GRADING = ("highest", "last", "first", "average")
FEEDBACK = ("after-submission", "after-each-question")
RELEASE = ("on-grading", "manual")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
QUESTION_FILES = (".gift", ".aiken", ".txt", ".xml")  # GIFT, Aiken, Moodle XML or QTI


# --- reading ----------------------------------------------------------------------------


def read_quizzes(folder: Path, bundle: Bundle) -> list[BundleQuiz]:
    lessons = {lesson.slug for lesson in bundle.lessons()}
    referenced: set[str] = set()
    quizzes = []
    for path in sorted(folder.iterdir()):
        file = str(path)
        if path.suffix in QUESTION_FILES:
            continue  # read through the quiz that names it in questions_from
        if path.suffix != ".yaml" or not SLUG_RE.match(path.stem):
            raise BundleError(file, None, "quiz files are named <quiz-key>.yaml")
        quiz = _read_quiz(path, file, lessons, referenced)
        quizzes.append(quiz)
    for path in sorted(folder.iterdir()):
        if path.suffix in QUESTION_FILES and path.name not in referenced:
            raise BundleError(str(path), None, "no quiz names this file in 'questions_from'")
    return quizzes


def _read_quiz(path: Path, file: str, lessons: set[str], referenced: set[str]) -> BundleQuiz:
    fields = _Fields(parse_yaml(_read_text(path), file), file, f"quiz '{path.stem}'")
    fields.only(
        "title",
        "lesson",
        "intro",
        "attempts",
        "time_limit",
        "grading",
        "feedback",
        "release",
        "anonymous",
        "published",
        "questions",
        "questions_from",
    )
    lesson = None
    if "lesson" in fields.data:
        lesson = fields.slug("lesson")
        if lesson not in lessons:
            raise fields.error("lesson", f"no lesson '{lesson}' in course.yaml")
    quiz = BundleQuiz(
        key=path.stem,
        title=fields.text("title", max_length=200),
        lesson=lesson,
        intro=fields.text("intro", required=False),
        attempts=fields.integer("attempts", minimum=0, maximum=100)
        if "attempts" in fields.data
        else 0,
        time_limit=fields.integer("time_limit", minimum=1, maximum=24 * 60)
        if "time_limit" in fields.data
        else None,
        grading=_one_of(fields, "grading", GRADING),
        feedback=_one_of(fields, "feedback", FEEDBACK),
        release=_one_of(fields, "release", RELEASE),
        anonymous=fields.boolean("anonymous", False),
        published=fields.boolean("published", True),
    )
    if ("questions" in fields.data) == ("questions_from" in fields.data):
        raise fields.error(
            None, "give either 'questions' or 'questions_from' (a .gift/.aiken file)"
        )
    if "questions_from" in fields.data:
        quiz.questions = _questions_from_file(fields, path.parent, referenced)
    else:
        quiz.questions = read_questions(fields.sequence("questions"), file, quiz.key)
    if not quiz.questions:
        raise fields.error("questions", "a quiz needs at least one question")
    return quiz


def _questions_from_file(fields: _Fields, folder: Path, referenced: set[str]):
    name = fields.text("questions_from")
    source = folder / name
    if "/" in name or not source.is_file() or source.suffix not in QUESTION_FILES:
        raise fields.error(
            "questions_from", f"'{name}' is not a .gift, .aiken or .xml file beside it"
        )
    referenced.add(name)
    try:
        return parse_question_file(_read_text(source), source.name).questions
    except QuestionFileError as error:
        raise BundleError(str(source), error.line, error.message) from None


def _one_of(fields: _Fields, key: str, allowed: tuple[str, ...]) -> str:
    value = fields.data.get(key, allowed[0])
    if value not in allowed:
        raise fields.error(key, f"'{key}' must be one of: {', '.join(allowed)}")
    return value


def read_questions(items: LineList, file: str, quiz_key: str) -> list[BundleQuestion]:
    seen: dict[str, int] = {}
    questions = []
    for index, raw in enumerate(items):
        question = _read_question(
            raw, file, items.item_lines[index], index, PART_KINDS + ("scenario", "description")
        )
        for part in [question, *question.parts]:
            if part.key in seen:
                raise BundleError(
                    file, items.item_lines[index], f"question key '{part.key}' is used twice"
                )
            seen[part.key] = index
        questions.append(question)
    return questions


def _read_question(raw: Any, file: str, line: int, index: int, kinds) -> BundleQuestion:
    fields = _Fields(raw, file, f"question #{index + 1}", line=line)
    fields.only(
        "key",
        "type",
        "title",
        "prompt",
        "points",
        "explanation",
        "choices",
        "answer",
        "answers",
        "feedback_true",
        "feedback_false",
        "rubric",
        "reference_answer",
        "parts",
    )
    key = fields.slug("key")
    fields.what = f"question '{key}'"
    kind = fields.data.get("type")
    if kind not in kinds:
        raise fields.error("type" if "type" in fields.data else None, _kind_message(kind, kinds))
    question = BundleQuestion(
        key=key,
        kind=kind,
        prompt=fields.text("prompt"),
        title=fields.text("title", required=False, max_length=200),
        explanation=fields.text("explanation", required=False),
    )
    allowed = _KIND_FIELDS[kind]
    for name in fields.data:
        if name not in _COMMON_FIELDS and name not in allowed:
            raise fields.error(name, f"'{name}' does not apply to a {kind} question")
    if kind in ("single", "multiple"):
        question.choices = _read_choices(fields, kind)
    elif kind == "true-false":
        answer = fields.boolean("answer", True)
        if "answer" not in fields.data:
            raise fields.error(None, "missing required field 'answer' (true or false)")
        question.choices = [
            BundleChoice("true", "True", answer, feedback=_opt(fields, "feedback_true")),
            BundleChoice("false", "False", not answer, feedback=_opt(fields, "feedback_false")),
        ]
    elif kind in ("short", "numeric"):
        question.choices = _read_answers(fields, kind)
    elif kind == "essay":
        question.rubric = _read_rubric(fields)
        question.reference_answer = fields.text("reference_answer", required=False)
    elif kind == "scenario":
        parts = fields.sequence("parts")
        question.parts = [
            _read_question(part, file, parts.item_lines[i], i, PART_KINDS)
            for i, part in enumerate(parts)
        ]
        if not question.parts:
            raise fields.error("parts", "a scenario needs at least one part")
    question.points = _points(fields, question)
    return question


_COMMON_FIELDS = {"key", "type", "title", "prompt", "points", "explanation"}
_KIND_FIELDS = {
    "single": {"choices"},
    "multiple": {"choices"},
    "true-false": {"answer", "feedback_true", "feedback_false"},
    "short": {"answers"},
    "numeric": {"answers"},
    "essay": {"rubric", "reference_answer"},
    "scenario": {"parts"},
    "description": set(),
}


def _kind_message(kind: Any, kinds) -> str:
    if kind is None:
        return "missing required field 'type'"
    return f"type '{kind}' is not a question type here (use one of: {', '.join(kinds)})"


def _opt(fields: _Fields, key: str) -> str:
    return fields.text(key, required=False)


def _number(fields: _Fields, key: str, *, minimum: float, maximum: float) -> Decimal:
    value = fields.data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fields.error(key, f"'{key}' must be a number")
    if not minimum <= value <= maximum:
        raise fields.error(key, f"'{key}' must be between {minimum:g} and {maximum:g}")
    try:
        return Decimal(str(value))
    except InvalidOperation:  # pragma: no cover - YAML numbers are finite here
        raise fields.error(key, f"'{key}' must be a number") from None


def _read_choices(fields: _Fields, kind: str) -> list[BundleChoice]:
    items = fields.sequence("choices")
    choices = []
    for i, raw in enumerate(items):
        item = _Fields(raw, fields.file, f"{fields.what} choice #{i + 1}", line=items.item_lines[i])
        item.only("key", "text", "correct", "weight", "feedback")
        key = (
            item.slug("key") if "key" in item.data else LETTERS[i % 26] + ("" if i < 26 else str(i))
        )
        choices.append(
            BundleChoice(
                key=key,
                text=item.text("text"),
                correct=item.boolean("correct", False),
                weight=_number(item, "weight", minimum=-100, maximum=100)
                if "weight" in item.data
                else None,
                feedback=item.text("feedback", required=False),
            )
        )
    if len(choices) < 2:
        raise fields.error("choices", "give at least two choices")
    if len({c.key for c in choices}) != len(choices):
        raise fields.error("choices", "two choices have the same key")
    if not any(c.correct or (c.weight or 0) > 0 for c in choices):
        raise fields.error("choices", "mark at least one choice 'correct: true'")
    if kind == "single" and sum(1 for c in choices if c.correct) > 1:
        raise fields.error("choices", "a single-choice question has one correct choice")
    return choices


def _read_answers(fields: _Fields, kind: str) -> list[BundleChoice]:
    items = fields.sequence("answers")
    answers = []
    for i, raw in enumerate(items):
        line = items.item_lines[i]
        key = LETTERS[i % 26] + ("" if i < 26 else str(i))
        if kind == "short" and isinstance(raw, str):
            if not raw.strip():
                raise BundleError(fields.file, line, f"{fields.what}: an answer is empty")
            answers.append(BundleChoice(key, raw, True))
            continue
        item = _Fields(raw, fields.file, f"{fields.what} answer #{i + 1}", line=line)
        if kind == "short":
            item.only("text", "weight", "feedback")
            text = item.text("text")
            tolerance = None
        else:
            item.only("value", "tolerance", "weight", "feedback")
            if item.data.get("value") == "*":  # any other number (Moodle's catch-all)
                text = "*"
            else:
                text = f"{_number(item, 'value', minimum=-1e15, maximum=1e15)}"
            tolerance = (
                float(_number(item, "tolerance", minimum=0, maximum=1e15))
                if "tolerance" in item.data
                else None
            )
        answers.append(
            BundleChoice(
                key=key,
                text=text,
                correct=True,
                weight=_number(item, "weight", minimum=-100, maximum=100)
                if "weight" in item.data
                else None,
                tolerance=tolerance,
                feedback=item.text("feedback", required=False),
            )
        )
    if not answers:
        raise fields.error("answers", "give at least one accepted answer")
    return answers


def _read_rubric(fields: _Fields) -> list[dict]:
    if "rubric" not in fields.data:
        return []
    items = fields.sequence("rubric")
    rubric = []
    for i, raw in enumerate(items):
        item = _Fields(
            raw, fields.file, f"{fields.what} criterion #{i + 1}", line=items.item_lines[i]
        )
        item.only("criterion", "levels")
        levels_raw = item.sequence("levels")
        levels = []
        for j, level_raw in enumerate(levels_raw):
            level = _Fields(
                level_raw, fields.file, f"{item.what} level #{j + 1}", line=levels_raw.item_lines[j]
            )
            level.only("points", "description")
            points = _number(level, "points", minimum=0, maximum=1000)
            levels.append({"points": _plain(points), "description": level.text("description")})
        if not levels:
            raise item.error("levels", "a criterion needs at least one level")
        rubric.append({"criterion": item.text("criterion"), "levels": levels})
    return rubric


def _default_points(question: BundleQuestion) -> Decimal:
    if question.kind == "description":
        return Decimal(0)
    return rubric_points(question.rubric) if question.rubric else Decimal(1)


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _points(fields: _Fields, question: BundleQuestion) -> Decimal:
    if question.kind == "scenario":
        total = sum((part.points for part in question.parts), Decimal(0))
        if "points" in fields.data:
            raise fields.error("points", "a scenario's points are the sum of its parts")
        return total

    default = _default_points(question)
    if "points" not in fields.data:
        return default
    points = _number(fields, "points", minimum=0, maximum=1000)
    if question.rubric and points != default:
        raise fields.error(
            "points", f"the rubric's levels add up to {default} points, not {points}"
        )
    return points


# --- writing ----------------------------------------------------------------------------


def write_quizzes(quizzes: list[BundleQuiz], folder: Path) -> None:
    for quiz in quizzes:
        (folder / f"{quiz.key}.yaml").write_text(dump_yaml(quiz_to_yaml(quiz)), encoding="utf-8")


def quiz_to_yaml(quiz: BundleQuiz) -> dict[str, Any]:
    data: dict[str, Any] = {"title": quiz.title}
    if quiz.lesson:
        data["lesson"] = quiz.lesson
    if quiz.intro:
        data["intro"] = quiz.intro
    if quiz.attempts:
        data["attempts"] = quiz.attempts
    if quiz.time_limit:
        data["time_limit"] = quiz.time_limit
    if quiz.grading != GRADING[0]:
        data["grading"] = quiz.grading
    if quiz.feedback != FEEDBACK[0]:
        data["feedback"] = quiz.feedback
    if quiz.release != RELEASE[0]:
        data["release"] = quiz.release
    if quiz.anonymous:
        data["anonymous"] = True
    if not quiz.published:
        data["published"] = False
    data["questions"] = [question_to_yaml(q) for q in quiz.questions]
    return data


def question_to_yaml(question: BundleQuestion) -> dict[str, Any]:

    data: dict[str, Any] = {"key": question.key, "type": question.kind}
    if question.title:
        data["title"] = question.title
    data["prompt"] = question.prompt
    if question.kind != "scenario" and question.points != _default_points(question):
        data["points"] = _plain(question.points)
    if question.kind in ("single", "multiple"):
        data["choices"] = [_choice_to_yaml(c, i) for i, c in enumerate(question.choices)]
    elif question.kind == "true-false":
        by_key = {c.key: c for c in question.choices}
        data["answer"] = by_key["true"].correct
        for key in ("true", "false"):
            if by_key[key].feedback:
                data[f"feedback_{key}"] = by_key[key].feedback
    elif question.kind == "short":
        data["answers"] = [
            c.text if not c.feedback and c.weight is None else _answer_to_yaml(c, "text")
            for c in question.choices
        ]
    elif question.kind == "numeric":
        data["answers"] = [_answer_to_yaml(c, "value") for c in question.choices]
    elif question.kind == "essay":
        if question.rubric:
            data["rubric"] = question.rubric
        if question.reference_answer:
            data["reference_answer"] = question.reference_answer
    elif question.kind == "scenario":
        data["parts"] = [question_to_yaml(part) for part in question.parts]
    if question.explanation:
        data["explanation"] = question.explanation
    return data


def _choice_to_yaml(choice: BundleChoice, index: int) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if choice.key != LETTERS[index % 26] + ("" if index < 26 else str(index)):
        data["key"] = choice.key
    data["text"] = choice.text
    if choice.correct:
        data["correct"] = True
    if choice.weight is not None:
        data["weight"] = _plain(choice.weight)
    if choice.feedback:
        data["feedback"] = choice.feedback
    return data


def _answer_to_yaml(choice: BundleChoice, text_field: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if text_field == "text" or choice.text == "*":
        data[text_field] = choice.text
    else:
        data[text_field] = _plain(Decimal(choice.text))
    if choice.tolerance is not None:
        data["tolerance"] = _plain(Decimal(str(choice.tolerance)))
    if choice.weight is not None:
        data["weight"] = _plain(choice.weight)
    if choice.feedback:
        data["feedback"] = choice.feedback
    return data
