"""A course runs for a class: who is in it (enrollments, sections) and who grades it."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
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
    lab_queue = models.CharField(
        max_length=30,
        blank=True,
        validators=[
            RegexValidator(r"^[a-z0-9][a-z0-9-]*$", "Lower-case letters, digits and hyphens only.")
        ],
        help_text=(
            "Give the class its own lab workers: with “ml101”, its runs go to the queues "
            "cpu-ml101 and gpu-ml101, served by a worker started with "
            "<code>celery -A config worker -Q cpu-ml101</code>. Empty: the shared queues."
        ),
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

    def queue_for(self, lab_queue: str) -> str:
        """The broker queue a lab's run goes to for this class ("cpu" -> "cpu-ml101")."""
        return f"{lab_queue}-{self.lab_queue}" if self.lab_queue else lab_queue

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


class DueDateQuerySet(models.QuerySet):
    def of_kind(self, model: type[models.Model]) -> DueDateQuerySet:
        """The dates for items of one model (quizzes, labs): a join, no query of its own."""
        meta = model._meta
        return self.filter(
            content_type__app_label=meta.app_label, content_type__model=meta.model_name
        )

    def for_item(self, item: models.Model) -> DueDateQuerySet:
        return self.of_kind(type(item)).filter(object_id=item.pk)

    def with_kind(self) -> DueDateQuerySet:
        """Each date's `kind` read in the same query (a join on its content type)."""
        return self.annotate(item_kind=models.F("content_type__model"))


class DueDate(models.Model):
    """When an item of course work (a quiz, a lab) is due for a class. Overrides move it for
    a section or for one student (cohorts.selectors.due_for_student picks the one that
    applies). The item is generic: cohorts sits below the apps that own the work, which
    register with cohorts.coursework and declare a GenericRelation back to their dates
    (deleting a quiz deletes its dates)."""

    course_class = models.ForeignKey(
        CourseClass, on_delete=models.CASCADE, related_name="due_dates"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    due_at = models.DateTimeField()

    objects = DueDateQuerySet.as_manager()

    class Meta:
        ordering = ["course_class", "due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["course_class", "content_type", "object_id"],
                name="one_due_date_per_item_in_class",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} due {self.due_at:%Y-%m-%d %H:%M} ({self.course_class.name})"

    @property
    def kind(self) -> str:
        """The item's kind of course work ("quiz", "lab"): its model's name, as annotated by
        the reads that list dates (`item_kind`), else from the content-type cache."""
        annotated = self.__dict__.get("item_kind")
        return annotated or ContentType.objects.get_for_id(self.content_type_id).model

    @property
    def item_id(self) -> int:
        return self.object_id

    def clean(self) -> None:
        if self.content_type_id is None or self.item is None:
            raise ValidationError("Pick a quiz or a lab of the class's course.")
        if self.course_class_id and self.item.course_id != self.course_class.course_id:
            raise ValidationError("Pick a quiz or lab of the class's course.")


class DueDateOverride(models.Model):
    """A due date moved for one section or one student (a student's beats a section's)."""

    due_date = models.ForeignKey(DueDate, on_delete=models.CASCADE, related_name="overrides")
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, null=True, blank=True, related_name="due_overrides"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="due_overrides",
    )
    due_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(section__isnull=False, user__isnull=True)
                | models.Q(section__isnull=True, user__isnull=False),
                name="override_for_a_section_or_a_student",
            ),
            models.UniqueConstraint(
                fields=["due_date", "section"],
                condition=models.Q(section__isnull=False),
                name="one_override_per_section",
            ),
            models.UniqueConstraint(
                fields=["due_date", "user"],
                condition=models.Q(user__isnull=False),
                name="one_override_per_student",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section or self.user}: {self.due_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if bool(self.section_id) == bool(self.user_id):
            raise ValidationError("Pick a section or a student (one of them).")
        class_id = self.due_date.course_class_id if self.due_date_id else None
        if self.section_id and self.section.course_class_id != class_id:
            raise ValidationError({"section": "Pick a section of the due date's class."})
        if (
            self.user_id
            and not Enrollment.objects.filter(
                course_class_id=class_id, user_id=self.user_id
            ).exists()
        ):
            raise ValidationError({"user": "Pick a student of the due date's class."})


class Accommodation(models.Model):
    """Extra time on timed quizzes for one student of a class. Graders and instructors see
    it; other students never do."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, related_name="accommodation"
    )
    time_multiplier = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1.5 gives a 60-minute quiz 90 minutes.",
    )
    extra_minutes = models.PositiveIntegerField(default=0, help_text="Added after the multiplier.")
    note = models.CharField(max_length=200, blank=True, help_text="For staff only.")

    def __str__(self) -> str:
        return f"{self.describe()} for {self.enrollment.user}"

    def stretch(self, limit: timedelta | None) -> timedelta | None:
        """A time limit with this extra time: the multiplier first, then the added minutes."""
        if limit is None:
            return None
        return limit * float(self.time_multiplier) + timedelta(minutes=self.extra_minutes)

    def describe(self) -> str:
        parts = []
        if self.time_multiplier != 1:
            parts.append(f"×{self.time_multiplier.normalize()}")
        if self.extra_minutes:
            parts.append(f"+{self.extra_minutes} min")
        return ", ".join(parts) or "none"
