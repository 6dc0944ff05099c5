import datetime as dt

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from cchc.core.models import CalendarOverride


def add_validation_errors(form, exc) -> None:
    """Show a service's ValidationError on the form: each field's messages on that field,
    the others (and a plain message) at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# Keyboard and autofill hints of the citizen forms' personal fields (shared by every app).
NAME_ATTRS = {"autocomplete": "name", "spellcheck": "false"}
TEL_ATTRS = {"type": "tel", "inputmode": "tel", "autocomplete": "tel"}
EMAIL_ATTRS = {"autocomplete": "email", "spellcheck": "false"}
ADDRESS_ATTRS = {"autocomplete": "street-address"}


class LoginForm(AuthenticationForm):
    error_messages = {
        # Never say which of the two was wrong.
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng thử lại."),
        "inactive": _("Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng thử lại."),
    }


class OTPCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực (6 chữ số)"),
        max_length=20,
        error_messages={
            "required": _("Hãy nhập mã xác thực gồm 6 chữ số."),
            "max_length": _("Mã xác thực gồm đúng 6 chữ số."),
        },
    )

    def clean_code(self):
        # Authenticator apps show "123 456": spaces are not part of the code.
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            raise forms.ValidationError(_("Mã xác thực gồm đúng 6 chữ số."))
        return code


class CalendarOverrideForm(forms.ModelForm):
    class Meta:
        model = CalendarOverride
        fields = ["date", "is_working_day", "reason"]


class DueDateForm(forms.Form):
    UNIT_CHOICES = [("working_days", _("ngày làm việc")), ("days", _("ngày theo lịch"))]

    start = forms.DateTimeField(
        label=_("Thời điểm bắt đầu"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "invalid": _("Thời điểm không hợp lệ."),
            "required": _("Hãy nhập thời điểm bắt đầu."),
        },
    )
    days = forms.DecimalField(
        label=_("Số ngày"),
        min_value=0,
        max_value=3650,
        decimal_places=1,
        error_messages={
            "invalid": _("Số ngày phải là một số."),
            "required": _("Hãy nhập số ngày."),
            "min_value": _("Số ngày không được âm."),
            "max_value": _("Số ngày không được vượt quá 3650."),
        },
    )
    unit = forms.ChoiceField(label=_("Đơn vị"), choices=UNIT_CHOICES, initial="working_days")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]
        self.fields["days"].localize = True
        if not self.is_bound:
            self.initial.setdefault("start", dt.datetime.now().replace(second=0, microsecond=0))
