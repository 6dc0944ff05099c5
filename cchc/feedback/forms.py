from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.core.files import accept
from cchc.core.forms import ADDRESS_ATTRS, EMAIL_ATTRS, NAME_ATTRS, TEL_ATTRS
from cchc.core.models import Unit


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class PetitionForm(forms.Form):
    sender_name = forms.CharField(
        label=_("Họ và tên"), max_length=160, widget=forms.TextInput(NAME_ATTRS)
    )
    sender_phone = forms.CharField(
        label=_("Điện thoại"), max_length=30, required=False, widget=forms.TextInput(TEL_ATTRS)
    )
    sender_email = forms.EmailField(
        label=_("Thư điện tử"),
        required=False,
        help_text=_("Cần ít nhất số điện thoại hoặc thư điện tử để cơ quan trả lời bạn."),
        widget=forms.EmailInput(EMAIL_ATTRS),
    )
    sender_address = forms.CharField(
        label=_("Địa chỉ"),
        max_length=255,
        required=False,
        widget=forms.TextInput(ADDRESS_ATTRS),
    )
    subject = forms.CharField(label=_("Tiêu đề"), max_length=255)
    content = forms.CharField(
        label=_("Nội dung phản ánh, kiến nghị"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    procedure_code = forms.CharField(
        label=_("Mã thủ tục hành chính liên quan"), max_length=50, required=False
    )
    procedure_name = forms.CharField(
        label=_("Tên thủ tục hành chính liên quan"), max_length=500, required=False
    )
    attachments = MultipleFileField(
        label=_("Tệp đính kèm"),
        required=False,
        widget=MultipleFileInput({"accept": accept()}),
        help_text=_("Tối đa 3 tệp PDF, ảnh hoặc Word/Excel; mỗi tệp không quá 5 MB."),
    )
    consent_to_publish = forms.BooleanField(
        label=_("Tôi đồng ý công khai nội dung và câu trả lời (không công khai thông tin cá nhân)"),
        required=False,
    )
    website = forms.CharField(required=False, label=_("Trang web (để trống)"))

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean(self):
        data = super().clean()
        if not (data.get("sender_phone") or data.get("sender_email")):
            self.add_error(
                "sender_email", _("Cần ít nhất số điện thoại hoặc thư điện tử để trả lời bạn.")
            )
        return data


class PetitionActionForm(forms.Form):
    """The input of one of the petition's transitions (services.FLOW), on pages and in the API."""

    def __init__(self, *args, petition=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.petition = petition


class AcceptForm(PetitionActionForm):
    unit = forms.ModelChoiceField(
        label=_("Đơn vị xử lý"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        agency = self.petition.agency if self.petition else None
        self.fields["unit"].queryset = Unit.objects.filter(agency=agency)


class AssignForm(AcceptForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].required = True


class RefuseForm(PetitionActionForm):
    reason = forms.CharField(
        label=_("Lý do từ chối"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ForwardForm(PetitionActionForm):
    to = forms.CharField(label=_("Chuyển đến cơ quan"), max_length=255)
    late_reason = forms.CharField(
        label=_("Lý do chậm (nếu quá 5 ngày làm việc)"), max_length=1000, required=False
    )


class AnswerForm(PetitionActionForm):
    answer = forms.CharField(
        label=_("Nội dung trả lời"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )


class LookupForm(forms.Form):
    code = forms.CharField(label=_("Mã PAKN"), max_length=40)
