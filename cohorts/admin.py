"""Classes in the admin: sections and enrollments inline, graders per section."""

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from cohorts.models import (
    Accommodation,
    CourseClass,
    DueDate,
    DueDateOverride,
    Enrollment,
    GraderAssignment,
    Section,
)


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    show_change_link = True


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    fields = ["user", "section", "student_id", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            class_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Section.objects.filter(course_class_id=class_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CourseClass)
class CourseClassAdmin(admin.ModelAdmin):
    list_display = ["name", "course", "term", "student_count", "join_code", "archived", "page"]
    list_filter = ["archived", "course", "term"]
    search_fields = ["name", "term", "join_code", "course__title"]
    fields = [
        "course",
        "name",
        "term",
        "join_code",
        "join_code_expires_at",
        "lab_queue",
        "archived",
    ]
    readonly_fields = ["join_code"]
    inlines = [SectionInline, EnrollmentInline]
    actions = ["regenerate_join_codes", "archive_classes"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CourseClass]:
        return (
            super()
            .get_queryset(request)
            .select_related("course")
            .annotate(student_count=Count("enrollments"))
        )

    @admin.display(description="students", ordering="student_count")
    def student_count(self, obj: CourseClass) -> int:
        return obj.student_count

    @admin.display(description="class page")
    def page(self, obj: CourseClass) -> str:
        return format_html('<a href="{}">open</a>', reverse("cohorts:class", args=[obj.pk]))

    @admin.action(description="Give the selected classes new join codes")
    def regenerate_join_codes(self, request: HttpRequest, queryset: QuerySet[CourseClass]):
        for course_class in queryset:
            course_class.regenerate_join_code()
        messages.success(request, f"{queryset.count()} class(es) have new join codes.")

    @admin.action(description="Archive the selected classes (read-only, nobody joins)")
    def archive_classes(self, request: HttpRequest, queryset: QuerySet[CourseClass]):
        count = queryset.update(archived=True)
        messages.success(request, f"Archived {count} class(es).")


class GraderAssignmentInline(admin.TabularInline):
    model = GraderAssignment
    extra = 1
    raw_id_fields = ["grader"]


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "course_class"]
    list_filter = ["course_class__course", "course_class"]
    search_fields = ["name", "course_class__name"]
    inlines = [GraderAssignmentInline]
    list_select_related = ["course_class"]


class AccommodationInline(admin.StackedInline):
    model = Accommodation
    extra = 0
    verbose_name_plural = "accommodation (extra time on timed quizzes; staff only)"


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    inlines = [AccommodationInline]
    list_display = ["user", "course_class", "section", "student_id", "created_at"]
    list_filter = ["course_class__course", "course_class", "section"]
    search_fields = [
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
        "student_id",
    ]
    raw_id_fields = ["user"]
    list_select_related = ["user", "course_class", "section"]


@admin.register(GraderAssignment)
class GraderAssignmentAdmin(admin.ModelAdmin):
    list_display = ["grader", "section"]
    list_filter = ["section__course_class"]
    search_fields = ["grader__username", "section__name", "section__course_class__name"]
    raw_id_fields = ["grader"]
    list_select_related = ["grader", "section__course_class"]


class DueDateOverrideInline(admin.TabularInline):
    model = DueDateOverride
    extra = 1
    raw_id_fields = ["user"]


@admin.register(DueDate)
class DueDateAdmin(admin.ModelAdmin):
    """Dates are set on each class's Due dates page (one field per quiz and lab); here they
    can be read, moved, overridden and removed."""

    list_display = ["__str__", "course_class", "item_title", "due_at", "override_count"]
    list_filter = ["course_class__course", "course_class", "content_type"]
    search_fields = ["course_class__name"]
    date_hierarchy = "due_at"
    inlines = [DueDateOverrideInline]
    list_select_related = ["course_class"]
    fields = ["course_class", "item_title", "due_at"]
    readonly_fields = ["course_class", "item_title"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[DueDate]:
        queryset = super().get_queryset(request).annotate(override_count=Count("overrides"))
        return queryset.prefetch_related("item")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="quiz or lab")
    def item_title(self, obj: DueDate) -> str:
        return f"{obj.kind.capitalize()}: {obj.item.title}" if obj.item else "—"

    @admin.display(description="overrides", ordering="override_count")
    def override_count(self, obj: DueDate) -> int:
        return obj.override_count


@admin.register(Accommodation)
class AccommodationAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "time_multiplier", "extra_minutes", "note"]
    list_filter = ["enrollment__course_class"]
    search_fields = ["enrollment__user__username", "enrollment__user__email", "note"]
    raw_id_fields = ["enrollment"]
    list_select_related = ["enrollment__user", "enrollment__course_class"]
