from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils import timezone

from course.models import Course, Lesson, slug_validator
from workers import LabInputError
from workers.experiments import experiment_params


class Lab(models.Model):
    """A lab page: one experiment of the engine (workers/), with the instructor's settings."""

    class Queue(models.TextChoices):
        CPU = "cpu", "CPU workers"
        GPU = "gpu", "GPU workers"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="labs")
    lesson = models.ForeignKey(
        Lesson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="labs",
        help_text="The lesson that teaches this lab's concept; the lab is linked from it.",
    )
    slug = models.SlugField(max_length=80, validators=[slug_validator])
    title = models.CharField(max_length=200)
    experiment = models.CharField(max_length=80, help_text="Experiment name in the lab engine.")
    introduction = models.TextField(blank=True, help_text="Markdown, shown above the form.")
    introduction_html = models.TextField(blank=True, editable=False)
    defaults = models.JSONField(
        default=dict, blank=True, help_text='Form defaults, e.g. {"steps": 24}.'
    )
    limits = models.JSONField(
        default=dict,
        blank=True,
        help_text='Tighter limits than the engine\'s, e.g. {"steps": {"max": 100}}.',
    )
    queue = models.CharField(max_length=40, choices=Queue.choices, default=Queue.CPU)
    order = models.PositiveIntegerField(default=0)
    published = models.BooleanField(default=True)
    archived = models.BooleanField(default=False)
    # Its due dates in classes (cohorts.DueDate): deleted with it, and filterable.
    due_dates = GenericRelation("cohorts.DueDate")

    class Meta:
        ordering = ["course", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="lab_slug_unique_in_course")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("labs:lab", args=[self.course.slug, self.slug])


class LabRun(models.Model):
    """One training run: its status, progress, metrics and samples as the worker writes them."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Finished"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    MAX_ACTIVE_PER_STUDENT = 2
    MAX_ATTEMPTS = 2  # a run is started at most twice: once, and once more if its worker died

    lab = models.ForeignKey(Lab, on_delete=models.CASCADE, related_name="runs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lab_runs"
    )
    submission = models.UUIDField(help_text="The form's token: a double submit makes one run.")
    active_slot = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="1 or 2 while queued or running, empty after: the database allows two.",
    )
    params = models.JSONField(default=dict)
    queue = models.CharField(max_length=80, default="cpu")
    course_class = models.ForeignKey(
        "cohorts.CourseClass",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lab_runs",
        help_text="The class the student ran it in (its queue, its instructor's view).",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    step = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True, help_text="{name: [[step, value], ...]}")
    samples = models.JSONField(default=list, blank=True)
    result = models.JSONField(null=True, blank=True)
    headline = models.TextField(blank=True)
    error = models.TextField(blank=True)
    cancel_requested = models.BooleanField(default=False)
    dispatches = models.PositiveSmallIntegerField(
        default=0, help_text="Times queued on the broker (first run plus requeues)."
    )
    dispatch_error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Times a worker started this run (redeliveries included)."
    )
    worker = models.CharField(max_length=200, blank=True)
    device = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    first_progress_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "submission"], name="one_run_per_submission"),
            models.UniqueConstraint(
                fields=["user", "active_slot"],
                condition=models.Q(active_slot__isnull=False),
                name="at_most_two_active_runs_per_student",
            ),
            models.CheckConstraint(
                condition=models.Q(active_slot__isnull=True) | models.Q(active_slot__in=[1, 2]),
                name="active_slot_is_1_or_2",
            ),
        ]
        indexes = [models.Index(fields=["status", "queue", "created_at"], name="labrun_queue")]

    def __str__(self) -> str:
        return f"{self.lab} #{self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("labs:run", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        return round(100 * self.step / self.total) if self.total else 0

    @property
    def shown_params(self) -> list[tuple[str, Any]]:
        """Parameters as people read them, in the form's order (PostgreSQL's jsonb keeps
        no key order): inline datasets as a row count, no empty paths."""
        try:
            order = [param.name for param in experiment_params(self.lab.experiment)]
        except LabInputError:  # an experiment the engine no longer has
            order = []
        place = {name: index for index, name in enumerate(order)}
        shown = [
            (key, value)
            for key, value in sorted(
                self.params.items(), key=lambda item: (place.get(item[0], len(place)), item[0])
            )
            if key != "inline_files" and value != ""
        ]
        for name, rows in (self.params.get("inline_files") or {}).items():
            shown.append((name, f"{len(rows)} rows"))
        return shown

    @property
    def preparing(self) -> bool:
        """Running for a while without a first progress report: the worker is loading or,
        on a site's first start, waiting for the labs' base model to be built."""
        return (
            self.status == self.Status.RUNNING
            and self.total == 0
            and self.started_at is not None
            and timezone.now() - self.started_at > timedelta(seconds=8)
        )

    @property
    def waited_seconds(self) -> float | None:
        """How long the run waited on its queue: queued to (last) started."""
        if self.started_at:
            return max(0.0, (self.started_at - self.created_at).total_seconds())
        return None

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class PreferencePair(models.Model):
    """Two responses to one prompt from the lab world, for the class to compare.

    The gold scores are what the world knows people want; students never see them."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="preference_pairs")
    prompt = models.TextField()
    family = models.CharField(max_length=40)
    response_a = models.TextField()
    response_b = models.TextField()
    gold_a = models.FloatField()
    gold_b = models.FloatField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course", "order", "id"]

    def __str__(self) -> str:
        return self.prompt[:60]


class PreferenceLabel(models.Model):
    class Choice(models.TextChoices):
        A = "a", "Response A is better"
        B = "b", "Response B is better"
        TIE = "tie", "About the same"

    pair = models.ForeignKey(PreferencePair, on_delete=models.CASCADE, related_name="labels")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference_labels"
    )
    choice = models.CharField(max_length=3, choices=Choice.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "pair"], name="one_label_per_student_and_pair")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.pair_id} · {self.choice}"
