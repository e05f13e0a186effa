"""Canvas QTI import: the zip of "Export quiz" (written after Canvas's export), every
supported type, the rest refused by name and item, broken and hostile zips refused."""

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from quizzes.qti import parse_qti_zip
from quizzes.question_files import QuestionFileError, read_question_file

EXPORT = Path(__file__).parent / "data" / "canvas_quiz"
ASSESSMENT = EXPORT / "g0f1e2d3" / "g0f1e2d3.xml"


def canvas_zip(extra: dict[str, bytes] | None = None, *, manifest: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(EXPORT.rglob("*")):
            name = path.relative_to(EXPORT).as_posix()
            if path.is_file() and (manifest or name != "imsmanifest.xml"):
                archive.write(path, name)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def parsed():
    return parse_qti_zip(canvas_zip(), "export")


def _by_title(parsed):
    return {q.title or q.key: q for q in parsed.questions}


def test_it_imports_every_supported_type_with_points_and_the_quiz_as_category(parsed):
    assert [(q.kind, q.points) for q in parsed.questions] == [
        ("single", Decimal(2)),
        ("true-false", Decimal(1)),
        ("multiple", Decimal(1)),
        ("short", Decimal(1)),
        ("numeric", Decimal(1)),
        ("essay", Decimal(3)),
        ("description", Decimal(0)),
    ]
    assert parsed.categories == {"RLHF basics": 7}


def test_multiple_choice_keeps_the_right_choice_feedback_and_general_feedback(parsed):
    question = _by_title(parsed)["Reward output"]
    assert question.prompt == "What does a **reward model** output?"
    assert question.explanation == "One scalar per response."
    assert [(c.text, c.correct, c.feedback) for c in question.choices] == [
        ("A single number", True, ""),
        ("A token distribution", False, "That is the policy."),
        ("A text", False, ""),
    ]


def test_true_false_and_multiple_answers(parsed):
    true_false = next(q for q in parsed.questions if q.kind == "true-false")
    assert true_false.title == "" and [(c.key, c.correct) for c in true_false.choices] == [
        ("true", False),
        ("false", True),
    ]
    multiple = _by_title(parsed)["Methods with a reward model"]
    assert [(c.text, c.correct) for c in multiple.choices] == [
        ("PPO", True),
        ("Best-of-n", True),
        ("Plain SFT", False),
    ]


def test_short_answers_and_numerical_exact_margin_and_range_answers(parsed):
    short = _by_title(parsed)["Goodhart"]
    assert [(c.text, c.feedback) for c in short.choices] == [
        ("Goodhart", "Charles Goodhart, 1975."),
        ("Goodhart's law", ""),
    ]
    numeric = _by_title(parsed)["Sigmoid"]
    assert [(c.text, c.tolerance) for c in numeric.choices] == [
        ("0.88", 0.01),
        ("0.75", 0.25),
        ("88", None),
    ]


def test_essay_and_text_only_items(parsed):
    assert _by_title(parsed)["Reward hacking"].explanation == "A proxy rises while the goal falls."
    assert _by_title(parsed)["Read this"].prompt == "The next part is about PPO."


def test_other_types_and_images_from_the_zip_are_refused_by_name_and_item(parsed):
    assert [str(item) for item in parsed.unsupported] == [
        "g0f1e2d3.xml: item 8: 'Match' is a matching question, which this app has not",
        "g0f1e2d3.xml: item 9: 'Blanks' is a fill in multiple blanks question, which this app "
        "has not",
        "g0f1e2d3.xml: item 10: 'Chart' embeds an image (chart.png) that is not on the web; "
        "images are not imported",
    ]


def test_a_zip_without_a_manifest_is_read_by_its_xml_and_canvas_duplicates_skipped():
    duplicate = {"non_cc_assessments/g0f1e2d3.xml.qti": ASSESSMENT.read_bytes()}
    parsed = parse_qti_zip(canvas_zip(duplicate, manifest=False))
    assert len(parsed.questions) == 7


def test_one_assessment_file_on_its_own_is_read_too():
    parsed = read_question_file(ASSESSMENT.read_bytes(), "quiz.xml", allow_unsupported=True)
    assert parsed.file_format == "qti" and len(parsed.questions) == 7


def test_the_whole_zip_is_refused_unless_the_unsupported_may_be_skipped():
    with pytest.raises(QuestionFileError, match="item 8: 'Match' is a matching question"):
        read_question_file(canvas_zip(), "export.zip")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 not really a zip", "not a readable zip"),
        (zip_of({"q/q.xml": b"<questestinterop><item"}), "q/q.xml: line 1: the XML is not well"),
        (zip_of({"q/q.xml": b"<questestinterop>\x00</questestinterop>"}), "holds a NUL byte"),
    ],
)
def test_a_broken_zip_is_refused_clearly(data, message):
    with pytest.raises(QuestionFileError, match=message):
        read_question_file(data, "export.zip")


def test_a_zip_with_no_assessment_is_refused_clearly():
    with pytest.raises(QuestionFileError, match="holds no QTI assessment"):
        read_question_file(zip_of({"word/document.xml": b"<w:document/>"}), "notes.docx")


def test_a_zip_bomb_is_refused_without_being_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("q.xml", b"<questestinterop>" + b" " * (30 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    with pytest.raises(QuestionFileError, match="more than 20 MB"):
        read_question_file(buffer.getvalue(), "export.zip")
