"""GIFT import as Moodle reads it: Moodle's own examples, every type, format tags, missing
words, general feedback, wildcards, numeric ranges, categories, escapes, refusals by line."""

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


def _choices(question):
    return [(c.text, c.correct, c.weight, c.feedback) for c in question.choices]


def test_it_imports_every_one_of_moodles_examples_but_matching():
    parsed = parse_gift(EXAMPLES.read_text(), "moodle")
    kinds = {q.key: q.kind for q in parsed.questions}
    assert kinds["q1"] == "true-false" and kinds["q2"] == "single" and kinds["q3"] == "short"
    assert kinds["q5"] == kinds["q6"] == kinds["q7"] == "numeric" and kinds["q8"] == "essay"
    assert len(parsed.questions) == 18
    skipped = [(u.line, u.name, u.kind) for u in parsed.unsupported]
    assert skipped == [
        (13, "Q4", "matching"),
        (52, "Match the following countries with their corresponding capit", "matching"),
    ]


def test_it_refuses_a_file_with_matching_questions_unless_they_may_be_skipped():
    text = EXAMPLES.read_text()
    with pytest.raises(QuestionFileError) as error:
        parse_question_file(text, "moodle.gift")
    assert error.value.line == 13
    assert "line 13: 'Q4' is a matching question" in str(error.value)
    assert "line 52: 'Match the following" in str(error.value)
    parsed = parse_question_file(text, "moodle.gift", allow_unsupported=True)
    assert len(parsed.questions) == 18 and len(parsed.unsupported) == 2


def test_it_puts_a_blank_where_the_answers_of_a_missing_word_question_were():
    question = _one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert question.kind == "single" and question.prompt == "Grant is _____ in Grant's tomb."
    assert [c.text for c in question.choices if c.correct] == ["entombed"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Two plus {#4:0} is four, roughly.", "numeric"),
        ("Grant is buried {FALSE#wrong#right####general feedback} there.", "true-false"),
        ("The word is {=blue =%50%bleu} in English.", "short"),
        ("Stray text after the block {T} .", "true-false"),
    ],
)
def test_any_type_takes_text_after_its_block_as_moodle_does(text, kind):
    question = _one(text)
    assert question.kind == kind and "_____" in question.prompt


def test_it_keeps_the_general_feedback_of_true_false_and_numeric_questions():
    tf = _one("Grant is buried in Grant's tomb.{FALSE#wrong#right####general feedback}")
    assert tf.explanation == "general feedback"
    by_key = {c.key: c for c in tf.choices}
    assert by_key["false"].correct and by_key["false"].feedback == "right"
    assert by_key["true"].feedback == "wrong"
    numeric = _one("What is 3?{#3:2~#Completely wrong####It is three.}")
    assert numeric.explanation == "It is three."


def test_a_numeric_tilde_is_feedback_for_any_other_number():
    question = _one("What is 3? {#3:2~#Completely wrong}")
    assert [(c.text, c.tolerance, c.weight, c.feedback) for c in question.choices] == [
        ("3", 2.0, None, ""),
        ("*", None, Decimal(0), "Completely wrong"),
    ]


def test_numeric_ranges_and_several_weighted_answers():
    ranged = _one("A number from 1 to 5? {#1..5}")
    assert (ranged.choices[0].text, ranged.choices[0].tolerance) == ("3", 2.0)
    grant = _one("Born? {#\n =1822:0 # Correct!\n =%50%1822:2 # Close.\n}")
    assert [(c.text, c.tolerance, c.weight, c.feedback) for c in grant.choices] == [
        ("1822", None, None, "Correct!"),
        ("1822", 2.0, Decimal(50), "Close."),
    ]


def test_a_short_answer_keeps_its_wildcard_and_its_zero_weight():
    question = _one("What is it? {=cat =%0%*#Completely wrong}")
    assert _choices(question) == [
        ("cat", True, None, ""),
        ("*", False, Decimal(0), "Completely wrong"),
    ]


def test_multiple_choice_keeps_per_answer_feedback_and_strips_format_tags():
    question = _one(
        "::Q2:: Colour? { =[plain]yellow # right; good! "
        "~red # [html]wrong, it's <b>yellow</b> ~blue }"
    )
    assert question.title == "Q2" and question.prompt == "Colour?"
    assert _choices(question) == [
        ("yellow", True, None, "right; good!"),
        ("red", False, None, "wrong, it's yellow"),
        ("blue", False, None, ""),
    ]


def test_weighted_tildes_make_a_multiple_answer_question():
    question = _one("Who? {\n ~%-100%No one\n ~%50%Grant\n ~%50%Wife\n}")
    assert question.kind == "multiple"
    assert [c.weight for c in question.choices] == [Decimal(-100), Decimal(50), Decimal(50)]
    assert [c.correct for c in question.choices] == [False, True, True]


def test_an_equals_answer_with_partial_tildes_is_single_choice_with_partial_credit():
    question = _one("Best? {=PPO ~%50%DPO ~SFT}")
    assert question.kind == "single"
    assert _choices(question) == [
        ("PPO", True, None, ""),
        ("DPO", False, Decimal(50), ""),
        ("SFT", False, None, ""),
    ]


