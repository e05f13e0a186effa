"""Quizzes and scenario exercises, their questions and choices, and students' attempts.

A scenario is a question of kind "scenario" whose parts are child questions; an attempt
has one Response per answerable question (parts included, the scenario itself excluded).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils import timezone

from course.models import Course, Lesson, slug_validator


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", "Highest attempt"
    LAST = "last", "Last attempt"
    FIRST = "first", "First attempt"
    AVERAGE = "average", "Average of attempts"


class FeedbackMode(models.TextChoices):
    AFTER_EACH = "after-each-question", "After each question (check as you go)"
    AFTER_SUBMISSION = "after-submission", "After submission"


class ReleaseMode(models.TextChoices):
    ON_GRADING = "on-grading", "As soon as each answer is graded"
    MANUAL = "manual", "When staff release the quiz's grades"


class Quiz(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="quizzes")
    lesson = models.ForeignKey(
        Lesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="quizzes"
    )
    key = models.SlugField(
        max_length=100,
        validators=[slug_validator],
        help_text="Stable key in the course bundle (quizzes/<key>.yaml).",
    )
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True)
    max_attempts = models.PositiveIntegerField(default=0, help_text="0 means unlimited.")
    time_limit_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty means no time limit; enforced on the server."
    )
    grading_method = models.CharField(
        max_length=20, choices=GradingMethod.choices, default=GradingMethod.HIGHEST
    )
    feedback_mode = models.CharField(
        max_length=30, choices=FeedbackMode.choices, default=FeedbackMode.AFTER_SUBMISSION
    )
    release_grades = models.CharField(
        max_length=20,
        choices=ReleaseMode.choices,
        default=ReleaseMode.ON_GRADING,
        db_default=ReleaseMode.ON_GRADING,
        help_text="When students see what a person graded: score, rubric levels and comment.",
    )
    anonymous_grading = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Graders see a stable pseudonym instead of the student's name.",
    )
    order = models.PositiveIntegerField(default=0)
    published = models.BooleanField(default=True)
    archived = models.BooleanField(default=False)
    # Its due dates in classes (cohorts.DueDate): deleted with it, and filterable.
    due_dates = GenericRelation("cohorts.DueDate")

    class Meta:
        ordering = ["course", "order", "id"]
        verbose_name_plural = "quizzes"
        constraints = [
            models.UniqueConstraint(fields=["course", "key"], name="quiz_key_unique_in_course")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quizzes:quiz", args=[self.course.slug, self.key])

    @property
    def time_limit(self) -> timedelta | None:
        return timedelta(minutes=self.time_limit_minutes) if self.time_limit_minutes else None


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple select"
    TRUE_FALSE = "true-false", "True / false"
    SHORT = "short", "Short answer"
    NUMERIC = "numeric", "Numeric"
    ESSAY = "essay", "Free text (rubric)"
    SCENARIO = "scenario", "Scenario (parts follow)"
    DESCRIPTION = "description", "Description (text between questions, no answer)"


CHOICE_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE}


class Question(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="parts"
    )
    key = models.SlugField(max_length=100, validators=[slug_validator])
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    title = models.CharField(max_length=200, blank=True)
    prompt = models.TextField()
    explanation = models.TextField(blank=True)
    points = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    rubric = models.JSONField(
        default=list, blank=True, help_text="Essays: [{criterion, levels: [{points, description}]}]"
    )
    reference_answer = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["quiz", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["quiz", "key"], name="question_key_unique_in_quiz")
        ]

    def __str__(self) -> str:
        return self.title or self.prompt[:60]

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def is_auto_graded(self) -> bool:
        return self.kind not in (
            QuestionKind.ESSAY,
            QuestionKind.SCENARIO,
            QuestionKind.DESCRIPTION,
        )

    @property
    def is_answerable(self) -> bool:
        """Whether an attempt has a response for it (not a scenario or a description)."""
        return self.kind not in (QuestionKind.SCENARIO, QuestionKind.DESCRIPTION)


class Choice(models.Model):
    """An option (choice kinds) or an accepted answer (short, numeric)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    key = models.SlugField(max_length=40, help_text="Stable within the question (a, b, true…).")
    text = models.TextField()
    correct = models.BooleanField(default=False)
    weight = models.DecimalField(
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Optional percentage of the points (-100..100), as in GIFT's ~%50%.",
    )
    tolerance = models.FloatField(null=True, blank=True, help_text="Numeric answers only.")
    feedback = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="choice_key_unique")
        ]

    def __str__(self) -> str:
        return self.text[:60]


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"


class Attempt(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    state = models.CharField(
        max_length=20, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(null=True, blank=True)
    last_saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    finished_by_time_limit = models.BooleanField(default=False)
    due_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The student's own due date when the attempt was submitted (overrides applied).",
    )
    submitted_late = models.BooleanField(
        default=False, help_text="Submitted after the student's due date; accepted all the same."
    )
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    needs_grading = models.BooleanField(
        default=False, help_text="Free-text answers wait for a grader."
    )
    grades_hidden = models.BooleanField(
        default=False,
        db_default=False,
        help_text="Some grades a person gave (or overrode) are not released to the student yet.",
    )

    class Meta:
        ordering = ["quiz", "user", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "user", "number"], name="attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["quiz", "user"],
                condition=models.Q(state="in_progress"),
                name="one_open_attempt_per_quiz",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.quiz} #{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("quizzes:attempt", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state == AttemptState.IN_PROGRESS

    def is_expired(self, now=None) -> bool:
        return self.deadline is not None and (now or timezone.now()) >= self.deadline

    @property
    def percent(self) -> int | None:
        if self.score is None or not self.max_score:
            return None
        return round(100 * self.score / self.max_score)


class Response(models.Model):
    """One answer, saved as it changes; `revision` rises with every accepted change."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="responses")
    answer = models.JSONField(default=dict, blank=True)
    revision = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(
        null=True, blank=True, help_text="Feedback shown (after-each-question mode); now final."
    )
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    rubric_levels = models.JSONField(
        default=list, blank=True, help_text="Essays: the level chosen for each rubric criterion."
    )
    grader_comment = models.TextField(blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    graded_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A person's grade (or override) is shown to the student from this moment.",
    )

    class Meta:
        ordering = ["attempt", "question__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="one_response_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attempt} · {self.question.key}"

    @property
    def graded_by_person(self) -> bool:
        """Graded by hand or overridden (the machine's scores have no `graded_at`)."""
        return self.graded_at is not None

    @property
    def visible_to_student(self) -> bool:
        """Whether the student sees this answer's score (and levels and comment): a score
        the machine gave, or a person's once released."""
        return not self.graded_by_person or self.released_at is not None


class GradeChangeKind(models.TextChoices):
    GRADE = "grade", "Graded"
    OVERRIDE = "override", "Overridden"
    REGRADE = "regrade", "Regraded after a key change"


class GradeChange(models.Model):
    """The audit trail of an answer's score: every change, who made it, when and why."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=GradeChangeKind.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    old_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    new_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    old_levels = models.JSONField(default=list, blank=True)
    new_levels = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.response}: {self.old_score} -> {self.new_score} ({self.kind})"
