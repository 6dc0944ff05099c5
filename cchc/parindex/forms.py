from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Unit, User
from cchc.parindex.models import Framework, Node, Period


class PeriodForm(forms.Form):
    framework = forms.ModelChoiceField(Framework.objects.none(), label=_("Bộ tiêu chí"))
    year = forms.IntegerField(label=_("Năm đánh giá"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Tên kỳ"), max_length=200)
    units = forms.ModelMultipleChoiceField(
        Unit.objects.none(), label=_("Đơn vị được đánh giá"), widget=forms.CheckboxSelectMultiple
    )
    appraisers = forms.ModelMultipleChoiceField(
        User.objects.none(),
        label=_("Thành viên hội đồng thẩm định"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    self_deadline = forms.DateField(
        label=_("Hạn tự đánh giá"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    appraisal_deadline = forms.DateField(
        label=_("Hạn thẩm định"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    explanation_deadline = forms.DateField(
        label=_("Hạn giải trình"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    publication_deadline = forms.DateField(
        label=_("Hạn công bố"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency
        self.fields["framework"].queryset = Framework.objects.all()
        self.fields["units"].queryset = Unit.objects.filter(agency=agency)
        self.fields["appraisers"].queryset = User.objects.filter(unit__agency=agency).order_by(
            "last_name", "first_name", "username"
        )

    def clean(self):
        data = super().clean()
        if (
            data.get("framework")
            and data.get("year")
            and Period.objects.filter(
                agency=self.agency, framework=data["framework"], year=data["year"]
            ).exists()
        ):
            raise forms.ValidationError(_("Đã có kỳ đánh giá với bộ tiêu chí và năm này."))
        return data


class AssignmentForm(forms.Form):
    node = forms.ModelChoiceField(Node.objects.none(), label=_("Tiêu chí"))
    responsible_unit = forms.ModelChoiceField(
        Unit.objects.none(), label=_("Đơn vị chịu trách nhiệm"), required=False
    )
    person = forms.ModelChoiceField(User.objects.none(), label=_("Người phụ trách"), required=False)

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        agency = assessment.period.agency
        self.fields["node"].queryset = assessment.period.framework.nodes.order_by("order")
        self.fields["node"].label_from_instance = lambda n: f"{n.code}. {n.name}"
        self.fields["responsible_unit"].queryset = Unit.objects.filter(agency=agency)
        self.fields["person"].queryset = User.objects.filter(unit__agency=agency).order_by(
            "last_name", "first_name", "username"
        )
        self.fields["person"].label_from_instance = lambda u: f"{u.display_name} ({u.unit})"

    def clean(self):
        data = super().clean()
        if not data.get("responsible_unit") and not data.get("person"):
            raise forms.ValidationError(_("Chọn đơn vị hoặc người phụ trách."))
        return data


class TransitionForm(forms.Form):
    """The input of an assessment's transition (pages and API): an optional note."""

    reason = forms.CharField(label=_("Ghi chú"), required=False, max_length=2000)
