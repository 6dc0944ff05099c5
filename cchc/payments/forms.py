from django import forms
from django.utils.translation import gettext_lazy as _


class PaymentStartForm(forms.Form):
    """The lookup page's credentials again: the dossier code and its lookup secret (or the
    applicant's phone number), as the lookup page asks to show the fees."""

    code = forms.CharField(label=_("Mã hồ sơ"), max_length=40)
    secret = forms.CharField(label=_("Mã tra cứu hoặc số điện thoại người nộp"), max_length=20)
