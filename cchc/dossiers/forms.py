import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cchc.core.forms import ADDRESS_ATTRS, EMAIL_ATTRS, NAME_ATTRS, TEL_ATTRS
from cchc.core.models import User
from cchc.dossiers.models import Channel, Dossier
from cchc.dossiers.services import Applicant
from cchc.procedures.models import ProcedureStep

PHONE = re.compile(r"^(0|\+84)(3|5|7|8|9|2\d)\d{7,8}$")


class ApplicantForm(forms.Form):
    applicant_kind = forms.ChoiceField(
        label=_("Người nộp là"), choices=Dossier.ApplicantKind.choices
    )
    name = forms.CharField(
        label=_("Họ tên / tên tổ chức"), max_length=255, widget=forms.TextInput(NAME_ATTRS)
    )
    id_number = forms.CharField(
        label=_("Số định danh cá nhân (12 số) hoặc mã số thuế"),
        max_length=20,
        # CCCD and tax codes are digits (a branch's tax code adds -XXX): the digit keyboard.
        widget=forms.TextInput({"inputmode": "numeric", "spellcheck": "false"}),
    )
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, widget=forms.TextInput(TEL_ATTRS))
    email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")},
        widget=forms.EmailInput(EMAIL_ATTRS),
    )
    address = forms.CharField(
        label=_("Địa chỉ"), max_length=255, widget=forms.TextInput(ADDRESS_ATTRS)
    )
    representative_name = forms.CharField(label=_("Người đại diện"), max_length=255, required=False)
    representative_phone = forms.CharField(
        label=_("Điện thoại người đại diện"),
        max_length=20,
        required=False,
        # Someone else's number: the phone keyboard, not the filer's own number offered.
        widget=forms.TextInput({"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.setdefault("required", _("Vui lòng nhập trường này."))
            field.error_messages["required"] = _("Vui lòng nhập trường này.")
            field.error_messages["max_length"] = _("Quá dài (tối đa %(limit_value)d ký tự).")

    def clean_phone(self):
        phone = re.sub(r"[\s.\-]", "", self.cleaned_data["phone"])
        if not PHONE.match(phone):
            raise ValidationError(_("Số điện thoại không hợp lệ (ví dụ 0912345678)."))
        return phone

    def clean_representative_phone(self):
        phone = re.sub(r"[\s.\-]", "", self.cleaned_data.get("representative_phone", ""))
        if phone and not PHONE.match(phone):
            raise ValidationError(_("Số điện thoại không hợp lệ (ví dụ 0912345678)."))
        return phone

    def clean(self):
        data = super().clean()
        number = re.sub(r"\s", "", data.get("id_number", "") or "")
        kind = data.get("applicant_kind")
        if number and kind == Dossier.ApplicantKind.PERSON and not re.fullmatch(r"\d{12}", number):
            self.add_error("id_number", _("Số định danh cá nhân (căn cước) gồm đúng 12 chữ số."))
        if (
            number
            and kind == Dossier.ApplicantKind.ORGANISATION
            and not re.fullmatch(r"\d{10}(-\d{3})?", number)
        ):
            self.add_error(
                "id_number",
                _("Mã số thuế gồm 10 chữ số, hoặc 10 chữ số kèm -XXX cho đơn vị phụ thuộc."),
            )
        data["id_number"] = number
        return data

    def applicant(self) -> Applicant:
        d = self.cleaned_data
        return Applicant(
            kind=d["applicant_kind"],
            name=d["name"].strip(),
            id_number=d["id_number"],
            phone=d["phone"],
            address=d["address"].strip(),
            email=d.get("email", ""),
            representative_name=d.get("representative_name", "").strip(),
            representative_phone=d.get("representative_phone", ""),
        )


class PaperForm(ApplicantForm):
    channel = forms.TypedChoiceField(
        label=_("Kênh nộp"),
        coerce=int,
        choices=[
            (Channel.IN_PERSON.value, Channel.IN_PERSON.label),
            (Channel.POST.value, Channel.POST.label),
        ],
    )


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Mã hồ sơ"), max_length=40)
    secret = forms.CharField(
        label=_("Mã tra cứu hoặc số điện thoại người nộp"),
        max_length=20,
        required=False,
    )


class ActionForm(forms.Form):
    """The input of one transition of a dossier, on the detail page and in the API alike."""

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier


class SeenForm(ActionForm):
    """A step action names the step and version the person saw (hidden on the page)."""

    step = forms.IntegerField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": _("Thiếu phiên bản hồ sơ đã xem: hãy tải lại trang.")},
    )

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, dossier=dossier, **kwargs)
        if dossier is not None:
            self.initial.setdefault("step", dossier.current_step_id)
            self.initial.setdefault("version", dossier.version)


def _staff_choice(field, agency, unit=None):
    people = (
        User.objects.filter(unit__agency=agency, is_active=True) if agency else User.objects.none()
    )
    if unit is not None:
        people = people.filter(unit=unit)
    field.queryset = people.select_related("unit").order_by("unit__order", "last_name")
    field.label_from_instance = lambda u: f"{u.display_name} ({u.unit.name})"


class ReasonForm(ActionForm):
    reason = forms.CharField(
        label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class FeesForm(ActionForm):
    amount = forms.DecimalField(
        label=_("Số tiền phí, lệ phí (đồng)"), min_value=0, max_digits=14, decimal_places=0
    )


class SupplementRequestForm(ActionForm):
    items = forms.CharField(
        label=_("Giấy tờ, nội dung cần bổ sung"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    late_reason = forms.CharField(
        label=_("Lý do yêu cầu muộn (bắt buộc khi quá 3 ngày làm việc)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )


class ApologyForm(ActionForm):
    reason = forms.CharField(
        label=_("Lý do quá hạn"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    new_due_at = forms.DateTimeField(
        label=_("Thời điểm hẹn trả mới"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
        error_messages={"invalid": _("Thời điểm không hợp lệ (ví dụ 2026-03-05T10:00).")},
    )


class DecideForm(SeenForm):
    result_text = forms.CharField(
        label=_("Kết quả giải quyết"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    # a PDF is stored signed by the agency (cchc.esign); an image is stored as is
    result_file = forms.FileField(
        label=_("Tệp kết quả (PDF: được ký số của cơ quan; ảnh: lưu nguyên)"),
        required=False,
    )


class HandOverForm(SeenForm):
    to_step = forms.ModelChoiceField(
        label=_("Chuyển đến bước"),
        queryset=ProcedureStep.objects.none(),
        required=False,
        empty_label=_("Bước tiếp theo"),
        help_text=_("Chỉ bỏ qua được các bước không bắt buộc."),
    )
    to_user = forms.ModelChoiceField(
        label=_("Giao cho"), queryset=None, required=False, empty_label="—"
    )
    note = forms.CharField(
        label=_("Ghi chú"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, dossier=dossier, **kwargs)
        _staff_choice(self.fields["to_user"], dossier.agency if dossier else None)
        if dossier is not None:
            self.fields["to_step"].queryset = dossier.procedure.steps.all()
            if not dossier.procedure.steps.filter(optional=True).exists():
                del self.fields["to_step"]


class AssignForm(SeenForm):
    to_user = forms.ModelChoiceField(label=_("Người xử lý"), queryset=None, empty_label="—")
    note = forms.CharField(
        label=_("Ghi chú"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, dossier=dossier, **kwargs)
        _staff_choice(
            self.fields["to_user"],
            dossier.agency if dossier else None,
            dossier.current_unit if dossier else None,
        )


class ClaimForm(forms.Form):
    """Add a dossier to "my dossiers": its code and the lookup secret given at filing."""

    code = forms.CharField(label=_("Mã hồ sơ"), max_length=40)
    secret = forms.CharField(
        label=_("Mã tra cứu (cấp khi nộp hồ sơ)"),
        max_length=20,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


class SendBackForm(SeenForm):
    to_step = forms.ModelChoiceField(
        label=_("Trả lại bước"), queryset=ProcedureStep.objects.none(), empty_label="—"
    )
    reason = forms.CharField(
        label=_("Lý do trả lại"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, dossier=None, **kwargs):
        super().__init__(*args, dossier=dossier, **kwargs)
        if dossier is not None and dossier.current_step_id:
            self.fields["to_step"].queryset = dossier.procedure.steps.filter(
                order__lt=dossier.current_step.order
            )
