"""The roster upload, read side: parse a CSV (email, name, section, student id) and plan
what applying it would do, row by row, without writing anything.

`cohorts.services.roster_apply` applies a plan in one transaction.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower

from cohorts.models import CourseClass, Enrollment

MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
# A cell starting with one of these runs as a formula when the file is opened in a
# spreadsheet (CSV injection); tab and carriage return are OWASP's additions.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_HEADER_ALIASES = {"studentid": "student id", "student number": "student id", "e mail": "email"}


class RosterRefused(Exception):
    """The whole file cannot be used (not CSV, no email column, too big, archived class)."""


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    SKIP = "skip"


@dataclass
class RosterRow:
    line: int
    email: str
    name: str = ""
    section: str = ""
    student_id: str = ""
    action: Action = Action.CREATE
    reasons: list[str] = field(default_factory=list)
    user: AbstractBaseUser | None = None  # the existing account, if there is one

    def skip(self, reason: str) -> None:
        self.action = Action.SKIP
        self.reasons.append(reason)

    @property
    def first_name(self) -> str:
        return self.name.split(" ", 1)[0][:150] if self.name else ""

    @property
    def last_name(self) -> str:
        parts = self.name.split(" ", 1)
        return parts[1][:150] if len(parts) > 1 else ""


@dataclass
class RosterPlan:
    rows: list[RosterRow]

    def counts(self) -> dict[Action, int]:
        counted = Counter(row.action for row in self.rows)
        return {action: counted.get(action, 0) for action in Action}

    @property
    def new_accounts(self) -> int:
        """Rows that would make an account (a student the site does not know yet)."""
        return sum(row.action == Action.CREATE and row.user is None for row in self.rows)

    @property
    def applicable(self) -> bool:
        return any(row.action != Action.SKIP for row in self.rows)

    def fingerprint(self) -> str:
        """Changes whenever applying would do something else than the preview said."""
        shape = [
            [row.line, row.action, row.email, row.section, row.student_id, _pk(row.user)]
            for row in self.rows
        ]
        return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:20]


def _pk(user: AbstractBaseUser | None) -> int | None:
    return user.pk if user is not None else None


def decode_roster(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise RosterRefused(f"The file is larger than {MAX_BYTES // 1_000_000} MB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterRefused(
            "The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”."
        ) from None


def parse_roster(text: str) -> list[RosterRow]:
    """Rows of the file with per-row problems marked; RosterRefused if the file is unusable."""
    if "\x00" in text:
        # The database cannot store it, and the preview's text could not come back to be
        # applied: refuse the file here, where the instructor can still fix it.
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise RosterRefused(
            f"Line {line} of the file contains a NUL character (U+0000), which the site cannot "
            "store. Remove it (save the file again from your spreadsheet) and upload again."
        )
    try:
        records = [
            (number, cells)
            for number, cells in enumerate(csv.reader(io.StringIO(text), strict=True), start=1)
            if any(cell.strip() for cell in cells)
        ]
    except csv.Error as error:
        raise RosterRefused(f"The file is not valid CSV ({error}).") from None
    if not records:
        raise RosterRefused("The file is empty. Its first row names the columns: email, name, …")
    header_line, header = records[0]
    names = [_column_name(cell) for cell in header]
    if "email" not in names:
        raise RosterRefused(
            "The first row must name the columns, with at least “email” "
            "(expected: email, name, section, student id)."
        )
    if len(records) - 1 > MAX_ROWS:
        raise RosterRefused(f"The file has more than {MAX_ROWS} students; split it.")
    rows = []
    for number, cells in records[1:]:
        values = dict(zip(names, cells, strict=False))
        row = RosterRow(
            line=number,
            email=values.get("email", "").strip().lower(),
            name=" ".join(values.get("name", "").split()),
            section=values.get("section", "").strip(),
            student_id=values.get("student id", "").strip(),
        )
        _check_cells(row, cells, len(names))
        rows.append(row)
    return rows


def _column_name(cell: str) -> str:
    name = re.sub(r"[\s_\-]+", " ", cell.strip().lower())
    return _HEADER_ALIASES.get(name, name)


def _check_cells(row: RosterRow, cells: list[str], expected: int) -> None:
    if len(cells) != expected:
        row.skip(f"The row has {len(cells)} cells; the first row names {expected} columns.")
    for cell in cells:
        stripped = cell.lstrip(" ")
        if cell.startswith(FORMULA_STARTS) or stripped.startswith(FORMULA_STARTS):
            sign = stripped[:1].replace("\t", "a tab").replace("\r", "a line break")
            row.skip(
                f"The cell “{_short(cell)}” starts with “{sign}”: a spreadsheet would run it "
                "as a formula. Remove the sign and upload again."
            )
    if not row.email:
        row.skip("No email.")
    else:
        try:
            validate_email(row.email)
        except ValidationError:
            row.skip(f"“{_short(row.email)}” is not an email address.")
    if len(row.student_id) > Enrollment._meta.get_field("student_id").max_length:
        row.skip("The student id is longer than 64 characters.")


def _short(text: str, limit: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plan_roster(*, course_class: CourseClass, rows: list[RosterRow]) -> RosterPlan:
    """What applying these rows would do, reading the class as it is now (4 queries)."""
    sections = {s.name.casefold(): s.name for s in course_class.sections.all()}
    emails = Counter(row.email for row in rows if row.email)
    lines_of: dict[str, list[int]] = {}
    for row in rows:
        lines_of.setdefault(row.email, []).append(row.line)
    accounts: dict[str, list[AbstractBaseUser]] = {}
    wanted = [email for email in emails]
    for user in (
        get_user_model().objects.annotate(email_lower=Lower("email")).filter(email_lower__in=wanted)
    ):
        accounts.setdefault(user.email_lower, []).append(user)
    enrollments = {
        e.user_id: e
        for e in Enrollment.objects.filter(
            course_class=course_class,
            user__in=[user for found in accounts.values() for user in found],
        ).select_related("section")
    }
    for row in rows:
        if row.email and emails[row.email] > 1:
            others = ", ".join(str(n) for n in lines_of[row.email] if n != row.line)
            row.skip(f"The email is also on row {others}; keep one row per student.")
        if row.section and row.section.casefold() not in sections:
            known = ", ".join(sorted(sections.values())) or "none yet"
            row.skip(
                f"The class has no section “{_short(row.section)}” (its sections: {known}). "
                "Add the section in the admin first."
            )
        if row.action == Action.SKIP:
            continue
        found = accounts.get(row.email, [])
        if len(found) > 1:
            row.skip(f"{len(found)} accounts have this email; enroll the right one in the admin.")
            continue
        if not found:
            row.reasons.append("New account (no password yet), enrolled.")
            continue
        user = row.user = found[0]
        if user.is_staff or user.is_superuser:
            row.skip("A staff account: the roster enrolls students only.")
            continue
        if not user.is_active:
            row.skip("The account is deactivated; reactivate it in the admin first.")
            continue
        enrollment = enrollments.get(user.pk)
        if enrollment is None:
            row.reasons.append(f"Existing account “{user.get_username()}”, enrolled.")
            continue
        _plan_update(row, enrollment, sections)
    return RosterPlan(rows)


def _plan_update(row: RosterRow, enrollment: Enrollment, sections: dict[str, str]) -> None:
    changes = []
    current_section = enrollment.section.name if enrollment.section else ""
    if row.section and row.section.casefold() != current_section.casefold():
        new = sections[row.section.casefold()]
        changes.append(f"section {current_section or '(none)'} → {new}")
    if row.student_id and row.student_id != enrollment.student_id:
        changes.append(f"student id {enrollment.student_id or '(none)'} → {row.student_id}")
    if changes:
        row.action = Action.UPDATE
        row.reasons.append("Already enrolled; " + ", ".join(changes) + ".")
    else:
        row.skip("Already enrolled; nothing to change.")


def roster_plan_from_text(*, course_class: CourseClass, text: str) -> RosterPlan:
    return plan_roster(course_class=course_class, rows=parse_roster(text))


def free_username(email: str) -> str:
    """A username for a new account: the email's local part, made unique."""
    base = re.sub(r"[^a-z0-9._-]", "", email.split("@", 1)[0].lower())[:140] or "student"
    taken = set(
        get_user_model()
        .objects.filter(username__startswith=base)
        .values_list("username", flat=True)
    )
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
