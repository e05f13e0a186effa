from django.core.management.base import BaseCommand, CommandError, CommandParser

from course.bundle import BundleError, write_bundle
from course.models import Course
from course.selectors import bundle_from_course


class Command(BaseCommand):
    help = "Write a course back to a bundle directory (the format load_course reads)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="course slug, e.g. alignment-training")
        parser.add_argument("directory", help="where to write the bundle")
        parser.add_argument(
            "--replace", action="store_true", help="replace the directory if it is not empty"
        )

    def handle(self, *args, slug: str, directory: str, replace: bool, **options) -> None:
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            known = ", ".join(Course.objects.values_list("slug", flat=True)) or "none"
            raise CommandError(f"no course with slug '{slug}' (known: {known})")
        try:
            path = write_bundle(bundle_from_course(course), directory, replace=replace)
        except BundleError as error:
            raise CommandError(f"nothing written: {error}") from None
        self.stdout.write(f"Exported course '{slug}' to {path}")
