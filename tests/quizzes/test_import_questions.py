"""import_questions and the admin upload page: one service, all or nothing."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from course.bundle import read_bundle, write_bundle
from quizzes.models import Question, Quiz
from tests.factories import make_bundle
from tests.quizzes.factories import make_quiz
from tests.quizzes.test_qti import canvas_zip

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).parent / "data" / "moodle_examples.gift"
GIFT = "::Sky:: The sky is blue. {T}\n\n::Law:: Name the law. {=Goodhart}\n"


@pytest.fixture
def gift_file(tmp_path) -> Path:
    path = tmp_path / "extra-questions.gift"
    path.write_text(GIFT)
    return path


def test_the_command_creates_a_quiz_on_a_lesson(course, gift_file, capsys):
    call_command(
        "import_questions", course.slug, str(gift_file), "--lesson", "m1-lesson-2", "--title", "X"
    )
    quiz = Quiz.objects.get(key="extra-questions")
    assert quiz.title == "X" and quiz.lesson.slug == "m1-lesson-2"
    assert list(quiz.questions.values_list("key", flat=True)) == ["sky", "law"]
    assert "Imported 2 question(s): created quiz 'extra-questions'" in capsys.readouterr().out


def test_importing_into_an_existing_quiz_adds_questions_with_fresh_keys(gift_file, student):
    quiz = make_quiz()
    call_command("import_questions", quiz.course.slug, str(gift_file), "--quiz", quiz.key)
    call_command("import_questions", quiz.course.slug, str(gift_file), "--quiz", quiz.key)
    keys = list(quiz.questions.order_by("order").values_list("key", flat=True))
    assert keys == ["single-q", "multi-q", "short-q", "sky", "law", "sky-2", "law-2"]


def test_a_malformed_file_imports_nothing_and_names_the_line(course, tmp_path):
    path = tmp_path / "bad.gift"
    path.write_text(GIFT + "\n\nBroken {=a ~b\n")
    with pytest.raises(CommandError, match=r"bad.gift: nothing imported: line 6: .*never closed"):
        call_command("import_questions", course.slug, str(path))
    assert Quiz.objects.count() == 0 and Question.objects.count() == 0


def test_unsupported_types_are_refused_or_skipped_by_name_and_line(course, capsys):
    with pytest.raises(CommandError, match="line 13: 'Q4' is a matching question"):
        call_command("import_questions", course.slug, str(EXAMPLES))
    assert Quiz.objects.count() == 0
    call_command("import_questions", course.slug, str(EXAMPLES), "--skip-unsupported")
    assert Quiz.objects.get(key="moodle-examples").questions.count() == 18
    assert "skipped" in capsys.readouterr().err


def test_aiken_files_import_the_same_way(course, tmp_path):
    path = tmp_path / "rm.aiken"
    path.write_text("Which?\nA. One\nB. Two\nANSWER: A\n")
    call_command("import_questions", course.slug, str(path))
    question = Quiz.objects.get(key="rm").questions.get()
    assert question.kind == "single" and question.choices.get(correct=True).text == "One"


def test_the_command_can_write_into_a_bundle_that_then_loads(tmp_path, gift_file):
    directory = write_bundle(make_bundle(), tmp_path / "bundle")
    call_command(
        "import_questions",
        "demo-course",
        str(gift_file),
        "--bundle",
        str(directory),
        "--lesson",
        "m1-lesson-1",
    )
    quiz = read_bundle(directory).sections["quizzes"][0]
    assert quiz.key == "extra-questions" and quiz.lesson == "m1-lesson-1"
    assert [q.kind for q in quiz.questions] == ["true-false", "short"]
    with pytest.raises(CommandError, match="exists"):
        call_command("import_questions", "demo-course", str(gift_file), "--bundle", str(directory))


def test_the_command_refuses_an_unknown_course_or_lesson(course, gift_file):
    with pytest.raises(CommandError, match="no course 'nope'"):
        call_command("import_questions", "nope", str(gift_file))
    with pytest.raises(CommandError, match="no lesson 'nope'"):
        call_command("import_questions", course.slug, str(gift_file), "--lesson", "nope")


def _upload(client, course, content: str | bytes, name: str = "upload.gift", **extra):
    data = {
        "course": course.pk,
        "quiz_key": "uploaded",
        "title": "Uploaded",
        "file": SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content),
        **extra,
    }
    return client.post(reverse("admin:quizzes_quiz_import"), data)


def _apply(client, preview):
    token = re.search(r'name="token" value="([^"]+)"', preview.text).group(1)
    return client.post(reverse("admin:quizzes_quiz_import"), {"token": token, "apply": "Apply"})


def test_an_instructor_previews_then_applies_a_gift_file_in_the_admin(client, instructor, course):
    client.force_login(instructor)
    assert client.get(reverse("admin:quizzes_quiz_import")).status_code == 200
    preview = _upload(client, course, GIFT)
    assert preview.status_code == 200 and "Preview: nothing is imported" in preview.text
    assert "<code>sky</code>" in preview.text and "True / false" in preview.text
    assert Quiz.objects.count() == 0
    response = _apply(client, preview)
    quiz = Quiz.objects.get(key="uploaded")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:quizzes_quiz_change", args=[quiz.pk])
    assert quiz.questions.count() == 2


def test_a_preview_is_applied_once(client, instructor, course):
    client.force_login(instructor)
    preview = _upload(client, course, GIFT)
    _apply(client, preview)
    again = _apply(client, preview)
    assert again.status_code == 302 and Quiz.objects.get(key="uploaded").questions.count() == 2
    assert "expired" in client.get(again["Location"]).text


def test_the_admin_format_field_reads_a_gift_txt_file_as_gift(client, instructor, course):
    client.force_login(instructor)
    preview = _upload(client, course, GIFT, name="bank.gift.txt")
    assert "Read as <strong>GIFT (Moodle)</strong>" in preview.text
    preview = _upload(client, course, GIFT, name="bank.txt", file_format="gift")
    assert "Read as <strong>GIFT (Moodle)</strong>" in preview.text
    _apply(client, preview)
    assert Quiz.objects.get(key="uploaded").questions.count() == 2


def test_the_preview_lists_refused_questions_notes_and_categories(client, instructor, course):
    client.force_login(instructor)
    bank = (Path(__file__).parent / "data" / "moodle_bank.xml").read_bytes()
    preview = _upload(client, course, bank, name="bank.xml", skip_unsupported="on")
    assert "Reward models</strong> (7)" in preview.text
    assert "line 103: &#x27;Match methods&#x27; is a matching question" in preview.text
    assert "its units (nats) are not asked for" in preview.text
    _apply(client, preview)
    assert Quiz.objects.get(key="uploaded").questions.count() == 7


def test_a_malformed_upload_is_refused_with_its_line_and_nothing_imported(
    client, instructor, course
):
    client.force_login(instructor)
    response = _upload(client, course, "Q?\nA. x\nB. y\nANSWER: Z\n", name="bad.aiken")
    assert response.status_code == 200
    assert "Nothing imported. line 4: ANSWER: &#x27;Z&#x27; is not one of the options" in (
        response.text
    )
    assert Quiz.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00binary\xff", "not UTF-8 text"),
        (b"Q {T}\n\nQ2 \x00 {F}\n", "line 3: the file holds a NUL byte"),
        (b"Q {=a ~b\n", "never closed"),
        (b"x" * (3 * 1024 * 1024), "the file is 3.0 MB; the limit is 2 MB"),
    ],
)
def test_hostile_uploads_are_refused_with_a_message_and_nothing_written(
    client, instructor, course, content, message
):
    client.force_login(instructor)
    response = _upload(client, course, content, name="hostile.gift")
    assert response.status_code == 200 and message in response.text
    assert Quiz.objects.count() == 0


def test_a_ten_megabyte_upload_is_refused_and_nothing_written(client, instructor, course):
    client.force_login(instructor)
    response = _upload(client, course, b"Q {T}\n\n" * (10 * 1024 * 1024 // 7), name="big.gift")
    assert response.status_code in (200, 413)
    assert "MB" in response.content.decode() and Quiz.objects.count() == 0


def test_an_upload_with_unsupported_types_lists_them_unless_skipped(client, instructor, course):
    client.force_login(instructor)
    response = _upload(client, course, EXAMPLES.read_text())
    assert "is a matching question" in response.text and Quiz.objects.count() == 0
    _apply(client, _upload(client, course, EXAMPLES.read_text(), skip_unsupported="on"))
    assert Quiz.objects.get(key="uploaded").questions.count() == 18


def test_the_command_previews_with_dry_run_and_writes_nothing(course, tmp_path, capsys):
    path = tmp_path / "bank.gift.txt"
    path.write_text("$CATEGORY: $course$/top/Week 1\n\n" + GIFT)
    call_command("import_questions", course.slug, str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "bank.gift.txt: GIFT (Moodle)" in out and "sky: true-false [Week 1]" in out
    assert "Dry run: nothing written." in out and Quiz.objects.count() == 0


def test_the_command_reads_moodle_xml_and_canvas_zips(course, tmp_path):
    bank = tmp_path / "bank.xml"
    bank.write_bytes((Path(__file__).parent / "data" / "moodle_bank.xml").read_bytes())
    call_command("import_questions", course.slug, str(bank), "--skip-unsupported")
    assert Quiz.objects.get(key="bank").questions.count() == 7
    export = tmp_path / "canvas-export.zip"
    export.write_bytes(canvas_zip())
    call_command("import_questions", course.slug, str(export), "--skip-unsupported")
    assert Quiz.objects.get(key="canvas-export").questions.count() == 7


def test_the_upload_page_is_refused_to_students_graders_and_anonymous(
    client, student, grader, course
):
    url = reverse("admin:quizzes_quiz_import")
    assert client.get(url).status_code == 302
    for user in (student, grader):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert _upload(client, course, GIFT).status_code in (302, 403)
    assert Quiz.objects.count() == 0
