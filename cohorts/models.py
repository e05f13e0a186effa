"""A course runs for a class: who is in it (enrollments, sections) and who grades it."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

# No 0/O or 1/I/L: a code is read aloud and copied from a projector.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(text: str) -> str:
    """What a student typed, as stored: upper case, no spaces or hyphens."""
    return "".join(ch for ch in text.upper() if ch not in " -\t")


class CourseClass(models.Model):
    """One run of a course (a term, a cohort): students enroll in a class, not a course."""

    course = models.ForeignKey("course.Course", on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(max_length=200)
    term = models.CharField(max_length=100, blank=True, help_text="For example “Spring 2027”.")
    join_code = models.CharField(
        max_length=16,
        unique=True,
        default=new_join_code,
        help_text="Students join with this code or the join link; regenerate it if it leaks.",
    )
    join_code_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="After this moment the code no longer lets anyone join."
    )
    archived = models.BooleanField(
        default=False,
        help_text="A finished class: students keep reading it, but nobody joins or changes it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "-created_at", "id"]
        verbose_name = "class"
        verbose_name_plural = "classes"

    def __str__(self) -> str:
        return f"{self.name} ({self.term})" if self.term else self.name

    def get_absolute_url(self) -> str:
        return reverse("cohorts:class", args=[self.pk])

    def join_url(self) -> str:
        return reverse("cohorts:join-link", args=[self.join_code])

    def join_code_open(self, now: datetime) -> bool:
        return not self.archived and (
            self.join_code_expires_at is None or now < self.join_code_expires_at
        )

    def regenerate_join_code(self) -> None:
        """A fresh code (the old one stops working at once); the expiry is cleared."""
        self.join_code = new_join_code()
        self.join_code_expires_at = None
        self.save(update_fields=["join_code", "join_code_expires_at"])


class Section(models.Model):
    course_class = models.ForeignKey(CourseClass, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["course_class", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["course_class", "name"], name="section_name_unique_in_class"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_class.name} · {self.name}"


class Enrollment(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student", "Student"

    course_class = models.ForeignKey(
        CourseClass, on_delete=models.CASCADE, related_name="enrollments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrollments"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STUDENT)
    student_id = models.CharField(
        max_length=64, blank=True, help_text="The institution's id, for gradebook exports."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course_class", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["course_class", "user"], name="one_enrollment_per_class"
            )
        ]
        indexes = [models.Index(fields=["user", "course_class"], name="enrollment_by_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.course_class}"

    def clean(self) -> None:
        if self.section_id and self.section.course_class_id != self.course_class_id:
            raise ValidationError({"section": "Pick a section of this class."})


class GraderAssignment(models.Model):
    """A grader grades the students of a section (and so sees the section's course)."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="graders")
    grader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grader_assignments"
    )

    class Meta:
        ordering = ["section", "grader__username"]
        constraints = [
            models.UniqueConstraint(fields=["section", "grader"], name="one_assignment_per_grader")
        ]

    def __str__(self) -> str:
        return f"{self.grader} grades {self.section}"
