from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from course.bundle import dump_yaml
from course.models import Course, Lesson
from quizzes.bundle import quiz_to_yaml
from quizzes.bundle_items import BundleQuiz
from quizzes.question_files import FORMATS, ParsedFile, QuestionFileError, read_question_file
from quizzes.question_parsing import MAX_TEXT_BYTES, MAX_ZIP_BYTES
from quizzes.services import quiz_import_questions


class Command(BaseCommand):
    help = (
        "Import a question file (GIFT, Aiken, Moodle XML, Canvas QTI zip) into a quiz "
        "(created if new), all or nothing; --dry-run shows what would be imported; "
        "--bundle writes it as quizzes/<quiz>.yaml into a course bundle instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("course", help="course slug")
        parser.add_argument("file", help=".gift, .aiken, .txt, .xml (Moodle) or .zip (Canvas)")
        parser.add_argument("--quiz", help="quiz key (default: the file name)")
        parser.add_argument("--title", default="", help="title for a new quiz")
        parser.add_argument("--lesson", help="lesson slug to attach a new quiz to")
        parser.add_argument(
            "--format", choices=list(FORMATS), help="default: from the name, else the content"
        )
        parser.add_argument(
            "--skip-unsupported",
            action="store_true",
            help="import the rest when some questions are of a type this app lacks",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="show what would be imported; write nothing"
        )
        parser.add_argument("--bundle", help="write into this bundle directory instead")

    def handle(self, *args, **opts) -> None:
        path = Path(opts["file"])
        try:
            if path.stat().st_size > max(MAX_TEXT_BYTES, MAX_ZIP_BYTES):
                raise QuestionFileError(
                    None, f"the file is {path.stat().st_size / 1024 / 1024:.1f} MB, over the limit"
                )
            parsed = read_question_file(
                path.read_bytes(),
                path.name,
                file_format=opts["format"],
                allow_unsupported=opts["skip_unsupported"],
            )
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from None
        except QuestionFileError as error:
            raise CommandError(f"{path}: nothing imported: {error}") from None
        self._report(path, parsed)
        quiz_key = opts["quiz"] or path.name.split(".")[0].lower().replace("_", "-")
        if opts["dry_run"]:
            self.stdout.write("Dry run: nothing written.")
            return
        if opts["bundle"]:
            self._write_bundle(opts, quiz_key, parsed.questions)
            return
        course = Course.objects.filter(slug=opts["course"]).first()
        if course is None:
            raise CommandError(f"no course '{opts['course']}'")
        lesson = None
        if opts["lesson"]:
            lesson = Lesson.objects.filter(course=course, slug=opts["lesson"]).first()
            if lesson is None:
                raise CommandError(f"no lesson '{opts['lesson']}' in '{course.slug}'")
        report = quiz_import_questions(
            course=course,
            quiz_key=quiz_key,
            title=opts["title"],
            lesson=lesson,
            questions=parsed.questions,
        )
        verb = "created" if report.created_quiz else "added to"
        self.stdout.write(f"Imported {report.added} question(s): {verb} quiz '{report.quiz.key}'")

    def _report(self, path: Path, parsed: ParsedFile) -> None:
        self.stdout.write(f"{path.name}: {FORMATS[parsed.file_format]}")
        for question in parsed.questions:
            where = f" [{question.category}]" if question.category else ""
            self.stdout.write(f"  {question.key}: {question.kind}{where}")
        for item in parsed.unsupported:
            self.stderr.write(f"skipped {path}: {item}")
        for note in parsed.notes:
            self.stderr.write(f"note {path}: {note}")

    def _write_bundle(self, opts, quiz_key: str, questions) -> None:
        folder = Path(opts["bundle"]) / "quizzes"
        target = folder / f"{quiz_key}.yaml"
        if target.exists():
            raise CommandError(f"{target} exists; choose another --quiz key")
        quiz = BundleQuiz(
            key=quiz_key,
            title=opts["title"] or quiz_key.replace("-", " ").capitalize(),
            lesson=opts["lesson"],
            questions=questions,
        )
        folder.mkdir(parents=True, exist_ok=True)
        target.write_text(dump_yaml(quiz_to_yaml(quiz)), encoding="utf-8")
        self.stdout.write(f"Wrote {len(questions)} question(s) to {target}")
