from django.core.management.base import BaseCommand

from course.roles import sync_role_groups


class Command(BaseCommand):
    help = "Create or update the Student, Instructor and Grader groups and their permissions."

    def handle(self, *args, **options) -> None:
        groups = sync_role_groups()
        self.stdout.write("Roles in place: " + ", ".join(groups))
