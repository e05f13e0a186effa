"""Print the broker queues a worker must consume to serve every lab run: the shared ones
and each class's own (`celery -A config worker -Q "$(manage.py lab_queues)"`)."""

from django.core.management.base import BaseCommand

from labs.selectors import lab_queue_names


class Command(BaseCommand):
    help = "Comma-separated lab queues: cpu, gpu and the queues of classes that have their own."

    def add_arguments(self, parser):
        parser.add_argument(
            "--shared-only", action="store_true", help="Only the shared queues (cpu, gpu)."
        )

    def handle(self, *args, shared_only: bool = False, **options):
        self.stdout.write(",".join(lab_queue_names(shared_only=shared_only)))
