from django import forms
from django.db import models
from django.forms import modelform_factory
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Unit
from cchc.records.kinds import Kind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class MonthField(forms.DateField):
    """A month: "2026-03" (the browser's month input) or any date, kept as the 1st."""

    input_formats = ["%Y-%m", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


def _formfield(f: models.Field, **kwargs):
    if f.name == "month":
        return MonthField(label=f.verbose_name.capitalize(), widget=MONTH, required=not f.blank)
    if isinstance(f, models.DateField):
        kwargs["widget"] = DATE
    if isinstance(f, models.TextField):
        kwargs["widget"] = forms.Textarea(attrs={"rows": 3})
    field = f.formfield(**kwargs)
    if field is not None:
        field.label = str(field.label).capitalize()
    return field


def record_form(kind: Kind):
    """The add/edit form of one kind: its editable fields, the unit among the agency's units."""
    base = modelform_factory(kind.model, fields=kind.form_fields, formfield_callback=_formfield)

    class RecordForm(base):
        def __init__(self, *args, agency=None, **kwargs):
            super().__init__(*args, **kwargs)
            if agency is not None:
                self.instance.agency = agency
            if "unit" in self.fields:
                self.fields["unit"].queryset = Unit.objects.filter(
                    agency=agency or self.instance.agency
                ).order_by("order", "code")

    RecordForm.__name__ = f"{kind.model.__name__}Form"
    return RecordForm


class ImportForm(forms.Form):
    MAX_BYTES = 5 * 1024 * 1024

    file = forms.FileField(label=_("Tệp Excel (.xlsx) theo mẫu; tối đa 5 MB"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 5 MB; chưa nhập dòng nào."))
        return upload
