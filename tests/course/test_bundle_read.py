"""read_bundle parses a bundle and refuses a malformed one with its file and line."""

from pathlib import Path

import pytest

from course.bundle import BundleError, read_bundle, write_bundle
from tests.factories import make_bundle

CONTENT = Path(__file__).resolve().parents[2] / "content" / "alignment-training"


@pytest.fixture
def bundle_dir(tmp_path: Path) -> Path:
    return write_bundle(make_bundle(), tmp_path / "bundle")


def _refusal(directory: Path) -> str:
    with pytest.raises(BundleError) as caught:
        read_bundle(directory)
    return str(caught.value)


def test_it_reads_the_shipped_course():
    bundle = read_bundle(CONTENT)
    assert bundle.slug == "alignment-training"
    assert bundle.title == "Fine-Tuning and Alignment Training"
    lessons = bundle.lessons()
    assert len(lessons) >= 10
    assert sum(len(lesson.flashcards) for lesson in lessons) >= 24
    assert any("::: key-insight" in lesson.body for lesson in lessons)


def test_it_reads_modules_lessons_and_cards_in_order(bundle_dir: Path):
    bundle = read_bundle(bundle_dir)
    assert [m.slug for m in bundle.modules] == ["module-1", "module-2"]
    assert [lesson.slug for lesson in bundle.modules[1].lessons] == ["m2-lesson-1", "m2-lesson-2"]
    assert bundle.modules[0].lessons[0].flashcards[0].key == "card-1-1-1"


def test_it_reports_invalid_yaml_with_its_line(bundle_dir: Path):
    manifest = bundle_dir / "course.yaml"
    lines = manifest.read_text().splitlines()
    lines.insert(2, "oops: [unclosed")
    manifest.write_text("\n".join(lines))
    message = _refusal(bundle_dir)
    assert "course.yaml:" in message and "invalid YAML" in message


def test_it_reports_a_missing_required_field_with_its_line(bundle_dir: Path):
    manifest = bundle_dir / "course.yaml"
    text = manifest.read_text().replace("  title: Module 2\n", "")
    manifest.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "slug: module-2" in row)
    assert _refusal(bundle_dir).endswith(
        f"course.yaml:{line}: module 'module-2': missing required field 'title'"
    )


def test_it_refuses_an_unknown_field_naming_it(bundle_dir: Path):
    lesson = bundle_dir / "lessons" / "m1-lesson-1.md"
    lesson.write_text(lesson.read_text().replace("minutes: 5", "minutes: 5\ntitel: typo"))
    message = _refusal(bundle_dir)
    assert "m1-lesson-1.md:5:" in message and "unknown field 'titel'" in message


def test_it_refuses_a_duplicate_key_in_a_mapping(bundle_dir: Path):
    lesson = bundle_dir / "lessons" / "m1-lesson-1.md"
    lesson.write_text(lesson.read_text().replace("minutes: 5", "minutes: 5\nminutes: 6"))
    assert "m1-lesson-1.md:5: duplicate key 'minutes'" in _refusal(bundle_dir)


def test_it_refuses_minutes_that_are_not_a_number(bundle_dir: Path):
    lesson = bundle_dir / "lessons" / "m1-lesson-1.md"
    lesson.write_text(lesson.read_text().replace("minutes: 5", "minutes: soon"))
    assert "m1-lesson-1.md:4: lesson 'm1-lesson-1': 'minutes' must be a whole number" in _refusal(
        bundle_dir
    )


def test_it_refuses_a_lesson_listed_without_a_file(bundle_dir: Path):
    (bundle_dir / "lessons" / "m2-lesson-2.md").unlink()
    message = _refusal(bundle_dir)
    assert "course.yaml:" in message and "has no file" in message


def test_it_refuses_a_lesson_file_no_module_lists(bundle_dir: Path):
    (bundle_dir / "lessons" / "stray.md").write_text("---\ntitle: x\nminutes: 1\n---\n")
    assert "lessons/stray.md: not listed under any module" in _refusal(bundle_dir)


def test_it_refuses_a_lesson_listed_twice(bundle_dir: Path):
    manifest = bundle_dir / "course.yaml"
    manifest.write_text(manifest.read_text().replace("- m2-lesson-2", "- m1-lesson-1"))
    assert "lesson 'm1-lesson-1' is listed twice" in _refusal(bundle_dir)


def test_it_refuses_a_bad_slug(bundle_dir: Path):
    manifest = bundle_dir / "course.yaml"
    manifest.write_text(manifest.read_text().replace("slug: module-1", "slug: Module One"))
    assert "'Module One' is not a slug" in _refusal(bundle_dir)


def test_it_refuses_an_unknown_callout_at_its_line(bundle_dir: Path):
    lesson = bundle_dir / "lessons" / "m1-lesson-1.md"
    text = lesson.read_text().replace("::: key-insight", "::: key-insite")
    lesson.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "key-insite" in row)
    assert f"m1-lesson-1.md:{line}: unknown callout 'key-insite'" in _refusal(bundle_dir)


def test_it_refuses_an_unclosed_callout(bundle_dir: Path):
    lesson = bundle_dir / "lessons" / "m1-lesson-1.md"
    lesson.write_text(lesson.read_text().rstrip().removesuffix(":::"))
    assert "never closed" in _refusal(bundle_dir)


def test_it_refuses_front_matter_that_never_closes(bundle_dir: Path):
    lesson = bundle_dir / "lessons" / "m1-lesson-1.md"
    lesson.write_text("---\ntitle: x\nminutes: 3\n\nbody")
    assert "m1-lesson-1.md:1: front matter is never closed" in _refusal(bundle_dir)


def test_it_refuses_a_card_key_used_twice(bundle_dir: Path):
    cards = bundle_dir / "flashcards" / "m1-lesson-2.yaml"
    cards.write_text(cards.read_text().replace("card-1-2-1", "card-1-1-1"))
    assert "card key 'card-1-1-1' is already used in" in _refusal(bundle_dir)


def test_it_refuses_cards_for_a_lesson_that_does_not_exist(bundle_dir: Path):
    (bundle_dir / "flashcards" / "nowhere.yaml").write_text("[]\n")
    assert "flashcards/nowhere.yaml: flashcard files are named" in _refusal(bundle_dir)


def test_it_refuses_a_card_without_a_back(bundle_dir: Path):
    cards = bundle_dir / "flashcards" / "m1-lesson-1.yaml"
    cards.write_text("- key: lonely\n  front: Where is my back?\n")
    assert "flashcards/m1-lesson-1.yaml:1: card #1: missing required field 'back'" in _refusal(
        bundle_dir
    )


def test_it_refuses_a_folder_no_installed_app_reads(bundle_dir: Path):
    (bundle_dir / "surveys").mkdir()
    assert "surveys: no installed app reads this part of a bundle" in _refusal(bundle_dir)


def test_it_refuses_a_directory_without_course_yaml(tmp_path: Path):
    assert "course.yaml: missing" in _refusal(tmp_path)


def test_it_refuses_a_file_that_is_not_utf8(bundle_dir: Path):
    (bundle_dir / "lessons" / "m1-lesson-1.md").write_bytes(b"---\ntitle: \xff\n---\n")
    assert "not UTF-8 text" in _refusal(bundle_dir)
