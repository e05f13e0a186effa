"""Canvas QTI 1.2: the zip that Canvas's "Export quiz" (or a course export) produces, or
one of its assessment XML files on its own.

Read: multiple choice, true/false, multiple answers, short answer (fill in the blank:
every accepted answer), numerical (exact answers, answers with a margin, ranges),
essay, and text-only items (a description). Per-answer feedback and the general
feedback are kept; points come from `points_possible`; the assessment's title is the
category. Every other question type (matching, fill in multiple blanks, multiple
dropdowns, formula, file upload...) is refused by name and item; so is an item whose HTML
shows an image from the zip, which this app cannot store.

The zip is read in memory, never unpacked on disk: only its QTI XML files are read, each
within the size limits, and parsed with defusedxml.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET  # nosec B405  # types only: defusedxml parses
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath

from quizzes.bundle_items import BundleChoice, BundleQuestion
from quizzes.moodle_xml import read_xml
from quizzes.question_parsing import (
    MAX_QUESTIONS,
    MAX_UNZIPPED_BYTES,
    MAX_ZIP_BYTES,
    ParsedFile,
    QuestionFileError,
    Unsupported,
    decode_text,
    make_key,
)
from quizzes.question_text import ImageNotCarried, to_markdown, to_plain

TYPE_NAMES = {
    "matching_question": "matching",
    "fill_in_multiple_blanks_question": "fill in multiple blanks",
    "multiple_dropdowns_question": "multiple dropdowns",
    "calculated_question": "formula (calculated)",
    "file_upload_question": "file upload",
    "categorization_question": "categorization",
    "ordering_question": "ordering",
    "hot_spot_question": "hot spot",
}
_KINDS = {
    "multiple_choice_question": "single",
    "true_false_question": "true-false",
    "multiple_answers_question": "multiple",
    "short_answer_question": "short",
    "numerical_question": "numeric",
    "essay_question": "essay",
    "text_only_question": "description",
}
_MAX_MEMBERS = 5000


class _Refused(Exception):
    def __init__(self, reason: str):
        self.reason = reason


# --- files ------------------------------------------------------------------------------


def parse_qti_zip(data: bytes, stem: str = "q") -> ParsedFile:
    """Every question of every assessment in a Canvas QTI export zip."""
    if len(data) > MAX_ZIP_BYTES:
        raise QuestionFileError(
            None,
            f"the zip is {len(data) / 1024 / 1024:.1f} MB; the limit is "
            f"{MAX_ZIP_BYTES // 1024 // 1024} MB",
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise QuestionFileError(None, "this is not a readable zip file") from None
    if len(members) > _MAX_MEMBERS:
        raise QuestionFileError(None, f"the zip holds {len(members)} files; at most {_MAX_MEMBERS}")
    names = _assessment_files(archive, members)
    if not names:
        raise QuestionFileError(
            None,
            "the zip holds no QTI assessment (expected Canvas's quiz export: imsmanifest.xml "
            "and <quiz>/<quiz>.xml)",
        )
    parsed = ParsedFile()
    budget = MAX_UNZIPPED_BYTES
    for name in names:
        with archive.open(name) as member:
            raw = member.read(budget + 1)
        budget -= len(raw)
        if budget < 0:
            raise QuestionFileError(
                None, f"the zip's XML files hold more than {MAX_UNZIPPED_BYTES // 1024 // 1024} MB"
            )
        try:
            text = decode_text(raw, name)
            _parse_assessments(read_xml(text), parsed, stem, name)
        except QuestionFileError as error:
            raise QuestionFileError(None, f"{name}: {error}") from None
    return parsed


def parse_qti_xml(text: str, stem: str = "q", name: str = "") -> ParsedFile:
    """One QTI assessment file (the XML inside Canvas's zip)."""
    parsed = ParsedFile()
    _parse_assessments(read_xml(text), parsed, stem, name)
    return parsed


def _assessment_files(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> list[str]:
    """The QTI files the manifest lists (Canvas's quiz export), else every XML file whose
    root is <questestinterop>; Canvas's duplicate non_cc_assessments copies are skipped."""
    by_name = {info.filename: info for info in members if not info.is_dir()}
    manifest = by_name.get("imsmanifest.xml")
    listed: list[str] = []
    if manifest is not None and manifest.file_size <= MAX_ZIP_BYTES:
        try:
            root = read_xml(decode_text(archive.read("imsmanifest.xml"), "imsmanifest.xml"))
        except QuestionFileError:
            root = None
        if root is not None:
            for resource in root.iter():
                if _local(resource.tag) != "resource":
                    continue
                if not resource.get("type", "").startswith("imsqti_xmlv1p2"):
                    continue
                for file in resource:
                    href = file.get("href", "")
                    if _local(file.tag) == "file" and href in by_name and href.endswith(".xml"):
                        listed.append(href)
    if listed:
        return list(dict.fromkeys(listed))
    candidates = [
        name
        for name in sorted(by_name)
        if name.endswith((".xml", ".qti"))
        and name != "imsmanifest.xml"
        and not name.endswith("assessment_meta.xml")
    ]
    found = [name for name in candidates if _is_qti(archive, name)]
    main = [name for name in found if not name.startswith("non_cc_assessments/")]
    return main or found


def _is_qti(archive: zipfile.ZipFile, name: str) -> bool:
    with archive.open(name) as member:
        head = member.read(2048)
    return b"questestinterop" in head


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _strip_namespaces(root: ET.Element) -> ET.Element:
    for element in root.iter():
        element.tag = _local(element.tag)
    return root


# --- assessments ------------------------------------------------------------------------


def _parse_assessments(root: ET.Element, parsed: ParsedFile, stem: str, file: str) -> None:
    root = _strip_namespaces(root)
    if root.tag != "questestinterop":
        raise QuestionFileError(
            None, f"this is not QTI: its root is <{root.tag}>, not <questestinterop>"
        )
    assessments = list(root.iter("assessment")) or [root]
    prefix = f"{PurePosixPath(file).name}: " if file else ""
    for assessment in assessments:
        category = assessment.get("title", "")
        for number, item in enumerate(assessment.iter("item"), start=1):
            if len(parsed.questions) >= MAX_QUESTIONS:
                raise QuestionFileError(None, f"the file holds more than {MAX_QUESTIONS} questions")
            where = f"{prefix}item {number}"
            name = item.get("title") or item.get("ident") or f"item {number}"
            kind = _metadata(item).get("question_type", "")
            if kind not in _KINDS:
                label = TYPE_NAMES.get(
                    kind, kind.replace("_question", "").replace("_", " ") or "untyped"
                )
                parsed.unsupported.append(Unsupported(None, name, label, where=where))
                continue
            try:
                question = _item(item, _KINDS[kind], stem, number)
            except ImageNotCarried as image:
                parsed.unsupported.append(
                    Unsupported(None, name, kind, reason=str(image), where=where)
                )
                continue
            except _Refused as refused:
                parsed.unsupported.append(
                    Unsupported(None, name, kind, reason=refused.reason, where=where)
                )
                continue
            question.category = category
            if question.title in ("Question", ""):
                question.title = ""
            parsed.questions.append(question)


def _metadata(item: ET.Element) -> dict[str, str]:
    fields = {}
    for field in item.iter("qtimetadatafield"):
        label, entry = field.findtext("fieldlabel"), field.findtext("fieldentry")
        if label:
            fields[label.strip()] = (entry or "").strip()
    return fields


def _mattext(node: ET.Element | None, *, markdown: bool) -> str:
    """The text of a <material> (or anything holding one), in this app's form."""
    if node is None:
        return ""
    mattext = node.find(".//mattext")
    if mattext is None:
        return ""
    text = mattext.text or ""
    text_format = "html" if "html" in mattext.get("texttype", "text/plain") else "plain"
    return to_markdown(text, text_format) if markdown else to_plain(text, text_format)


def _item(item: ET.Element, kind: str, stem: str, number: int) -> BundleQuestion:
    meta = _metadata(item)
    presentation = item.find("presentation")
    prompt = _mattext(
        presentation.find("material") if presentation is not None else None, markdown=True
    )
    if not prompt and kind != "description":
        raise _Refused("has no question text")
    feedback = _feedbacks(item)
    title = item.get("title", "").strip()[:200]
    question = BundleQuestion(
        key=make_key(title if title != "Question" else "", stem, number),
        kind=kind,
        prompt=prompt,
        title=title,
        explanation=feedback.get("general_fb", ""),
    )
    question.points = _points(meta.get("points_possible", "1"))
    conditions = _conditions(item)
    if kind == "description":
        question.points = Decimal(0)
    elif kind in ("single", "true-false", "multiple"):
        question.choices = _choices(item, kind, conditions, feedback)
    elif kind == "short":
        question.choices = _short_answers(conditions, feedback)
    elif kind == "numeric":
        question.choices = _numeric_answers(conditions, feedback)
    return question


def _points(value: str) -> Decimal:
    try:
        points = Decimal(value or "1")
    except InvalidOperation:
        raise _Refused(f"has points_possible '{value[:20]}', which is not a number") from None
    if not points.is_finite() or not 0 <= points <= 1000:
        raise _Refused("has points_possible outside 0..1000")
    return points.quantize(Decimal("0.01"))


def _feedbacks(item: ET.Element) -> dict[str, str]:
    return {
        node.get("ident", ""): _mattext(node, markdown=node.get("ident") == "general_fb")
        for node in item.findall("itemfeedback")
    }


class _Condition:
    """One <respcondition>: what it tests, the score it sets, the feedback it shows."""

    def __init__(self, node: ET.Element):
        self.node = node
        self.var = node.find("conditionvar")
        score = node.find("setvar")
        try:
            self.score = Decimal((score.text or "0").strip()) if score is not None else None
        except InvalidOperation:
            self.score = None
        self.feedback = [d.get("linkrefid", "") for d in node.findall("displayfeedback")]

    def equals(self, *, negated: bool = False) -> list[str]:
        """Values of <varequal> (inside <not> when `negated`)."""
        if self.var is None:
            return []
        values = []
        for parent in self.var.iter():
            for child in parent:
                if child.tag != "varequal":
                    continue
                if (parent.tag == "not") == negated:
                    values.append((child.text or "").strip())
        return values


def _conditions(item: ET.Element) -> list[_Condition]:
    processing = item.find("resprocessing")
    return (
        [_Condition(node) for node in processing.iter("respcondition")]
        if processing is not None
        else []
    )


def _choices(item, kind: str, conditions: list[_Condition], feedback: dict[str, str]):
    labels = item.findall(".//response_lid//response_label")
    if len(labels) < 2:
        raise _Refused("has fewer than two choices")
    scoring = [c for c in conditions if c.score is not None and c.score > 0]
    right = {value for condition in scoring for value in condition.equals()}
    if not right:
        raise _Refused("marks no choice as right")
    by_choice: dict[str, str] = {}
    for condition in conditions:
        if condition.score is None:
            for value in condition.equals():
                for link in condition.feedback:
                    if feedback.get(link):
                        by_choice[value] = feedback[link]
    choices = []
    for index, label in enumerate(labels):
        ident = label.get("ident", "")
        text = _mattext(label, markdown=False)
        if not text:
            raise _Refused(f"has an empty choice (#{index + 1})")
        key = text.strip().lower() if kind == "true-false" else _letter(index)
        choices.append(
            BundleChoice(
                key,
                text.strip(),
                ident in right,
                feedback=by_choice.get(ident, feedback.get(f"{ident}_fb", "")),
            )
        )
    if kind == "true-false":
        if sorted(c.key for c in choices) != ["false", "true"]:
            raise _Refused("is a true/false question without a True and a False choice")
        for choice in choices:
            choice.text = choice.key.capitalize()
        choices.sort(key=lambda c: c.key != "true")
    if kind in ("single", "true-false") and sum(c.correct for c in choices) != 1:
        raise _Refused("is a single-answer question with more than one right choice")
    return choices


def _short_answers(conditions: list[_Condition], feedback: dict[str, str]) -> list[BundleChoice]:
    accepted: list[str] = []
    for condition in conditions:
        if condition.score is not None and condition.score > 0:
            accepted.extend(value for value in condition.equals() if value)
    by_answer = {}
    for condition in conditions:
        if condition.score is None:
            for value in condition.equals():
                for link in condition.feedback:
                    if feedback.get(link):
                        by_answer[value] = feedback[link]
    accepted = list(dict.fromkeys(accepted))
    if not accepted:
        raise _Refused("has no accepted answer")
    return [
        BundleChoice(_letter(i), text, True, feedback=by_answer.get(text, ""))
        for i, text in enumerate(accepted)
    ]


def _numeric_answers(conditions: list[_Condition], feedback: dict[str, str]) -> list[BundleChoice]:
    choices = []
    for condition in conditions:
        if condition.score is None or condition.score <= 0 or condition.var is None:
            continue
        low = _bound(condition, ("vargte", "vargt"))
        high = _bound(condition, ("varlte", "varlt"))
        exact = condition.equals()
        if low is not None and high is not None:
            if low > high:
                raise _Refused(f"has the range {low}..{high}, which runs backwards")
            value, tolerance = (low + high) / 2, (high - low) / 2
        elif exact:
            value, tolerance = _decimal(exact[0]), Decimal(0)
        else:
            continue
        link = next(
            (feedback[f] for f in condition.feedback if feedback.get(f) and f != "correct_fb"), ""
        )
        choices.append(
            BundleChoice(
                key=_letter(len(choices)),
                text=_plain_number(value),
                correct=True,
                tolerance=float(tolerance) or None,
                feedback=link,
            )
        )
    if not choices:
        raise _Refused("has no numerical answer")
    return choices


def _bound(condition: _Condition, tags: tuple[str, ...]) -> Decimal | None:
    for tag in tags:
        node = condition.var.find(f".//{tag}")
        if node is not None:
            return _decimal(node.text or "")
    return None


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise _Refused(f"has the answer '{text.strip()[:20]}', which is not a number") from None
    if not value.is_finite():
        raise _Refused(f"has the answer '{text.strip()[:20]}', which is not a number")
    return value


def _plain_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def _letter(index: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[index % 26] + ("" if index < 26 else str(index))
