"""The roles of docs/design.md, each a Django auth group named by its code."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")
    ONE_STOP_OFFICER = "one_stop_officer", _("Cán bộ một cửa")
    SPECIALIST = "specialist", _("Chuyên viên")
    UNIT_LEADER = "unit_leader", _("Lãnh đạo phòng, đơn vị")
    AGENCY_LEADER = "agency_leader", _("Lãnh đạo cơ quan")
    REFORM_FOCAL_POINT = "reform_focal_point", _("Đầu mối CCHC")
    APPRAISER = "appraiser", _("Thành viên hội đồng thẩm định")
    EDITOR = "editor", _("Biên tập viên")
    PETITION_HANDLER = "petition_handler", _("Cán bộ xử lý PAKN")


# Roles whose scope is the whole agency rather than the person's own unit.
AGENCY_WIDE_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.AGENCY_LEADER, Role.REFORM_FOCAL_POINT})
