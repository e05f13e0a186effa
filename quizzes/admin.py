"""Authoring quizzes in the Django admin, and importing GIFT / Aiken question files."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from course.models import Course, Lesson, slug_validator
from quizzes.grading import rubric_points
from quizzes.models import CHOICE_KINDS, Attempt, Choice, Question, QuestionKind, Quiz, Response
from quizzes.question_files import QuestionFileError, parse_question_file
from quizzes.services import quiz_import_questions


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["order", "key", "kind", "title", "points", "parent", "archived"]
    ordering = ["order", "id"]
    show_change_link = True
    extra = 0


class ChoiceFormSet(forms.BaseInlineFormSet):
    """Refuse a question students could not answer, as the bundle reader does."""

    def clean(self):
        super().clean()
        kind = self.instance.kind
        rows = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if self.instance.pk:  # choices the form did not send stay as they are
            sent = {form.instance.pk for form in self.forms if form.instance.pk}
            unchanged = self.instance.choices.exclude(pk__in=sent)
            rows += [{"correct": choice.correct} for choice in unchanged]
        correct = sum(1 for row in rows if row.get("correct"))
        if kind in CHOICE_KINDS:
            if len(rows) < 2:
                raise forms.ValidationError("A choice question needs at least two choices.")
            if kind in (QuestionKind.SINGLE, QuestionKind.TRUE_FALSE) and correct != 1:
                raise forms.ValidationError("Mark exactly one choice as correct.")
            if kind == QuestionKind.MULTIPLE and correct < 1:
                raise forms.ValidationError("Mark at least one choice as correct.")
        elif kind in (QuestionKind.SHORT, QuestionKind.NUMERIC) and not rows:
            raise forms.ValidationError("Give at least one accepted answer.")


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    fields = ["order", "key", "text", "correct", "weight", "tolerance", "feedback"]
    ordering = ["order", "id"]
    extra = 0


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "course", "lesson", "max_attempts", "published", "archived"]
    list_filter = ["course", "published", "archived", "feedback_mode"]
    list_select_related = ["course", "lesson"]
    search_fields = ["title", "key", "intro"]
    inlines = [QuestionInline]
    change_list_template = "admin/quizzes/quiz/change_list.html"

    def get_urls(self):
        urls = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="quizzes_quiz_import",
            )
        ]
        return urls + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = QuestionImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            report = form.save()
            if report is not None:
                self.message_user(
                    request,
                    f"Imported {report.added} question(s) into “{report.quiz}”.",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:quizzes_quiz_change", args=[report.quiz.pk]))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Import questions (GIFT or Aiken)",
            "opts": self.model._meta,
        }
        return render(request, "admin/quizzes/quiz/import.html", context)


class QuestionImportForm(forms.Form):
    course = forms.ModelChoiceField(Course.objects.all())
    quiz_key = forms.CharField(
        max_length=100,
        validators=[slug_validator],
        help_text="An existing quiz's key adds to it; a new key creates the quiz.",
    )
    title = forms.CharField(max_length=200, required=False, help_text="For a new quiz.")
    lesson = forms.ModelChoiceField(Lesson.objects.all(), required=False)
    file = forms.FileField(help_text=".gift, .aiken or .txt (Aiken), UTF-8")
    skip_unsupported = forms.BooleanField(
        required=False,
        help_text="Import the rest when some questions are of a type this app lacks "
        "(matching, missing word); they are listed by name and line either way.",
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        lesson, course = cleaned.get("lesson"), cleaned.get("course")
        if lesson and course and lesson.course_id != course.pk:
            self.add_error("lesson", "This lesson belongs to another course.")
        if upload is None:
            return cleaned
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            self.add_error("file", "The file is not UTF-8 text.")
            return cleaned
        try:
            parsed = parse_question_file(
                text, upload.name, allow_unsupported=cleaned.get("skip_unsupported", False)
            )
        except QuestionFileError as error:
            self.add_error("file", f"Nothing imported. {error}")
            return cleaned
        cleaned["parsed"] = parsed
        return cleaned

    def save(self):
        data = self.cleaned_data
        return quiz_import_questions(
            course=data["course"],
            quiz_key=data["quiz_key"],
            title=data.get("title", ""),
            lesson=data.get("lesson"),
            questions=data["parsed"].questions,
        )


class QuestionForm(forms.ModelForm):
    """Checks the rubric's shape the way the bundle reader does."""

    class Meta:
        model = Question
        fields = [
            "quiz",
            "parent",
            "key",
            "kind",
            "title",
            "prompt",
            "explanation",
            "points",
            "rubric",
            "reference_answer",
            "order",
            "archived",
        ]

    def clean_rubric(self):
        rubric = self.cleaned_data.get("rubric") or []
        problem = rubric_problem(rubric)
        if problem:
            raise forms.ValidationError(problem)
        return rubric

    def clean(self):
        cleaned = super().clean()
        rubric, points = cleaned.get("rubric"), cleaned.get("points")
        if rubric and points is not None and points != rubric_points(rubric):
            self.add_error("points", f"The rubric's levels add up to {rubric_points(rubric)}.")
        return cleaned


def rubric_problem(rubric) -> str:
    """What is wrong with a rubric given as JSON, or '' when it is well formed."""
    if not isinstance(rubric, list):
        return "A rubric is a list of criteria."
    for number, criterion in enumerate(rubric, start=1):
        if not isinstance(criterion, dict) or set(criterion) != {"criterion", "levels"}:
            return f"Criterion {number}: give exactly 'criterion' and 'levels'."
        levels = criterion["levels"]
        if not isinstance(levels, list) or not levels:
            return f"Criterion {number}: 'levels' is a non-empty list."
        for level in levels:
            if not isinstance(level, dict) or set(level) != {"points", "description"}:
                return f"Criterion {number}: each level has 'points' and 'description'."
            if isinstance(level["points"], bool) or not isinstance(level["points"], int | float):
                return f"Criterion {number}: a level's points must be a number."
    return ""


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ["__str__", "key", "kind", "quiz", "points", "archived"]
    list_filter = ["quiz__course", "kind", "archived"]
    list_select_related = ["quiz"]
    search_fields = ["key", "title", "prompt"]
    inlines = [ChoiceInline]


class ResponseInline(admin.TabularInline):
    model = Response
    fields = ["question", "answer", "revision", "saved_at", "checked_at", "score"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "quiz",
        "number",
        "state",
        "submitted_at",
        "submitted_late",
        "score",
        "max_score",
        "needs_grading",
    ]
    list_filter = ["quiz__course", "state", "submitted_late", "needs_grading"]
    list_select_related = ["user", "quiz"]
    search_fields = ["user__username", "quiz__title"]
    readonly_fields = [
        "user",
        "quiz",
        "number",
        "state",
        "started_at",
        "deadline",
        "last_saved_at",
        "submitted_at",
        "finished_by_time_limit",
        "due_at",
        "submitted_late",
        "score",
        "max_score",
        "needs_grading",
    ]
    inlines = [ResponseInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
