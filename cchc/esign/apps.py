from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EsignConfig(AppConfig):
    name = "cchc.esign"
    label = "esign"
    verbose_name = _("Chữ ký số")
