from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model

from cohorts.roster import MAX_BYTES


class JoinForm(forms.Form):
    code = forms.CharField(
        label="Join code",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class RosterUploadForm(forms.Form):
    roster = forms.FileField(
        label="Roster (CSV)",
        help_text="Columns: email, name, section, student id. The first row names them.",
    )

    def clean_roster(self):
        upload = self.cleaned_data["roster"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_BYTES // 1_000_000} MB.")
        return upload


class RosterApplyForm(forms.Form):
    text = forms.CharField(widget=forms.HiddenInput, strip=False)
    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    invite = forms.BooleanField(required=False)


class PlainLabelsForm(forms.Form):
    """Labels without Django's trailing colon (the site's forms read as sentences)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ClassForm(PlainLabelsForm):
    """A new class, or a class's settings (course fixed once created)."""

    course = forms.ModelChoiceField(queryset=None, empty_label=None)
    name = forms.CharField(max_length=200)
    term = forms.CharField(max_length=100, required=False, help_text="For example “Spring 2027”.")
    join_code_expires_at = forms.DateTimeField(
        label="Join code works until",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Empty: the code works until you change it or archive the class.",
    )
    lab_queue = forms.RegexField(
        label="Lab queue",
        regex=r"^[a-z0-9][a-z0-9-]*$",
        max_length=30,
        required=False,
        error_messages={"invalid": "Lower-case letters, digits and hyphens only (“ml101”)."},
        help_text=(
            "Empty: the class's lab runs share the site's workers. A name (“ml101”) gives "
            "the class its own queues, cpu-ml101 and gpu-ml101: start a worker for them with "
            "celery -A config worker -Q cpu-ml101 (locally, restart make run: its worker "
            "serves every class's queue)."
        ),
    )
    sections = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One section name per line (for example “Tuesday lab”). Optional.",
    )

    def __init__(self, *args, courses, with_course: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_course:
            self.fields["course"].queryset = courses
        else:
            del self.fields["course"]
            del self.fields["sections"]

    def clean_sections(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["sections"].splitlines()]
        names = [name for name in names if name]
        too_long = [name for name in names if len(name) > 100]
        if too_long:
            raise forms.ValidationError(f"“{too_long[0][:40]}…” is longer than 100 characters.")
        folded = [name.casefold() for name in names]
        repeated = sorted({name for name in names if folded.count(name.casefold()) > 1})
        if repeated:
            raise forms.ValidationError(f"“{repeated[0]}” is listed twice.")
        return names


class SectionForm(PlainLabelsForm):
    name = forms.CharField(label="New section", max_length=100)


class GraderAssignForm(PlainLabelsForm):
    section = forms.ModelChoiceField(queryset=None, empty_label=None)
    grader = forms.ModelChoiceField(queryset=None, empty_label=None)

    def __init__(self, *args, sections, graders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = sections
        self.fields["section"].label_from_instance = lambda section: section.name
        self.fields["grader"].queryset = graders
        self.fields["grader"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.get_username()} ({user.get_username()})"
        )


class PasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


DATE_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DueDatesForm(PlainLabelsForm):
    """One optional date per quiz and lab of the class's course (`items`: (kind, object))."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for kind, item in items:
            self.fields[f"{kind}-{item.pk}"] = forms.DateTimeField(
                label=item.title, required=False, widget=DATE_INPUT
            )

    def dates(self) -> dict[tuple[str, int], object]:
        return {
            (kind, item.pk): self.cleaned_data[f"{kind}-{item.pk}"] for kind, item in self.items
        }


class DueOverrideForm(PlainLabelsForm):
    """A date moved for one section or one student of the class."""

    due_date = forms.ModelChoiceField(queryset=None, label="For", empty_label=None)
    section = forms.ModelChoiceField(queryset=None, required=False, empty_label="—")
    student = forms.ModelChoiceField(queryset=None, required=False, empty_label="—")
    due_at = forms.DateTimeField(label="New date", widget=DATE_INPUT)

    def __init__(self, *args, course_class, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].queryset = course_class.due_dates.prefetch_related("item")
        self.fields["due_date"].label_from_instance = lambda due: due.item.title
        self.fields["section"].queryset = course_class.sections.all()
        self.fields["section"].label_from_instance = lambda section: section.name
        enrolled = course_class.enrollments.values("user")
        self.fields["student"].queryset = (
            get_user_model().objects.filter(pk__in=enrolled).order_by("last_name", "username")
        )
        self.fields["student"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.get_username()} ({user.get_username()})"
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("section")) == bool(data.get("student")):
            raise forms.ValidationError("Pick a section or a student (one of them).")
        return data


class AccommodationForm(PlainLabelsForm):
    time_multiplier = forms.DecimalField(
        label="Time multiplier",
        min_value=1,
        max_value=5,
        max_digits=3,
        decimal_places=2,
        initial=1,
        help_text="1.5 gives a 60-minute quiz 90 minutes.",
    )
    extra_minutes = forms.IntegerField(
        label="Added minutes", min_value=0, max_value=24 * 60, initial=0
    )
    note = forms.CharField(label="Note (staff only)", max_length=200, required=False)
