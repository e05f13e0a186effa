import secrets

from django.core.management.base import BaseCommand, CommandParser

from course.roles import GRADER, INSTRUCTOR, STUDENT
from course.services import demo_accounts_ensure

DEMO_ACCOUNTS = [("student", STUDENT), ("instructor", INSTRUCTOR), ("grader", GRADER)]


class Command(BaseCommand):
    help = "Create the demo student, instructor and grader; print new passwords once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-passwords", action="store_true", help="give every demo account a new password"
        )

    def handle(self, *args, reset_passwords: bool, **options) -> None:
        passwords = {username: secrets.token_urlsafe(9) for username, _ in DEMO_ACCOUNTS}
        created = demo_accounts_ensure(
            accounts=DEMO_ACCOUNTS, passwords=passwords, reset=reset_passwords
        )
        if not created:
            self.stdout.write(
                "Demo accounts exist (student, instructor, grader); "
                "`make demo-passwords` gives them new passwords."
            )
            return
        self.stdout.write(self.style.WARNING("Demo accounts (passwords are shown only now):"))
        for username, role in DEMO_ACCOUNTS:
            if username in created:
                self.stdout.write(
                    f"  {role:<10} username {username:<11} password {passwords[username]}"
                )
