"""The staff queue's filters (django-filter): shared by the queue page and the API's queue."""

import django_filters
from django.utils.translation import gettext_lazy as _

from cchc.core.filters import FilterSet, invalid
from cchc.core.models import Unit
from cchc.dossiers import selectors
from cchc.dossiers.models import Dossier, Status
from cchc.procedures.models import Procedure, ProcedureStep

PAGE_SIZE = 50  # the page and the API alike


def _units(request):
    """The units of the person's agency (every unit for a superuser without one)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "unit", None) is None:
        return Unit.objects.all()
    return Unit.objects.filter(agency_id=user.unit.agency_id)


class QueueFilter(FilterSet):
    """Every filter is validated here (a bad value is a message naming the field); the
    conditions themselves are selectors.queue_conditions, which the counts reuse."""

    loc = django_filters.ChoiceFilter(
        choices=selectors.LOC_CHOICES,
        label=_("Cách xem"),
        error_messages=invalid(_("Cách xem không hợp lệ.")),
        help_text=_("new, mine (của tôi), unit (của đơn vị), apology (sắp đến hạn), decided."),
    )
    procedure = django_filters.ModelChoiceFilter(
        queryset=Procedure.objects.all(),
        label=_("Thủ tục"),
        error_messages=invalid(_("Không có thủ tục này.")),
        help_text=_("Mã số (id) của thủ tục (phiên bản) mà hồ sơ được nộp theo."),
    )
    status = django_filters.TypedChoiceFilter(
        choices=Status.choices,
        coerce=int,
        label=_("Trạng thái"),
        error_messages=invalid(_("Trạng thái không hợp lệ.")),
        help_text=_(
            "Mã trạng thái (1-10); không chọn thì là các hồ sơ mới nộp, đang mở và chờ trả."
        ),
    )
    step = django_filters.ModelChoiceFilter(
        field_name="current_step",
        queryset=ProcedureStep.objects.all(),
        label=_("Bước xử lý"),
        error_messages=invalid(_("Không có bước xử lý này.")),
        help_text=_("Mã số (id) của bước xử lý nội bộ hồ sơ đang ở."),
    )
    unit = django_filters.ModelChoiceFilter(
        field_name="current_unit",
        queryset=_units,
        label=_("Đơn vị"),
        error_messages=invalid(_("Không có đơn vị này.")),
        help_text=_("Mã số (id) của đơn vị đang xử lý hồ sơ (của cơ quan mình)."),
    )
    due = django_filters.ChoiceFilter(
        choices=selectors.DUE_CHOICES,
        label=_("Hạn xử lý"),
        error_messages=invalid(_("Hạn xử lý không hợp lệ.")),
        help_text=_(
            "overdue (quá hạn), today (đến hạn hôm nay), week (đến hạn trong tuần này), "
            "theo ngày giờ tại cơ quan."
        ),
    )

    class Meta:
        model = Dossier
        fields = ["loc", "procedure", "status", "step", "unit", "due"]

    def filter_queryset(self, queryset):
        return selectors.queue_filter(queryset, self.request.user, self.form.cleaned_data)
