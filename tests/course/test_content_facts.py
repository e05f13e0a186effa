"""Claims the course's own text once got wrong stay right, every quiz choice says why, the
scenario exercise grades reward hacking as the lessons use it, and lesson links lead to pages
that exist (issue 18's content review)."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.urls import resolve

from course.bundle import read_bundle
from course.markdown import render_markdown
from course.models import Lesson
from quizzes.grading import grade

COURSE = Path(__file__).resolve().parents[2] / "content" / "alignment-training"


def _texts() -> dict[str, str]:
    return {
        str(path.relative_to(COURSE)): path.read_text(encoding="utf-8")
        for path in sorted(COURSE.rglob("*"))
        if path.suffix in (".md", ".yaml")
    }


@pytest.mark.parametrize(
    "wrong",
    [
        "caps how much one update",
        "limit how much any single update can change",
        "clipping would cap",
        "stops\n  any one update from moving",
    ],
)
def test_clipping_is_never_described_as_a_cap_on_the_update(wrong):
    assert [name for name, text in _texts().items() if wrong in text] == []


def test_the_instructgpt_comparison_names_the_model_it_was_fine_tuned_from():
    text = _texts()["lessons/sft-teaches-access.md"]
    assert "base model it was derived from" not in text
    assert "fine-tuned with SFT and RLHF from the 1.3-billion-parameter GPT-3" in text


# --- Quizzes: feedback on every choice, the exercise's grading as the lessons put it ----


def _quizzes() -> dict:
    return {quiz.key: quiz for quiz in read_bundle(COURSE).sections["quizzes"]}


def _questions():
    for quiz in _quizzes().values():
        for question in quiz.questions:
            yield from question.parts or [question]


def test_every_choice_of_every_quiz_says_why_it_is_right_or_wrong():
    missing = [
        (question.key, choice.text)
        for question in _questions()
        if question.kind in ("single", "multiple", "true-false")
        for choice in question.choices
        if not choice.feedback.strip()
    ]
    assert missing == []


@pytest.mark.parametrize("throwaway", ["less storage", "too accurate", "costs money"])
def test_no_distractor_is_a_throwaway(throwaway):
    assert [name for name, text in _texts().items() if throwaway in text] == []


@pytest.mark.parametrize("scenario", ["scenario-a", "scenario-b"])
def test_each_scenario_asks_for_a_written_justification_of_the_chosen_failure(scenario):
    exercise = _quizzes()["evaluate-alignment-training-tradeoffs"]
    parts = next(q for q in exercise.questions if q.key == scenario).parts
    assert [p.key for p in parts[:2]] == [f"{scenario}-failure", f"{scenario}-justification"]
    justification = parts[1]
    assert justification.kind == "essay"
    assert justification.rubric and justification.reference_answer
    assert "reward hacking" in justification.reference_answer


@pytest.mark.parametrize(
    ("scenario", "full_credit", "no_credit"),
    [
        ("scenario-a", "over-refusal", "under-refusal"),
        ("scenario-b", "under-refusal", "over-refusal"),
    ],
)
def test_reward_hacking_earns_credit_in_both_scenarios_as_the_lessons_use_it(
    scenario, full_credit, no_credit
):
    exercise = _quizzes()["evaluate-alignment-training-tradeoffs"]
    failure = next(q for q in exercise.questions if q.key == scenario).parts[0]

    def score(key):
        return grade(failure, failure.choices, {"choice": key}).fraction

    assert (score(full_credit), score("reward-hacking"), score(no_credit)) == (
        Decimal(1),
        Decimal("0.5"),
        Decimal(0),
    )


def test_the_exercise_quotes_the_lessons_words_for_reward_hacking_and_they_are_there():
    exercise = _texts()["quizzes/evaluate-alignment-training-tradeoffs.yaml"]
    refusal = _texts()["lessons/over-and-under-refusal.md"]
    hacking = _texts()["lessons/reward-hacking-and-goodhart.md"]
    assert "an over-refusal produced by reward hacking" in refusal
    assert "an over-refusal produced by reward hacking" in " ".join(exercise.split())
    assert "consult an expert" in hacking
    assert "Goodhart" in exercise


def test_sft_coverage_feedback_says_sft_generalises_by_similarity():
    assert [name for name, text in _texts().items() if "no general rule" in text] == []
    gap = next(q for q in _quizzes()["sft-check"].questions if q.key == "sft-coverage-gap")
    assert all("similarity" in choice.feedback for choice in gap.choices)


# --- Lessons: links lead to pages that exist, no promise of a lab that is not there ------


def _lesson_links(slug: str) -> list[str]:
    body = _texts()[f"lessons/{slug}.md"].split("---", 2)[2]
    return re.findall(r'<a href="([^"]+)"', render_markdown(body))


def _lessons() -> list[str]:
    return sorted(path.stem for path in (COURSE / "lessons").glob("*.md"))


def _labs_by_lesson() -> dict[str, set[str]]:
    by_lesson: dict[str, set[str]] = {}
    for path in (COURSE / "labs").glob("*.yaml"):
        lesson = yaml.safe_load(path.read_text(encoding="utf-8")).get("lesson")
        by_lesson.setdefault(lesson, set()).add(path.stem)
    return by_lesson


@pytest.mark.parametrize("slug", _lessons())
def test_every_link_in_a_lesson_leads_to_a_page_of_this_course_that_exists(slug):
    course = yaml.safe_load((COURSE / "course.yaml").read_text(encoding="utf-8"))["slug"]
    labs = {path.stem for path in (COURSE / "labs").glob("*.yaml")}
    for href in _lesson_links(slug):
        if href.startswith(("http://", "https://", "mailto:")):
            continue
        match = resolve(href)
        assert match.kwargs.get("course_slug") == course, href
        if match.view_name == "labs:lab":
            assert match.kwargs["lab_slug"] in labs, href
        if match.view_name == "course:lesson":
            assert match.kwargs["lesson_slug"] in _lessons(), href


@pytest.mark.parametrize("slug", _lessons())
def test_a_lesson_that_sends_students_to_a_lab_links_one_or_has_one(slug):
    text = _texts()[f"lessons/{slug}.md"]
    if not re.search(r"## In the lab|the lab for this lesson|[Uu]se the lab|[Rr]un the lab", text):
        return
    linked = [href for href in _lesson_links(slug) if "/labs/" in href]
    assert linked or _labs_by_lesson().get(slug), slug


def test_lessons_that_promised_a_lab_now_link_it():
    for slug in ("amoral-completion-engine", "sft-teaches-access", "medical-assistant-case-study"):
        assert any("/labs/" in href for href in _lesson_links(slug)), slug


def test_no_lesson_refers_to_a_base_model_that_students_built():
    assert [name for name, text in _texts().items() if "from module 1" in text] == []


def test_the_class_labelling_is_explained_where_comparisons_are_taught():
    text = _texts()["lessons/comparing-instead-of-writing.md"]
    assert "/courses/alignment-training/labels/" in _lesson_links("comparing-instead-of-writing")
    assert "**A is better**" in text and "**About the same**" in text
    assert "/courses/alignment-training/labels/" in _lesson_links("training-the-reward-model")


def test_the_shipped_course_still_loads_with_its_links_and_figures(db):
    call_command("load_course", str(COURSE), verbosity=0)
    html = Lesson.objects.get(slug="what-alignment-changes").body_html
    assert '<img src="/static/course/diagrams/rlhf-pipeline.svg" alt="The RLHF pipeline' in html
    html = Lesson.objects.get(slug="amoral-completion-engine").body_html
    assert 'href="/courses/alignment-training/labs/sft-shifts-behaviour/"' in html
