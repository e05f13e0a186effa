"""Authoring in the Django admin: courses with ordered modules, modules with ordered lessons,
lessons with flashcards and a live Markdown preview, publish switches, search and filters."""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from course.bundle import normalise_body
from course.models import (
    Course,
    Flashcard,
    Lesson,
    LessonProgress,
    Module,
    course_structure_changed,
)


class _UniqueInCourseForm(forms.ModelForm):
    """Check (course, <field>) uniqueness where the course comes from the parent row.

    `course` is not on the form (it follows the module or lesson), so Django's own
    constraint check would skip it and a duplicate would fail at the database instead.
    """

    unique_field = "slug"

    def _course(self):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get(self.unique_field)
        course = self._course()
        if value and course is not None and course.pk:
            model = self._meta.model
            clash = model.objects.filter(course=course, **{self.unique_field: value})
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    self.unique_field, f"'{value}' is already used in the course “{course}”."
                )
        return cleaned


class LessonForm(_UniqueInCourseForm):
    class Meta:
        model = Lesson
        fields = [
            "module",
            "title",
            "slug",
            "summary",
            "minutes",
            "order",
            "published",
            "archived",
            "body_markdown",
        ]

    def _course(self):
        module = self.cleaned_data.get("module") or getattr(self.instance, "module", None)
        return module.course if module is not None else None

    def clean_body_markdown(self) -> str:
        return normalise_body(self.cleaned_data.get("body_markdown", ""))


class FlashcardForm(_UniqueInCourseForm):
    unique_field = "key"

    class Meta:
        model = Flashcard
        fields = ["lesson", "key", "front", "back", "order", "archived"]

    def _course(self):
        lesson = self.cleaned_data.get("lesson") or getattr(self.instance, "lesson", None)
        return lesson.course if lesson is not None else None


def _prepare_lesson(lesson: Lesson) -> None:
    lesson.course = lesson.module.course
    lesson.render_body()


class ModuleInline(admin.TabularInline):
    model = Module
    fields = ["order", "title", "slug", "published", "archived"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["order", "id"]
    show_change_link = True
    extra = 0


class LessonInline(admin.TabularInline):
    model = Lesson
    form = LessonForm
    fields = ["order", "title", "slug", "minutes", "published", "archived"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["order", "id"]
    show_change_link = True
    extra = 0


class FlashcardInline(admin.StackedInline):
    model = Flashcard
    form = FlashcardForm
    fields = [("order", "key", "archived"), "front", "back"]
    ordering = ["order", "id"]
    extra = 0


def _structure_changed(queryset: QuerySet) -> None:
    """QuerySet.update sends no signal: move the cached lesson order of the courses on."""
    if queryset.model in (Lesson, Module):
        for course_id in set(queryset.values_list("course_id", flat=True)):
            course_structure_changed(course_id)


@admin.action(description="Publish selected")
def publish(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    count = queryset.update(published=True)
    _structure_changed(queryset)
    modeladmin.message_user(request, f"Published {count}.", messages.SUCCESS)


@admin.action(description="Unpublish selected (students get a 404)")
def unpublish(modeladmin, request: HttpRequest, queryset: QuerySet) -> None:
    count = queryset.update(published=False)
    _structure_changed(queryset)
    modeladmin.message_user(request, f"Unpublished {count}.", messages.SUCCESS)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "published", "updated_at"]
    list_editable = ["published"]
    list_filter = ["published"]
    search_fields = ["title", "slug", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ModuleInline]
    actions = [publish, unpublish]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "order", "published", "archived"]
    list_filter = ["course", "published", "archived"]
    search_fields = ["title", "slug", "summary"]
    list_select_related = ["course"]
    ordering = ["course", "order"]
    inlines = [LessonInline]
    actions = [publish, unpublish]

    def save_formset(self, request, form, formset, change) -> None:
        if formset.model is not Lesson:
            return super().save_formset(request, form, formset, change)
        for lesson in formset.save(commit=False):
            _prepare_lesson(lesson)
            lesson.save()
        for lesson in formset.deleted_objects:
            lesson.delete()
        return None


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    form = LessonForm
    # The module as text, not the foreign key: the admin keeps a key's cell on one line
    # ("nowrap"), and the module and course names pushed Order, Minutes, Published and
    # Archived out of sight at 1280 px. The course is the filter's.
    list_display = ["title", "module_title", "order", "minutes", "published", "archived"]
    list_editable = ["published"]
    list_filter = ["course", "module", "published", "archived"]
    list_select_related = ["course", "module"]
    search_fields = ["title", "slug", "summary", "body_markdown"]
    prepopulated_fields = {"slug": ["title"]}
    ordering = ["course", "module__order", "order"]
    readonly_fields = ["preview"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "module",
                    ("title", "slug"),
                    "summary",
                    ("minutes", "order"),
                    ("published", "archived"),
                ]
            },
        ),
        (
            "Body",
            {
                "fields": ["body_markdown", "preview"],
                "description": "Markdown. Callouts: <code>::: key-insight</code> … "
                "<code>:::</code> (also note, example, warning). The preview updates "
                "as you type; raw HTML is shown as text.",
            },
        ),
    ]
    inlines = [FlashcardInline]
    actions = [publish, unpublish]

    class Media:
        css = {"all": ["css/admin-preview.css"]}
        js = ["js/lesson-preview.js"]

    @admin.display(description="Module", ordering="module__order")
    def module_title(self, lesson: Lesson) -> str:
        return lesson.module.title

    @admin.display(description="Preview")
    def preview(self, lesson: Lesson) -> str:
        html = lesson.body_html or "<p><em>Nothing to preview yet.</em></p>"
        return format_html(
            '<div id="lesson-preview" class="lesson-body" aria-live="polite" '
            'data-preview-url="{}">{}</div>',
            reverse("course:markdown-preview"),
            mark_safe(html),  # noqa: S308 - body_html is sanitised with nh3 when rendered  # nosec B308, B703
        )

    def save_model(self, request, lesson: Lesson, form, change) -> None:
        _prepare_lesson(lesson)
        super().save_model(request, lesson, form, change)

    def save_formset(self, request, form, formset, change) -> None:
        for card in formset.save(commit=False):
            card.course = card.lesson.course
            card.save()
        for card in formset.deleted_objects:
            card.delete()


@admin.register(Flashcard)
class FlashcardAdmin(admin.ModelAdmin):
    form = FlashcardForm
    list_display = ["front", "key", "lesson", "course", "archived"]
    list_filter = ["course", "archived"]
    list_select_related = ["lesson", "course"]
    search_fields = ["key", "front", "back"]

    def save_model(self, request, card: Flashcard, form, change) -> None:
        card.course = card.lesson.course
        super().save_model(request, card, form, change)


@admin.register(LessonProgress)
class LessonProgressAdmin(admin.ModelAdmin):
    list_display = ["user", "lesson", "last_viewed_at", "completed_at"]
    list_filter = ["lesson__course", ("completed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "lesson"]
    search_fields = ["user__username", "lesson__title"]
    readonly_fields = ["user", "lesson", "first_viewed_at", "last_viewed_at", "completed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
