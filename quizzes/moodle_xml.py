"""Moodle XML, the format Moodle's question bank exports by default: read and written.

Read: multichoice (single and multiple answers, fractions as partial credit), truefalse,
shortanswer (`*` wildcards), numerical (tolerance, several weighted answers, `*` for any
other number), essay (its grader information becomes the reference answer), description,
and category entries (reported). Every other type (matching, Cloze, calculated, drag and
drop...) is refused by name and line, and so is a question that embeds an image file
(`<file>` or `@@PLUGINFILE@@`), which this app cannot store. Parsed with defusedxml: a DTD,
entities or external references are refused.

Written: the same types, `<idnumber>` carrying this app's question key, Markdown text
(`format="markdown"`, which Moodle renders), so an export imports back field for field.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # nosec B405  # types only: defusedxml parses
from decimal import Decimal, InvalidOperation

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError
from defusedxml.ElementTree import fromstring as parse_xml

from quizzes.bundle_items import BundleChoice, BundleQuestion, BundleQuiz
from quizzes.grading import choice_fractions
from quizzes.question_parsing import (
    MAX_QUESTIONS,
    ParsedFile,
    QuestionFileError,
    Unsupported,
    category_name,
    make_key,
)
from quizzes.question_text import ImageNotCarried, plain_words, to_markdown, to_plain

TEXT_FORMATS = {
    "html": "html",
    "moodle_auto_format": "moodle",
    "plain_text": "plain",
    "markdown": "markdown",
}
TYPE_NAMES = {
    "match": "matching",
    "multianswer": "embedded answers (Cloze)",
    "calculated": "calculated",
    "calculatedsimple": "simple calculated",
    "calculatedmulti": "calculated multichoice",
    "ddwtos": "drag and drop into text",
    "ddimageortext": "drag and drop onto image",
    "ddmarker": "drag and drop markers",
    "gapselect": "select missing words",
    "randomsamatch": "random short-answer matching",
    "ordering": "ordering",
    "random": "random",
}
_SUPPORTED = ("multichoice", "truefalse", "shortanswer", "numerical", "essay", "description")
_HIDDEN = re.compile(r"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.DOTALL)
_QUESTION_TAG = re.compile(r"<question\b")


class _Refused(Exception):
    def __init__(self, reason: str):
        self.reason = reason


# --- reading ----------------------------------------------------------------------------


def parse_moodle_xml(text: str, stem: str = "q") -> ParsedFile:
    root = read_xml(text)
    if _local(root.tag) != "quiz":
        raise QuestionFileError(
            None, f"this is not Moodle XML: its root is <{_local(root.tag)}>, not <quiz>"
        )
    lines = _question_lines(text)
    parsed = ParsedFile()
    category = ""
    elements = [child for child in root if _local(child.tag) == "question"]
    questions = sum(1 for element in elements if element.get("type") != "category")
    if questions > MAX_QUESTIONS:
        raise QuestionFileError(
            None, f"the file holds {questions} questions; at most {MAX_QUESTIONS}"
        )
    for index, element in enumerate(elements):
        line = lines[index] if index < len(lines) else None
        kind = element.get("type", "")
        if kind == "category":
            category = category_name(_text(element, "category"))
            continue
        name = _text(element, "name").strip() or plain_words(_text(element, "questiontext"))
        name = name or f"question {index + 1}"
        if kind not in _SUPPORTED:
            parsed.unsupported.append(
                Unsupported(line, name, TYPE_NAMES.get(kind, kind or "untyped"))
            )
            continue
        try:
            question = _question(element, kind, line, stem, name, parsed)
        except ImageNotCarried as image:
            parsed.unsupported.append(Unsupported(line, name, kind, reason=str(image)))
            continue
        except _Refused as refused:
            parsed.unsupported.append(Unsupported(line, name, kind, reason=refused.reason))
            continue
        question.category = category
        parsed.questions.append(question)
    return parsed


def read_xml(text: str) -> ET.Element:
    """Parse XML with defusedxml; a clear QuestionFileError for anything else."""
    try:
        return parse_xml(text.encode("utf-8"), forbid_dtd=True)
    except ParseError as error:
        line = error.position[0] if getattr(error, "position", None) else None
        message = str(error).split(":")[0]
        raise QuestionFileError(line, f"the XML is not well formed ({message})") from None
    except DefusedXmlException:
        raise QuestionFileError(
            None, "the XML declares a DTD, entities or external references, which are refused"
        ) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _question_lines(text: str) -> list[int]:
    """The line of each <question> start tag, in order (CDATA and comments skipped)."""
    visible = _HIDDEN.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    return [visible.count("\n", 0, m.start()) + 1 for m in _QUESTION_TAG.finditer(visible)]


def _text(element: ET.Element | None, child: str) -> str:
    """The <text> of a child element (<name><text>..</text></name>), or ''."""
    if element is None:
        return ""
    node = element.find(child)
    if node is None:
        return ""
    text = node.find("text")
    return (text.text or "") if text is not None else (node.text or "")


def _formatted(element: ET.Element, child: str, default: str = "html") -> tuple[str, str]:
    node = element.find(child)
    if node is None:
        return "", default
    if node.find("file") is not None:
        raise _Refused(
            f"embeds a file ({node.find('file').get('name', 'unnamed')}) in its {child}; "
            "images and files are not imported"
        )
    return _text(element, child), TEXT_FORMATS.get(node.get("format", ""), default)


def _markdown(element: ET.Element, child: str) -> str:
    text, text_format = _formatted(element, child)
    return to_markdown(text, text_format) if text.strip() else ""


def _plain(node: ET.Element, child: str = "") -> str:
    target = node.find(child) if child else node
    if target is None:
        return ""
    if target.find("file") is not None:
        raise _Refused("embeds a file in an answer or feedback; files are not imported")
    text = target.find("text")
    value = (text.text or "") if text is not None else ""
    return to_plain(value, TEXT_FORMATS.get(target.get("format", ""), "html"))


def _number(value: str, what: str) -> Decimal:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise _Refused(f"has {what} '{value.strip()[:20]}', which is not a number") from None
    if not number.is_finite():
        raise _Refused(f"has {what} '{value.strip()[:20]}', which is not a number")
    return number


def _question(element, kind: str, line, stem: str, name: str, parsed: ParsedFile) -> BundleQuestion:
    prompt = _markdown(element, "questiontext")
    if not prompt and kind != "description":
        raise _Refused("has no question text")
    key = (element.findtext("idnumber") or "").strip()
    title = _text(element, "name").strip()[:200]
    question = BundleQuestion(
        key=make_key(key or name, stem, line or 0),
        kind="",
        prompt=prompt,
        # This app's export names an untitled question by its key: no title, then.
        title="" if title == key else title,
        explanation=_markdown(element, "generalfeedback"),
    )
    grade = element.findtext("defaultgrade")
    question.points = _number(grade, "a default grade") if grade else Decimal(1)
    if not 0 <= question.points <= 1000:
        raise _Refused("has a default grade outside 0..1000")
    question.points = question.points.quantize(Decimal("0.01"))
    answers = element.findall("answer")
    where = f"line {line}: " if line else ""
    if kind == "description":
        question.kind, question.points = "description", Decimal(0)
    elif kind == "essay":
        question.kind = "essay"
        question.reference_answer = _markdown(element, "graderinfo")
    elif kind == "truefalse":
        question.kind = "true-false"
        question.choices = _true_false(answers)
    elif kind == "multichoice":
        single = (element.findtext("single") or "true").strip().lower() in ("true", "1")
        question.kind = "single" if single else "multiple"
        question.choices = _multichoice(answers, single)
    elif kind == "shortanswer":
        question.kind = "short"
        question.choices = _weighted(answers, numeric=False)
        if (element.findtext("usecase") or "0").strip() == "1":
            parsed.notes.append(
                f"{where}'{name}': matched without regard to case, as every short answer here"
            )
    elif kind == "numerical":
        question.kind = "numeric"
        question.choices = _weighted(answers, numeric=True)
        units = [u.findtext("unit_name") for u in element.iter("unit") if u.findtext("unit_name")]
        if units:
            parsed.notes.append(
                f"{where}'{name}': its units ({', '.join(units)}) are not asked for; "
                "students give the number"
            )
    return question


def _fraction(answer: ET.Element) -> Decimal:
    fraction = _number(answer.get("fraction", "0"), "an answer fraction")
    if not -100 <= fraction <= 100:
        raise _Refused(f"has an answer fraction of {fraction}, outside -100..100")
    return fraction


def _true_false(answers: list[ET.Element]) -> list[BundleChoice]:
    by_text = {}
    for answer in answers:
        by_text[_plain(answer).strip().lower()] = answer
    if set(by_text) != {"true", "false"}:
        raise _Refused("is a true/false question without exactly a 'true' and a 'false' answer")
    right_is_true = _fraction(by_text["true"]) > 0
    return [
        BundleChoice("true", "True", right_is_true, feedback=_plain(by_text["true"], "feedback")),
        BundleChoice(
            "false", "False", not right_is_true, feedback=_plain(by_text["false"], "feedback")
        ),
    ]


def _multichoice(answers: list[ET.Element], single: bool) -> list[BundleChoice]:
    if len(answers) < 2:
        raise _Refused("is a multiple-choice question with fewer than two answers")
    choices = []
    first_right = True
    for index, answer in enumerate(answers):
        fraction = _fraction(answer)
        text = _plain(answer)
        if not text:
            raise _Refused(f"has an empty answer (#{index + 1})")
        if single:
            correct = fraction == 100 and first_right
            first_right = first_right and not correct
            weight = None if correct or fraction == 0 else fraction
        else:
            correct, weight = fraction > 0, fraction
        choices.append(
            BundleChoice(_letter(index), text, correct, weight, feedback=_plain(answer, "feedback"))
        )
    if single and first_right:
        raise _Refused("is a single-answer question with no answer worth 100%")
    if not single:
        positive = sum((c.weight for c in choices if c.weight and c.weight > 0), Decimal(0))
        if abs(positive - 100) > 1:
            raise _Refused(
                f"is a multiple-answer question whose right answers add up to {positive}%, not 100%"
            )
        n_correct = sum(1 for c in choices if c.correct)
        share = Decimal(100) / n_correct
        if all(
            abs(c.weight - (share if c.correct else -share)) < Decimal("0.001") for c in choices
        ):
            for choice in choices:
                choice.weight = None
    return choices


def _weighted(answers: list[ET.Element], *, numeric: bool) -> list[BundleChoice]:
    choices = []
    for index, answer in enumerate(answers):
        fraction = _fraction(answer)
        text = _plain(answer).strip()
        tolerance = None
        if numeric and text != "*":
            text = _plain_number(_number(text, "a numerical answer"))
            tol = (answer.findtext("tolerance") or "0").strip() or "0"
            tolerance = float(abs(_number(tol, "a tolerance"))) or None
        if not text:
            continue
        weight = None if fraction == 100 else fraction
        choices.append(
            BundleChoice(
                key=_letter(index),
                text=text,
                correct=weight is None or weight > 0,
                weight=weight,
                tolerance=tolerance,
                feedback=_plain(answer, "feedback"),
            )
        )
    if not any(c.correct for c in choices):
        raise _Refused("has no answer worth any credit")
    return choices


def _plain_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def _letter(index: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[index % 26] + ("" if index < 26 else str(index))


# --- writing ----------------------------------------------------------------------------


def write_moodle_xml(quizzes: list[BundleQuiz]) -> tuple[str, list[str]]:
    """The quizzes as one Moodle XML file (a category per quiz), and notes on what Moodle
    XML could not carry (rubrics, scenario structure)."""
    root = ET.Element("quiz")
    notes: list[str] = []
    for quiz in quizzes:
        category = ET.SubElement(root, "question", type="category")
        _sub_text(category, "category", f"$course$/top/{quiz.title}")
        for question in quiz.questions:
            if question.kind == "scenario":
                notes.append(
                    f"'{question.key}': a scenario; Moodle XML has none, so its text is a "
                    "description followed by its parts"
                )
                intro = BundleQuestion(
                    key=question.key,
                    kind="description",
                    prompt=question.prompt,
                    title=question.title,
                    points=Decimal(0),
                )
                _xml_question(root, intro, notes)
                for part in question.parts:
                    _xml_question(root, part, notes)
            else:
                _xml_question(root, question, notes)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
        root, encoding="unicode"
    ) + "\n", notes


_XML_TYPES = {
    "single": "multichoice",
    "multiple": "multichoice",
    "true-false": "truefalse",
    "short": "shortanswer",
    "numeric": "numerical",
    "essay": "essay",
    "description": "description",
}


def _sub_text(
    parent: ET.Element, tag: str, text: str, text_format: str | None = None
) -> ET.Element:
    node = ET.SubElement(parent, tag)
    if text_format:
        node.set("format", text_format)
    ET.SubElement(node, "text").text = text
    return node


def _xml_question(root: ET.Element, question: BundleQuestion, notes: list[str]) -> None:
    node = ET.SubElement(root, "question", type=_XML_TYPES[question.kind])
    _sub_text(node, "name", question.title or question.key)
    _sub_text(node, "questiontext", question.prompt, "markdown")
    _sub_text(node, "generalfeedback", question.explanation, "markdown")
    ET.SubElement(node, "defaultgrade").text = f"{Decimal(question.points):.7f}"
    ET.SubElement(node, "penalty").text = "0"
    ET.SubElement(node, "hidden").text = "0"
    ET.SubElement(node, "idnumber").text = question.key
    kind = question.kind
    if kind in ("single", "multiple"):
        ET.SubElement(node, "single").text = "true" if kind == "single" else "false"
        ET.SubElement(node, "shuffleanswers").text = "false"
        ET.SubElement(node, "answernumbering").text = "abc"
        fractions = choice_fractions(question.choices) if kind == "multiple" else {}
        for choice in question.choices:
            if kind == "multiple":
                fraction = fractions[choice.key] * 100
            elif choice.correct:
                fraction = Decimal(100)
            else:
                fraction = Decimal(choice.weight or 0)
            _answer(node, choice.text, fraction, choice.feedback)
    elif kind == "true-false":
        for choice in question.choices:
            _answer(node, choice.key, Decimal(100 if choice.correct else 0), choice.feedback)
    elif kind == "short":
        ET.SubElement(node, "usecase").text = "0"
        for choice in question.choices:
            _answer(node, choice.text, _choice_fraction(choice), choice.feedback)
    elif kind == "numeric":
        for choice in question.choices:
            answer = _answer(node, choice.text, _choice_fraction(choice), choice.feedback)
            ET.SubElement(answer, "tolerance").text = _plain_number(
                Decimal(str(choice.tolerance or 0))
            )
    elif kind == "essay":
        ET.SubElement(node, "responseformat").text = "editor"
        ET.SubElement(node, "responserequired").text = "1"
        ET.SubElement(node, "responsefieldlines").text = "15"
        ET.SubElement(node, "attachments").text = "0"
        _sub_text(node, "graderinfo", question.reference_answer, "markdown")
        _sub_text(node, "responsetemplate", "", "markdown")
        if question.rubric:
            notes.append(f"'{question.key}': Moodle's essay has no rubric; left out")


def _choice_fraction(choice: BundleChoice) -> Decimal:
    return Decimal(100) if choice.weight is None else Decimal(choice.weight)


def _answer(node: ET.Element, text: str, fraction: Decimal, feedback: str) -> ET.Element:
    answer = ET.SubElement(
        node,
        "answer",
        fraction=_plain_number(fraction.quantize(Decimal("0.0000001"))),
        format="plain_text",
    )
    ET.SubElement(answer, "text").text = text
    _sub_text(answer, "feedback", feedback, "plain_text")
    return answer
