from django.core.management.base import BaseCommand

from quizzes.services import attempts_finish_expired


class Command(BaseCommand):
    help = "Submit every attempt whose time limit has passed, with its autosaved answers."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"Finished {attempts_finish_expired()} expired attempt(s).")
