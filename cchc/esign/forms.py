import hashlib

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cchc.core.files import check_upload


class UploadForm(forms.Form):
    pdf = forms.FileField(
        label=_("Tệp PDF cần kiểm tra"),
        error_messages={"required": _("Hãy chọn tệp PDF cần kiểm tra.")},
    )

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        check_upload(upload, kinds=("pdf",), max_bytes=settings.ESIGN_MAX_UPLOAD_BYTES)
        upload.seek(0)
        content = upload.read()
        self.sha256 = hashlib.sha256(content).hexdigest()
        return content


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ"),
        max_length=40,
        error_messages={"required": _("Nhập mã hồ sơ.")},
    )
    secret = forms.CharField(
        label=_("Mã tra cứu hoặc số điện thoại người nộp"),
        max_length=20,
        error_messages={"required": _("Nhập mã tra cứu hoặc số điện thoại người nộp.")},
    )
