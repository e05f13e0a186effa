"""Authoring quizzes in the Django admin; importing question files (GIFT, Aiken, Moodle XML,
Canvas QTI) with a preview, and exporting quizzes as GIFT or Moodle XML."""

from __future__ import annotations

import base64
import secrets

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from course.models import Course, Lesson, slug_validator
from quizzes.gift import write_gift
from quizzes.grading import rubric_points
from quizzes.models import CHOICE_KINDS, Attempt, Choice, Question, QuestionKind, Quiz, Response
from quizzes.moodle_xml import write_moodle_xml
from quizzes.question_files import FORMATS, QuestionFileError, read_question_file
from quizzes.question_parsing import MAX_TEXT_BYTES, MAX_ZIP_BYTES
from quizzes.question_text import plain_words
from quizzes.selectors import quizzes_as_bundle
from quizzes.services import QuestionImport, quiz_import_questions


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
    actions = ["export_gift", "export_moodle_xml"]

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
        """Upload, then a preview of what will be created and what is refused, then
        Apply: the file is parsed again from the session and imported in one transaction."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST" and request.POST.get("apply"):
            return self._import_apply(request)
        form = QuestionImportForm(request.POST or None, request.FILES or None)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": "Import questions (GIFT, Aiken, Moodle XML, Canvas QTI)",
            "opts": self.model._meta,
            "limits": {
                "text_mb": MAX_TEXT_BYTES // 1024 // 1024,
                "zip_mb": MAX_ZIP_BYTES // 1024 // 1024,
            },
        }
        if request.method == "POST" and form.is_valid():
            token = secrets.token_urlsafe(16)
            request.session[_IMPORT_SESSION_KEY] = {"token": token, **form.pending()}
            context.update(preview=_import_preview(form), token=token)
        return render(request, "admin/quizzes/quiz/import.html", context)

    def _import_apply(self, request: HttpRequest) -> HttpResponse:
        pending = request.session.get(_IMPORT_SESSION_KEY) or {}
        if not pending or pending.get("token") != request.POST.get("token"):
            self.message_user(
                request,
                "That preview has expired (or was replaced); upload the file again.",
                messages.WARNING,
            )
            return redirect(reverse("admin:quizzes_quiz_import"))
        del request.session[_IMPORT_SESSION_KEY]
        try:
            report = QuestionImportForm.apply(pending)
        except (QuestionFileError, Course.DoesNotExist, Lesson.DoesNotExist) as error:
            self.message_user(request, f"Nothing imported. {error}", messages.ERROR)
            return redirect(reverse("admin:quizzes_quiz_import"))
        verb = "Created" if report.created_quiz else "Added to"
        self.message_user(
            request,
            f"Imported {report.added} question(s). {verb} “{report.quiz}”.",
            messages.SUCCESS,
        )
        return redirect(reverse("admin:quizzes_quiz_change", args=[report.quiz.pk]))

    @admin.action(description="Export the selected quizzes as GIFT (Moodle)")
    def export_gift(self, request: HttpRequest, queryset) -> HttpResponse:
        return self._export(request, queryset, write_gift, "gift", "text/plain")

    @admin.action(description="Export the selected quizzes as Moodle XML")
    def export_moodle_xml(self, request: HttpRequest, queryset) -> HttpResponse:
        return self._export(request, queryset, write_moodle_xml, "xml", "application/xml")

    def _export(self, request, queryset, write, suffix: str, content_type: str) -> HttpResponse:
        quizzes = list(
            queryset.select_related("course", "lesson").order_by("course", "order", "id")
        )
        text, notes = write(quizzes_as_bundle(quizzes))
        for note in notes:
            self.message_user(request, f"Export: {note}", messages.WARNING)
        name = quizzes[0].key if len(quizzes) == 1 else "quizzes"
        response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.{suffix}"'
        return response


_IMPORT_SESSION_KEY = "quizzes.question_import"


class QuestionImportForm(forms.Form):
    course = forms.ModelChoiceField(Course.objects.all())
    quiz_key = forms.CharField(
        max_length=100,
        validators=[slug_validator],
        help_text="An existing quiz's key adds to it; a new key creates the quiz.",
    )
    title = forms.CharField(max_length=200, required=False, help_text="For a new quiz.")
    lesson = forms.ModelChoiceField(Lesson.objects.all(), required=False)
    file_format = forms.ChoiceField(
        label="Format",
        choices=[("", "From the file (its name, else its content)"), *FORMATS.items()],
        required=False,
    )
    file = forms.FileField(
        help_text=".gift, .aiken, .txt (either, told apart by content), Moodle XML (.xml), "
        "Canvas QTI export (.zip), UTF-8"
    )
    skip_unsupported = forms.BooleanField(
        required=False,
        help_text="Import the rest when some questions are of a type this app lacks "
        "(matching, Cloze, ...); they are listed by name and place either way.",
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        lesson, course = cleaned.get("lesson"), cleaned.get("course")
        if lesson and course and lesson.course_id != course.pk:
            self.add_error("lesson", "This lesson belongs to another course.")
        if upload is None:
            return cleaned
        limit = max(MAX_TEXT_BYTES, MAX_ZIP_BYTES)
        if upload.size > limit:
            self.add_error(
                "file",
                f"Nothing imported. The file is {upload.size / 1024 / 1024:.1f} MB; the limit "
                f"is {MAX_TEXT_BYTES // 1024 // 1024} MB for a text or XML file and "
                f"{MAX_ZIP_BYTES // 1024 // 1024} MB for a zip. Split the question bank.",
            )
            return cleaned
        data = upload.read(limit + 1)
        try:
            parsed = read_question_file(
                data,
                upload.name,
                file_format=cleaned.get("file_format") or None,
                allow_unsupported=cleaned.get("skip_unsupported", False),
            )
        except QuestionFileError as error:
            self.add_error("file", f"Nothing imported. {error}")
            return cleaned
        cleaned["data"], cleaned["parsed"] = data, parsed
        return cleaned

    def pending(self) -> dict:
        """What Apply needs, kept in the session between the preview and Apply."""
        data = self.cleaned_data
        return {
            "course": data["course"].pk,
            "quiz_key": data["quiz_key"],
            "title": data.get("title", ""),
            "lesson": data["lesson"].pk if data.get("lesson") else None,
            "name": data["file"].name,
            "file_format": data["parsed"].file_format,
            "skip_unsupported": data.get("skip_unsupported", False),
            "data": base64.b64encode(data["data"]).decode("ascii"),
        }

    @staticmethod
    def apply(pending: dict) -> QuestionImport:
        parsed = read_question_file(
            base64.b64decode(pending["data"]),
            pending["name"],
            file_format=pending["file_format"],
            allow_unsupported=pending["skip_unsupported"],
        )
        course = Course.objects.get(pk=pending["course"])
        lesson = (
            Lesson.objects.get(pk=pending["lesson"], course=course) if pending["lesson"] else None
        )
        return quiz_import_questions(
            course=course,
            quiz_key=pending["quiz_key"],
            title=pending["title"],
            lesson=lesson,
            questions=parsed.questions,
        )


def _import_preview(form: QuestionImportForm) -> dict:
    data = form.cleaned_data
    parsed = data["parsed"]
    quiz = Quiz.objects.filter(course=data["course"], key=data["quiz_key"]).first()
    rows = []
    for number, question in enumerate(parsed.questions, start=1):
        rows.append(
            {
                "number": number,
                "question": question,
                "kind": QuestionKind(question.kind).label,
                "name": question.title or plain_words(question.prompt),
                "answers": len(question.choices),
            }
        )
    return {
        "format": FORMATS[parsed.file_format],
        "quiz": quiz,
        "existing": quiz.questions.filter(archived=False).count() if quiz else 0,
        "rows": rows,
        "unsupported": parsed.unsupported,
        "notes": parsed.notes,
        "categories": parsed.categories,
    }


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

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


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

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        """Attempts change through the student's pages and the grading pages only: the
        admin shows them read-only, with no Save buttons."""
        return False
