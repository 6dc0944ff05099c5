from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalPortalConfig(AppConfig):
    name = "cchc.nationalportal"
    label = "nationalportal"
    verbose_name = _("Kết nối Cổng Dịch vụ công quốc gia")
