"""The quizzes/ bundle section: read with file:line errors, import in place, export back."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from course.bundle import BundleError, read_bundle, write_bundle
from course.models import Course
from course.services import course_import_bundle
from quizzes import services
from quizzes.models import Attempt, Question, Quiz, Response
from tests.factories import make_bundle
from tests.quizzes.factories import field_names, make_quiz, single

CONTENT = Path(__file__).resolve().parents[2] / "content" / "alignment-training"
pytestmark = pytest.mark.django_db


def _bundle_dir(tmp_path: Path, quiz_yaml: str, name: str = "check.yaml") -> Path:
    directory = write_bundle(make_bundle(), tmp_path / "bundle")
    (directory / "quizzes").mkdir()
    (directory / "quizzes" / name).write_text(quiz_yaml)
    return directory


VALID = """\
title: A check
lesson: m1-lesson-1
questions:
  - key: one
    type: single
    prompt: Which?
    choices:
      - text: This
        correct: true
      - text: That
"""


def test_the_shipped_course_has_the_seed_questions_exercise_and_more():
    bundle = read_bundle(CONTENT)
    quizzes = {quiz.key: quiz for quiz in bundle.sections["quizzes"]}
    exercise = quizzes["evaluate-alignment-training-tradeoffs"]
    kinds = [q.kind for q in exercise.questions]
    assert kinds == ["scenario", "scenario", "essay"]
    for scenario in exercise.questions[:2]:
        assert [p.kind for p in scenario.parts] == ["single", "essay", "essay", "essay"]
        assert {c.key for c in scenario.parts[0].choices} == {
            "over-refusal",
            "under-refusal",
            "reward-hacking",
        }
        assert all(p.rubric and p.reference_answer for p in scenario.parts[1:])
    seed = quizzes["fine-tuning-and-alignment-check"].questions
    assert [q.key for q in seed[:2]] == ["adversarial-prompt-failure", "why-preference-comparisons"]
    others = [q for quiz in quizzes.values() for q in quiz.questions if quiz is not exercise]
    assert len(others) - 2 >= 15
    assert {q.kind for q in others} >= {"single", "multiple", "true-false", "short", "numeric"}
    assert all(q.explanation or q.reference_answer for q in others)
    assert all(q.rubric for q in others if q.kind == "essay")


def test_loading_the_shipped_course_creates_its_quizzes_on_their_lessons():
    call_command("load_course", str(CONTENT), verbosity=0)
    quiz = Quiz.objects.get(key="evaluate-alignment-training-tradeoffs")
    assert quiz.lesson.slug == "medical-assistant-case-study"
    parts = Question.objects.filter(quiz=quiz, parent__key="scenario-a").order_by("order")
    assert [p.key for p in parts] == [
        "scenario-a-failure",
        "scenario-a-justification",
        "scenario-a-harm",
        "scenario-a-intervention",
    ]


def test_load_export_load_keeps_every_quiz_field(tmp_path):
    call_command("load_course", str(CONTENT), verbosity=0)
    call_command("export_course", "alignment-training", str(tmp_path / "out"), verbosity=0)
    exported = read_bundle(tmp_path / "out")
    assert exported.sections["quizzes"] == read_bundle(CONTENT).sections["quizzes"]
    before = Question.objects.count()
    call_command("load_course", str(tmp_path / "out"), verbosity=0)
    assert Question.objects.count() == before


def test_reloading_an_edited_quiz_keeps_attempts_and_archives_removed_questions(student):
    quiz = make_quiz()
    ids = field_names(quiz)
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_save_answers(attempt=attempt, answers={ids["single-q"]: ({"choice": "b"}, 0)})
    bundle = make_bundle()
    from tests.quizzes.factories import BundleQuiz

    bundle.sections["quizzes"] = [
        BundleQuiz(key="check", title="Renamed", lesson=None, questions=[single()])
    ]
    course_import_bundle(bundle=bundle)
    quiz.refresh_from_db()
    assert quiz.title == "Renamed" and quiz.lesson is None
    assert Question.objects.get(key="multi-q").archived
    assert Question.objects.get(key="single-q").pk == ids["single-q"]
    assert Response.objects.get(attempt=attempt, question_id=ids["single-q"]).answer == {
        "choice": "b"
    }
    bundle.sections["quizzes"] = []
    course_import_bundle(bundle=bundle)
    quiz.refresh_from_db()
    assert quiz.archived and Attempt.objects.filter(pk=attempt.pk).exists()


def test_a_quiz_file_sets_when_grades_are_released_and_whether_grading_is_anonymous(tmp_path):
    text = VALID.replace("title: A check\n", "title: A check\nrelease: manual\nanonymous: true\n")
    course_import_bundle(bundle=read_bundle(_bundle_dir(tmp_path, text)))
    quiz = Quiz.objects.get(key="check")
    assert quiz.release_grades == "manual" and quiz.anonymous_grading is True


def test_a_quiz_file_without_them_releases_on_grading_and_shows_names(tmp_path):
    course_import_bundle(bundle=read_bundle(_bundle_dir(tmp_path, VALID)))
    quiz = Quiz.objects.get(key="check")
    assert quiz.release_grades == "on-grading" and quiz.anonymous_grading is False


def test_release_and_anonymous_grading_survive_export_and_reload(tmp_path):
    text = VALID.replace("title: A check\n", "title: A check\nrelease: manual\nanonymous: true\n")
    course_import_bundle(bundle=read_bundle(_bundle_dir(tmp_path, text)))
    call_command("export_course", "demo-course", str(tmp_path / "out"), verbosity=0)
    exported = (tmp_path / "out" / "quizzes" / "check.yaml").read_text()
    assert "release: manual" in exported and "anonymous: true" in exported
    Quiz.objects.filter(key="check").update(release_grades="on-grading", anonymous_grading=False)
    call_command("load_course", str(tmp_path / "out"), verbosity=0)
    quiz = Quiz.objects.get(key="check")
    assert quiz.release_grades == "manual" and quiz.anonymous_grading is True


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (VALID.replace("type: single", "type: matching"), 5, "type 'matching' is not a question"),
        (VALID.replace("lesson: m1-lesson-1", "lesson: nowhere"), 2, "no lesson 'nowhere'"),
        (VALID.replace("        correct: true\n", ""), 7, "mark at least one choice"),
        (VALID + "    colour: red\n", 11, "unknown field 'colour'"),
        (VALID.replace("title: A check\n", "title: A check\ngrading: best\n"), 2, "'grading'"),
        (
            VALID.replace("title: A check\n", "title: A check\nrelease: later\n"),
            2,
            "'release' must be one of: on-grading, manual",
        ),
        (
            VALID.replace("title: A check\n", "title: A check\nanonymous: yes please\n"),
            2,
            "'anonymous' must be true or false",
        ),
        (VALID.replace("  - key: one", "  - key: One"), 4, "is not a slug"),
        (VALID + "  - key: one\n    type: essay\n    prompt: again\n", 11, "used twice"),
        ("title: [unclosed\n", 2, "invalid YAML"),
    ],
)
def test_a_malformed_quiz_file_is_refused_with_file_and_line(tmp_path, text, line, message):
    directory = _bundle_dir(tmp_path, text)
    with pytest.raises(BundleError) as error:
        read_bundle(directory)
    assert error.value.file.endswith("quizzes/check.yaml")
    assert error.value.line == line and message in error.value.message


def test_an_essay_whose_points_disagree_with_its_rubric_is_refused(tmp_path):
    text = VALID + (
        "  - key: essay\n    type: essay\n    prompt: Why?\n    points: 5\n    rubric:\n"
        "      - criterion: C\n        levels:\n          - points: 2\n"
        "            description: Good\n"
    )
    with pytest.raises(BundleError, match=r"check.yaml:14: .*add up to 2 points"):
        read_bundle(_bundle_dir(tmp_path, text))


def test_a_refused_quiz_file_loads_nothing_at_all(tmp_path):
    directory = _bundle_dir(tmp_path, VALID.replace("type: single", "type: cloze"))
    with pytest.raises(CommandError, match="nothing loaded"):
        call_command("load_course", str(directory))
    assert Course.objects.count() == 0 and Quiz.objects.count() == 0


def test_a_quiz_can_take_its_questions_from_a_gift_file_beside_it(tmp_path):
    text = "title: From GIFT\nquestions_from: extra.gift\n"
    directory = _bundle_dir(tmp_path, text)
    (directory / "quizzes" / "extra.gift").write_text(
        "::Sky:: The sky is blue. {T}\n\n::Law:: Name the law. {=Goodhart =Goodhart's law}\n"
    )
    course_import_bundle(bundle=read_bundle(directory))
    quiz = Quiz.objects.get(key="check")
    assert list(quiz.questions.values_list("key", "kind")) == [
        ("sky", "true-false"),
        ("law", "short"),
    ]


def test_a_broken_gift_file_in_the_bundle_is_reported_at_its_line(tmp_path):
    directory = _bundle_dir(tmp_path, "title: From GIFT\nquestions_from: extra.gift\n")
    (directory / "quizzes" / "extra.gift").write_text("// c\n\nThe sky is {T\n")
    with pytest.raises(BundleError, match=r"extra.gift:3: .*never closed"):
        read_bundle(directory)


def test_a_question_file_no_quiz_names_is_refused(tmp_path):
    directory = _bundle_dir(tmp_path, VALID)
    (directory / "quizzes" / "stray.gift").write_text("Q {T}\n")
    with pytest.raises(BundleError, match="stray.gift: no quiz names this file"):
        read_bundle(directory)
