from django import forms

from cchc.reports.models import NARRATIVE_SECTIONS, ReportSnapshot
from cchc.reports.services import NARRATIVE_MAX

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportForm(forms.ModelForm):
    class Meta:
        model = ReportSnapshot
        fields = [
            "year",
            "as_of",
            "number",
            "issued_on",
            "signer_title",
            "signer_name",
            "recipients",
        ]
        widgets = {
            "as_of": DATE,
            "issued_on": DATE,
            "recipients": forms.Textarea(attrs={"rows": 3}),
        }


class NarrativeForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in NARRATIVE_SECTIONS:
            self.fields[code] = forms.CharField(
                label=label,
                required=False,
                max_length=NARRATIVE_MAX,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
