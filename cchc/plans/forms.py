from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.plans.models import (
    LegalReview,
    Plan,
    PlanTask,
    ProcedureReview,
    QualityRecord,
    Regulation,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["year", "title", "decision"]


class TaskForm(forms.ModelForm):
    class Meta:
        model = PlanTask
        fields = [
            "field",
            "content",
            "lead_unit",
            "co_units",
            "deadline",
            "expected_output",
            "status",
            "progress",
            "completed_on",
        ]
        widgets = {
            "deadline": DATE,
            "completed_on": DATE,
            "content": forms.Textarea(attrs={"rows": 3}),
            "co_units": forms.CheckboxSelectMultiple,
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100}),
        }

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].queryset = units
        self.fields["co_units"].queryset = units
        self.fields["co_units"].required = False

    def clean_progress(self):
        value = self.cleaned_data["progress"]
        if value is not None and value > 100:
            raise forms.ValidationError(_("Tiến độ tối đa là 100%."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("status") == PlanTask.Status.DONE and not data.get("completed_on"):
            self.add_error("completed_on", _("Nhiệm vụ hoàn thành cần ngày hoàn thành."))
        return data


class ProgressForm(forms.Form):
    """What the lead unit may change: status, progress and a dated note."""

    status = forms.ChoiceField(label=_("Trạng thái"), choices=PlanTask.Status.choices)
    progress = forms.IntegerField(label=_("Tiến độ (%)"), min_value=0, max_value=100)
    completed_on = forms.DateField(label=_("Ngày hoàn thành"), required=False, widget=DATE)
    note = forms.CharField(
        label=_("Ghi chú tiến độ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TaskStatusForm(forms.Form):
    """The input of a task's transition (see services.FLOW): a note kept in the audit entry."""

    note = forms.CharField(
        label=_("Ghi chú"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TaskCompleteForm(TaskStatusForm):
    completed_on = forms.DateField(
        label=_("Ngày hoàn thành (để trống: hôm nay)"), required=False, widget=DATE
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Tài liệu kiểm chứng (PDF, ảnh, Word, Excel; tối đa 20 MB)"))


class ImportForm(forms.Form):
    MAX_BYTES = 5 * 1024 * 1024  # a plan of 2,000 rows is far below this

    file = forms.FileField(label=_("Tệp Excel (.xlsx), mỗi dòng một nhiệm vụ; tối đa 5 MB"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 5 MB; chưa nhập nhiệm vụ nào."))
        return upload


class RegulationForm(forms.ModelForm):
    file = forms.FileField(label=_("Tệp văn bản (PDF, Word)"), required=False)

    class Meta:
        model = Regulation
        fields = ["kind", "number", "title", "issued_on", "valid_from", "valid_until"]
        widgets = {"issued_on": DATE, "valid_from": DATE, "valid_until": DATE}


class LegalReviewForm(forms.ModelForm):
    class Meta:
        model = LegalReview
        fields = [
            "review_year",
            "doc_number",
            "doc_type",
            "title",
            "issuer",
            "issued_on",
            "in_force",
            "result",
            "note",
            "follow_up",
        ]
        widgets = {"issued_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}


class ProcedureReviewForm(forms.ModelForm):
    class Meta:
        model = ProcedureReview
        fields = ["review_year", "procedure_code", "procedure_name", "proposal", "note", "status"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}


class QualityRecordForm(forms.ModelForm):
    class Meta:
        model = QualityRecord
        fields = [
            "body_name",
            "body_type",
            "standard",
            "certifier",
            "certified_on",
            "surveillance_on",
            "expires_on",
            "scope",
        ]
        widgets = {
            "certified_on": DATE,
            "surveillance_on": DATE,
            "expires_on": DATE,
            "scope": forms.Textarea(attrs={"rows": 2}),
        }
