from django import forms
from django.contrib import admin

from course.markdown import render_markdown
from labs.models import Lab, LabRun
from labs.parameters import check_lab_config
from labs.services import lab_run_cancel
from workers import LabInputError, list_experiments


class LabForm(forms.ModelForm):
    experiment = forms.ChoiceField(choices=())

    class Meta:
        model = Lab
        fields = [
            "course",
            "lesson",
            "slug",
            "title",
            "experiment",
            "introduction",
            "defaults",
            "limits",
            "queue",
            "order",
            "published",
            "archived",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experiment"].choices = [
            (spec["name"], f"{spec['title']} ({spec['name']})") for spec in list_experiments()
        ]

    def clean(self):
        cleaned = super().clean()
        experiment = cleaned.get("experiment")
        if experiment:
            try:
                check_lab_config(
                    experiment, cleaned.get("defaults") or {}, cleaned.get("limits") or {}
                )
            except LabInputError as error:
                raise forms.ValidationError(str(error)) from None
        lesson, course = cleaned.get("lesson"), cleaned.get("course")
        if lesson and course and lesson.course_id != course.pk:
            self.add_error("lesson", "Pick a lesson of the same course.")
        return cleaned


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    form = LabForm
    list_display = ["title", "experiment", "course", "lesson", "queue", "published"]
    list_filter = ["course", "experiment", "queue", "published", "archived"]
    list_select_related = ["course", "lesson"]
    search_fields = ["title", "slug", "introduction"]
    prepopulated_fields = {"slug": ["title"]}

    def save_model(self, request, lab: Lab, form, change) -> None:
        lab.introduction_html = render_markdown(lab.introduction)
        super().save_model(request, lab, form, change)


@admin.register(LabRun)
class LabRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "lab",
        "user",
        "course_class",
        "status",
        "queue",
        "worker",
        "device",
        "created_at",
        "started_at",
        "finished_at",
        "duration",
        "attempts",
    ]
    list_filter = ["status", "queue", "course_class", "lab", "device"]
    list_select_related = ["lab", "user", "course_class"]
    search_fields = ["user__username", "lab__title", "worker", "headline", "error"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in LabRun._meta.fields]
    actions = ["request_cancel"]

    @admin.display(description="seconds")
    def duration(self, run: LabRun) -> str:
        seconds = run.duration_seconds
        return f"{seconds:.1f}" if seconds is not None else "—"

    @admin.action(description="Cancel the selected runs")
    def request_cancel(self, request, queryset) -> None:

        for run in queryset:
            lab_run_cancel(run=run)
        self.message_user(request, f"Cancel requested for {queryset.count()} run(s).")

    def has_add_permission(self, request) -> bool:
        return False
