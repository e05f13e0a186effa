from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from course.bundle import read_bundle


class Command(BaseCommand):
    help = (
        "Prepare a local site in one step (used by `make run`): migrate, roles, "
        "load the course bundle, demo accounts and the demo class. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bundle", default="content/alignment-training")

    def handle(self, *args, bundle: str, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("sync_roles", stdout=self.stdout)
        call_command("load_course", bundle, stdout=self.stdout)
        call_command("seed_demo", stdout=self.stdout)
        call_command("seed_demo_class", read_bundle(bundle).slug, stdout=self.stdout)
