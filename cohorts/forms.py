from django import forms

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
