from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quizzes.gift import write_gift
from quizzes.models import Quiz
from quizzes.moodle_xml import write_moodle_xml
from quizzes.selectors import quizzes_as_bundle

WRITERS = {"gift": write_gift, "moodle-xml": write_moodle_xml}


class Command(BaseCommand):
    help = "Write quizzes as GIFT or Moodle XML, which Moodle imports (and so does this app)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("course", help="course slug")
        parser.add_argument("quiz", nargs="+", help="quiz key(s)")
        parser.add_argument("--format", choices=list(WRITERS), default="gift")
        parser.add_argument("--out", help="file to write (default: standard output)")

    def handle(self, *args, **opts) -> None:
        quizzes = {
            quiz.key: quiz
            for quiz in Quiz.objects.filter(
                course__slug=opts["course"], key__in=opts["quiz"]
            ).select_related("lesson")
        }
        missing = [key for key in opts["quiz"] if key not in quizzes]
        if missing:
            raise CommandError(f"no quiz {', '.join(missing)} in course '{opts['course']}'")
        text, notes = WRITERS[opts["format"]](quizzes_as_bundle([quizzes[k] for k in opts["quiz"]]))
        for note in notes:
            self.stderr.write(f"note: {note}")
        if opts["out"]:
            Path(opts["out"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {opts['out']}")
        else:
            self.stdout.write(text, ending="")
