"""Grading each question type, and combining attempts by the quiz's method."""

from decimal import Decimal

import pytest

from quizzes.grading import combine_attempts, fold_text, grade, matches_short_answer, parse_number
from quizzes.models import Choice, Question


def _question(kind, choices, points=1):
    return Question(kind=kind, points=Decimal(points)), [Choice(**c) for c in choices]


ABC = [
    {"key": "a", "text": "A", "correct": False, "feedback": "not a"},
    {"key": "b", "text": "B", "correct": True, "feedback": "yes b"},
    {"key": "c", "text": "C", "correct": False},
]


def test_a_single_choice_scores_the_correct_choice_with_its_feedback():
    question, choices = _question("single", ABC, points=2)
    outcome = grade(question, choices, {"choice": "b"})
    assert outcome.score(question.points) == Decimal("2.00")
    assert outcome.feedback == ["yes b"]


def test_a_wrong_or_missing_single_choice_scores_zero():
    question, choices = _question("single", ABC)
    assert grade(question, choices, {"choice": "a"}).fraction == 0
    assert grade(question, choices, {"choice": "a"}).feedback == ["not a"]
    assert grade(question, choices, {}).fraction == 0
    assert grade(question, choices, {"choice": "zzz"}).fraction == 0


MULTI = [
    {"key": "a", "text": "A", "correct": True},
    {"key": "b", "text": "B", "correct": True},
    {"key": "c", "text": "C", "correct": False},
    {"key": "d", "text": "D", "correct": False},
]


@pytest.mark.parametrize(
    ("selected", "fraction"),
    [
        (["a", "b"], Decimal(1)),
        (["a"], Decimal("0.5")),
        (["a", "c"], Decimal(0)),
        (["a", "b", "c"], Decimal("0.5")),
        (["a", "b", "c", "d"], Decimal(0)),
        (["c"], Decimal(0)),
        ([], Decimal(0)),
    ],
)
def test_a_multiple_select_gives_partial_credit_and_costs_wrong_choices(selected, fraction):
    question, choices = _question("multiple", MULTI)
    assert grade(question, choices, {"choices": selected}).fraction == fraction


def test_a_multiple_select_uses_explicit_weights_when_given():
    weighted = [
        {"key": "a", "text": "No one", "weight": Decimal(-100)},
        {"key": "b", "text": "Grant", "weight": Decimal(50), "correct": True},
        {"key": "c", "text": "Wife", "weight": Decimal(50), "correct": True},
    ]
    question, choices = _question("multiple", weighted, points=4)
    assert grade(question, choices, {"choices": ["b"]}).score(question.points) == Decimal("2.00")
    assert grade(question, choices, {"choices": ["b", "c"]}).fraction == 1
    assert grade(question, choices, {"choices": ["a", "b", "c"]}).fraction == 0


def test_true_false_is_a_choice_between_true_and_false():
    question, choices = _question(
        "true-false",
        [
            {"key": "true", "text": "True", "correct": False},
            {"key": "false", "text": "False", "correct": True, "feedback": "right"},
        ],
    )
    assert grade(question, choices, {"choice": "false"}).fraction == 1
    assert grade(question, choices, {"choice": "true"}).fraction == 0


@pytest.mark.parametrize(
    "typed", ["Goodhart's law", "  goodhart's   LAW ", "GOODHART", "goodhart\n"]
)
def test_short_answers_fold_case_and_whitespace_and_accept_any_listed_answer(typed):
    question, choices = _question(
        "short",
        [{"key": "a", "text": "Goodhart's law"}, {"key": "b", "text": "Goodhart"}],
    )
    assert grade(question, choices, {"text": typed}).fraction == 1


def test_a_short_answer_that_is_not_listed_or_blank_scores_zero():
    question, choices = _question("short", [{"key": "a", "text": "Goodhart's law"}])
    assert grade(question, choices, {"text": "Campbell's law"}).fraction == 0
    assert grade(question, choices, {"text": "   "}).fraction == 0


def test_a_weighted_short_answer_gives_its_share_and_feedback():
    question, choices = _question(
        "short",
        [
            {"key": "a", "text": "Goodhart"},
            {"key": "b", "text": "Campbell", "weight": Decimal(50), "feedback": "close"},
        ],
    )
    outcome = grade(question, choices, {"text": "campbell"})
    assert outcome.fraction == Decimal("0.5") and outcome.feedback == ["close"]


