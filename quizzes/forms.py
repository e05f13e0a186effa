"""Forms of the grading pages: a grade (a level per rubric criterion, or points) with a
comment; an override of any score with its reason; a quiz's release setting."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from quizzes.models import Question, Quiz


class GradeForm(forms.Form):
    """One radio group per rubric criterion (`level-0`, `level-1`, ...), or points when
    the question has no rubric, and a comment for the student."""

    comment = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea)

    def __init__(self, *args, question: Question, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.question = question
        for i, criterion in enumerate(question.rubric):
            self.fields[f"level-{i}"] = forms.TypedChoiceField(
                label=criterion["criterion"],
                coerce=int,
                choices=[
                    (j, f"{level['points']} pt: {level['description']}")
                    for j, level in enumerate(criterion["levels"])
                ],
                widget=forms.RadioSelect,
                error_messages={"required": "Choose a level for this criterion."},
            )
        if not question.rubric:
            self.fields["points"] = forms.DecimalField(
                min_value=Decimal(0), max_value=question.points, decimal_places=2
            )

    def criteria(self) -> list[forms.BoundField]:
        return [self[f"level-{i}"] for i in range(len(self.question.rubric))]

    @property
    def levels(self) -> list[int] | None:
        if not self.question.rubric:
            return None
        return [self.cleaned_data[f"level-{i}"] for i in range(len(self.question.rubric))]


class OverrideForm(forms.Form):
    reason = forms.CharField(
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the score changes."},
    )

    def __init__(self, *args, question: Question, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields = {
            "points": forms.DecimalField(
                label="New score",
                min_value=Decimal(0),
                max_value=question.points,
                decimal_places=2,
            ),
            **self.fields,
        }


class QuizGradingForm(forms.ModelForm):
    class Meta:
        model = Quiz
        fields = ["release_grades", "anonymous_grading"]
        labels = {"release_grades": "Release grades", "anonymous_grading": "Grade anonymously"}
