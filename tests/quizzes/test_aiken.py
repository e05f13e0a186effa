"""Aiken import: single-choice questions with lettered options and an ANSWER line."""

import pytest

from quizzes.question_files import QuestionFileError, parse_question_file

GOOD = """\
What does a reward model output for one response?
A. A probability for every token
B) A single number
C. A new prompt
ANSWER: B

Which stage comes first?
A. RLHF
B. SFT
ANSWER: B
"""


def test_it_reads_questions_options_and_answers():
    parsed = parse_question_file(GOOD, "rm.aiken")
    first, second = parsed.questions
    assert first.kind == "single" and first.prompt.startswith("What does a reward model")
    assert [(c.key, c.text, c.correct) for c in first.choices] == [
        ("a", "A probability for every token", False),
        ("b", "A single number", True),
        ("c", "A new prompt", False),
    ]
    assert first.key == "rm-line-1" and second.key == "rm-line-7"


def test_txt_files_are_read_as_aiken():
    assert len(parse_question_file(GOOD, "questions.txt").questions) == 2


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Q?\nA. x\nB. y\n", 1, "has no ANSWER: line"),
        ("Q?\nA. x\nB. y\nANSWER: D\n", 4, "'D' is not one of the options"),
        ("Q?\nA. x\nANSWER: A\n", 3, "at least two options"),
        ("Q?\nA. x\nC. y\nANSWER: A\n", 3, "out of order"),
        ("Q?\nA. x\nB. y\nstray text\nANSWER: A\n", 4, "is not an option"),
        ("A. x\nB. y\nANSWER: A\n", 1, "before any question text"),
        (GOOD + "\nQ3?\nA. x\n\nB. y\nANSWER: A\n", 14, "blank line among the options"),
    ],
)
def test_a_malformed_file_is_refused_with_the_line_of_the_problem(text, line, message):
    with pytest.raises(QuestionFileError) as error:
        parse_question_file(text, "bad.aiken")
    assert error.value.line == line and message in error.value.message


def test_an_unknown_extension_is_read_by_its_content_and_a_word_file_is_refused():
    assert parse_question_file(GOOD, "questions.text").file_format == "aiken"
    with pytest.raises(QuestionFileError, match="cannot tell the format"):
        parse_question_file("Just prose.", "questions.docx")