@pytest.mark.parametrize(
    ("typed", "fraction"),
    [("0.88", 1), ("0.875", 1), ("0,89", 1), (" .87 ", 1), ("0.86", 0), ("abc", 0), ("", 0)],
)
def test_numeric_answers_are_right_within_the_tolerance(typed, fraction):
    question, choices = _question("numeric", [{"key": "a", "text": "0.88", "tolerance": 0.01}])
    assert grade(question, choices, {"text": typed}).fraction == fraction


def test_numeric_answers_take_the_best_matching_weighted_answer():
    question, choices = _question(
        "numeric",
        [
            {"key": "a", "text": "1822", "tolerance": 0},
            {
                "key": "b",
                "text": "1822",
                "tolerance": 2,
                "weight": Decimal(50),
                "feedback": "close",
            },
        ],
    )
    assert grade(question, choices, {"text": "1822"}).fraction == 1
    near = grade(question, choices, {"text": "1821"})
    assert near.fraction == Decimal("0.5") and near.feedback == ["close"]


def test_essays_are_left_for_a_grader():
    question, choices = _question("essay", [])
    assert grade(question, choices, {"text": "My essay"}).fraction is None


def test_text_folding_and_number_parsing():
    assert fold_text("  Reward\tHACKING ") == "reward hacking"
    assert parse_number("1,000.5") == 1000.5
    assert parse_number("2e-3") == 0.002
    assert parse_number("inf") is None


@pytest.mark.parametrize(
    ("method", "scores", "expected"),
    [
        ("highest", [Decimal(2), Decimal(5), Decimal(3)], Decimal(5)),
        ("last", [Decimal(2), Decimal(5), Decimal(3)], Decimal(3)),
        ("first", [Decimal(2), Decimal(5), Decimal(3)], Decimal(2)),
        ("average", [Decimal(2), Decimal(5), Decimal(3)], Decimal("3.33")),
        ("highest", [Decimal(2), None], Decimal(2)),
        ("average", [Decimal(2), None], None),
        ("last", [Decimal(2), None], None),
        ("first", [], None),
    ],
)
def test_attempts_combine_by_the_quiz_grading_method(method, scores, expected):
    assert combine_attempts(method, scores) == expected


@pytest.mark.parametrize(
    ("accepted", "given", "matches"),
    [
        ("*", "Dog", True),
        ("Good*", "goodheart", True),
        ("Good*", "Bad", False),
        ("the * law", "The  Goodhart   law", True),
        ("the * law", "thelaw", False),
        ("a\\*b", "a*b", True),
        ("a\\*b", "axb", False),
        ("*a*a*a*a*a*", "x" * 20000, False),
    ],
)
def test_a_short_answer_star_matches_any_characters_as_moodle_does(accepted, given, matches):
    assert matches_short_answer(given, accepted) is matches


def test_the_first_matching_short_answer_wins_so_a_catch_all_gives_its_feedback():
    question, choices = _question(
        "short",
        [
            {"key": "a", "text": "cat", "correct": True},
            {
                "key": "b",
                "text": "*",
                "correct": False,
                "weight": 0,
                "feedback": "Completely wrong",
            },
        ],
    )
    assert grade(question, choices, {"text": "Cat"}).fraction == Decimal(1)
    outcome = grade(question, choices, {"text": "Dog"})
    assert outcome.fraction == Decimal(0) and outcome.feedback == ["Completely wrong"]


def test_a_numeric_star_catches_any_other_number_with_its_feedback():
    question, choices = _question(
        "numeric",
        [
            {"key": "a", "text": "3", "correct": True, "tolerance": 2},
            {"key": "b", "text": "*", "correct": False, "weight": 0, "feedback": "No."},
        ],
    )
    assert grade(question, choices, {"text": "4.5"}).fraction == Decimal(1)
    outcome = grade(question, choices, {"text": "9"})
    assert outcome.fraction == Decimal(0) and outcome.feedback == ["No."]
    assert grade(question, choices, {"text": "nine"}).feedback == []
