from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from course.markdown import render_key, render_markdown

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "Use lowercase letters, digits and single hyphens."
)


class Course(models.Model):
    slug = models.SlugField(max_length=80, unique=True, validators=[slug_validator])
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    published = models.BooleanField(default=False, help_text="Students see only published courses.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("course:detail", args=[self.slug])


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    slug = models.SlugField(max_length=80, validators=[slug_validator])
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0, db_index=True)
    published = models.BooleanField(default=True)
    archived = models.BooleanField(
        default=False,
        help_text="Set by load_course when a module leaves the bundle; hidden, progress kept.",
    )

    class Meta:
        ordering = ["course", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="module_slug_unique_in_course")
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField(max_length=80, validators=[slug_validator])
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    minutes = models.PositiveIntegerField(default=10, help_text="Estimated reading time.")
    body_markdown = models.TextField(blank=True)
    body_html = models.TextField(blank=True, editable=False)
    body_html_key = models.CharField(
        max_length=64, blank=True, editable=False, help_text="render_key of body_html's source."
    )
    order = models.PositiveIntegerField(default=0, db_index=True)
    published = models.BooleanField(default=True)
    archived = models.BooleanField(
        default=False,
        help_text="Set by load_course when a lesson leaves the bundle; hidden, progress kept.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course", "module__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="lesson_slug_unique_in_course")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("course:lesson", args=[self.course.slug, self.slug])

    def render_body(self) -> None:
        """Render and sanitise the Markdown once, so pages never render per request."""
        self.body_html = render_markdown(self.body_markdown)
        self.body_html_key = render_key(self.body_markdown)

    @property
    def body_html_is_current(self) -> bool:
        """False when body_html came from other text or an older renderer."""
        return self.body_html_key == render_key(self.body_markdown)


class Flashcard(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="flashcards")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="flashcards")
    key = models.SlugField(
        max_length=100,
        validators=[slug_validator],
        help_text="Stable key in the course bundle; keep it when editing the text.",
    )
    front = models.TextField()
    back = models.TextField()
    order = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["lesson", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "key"], name="flashcard_key_unique_in_course")
        ]

    def __str__(self) -> str:
        return self.front[:60]


class LessonProgress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    first_viewed_at = models.DateTimeField(auto_now_add=True)
    last_viewed_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="one_progress_per_lesson")
        ]
        indexes = [models.Index(fields=["user", "-last_viewed_at"], name="progress_recent")]
        verbose_name_plural = "lesson progress"

    def __str__(self) -> str:
        return f"{self.user} · {self.lesson}"

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


class CardState(models.IntegerChoices):
    """FSRS card states (fsrs.State values); NEW means never rated."""

    NEW = 0, "New"
    LEARNING = 1, "Learning"
    REVIEW = 2, "Review"
    RELEARNING = 3, "Relearning"


class FlashcardReviewState(models.Model):
    """One student's spaced-repetition state for one flashcard (FSRS card as JSON)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="card_states"
    )
    flashcard = models.ForeignKey(Flashcard, on_delete=models.CASCADE, related_name="states")
    fsrs_card = models.JSONField(help_text="fsrs.Card.to_dict()")
    state = models.PositiveSmallIntegerField(choices=CardState.choices, default=CardState.NEW)
    due = models.DateTimeField()
    review_count = models.PositiveIntegerField(
        default=0, help_text="Ratings so far; a rating must name it, so a replay schedules once."
    )
    lapses = models.PositiveIntegerField(default=0)
    last_reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "flashcard"], name="one_card_state_per_student")
        ]
        indexes = [models.Index(fields=["user", "due"], name="card_state_due_queue")]

    def __str__(self) -> str:
        return f"{self.user} · {self.flashcard.key}"


class FlashcardReview(models.Model):
    """The review log: one row per rating, kept for statistics and re-scheduling."""

    class Rating(models.IntegerChoices):
        AGAIN = 1, "Again"
        HARD = 2, "Hard"
        GOOD = 3, "Good"
        EASY = 4, "Easy"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="card_reviews"
    )
    flashcard = models.ForeignKey(Flashcard, on_delete=models.CASCADE, related_name="reviews")
    sequence = models.PositiveIntegerField(help_text="review_count before this rating")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    state_before = models.PositiveSmallIntegerField(choices=CardState.choices)
    reviewed_at = models.DateTimeField()
    due_before = models.DateTimeField(null=True, blank=True)
    due_after = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "flashcard", "sequence"], name="one_review_per_sequence"
            )
        ]
        indexes = [models.Index(fields=["user", "reviewed_at"], name="card_review_recent")]

    def __str__(self) -> str:
        return f"{self.user} rated {self.flashcard.key} {self.get_rating_display()}"


def course_structure_changed(course_id: int) -> None:
    """Move the course's updated_at on: the cached reading order of its lessons is keyed
    by it (course.selectors.lesson_order), and every request reads the course row first,
    so the next request of any process builds the order afresh. Call it after a write that
    sends no signal (QuerySet.update on lessons or modules)."""
    Course.objects.filter(pk=course_id).update(updated_at=timezone.now())


@receiver(post_save, sender="course.Module")
@receiver(post_delete, sender="course.Module")
@receiver(post_save, sender="course.Lesson")
@receiver(post_delete, sender="course.Lesson")
def _structure_saved(sender, instance, **kwargs) -> None:
    if kwargs.get("update_fields") and set(kwargs["update_fields"]) <= _NOT_STRUCTURE:
        return
    course_structure_changed(instance.course_id)


# Lesson fields that never change the reading order nor its titles.
_NOT_STRUCTURE = frozenset({"body_html", "body_html_key"})
