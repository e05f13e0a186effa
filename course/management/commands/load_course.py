from django.core.management.base import BaseCommand, CommandError, CommandParser

from course.bundle import BundleError, read_bundle
from course.services import course_import_bundle


class Command(BaseCommand):
    help = "Load (or update in place) a course from a bundle directory, in one transaction."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", help="bundle directory, e.g. content/alignment-training")

    def handle(self, *args, directory: str, **options) -> None:
        try:
            bundle = read_bundle(directory)
        except BundleError as error:
            raise CommandError(f"bundle refused, nothing loaded: {error}") from None
        report = course_import_bundle(bundle=bundle)
        self.stdout.write(f"Loaded course '{bundle.slug}': {report.summary()}")
