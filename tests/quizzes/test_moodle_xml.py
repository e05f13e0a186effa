"""Moodle XML import: every supported type from a bank written after Moodle's format page,
the rest refused by name and line, malformed and hostile XML refused clearly."""

from decimal import Decimal
from pathlib import Path

import pytest

from quizzes.moodle_xml import parse_moodle_xml
from quizzes.question_files import QuestionFileError, read_question_file

BANK = Path(__file__).parent / "data" / "moodle_bank.xml"


@pytest.fixture(scope="module")
def parsed():
    return parse_moodle_xml(BANK.read_text(), "bank")


def _by_key(parsed):
    return {q.key: q for q in parsed.questions}


def test_it_imports_every_supported_type_with_its_key_points_and_category(parsed):
    assert [(q.key, q.kind, q.points) for q in parsed.questions] == [
        ("reward-output", "single", Decimal(2)),
        ("alignment-methods", "multiple", Decimal(1)),
        ("dpo", "true-false", Decimal(1)),
        ("goodhart", "short", Decimal(1)),
        ("kl", "numeric", Decimal(1)),
        ("reward-hacking", "essay", Decimal(5)),
        ("part-two", "description", Decimal(0)),
    ]
    assert parsed.categories == {"Reward models": 7}


def test_html_text_becomes_markdown_and_answers_become_plain_text(parsed):
    question = _by_key(parsed)["reward-output"]
    assert question.prompt == "What does a **reward model** output for a response?"
    assert question.explanation == "A reward model is a regression head: *one* number."
    assert [(c.text, c.correct, c.weight, c.feedback) for c in question.choices] == [
        ("A single number", True, None, "Right."),
        ("A token distribution", False, None, "That is the policy."),
        ("A logit", False, Decimal(50), ""),
    ]


def test_a_multiple_answer_question_keeps_its_fractions(parsed):
    question = _by_key(parsed)["alignment-methods"]
    assert question.prompt == "Which of these use a **reward model**?"
    assert [(c.correct, c.weight) for c in question.choices] == [
        (True, Decimal(50)),
        (True, Decimal(50)),
        (False, Decimal(-100)),
    ]


def test_true_false_feedback_goes_with_each_answer(parsed):
    question = _by_key(parsed)["dpo"]
    by_key = {c.key: c for c in question.choices}
    assert by_key["false"].correct and not by_key["true"].correct
    assert by_key["true"].feedback.startswith("No: it optimises")
    assert question.explanation == "DPO's loss is the reward model."


def test_short_and_numerical_answers_keep_wildcards_tolerances_and_weights(parsed):
    short = _by_key(parsed)["goodhart"]
    assert [(c.text, c.weight) for c in short.choices] == [
        ("Goodhart", None),
        ("Good*", Decimal(50)),
        ("*", Decimal(0)),
    ]
    numeric = _by_key(parsed)["kl"]
    assert numeric.prompt == "KL of a distribution from itself? (2 \\* 0 = ?)"
    assert [(c.text, c.tolerance, c.weight) for c in numeric.choices] == [
        ("0", 0.001, None),
        ("0.1", 0.05, Decimal(50)),
        ("*", None, Decimal(0)),
    ]
    assert parsed.notes == [
        "line 71: 'KL': its units (nats) are not asked for; students give the number"
    ]


def test_an_essays_grader_information_is_its_reference_answer(parsed):
    essay = _by_key(parsed)["reward-hacking"]
    assert essay.reference_answer == "Look for a *proxy* that rises while the true goal falls."
    assert essay.rubric == []


def test_a_description_is_kept_as_text_between_questions(parsed):
    assert _by_key(parsed)["part-two"].prompt == "### Part two\n\nThe next questions are about PPO."


def test_other_types_and_embedded_images_are_refused_by_name_and_line(parsed):
    assert [str(item) for item in parsed.unsupported] == [
        "line 103: 'Match methods' is a matching question, which this app has not",
        "line 109: 'Cloze' is an embedded answers (Cloze) question, which this app has not",
        "line 114: 'Chart' embeds a file (chart.png) in its questiontext; images and files are "
        "not imported",
    ]


def test_the_whole_file_is_refused_unless_the_unsupported_may_be_skipped():
    with pytest.raises(QuestionFileError, match="line 103: 'Match methods' is a matching"):
        read_question_file(BANK.read_bytes(), "bank.xml")
    parsed = read_question_file(BANK.read_bytes(), "bank.xml", allow_unsupported=True)
    assert parsed.file_format == "moodle-xml" and len(parsed.questions) == 7


def _xml(question: str) -> str:
    return f'<?xml version="1.0"?>\n<quiz>\n{question}\n</quiz>\n'


def test_an_image_linked_from_moodles_file_store_is_refused():
    text = _xml(
        '<question type="truefalse"><name><text>Pic</text></name>'
        '<questiontext format="html"><text><![CDATA[<img src="@@PLUGINFILE@@/p.png">?]]></text>'
        '</questiontext><answer fraction="100"><text>true</text></answer>'
        '<answer fraction="0"><text>false</text></answer></question>'
    )
    parsed = parse_moodle_xml(text)
    assert "embeds an image (p.png)" in str(parsed.unsupported[0])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<quiz><question type='truefalse'>", "not well formed"),
        ("<notquiz/>", "root is <notquiz>, not <quiz>"),
        (
            '<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaa">]><quiz>&a;</quiz>',
            "DTD, entities or external references",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE quiz SYSTEM "http://example.com/x.dtd"><quiz/>',
            "DTD, entities or external references",
        ),
    ],
)
def test_malformed_and_hostile_xml_is_refused_clearly(text, message):
    with pytest.raises(QuestionFileError, match=message):
        read_question_file(text.encode(), "bank.xml")


def test_a_single_answer_question_without_a_right_answer_is_refused_by_name():
    text = _xml(
        '<question type="multichoice"><name><text>None right</text></name>'
        "<questiontext><text>Q?</text></questiontext><single>true</single>"
        '<answer fraction="0"><text>a</text></answer><answer fraction="0"><text>b</text></answer>'
        "</question>"
    )
    parsed = parse_moodle_xml(text)
    assert str(parsed.unsupported[0]) == (
        "line 3: 'None right' is a single-answer question with no answer worth 100%"
    )


def test_a_thousand_questions_with_their_category_fit_the_limit():
    questions = "".join(
        f'<question type="essay"><name><text>Q{i}</text></name>'
        f"<questiontext><text>Why {i}?</text></questiontext></question>"
        for i in range(1000)
    )
    category = (
        '<question type="category"><category><text>$course$/top/A</text></category></question>'
    )
    parsed = read_question_file(_xml(category + questions).encode(), "bank.xml")
    assert len(parsed.questions) == 1000
    with pytest.raises(QuestionFileError, match="2000 questions; at most 1000"):
        read_question_file(_xml(category + questions * 2).encode(), "b.xml")
