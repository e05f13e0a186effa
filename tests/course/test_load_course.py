"""load_course: idempotent, keeps progress, archives instead of deleting, all or nothing."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from course.bundle import SECTIONS, BundleSection, read_bundle, write_bundle
from course.models import Course, Flashcard, Lesson, LessonProgress, Module
from course.services import course_import_bundle, lesson_set_complete
from tests.factories import make_bundle

CONTENT = Path(__file__).resolve().parents[2] / "content" / "alignment-training"
pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int, int]:
    return (
        Course.objects.count(),
        Module.objects.count(),
        Lesson.objects.count(),
        Flashcard.objects.count(),
    )


def test_it_loads_the_shipped_course_with_rendered_lessons(capsys):
    call_command("load_course", str(CONTENT))
    course = Course.objects.get(slug="alignment-training")
    assert course.published
    assert course.lessons.count() >= 10
    assert all(lesson.body_html for lesson in course.lessons.all())
    assert course.lessons.filter(body_html__contains="callout-key-insight").exists()
    assert "Loaded course 'alignment-training'" in capsys.readouterr().out


def test_a_second_load_updates_in_place_and_never_duplicates(capsys):
    call_command("load_course", str(CONTENT))
    before = _counts()
    call_command("load_course", str(CONTENT))
    assert _counts() == before
    assert "updated 0 modules, 0 lessons, 0 cards" in capsys.readouterr().out


def test_reloading_an_edited_bundle_keeps_students_progress(tmp_path, student):
    bundle = make_bundle()
    course_import_bundle(bundle=bundle)
    lesson = Lesson.objects.get(slug="m1-lesson-1")
    lesson_set_complete(user=student, lesson=lesson, complete=True)

    bundle.modules[0].lessons[0].title = "Renamed lesson"
    bundle.modules[0].lessons[0].body = "## New body\n"
    bundle.modules[0].lessons[0].flashcards[0].front = "Edited front?"
    report = course_import_bundle(bundle=bundle)

    lesson.refresh_from_db()
    assert lesson.title == "Renamed lesson" and "<h2>New body</h2>" in lesson.body_html
    assert LessonProgress.objects.get(user=student, lesson=lesson).completed
    assert Flashcard.objects.get(key="card-1-1-1").front == "Edited front?"
    assert report.updated["lesson"] == 1 and report.updated["card"] == 1


def test_a_lesson_removed_from_the_bundle_is_archived_with_its_progress(student):
    bundle = make_bundle()
    course_import_bundle(bundle=bundle)
    lesson = Lesson.objects.get(slug="m2-lesson-2")
    lesson_set_complete(user=student, lesson=lesson, complete=True)

    bundle.modules[1].lessons.pop()
    report = course_import_bundle(bundle=bundle)

    lesson.refresh_from_db()
    assert lesson.archived and report.archived["lesson"] == 1
    assert LessonProgress.objects.filter(user=student, lesson=lesson).exists()
    course_import_bundle(bundle=make_bundle())
    lesson.refresh_from_db()
    assert not lesson.archived


def test_a_lesson_moved_to_another_module_keeps_its_row(student):
    bundle = make_bundle()
    course_import_bundle(bundle=bundle)
    lesson_id = Lesson.objects.get(slug="m1-lesson-2").pk
    bundle.modules[1].lessons.insert(0, bundle.modules[0].lessons.pop())
    course_import_bundle(bundle=bundle)
    moved = Lesson.objects.get(slug="m1-lesson-2")
    assert moved.pk == lesson_id and moved.module.slug == "module-2" and moved.order == 0


def test_a_malformed_bundle_is_refused_with_file_and_line_and_nothing_loaded(tmp_path):
    directory = write_bundle(make_bundle(), tmp_path / "bundle")
    cards = directory / "flashcards" / "m2-lesson-2.yaml"
    cards.write_text("- key: x\n  front: [unclosed\n")
    with pytest.raises(CommandError, match=r"nothing loaded: .*m2-lesson-2.yaml:\d+: invalid YAML"):
        call_command("load_course", str(directory))
    assert _counts() == (0, 0, 0, 0)


def test_a_failure_midway_rolls_back_everything(tmp_path):
    def explode(data, course):
        raise RuntimeError("disk on fire")

    SECTIONS["boom"] = BundleSection(
        "boom", lambda p, b: {}, explode, lambda c: None, lambda d, p: None
    )
    try:
        directory = write_bundle(make_bundle(), tmp_path / "bundle")
        (directory / "boom").mkdir()
        bundle = read_bundle(directory)
        with pytest.raises(RuntimeError):
            course_import_bundle(bundle=bundle)
    finally:
        del SECTIONS["boom"]
    assert _counts() == (0, 0, 0, 0)


def test_it_says_what_is_wrong_when_the_directory_does_not_exist(tmp_path):
    with pytest.raises(CommandError, match="not a directory"):
        call_command("load_course", str(tmp_path / "missing"))


def test_editing_a_cards_text_keeps_students_review_history(student):
    from course.models import FlashcardReview, FlashcardReviewState
    from course.services import flashcard_rate

    bundle = make_bundle()
    course_import_bundle(bundle=bundle)
    card = Flashcard.objects.get(key="card-1-1-1")
    flashcard_rate(user=student, flashcard=card, rating=3, sequence=0)
    bundle.modules[0].lessons[0].flashcards[0].front = "A reworded question?"
    bundle.modules[0].lessons[0].flashcards[0].back = "A reworded answer."
    course_import_bundle(bundle=bundle)
    card.refresh_from_db()
    assert card.front == "A reworded question?"
    assert FlashcardReviewState.objects.get(user=student, flashcard=card).review_count == 1
    assert FlashcardReview.objects.filter(user=student, flashcard=card).count() == 1
