from django.core.management.base import BaseCommand, CommandError, CommandParser

from cohorts.services import demo_class_ensure
from course.models import Course


class Command(BaseCommand):
    help = (
        "Give a course a demo class with the demo student in it and the demo grader on its "
        "section (used by `make run`); print its join code when it is made. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("course", help="the course's slug, e.g. alignment-training")

    def handle(self, *args, course: str, **options) -> None:
        found = Course.objects.filter(slug=course).first()
        if found is None:
            raise CommandError(f"no course '{course}': load it first (load_course)")
        course_class, created = demo_class_ensure(
            course=found, students=["student"], graders=["grader"]
        )
        if created:
            self.stdout.write(
                self.style.WARNING(
                    f"Demo class “{course_class.name}” of {found.title}: students join with "
                    f"code {course_class.join_code} (or at {course_class.join_url()})."
                )
            )
        else:
            self.stdout.write(
                f"Demo class exists; its join code is on /classes/{course_class.pk}/ "
                "(log in as the instructor)."
            )