def test_several_equals_answers_among_tildes_all_earn_full_credit():
    question = _one("Either? {=a =b ~c}")
    assert question.kind == "single"
    assert [(c.correct, c.weight) for c in question.choices] == [
        (True, None),
        (False, Decimal(100)),
        (False, None),
    ]


def test_markdown_is_kept_html_becomes_markdown_and_plain_text_is_escaped():
    assert _one("[markdown]**Bold** question {T}").prompt == "**Bold** question"
    html = _one(
        "[html]<p>Is <b>RLHF</b> &amp; SFT the same?</p><script>x()</script><p>Think.</p>{F}"
    )
    assert html.prompt == "Is **RLHF** \\& SFT the same?\n\nThink."
    plain = _one("[plain]2 * 3 = <b>6</b>?{T}")
    assert plain.prompt == "2 \\* 3 = \\<b\\>6\\</b\\>?"
    # Moodle's default (no tag) allows HTML, as Moodle's auto-format does.
    assert _one("Is <i>this</i> italic?{T}").prompt == "Is *this* italic?"


def test_general_feedback_takes_the_question_format_unless_it_has_its_own():
    question = _one("[html]<p>Q?</p>{T####<b>Because</b>.}")
    assert question.explanation == "**Because**."
    question = _one("[html]<p>Q?</p>{T####[plain]<b>Because</b>.}")
    assert question.explanation == "\\<b\\>Because\\</b\\>."


def test_escaped_special_characters_are_text():
    question = _one("Which is 5\\: really? {~\\= 2 + 2 =\\= 2 + 3 ~a \\{brace\\} \\# \\~}")
    assert question.prompt == "Which is 5: really?"
    assert [c.text for c in question.choices] == ["= 2 + 2", "= 2 + 3", "a {brace} # ~"]


def test_comments_are_ignored_and_categories_are_reported():
    parsed = parse_gift("// comment\n$CATEGORY: a/b\n\nQ1 {T}\n\n$CATEGORY: c\n\nQ2 {F}\n")
    assert [q.category for q in parsed.questions] == ["a/b", "c"]
    assert parsed.categories == {"a/b": 1, "c": 1}


def test_a_question_without_an_answer_block_is_a_description():
    parsed = parse_gift("::Intro:: Just some text.\n\nQ {T}\n")
    assert [(q.kind, q.title, q.prompt, q.points) for q in parsed.questions][0] == (
        "description",
        "Intro",
        "Just some text.",
        Decimal(0),
    )


def test_an_essay_is_an_empty_block_with_or_without_general_feedback():
    assert _one("How are you? {}").kind == "essay"
    essay = _one("Why? {####Because.}")
    assert essay.kind == "essay" and essay.explanation == "Because."


def test_an_id_and_points_comment_sets_the_key_and_points():
    question = _one("// [id:reward-q] [points:2.5]\n::T:: Q {T}")
    assert question.key == "reward-q" and question.points == Decimal("2.5")


def test_keys_are_stable_and_unique_within_a_file():
    parsed = parse_question_file("::Same:: A {T}\n\n::Same:: B {F}\n\nC {T}\n", "file.gift")
    assert [q.key for q in parsed.questions] == ["same", "same-2", "file-line-5"]


def test_several_answer_blocks_are_refused_by_name_and_line():
    parsed = parse_gift("::Cloze:: A {=a} and\nB {=b}\n")
    assert [(u.line, u.name, u.kind) for u in parsed.unsupported] == [
        (1, "Cloze", "embedded answers")
    ]


def test_an_image_gift_cannot_carry_is_refused_by_name():
    parsed = parse_gift('::Chart:: [html]<img src="@@PLUGINFILE@@/c.png"> Which? {T}')
    assert len(parsed.unsupported) == 1 and "embeds an image (c.png)" in str(parsed.unsupported[0])


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("// a\n\nQuestion {=a ~b\n\nNext {T}", 3, "never closed"),
        ("Question } {T}", 1, "never opened"),
        ("::Title without end {T}", 1, "title opened with '::' is never closed"),
        ("Question {~a ~b}", 1, "needs a = right answer"),
        ("Question {~%50%a ~b}", 1, "must add up to 100"),
        ("Question {=a}\n\nQ2 {~only}", 3, "at least two answers"),
        ("Question {#abc}", 1, "not a number"),
        ("Question {#5..1}", 1, "runs backwards"),
        ("Question {~%150%a =b}", 1, "outside -100..100"),
        ("Question {=a ~}", 1, "an answer is empty"),
        ("{T}", 1, "needs text before"),
        ("// [points:lots]\nQ {T}", 2, "not a number"),
    ],
)
def test_a_malformed_file_is_refused_with_the_line_of_the_problem(text, line, message):
    with pytest.raises(QuestionFileError) as error:
        parse_question_file(text, "bad.gift")
    assert error.value.line == line and message in error.value.message
