"""Export of quizzes as GIFT and Moodle XML, and the round trip: export, import, the same
questions field for field (the command, the admin action, and the parsers)."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from quizzes.bundle_items import BundleChoice, BundleQuestion, BundleQuiz
from quizzes.gift import write_gift
from quizzes.models import Quiz
from quizzes.moodle_xml import write_moodle_xml
from quizzes.question_files import read_question_file
from quizzes.selectors import quizzes_as_bundle
from tests.quizzes.factories import make_quiz


def every_kind() -> list[BundleQuestion]:
    return [
        BundleQuestion(
            key="single-q",
            kind="single",
            title="Reward output",
            prompt="What does a **reward model** output? It's {braces} = #1: ~ok",
            explanation="One *scalar*.\n\nSee the lesson.",
            points=Decimal(2),
            choices=[
                BundleChoice("a", "A number", True, feedback="Right: {1} = #1"),
                BundleChoice("b", "A distribution", False, feedback="That's the policy."),
                BundleChoice("c", "A logit", False, weight=Decimal(50)),
            ],
        ),
        BundleQuestion(
            key="multi-q",
            kind="multiple",
            prompt="Which use a reward model?",
            choices=[
                BundleChoice("a", "PPO", True),
                BundleChoice("b", "Best-of-n", True),
                BundleChoice("c", "SFT", False, feedback="No."),
            ],
        ),
        BundleQuestion(
            key="weighted-q",
            kind="multiple",
            prompt="Weighted?",
            choices=[
                BundleChoice("a", "x", True, weight=Decimal(50)),
                BundleChoice("b", "y", True, weight=Decimal(50)),
                BundleChoice("c", "z", False, weight=Decimal(-100)),
            ],
        ),
        BundleQuestion(
            key="tf-q",
            kind="true-false",
            prompt="DPO needs a reward model.",
            explanation="General.",
            choices=[
                BundleChoice("true", "True", False, feedback="No."),
                BundleChoice("false", "False", True, feedback="Right."),
            ],
        ),
        BundleQuestion(
            key="short-q",
            kind="short",
            prompt="Grant is _____ in Grant's tomb.",
            choices=[
                BundleChoice("a", "entombed", True),
                BundleChoice("b", "bur*", True, weight=Decimal(50), feedback="Close."),
                BundleChoice("c", "*", False, weight=Decimal(0), feedback="Completely wrong"),
            ],
        ),
        BundleQuestion(
            key="numeric-q",
            kind="numeric",
            prompt="sigmoid(2)?",
            points=Decimal("1.5"),
            choices=[
                BundleChoice("a", "0.88", True, tolerance=0.01, feedback="Yes."),
                BundleChoice("b", "0.9", True, weight=Decimal(50), tolerance=0.05),
                BundleChoice("c", "*", False, weight=Decimal(0), feedback="Compute it."),
            ],
        ),
        BundleQuestion(key="essay-q", kind="essay", prompt="Describe it.", explanation="Why."),
        BundleQuestion(
            key="intro-q",
            kind="description",
            title="Part two",
            prompt="### Part two\n\nAbout PPO.",
            points=Decimal(0),
        ),
    ]


def _comparable(question: BundleQuestion) -> BundleQuestion:
    return replace(question, category="")


@pytest.mark.parametrize(("write", "name"), [(write_gift, "q.gift"), (write_moodle_xml, "q.xml")])
def test_a_round_trip_keeps_every_field(write, name):
    questions = every_kind()
    if write is write_moodle_xml:
        questions[6].reference_answer = "A *proxy* rises."
    text, notes = write([BundleQuiz(key="quiz", title="Quiz", questions=questions)])
    parsed = read_question_file(text.encode(), name)
    assert [_comparable(q) for q in parsed.questions] == questions
    assert set(parsed.categories) == {"Quiz"} and notes == []


def test_what_a_format_cannot_carry_is_named_in_the_notes():
    essay = BundleQuestion(
        key="essay-q",
        kind="essay",
        prompt="Describe.",
        points=Decimal(2),
        rubric=[{"criterion": "Clear", "levels": [{"points": 2, "description": "yes"}]}],
        reference_answer="ref",
    )
    scenario = BundleQuestion(key="sc", kind="scenario", prompt="A case.", parts=[essay])
    quiz = BundleQuiz(key="quiz", title="Quiz", questions=[scenario])
    _, gift_notes = write_gift([quiz])
    assert gift_notes == [
        "'sc': a scenario; GIFT has none, so its text is a description followed by its parts",
        "'essay-q': GIFT has no rubric or reference answer; left out",
    ]
    xml, xml_notes = write_moodle_xml([quiz])
    assert xml_notes[-1] == "'essay-q': Moodle's essay has no rubric; left out"
    parsed = read_question_file(xml.encode(), "q.xml")
    assert [(q.kind, q.key) for q in parsed.questions] == [
        ("description", "sc"),
        ("essay", "essay-q"),
    ]


def test_the_gift_export_is_what_moodle_reads():
    text, _ = write_gift([BundleQuiz(key="quiz", title="Quiz", questions=every_kind()[3:4])])
    assert text == (
        "// Quiz (quiz 'quiz')\n$CATEGORY: $course$/top/Quiz\n\n"
        "// [id:tf-q]\n[markdown]DPO needs a reward model. {FALSE#No.#Right.\n\t####General.\n}\n"
    )


@pytest.mark.django_db
def test_the_command_exports_a_quiz_that_imports_back_the_same(tmp_path, student):
    quiz = make_quiz(questions=every_kind())
    for file_format, name in (("gift", "out.gift"), ("moodle-xml", "out.xml")):
        out = tmp_path / name
        call_command(
            "export_questions", quiz.course.slug, quiz.key, "--format", file_format, "--out", out
        )
        call_command(
            "import_questions", quiz.course.slug, str(out), "--quiz", f"back-{file_format}"
        )
        back = Quiz.objects.get(key=f"back-{file_format}")
        original, copy = quizzes_as_bundle([quiz, back])
        assert copy.questions == original.questions


@pytest.mark.django_db
def test_the_admin_exports_the_selected_quizzes(client, instructor, student):
    quiz = make_quiz(questions=every_kind())
    client.force_login(instructor)
    url = reverse("admin:quizzes_quiz_changelist")
    for action, suffix, marker in (
        ("export_gift", "gift", "$CATEGORY:"),
        ("export_moodle_xml", "xml", "<quiz>"),
    ):
        response = client.post(url, {"action": action, "_selected_action": [quiz.pk]})
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="{quiz.key}.{suffix}"'
        assert marker in response.content.decode()
