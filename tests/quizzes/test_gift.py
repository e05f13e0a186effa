"""GIFT import: Moodle's own examples, every supported type, escapes, refusals with lines."""

from decimal import Decimal
from pathlib import Path

import pytest

from quizzes.gift import parse_gift
from quizzes.question_files import QuestionFileError, parse_question_file

EXAMPLES = Path(__file__).parent / "data" / "moodle_examples.gift"


def _one(text: str):
    parsed = parse_gift(text)
    assert parsed.unsupported == [] and len(parsed.questions) == 1
    return parsed.questions[0]


def test_moodles_examples_import_every_supported_type_and_name_the_rest():
    parsed = parse_gift(EXAMPLES.read_text(), "moodle")
    kinds = {q.key: q.kind for q in parsed.questions}
    assert kinds["q1"] == "true-false" and kinds["q2"] == "single"
    assert kinds["q5"] == kinds["q6"] == kinds["q7"] == "numeric" and kinds["q8"] == "essay"
    assert sorted(set(kinds.values())) == [
        "essay",
        "multiple",
        "numeric",
        "short",
        "single",
        "true-false",
    ]
    skipped = [(u.line, u.name, u.kind) for u in parsed.unsupported]
    assert skipped == [
        (10, "Q3", "missing word (embedded answer)"),
        (13, "Q4", "matching"),
        (35, "Grant is", "missing word (embedded answer)"),
        (52, "Match the following countries with their corresponding capit", "matching"),
        (59, "Moodle costs", "missing word (embedded answer)"),
    ]


def test_a_file_with_unsupported_types_is_refused_unless_they_may_be_skipped():
    text = EXAMPLES.read_text()
    with pytest.raises(QuestionFileError) as error:
        parse_question_file(text, "moodle.gift")
    assert error.value.line == 10
    assert "'Q3' is a missing word" in error.value.message and "'Q4' is a matching" in str(
        error.value
    )
    parsed = parse_question_file(text, "moodle.gift", allow_unsupported=True)
    assert len(parsed.questions) == 15 and len(parsed.unsupported) == 5


def test_multiple_choice_keeps_per_answer_feedback():
    question = _one("::Q2:: Colour? { =yellow # right; good! ~red # wrong ~blue }")
    assert question.title == "Q2" and question.prompt == "Colour?"
    assert [(c.text, c.correct, c.feedback) for c in question.choices] == [
        ("yellow", True, "right; good!"),
        ("red", False, "wrong"),
        ("blue", False, ""),
    ]


def test_weighted_tildes_make_a_multiple_select_question():
    question = _one("Who? {\n ~%-100%No one\n ~%50%Grant\n ~%50%Wife\n}")
    assert question.kind == "multiple"
    assert [c.weight for c in question.choices] == [Decimal(-100), Decimal(50), Decimal(50)]


def test_true_false_feedback_follows_moodles_wrong_then_right_order():
    question = _one("Grant is buried there.{FALSE#No one is.#Right.}")
    by_key = {c.key: c for c in question.choices}
    assert by_key["false"].correct and by_key["false"].feedback == "Right."
    assert by_key["true"].feedback == "No one is."


def test_short_answers_numeric_ranges_and_general_feedback():
    short = _one("Who? {=no one =%50%nobody#half ####Nobody is buried in it.}")
    assert short.kind == "short" and short.explanation == "Nobody is buried in it."
    assert [(c.text, c.weight, c.feedback) for c in short.choices] == [
        ("no one", None, ""),
        ("nobody", Decimal(50), "half"),
    ]
    ranged = _one("A number from 1 to 5? {#1..5}")
    assert (ranged.choices[0].text, ranged.choices[0].tolerance) == ("3", 2.0)


def test_escaped_special_characters_are_text():
    question = _one("Which is 5\\: really? {~\\= 2 + 2 =\\= 2 + 3 ~a \\{brace\\}}")
    assert question.prompt == "Which is 5: really?"
    assert [c.text for c in question.choices] == ["= 2 + 2", "= 2 + 3", "a {brace}"]


def test_comments_categories_and_format_markers_are_ignored():
    question = _one("// comment\n$CATEGORY: a/b\n\n[markdown]**Bold** question {T}")
    assert question.prompt == "**Bold** question" and question.kind == "true-false"


def test_keys_are_stable_and_unique_within_a_file():
    parsed = parse_question_file("::Same:: A {T}\n\n::Same:: B {F}\n\nC {T}\n", "file.gift")
    assert [q.key for q in parsed.questions] == ["same", "same-2", "file-line-5"]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("// a\n\nQuestion {=a ~b\n\nNext {T}", 3, "never closed"),
        ("::Title without end {T}", 1, "title opened with '::' is never closed"),
        ("Question {=a =b ~c}", 1, "several = answers"),
        ("Question {~a ~b}", 1, "needs a = right answer"),
        ("Question {#abc}", 1, "not a number"),
        ("Question {#5..1}", 1, "runs backwards"),
        ("Question {~%150%a =b}", 1, "outside -100..100"),
        ("First {T}\n\n\nSecond {TRUE#a#b#c}", 4, "at most two # feedbacks"),
        ("Question {=a ~}", 1, "an answer is empty"),
        ("{T}", 1, "needs text before"),
    ],
)
def test_a_malformed_file_is_refused_with_the_line_of_the_problem(text, line, message):
    with pytest.raises(QuestionFileError) as error:
        parse_question_file(text, "bad.gift")
    assert error.value.line == line and message in error.value.message


def test_a_question_without_an_answer_block_is_named_as_a_description():
    parsed = parse_gift("Just some text.\n\nQ {T}\n")
    assert [(u.line, u.kind) for u in parsed.unsupported] == [(1, "description (no answer block)")]


def test_html_question_text_keeps_its_words_not_its_tags():
    question = _one("[html]<p>Is <b>RLHF</b> &amp; SFT the same?</p><p>Think.</p>{F}")
    assert question.prompt == "Is RLHF & SFT the same?\n\nThink."
