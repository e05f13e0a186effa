"""Roles are Django groups; this module says what each may do.

Later apps add their permissions here, and `manage.py sync_roles` (run by `make run`)
brings the groups in line, idempotently.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

STUDENT = "Student"
INSTRUCTOR = "Instructor"
GRADER = "Grader"

# app label alone = every permission of that app; "app.codename" = one permission.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    STUDENT: [],
    INSTRUCTOR: ["course", "quizzes", "labs", "cohorts"],
    GRADER: [
        "course.view_course",
        "course.view_module",
        "course.view_lesson",
        "course.view_flashcard",
        "quizzes.view_quiz",
        "quizzes.view_question",
        "quizzes.view_attempt",
        "quizzes.view_response",
    ],
}
STAFF_ROLES = {INSTRUCTOR}  # roles that use the Django admin


def _permissions_for(specs: list[str]) -> list[Permission]:
    permissions: list[Permission] = []
    for spec in specs:
        if "." in spec:
            app_label, codename = spec.split(".", 1)
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        else:
            permissions.extend(Permission.objects.filter(content_type__app_label=spec))
    return permissions


@transaction.atomic
def sync_role_groups() -> dict[str, Group]:
    groups = {}
    for name, specs in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions_for(specs))
        groups[name] = group
    return groups
