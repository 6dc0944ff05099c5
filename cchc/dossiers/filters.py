"""The staff queue's filters (django-filter): shared by the queue page and the API's queue."""

import django_filters
from django import forms
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


class QueueForm(forms.Form):
    """Checks the report filters together: a period in order, within 2000-2099, and an outcome
    only with its period."""

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        for name, day in (("received_from", start), ("received_to", end)):
            if day and not selectors.PERIOD_EARLIEST <= day <= selectors.PERIOD_LATEST:
                self.add_error(name, _("Kỳ thống kê phải nằm trong các năm 2000-2099."))
        if start and end and end < start:
            self.add_error("received_to", _("Đến ngày không được trước từ ngày."))
        if data.get("outcome") and not (start and end):
            self.add_error(
                "outcome", _("Chọn kỳ (từ ngày, đến ngày) để lọc theo kết quả giải quyết.")
            )
        return data


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

    # The report filters: the dossiers one number of the period's statistics counted.
    received_from = django_filters.DateFilter(
        method="_validated",
        label=_("Từ ngày"),
        error_messages=invalid(_("Từ ngày không đúng định dạng YYYY-MM-DD.")),
        help_text=_("Ngày đầu kỳ thống kê (YYYY-MM-DD)."),
    )
    received_to = django_filters.DateFilter(
        method="_validated",
        label=_("Đến ngày"),
        error_messages=invalid(_("Đến ngày không đúng định dạng YYYY-MM-DD.")),
        help_text=_("Ngày cuối kỳ thống kê (YYYY-MM-DD)."),
    )
    outcome = django_filters.ChoiceFilter(
        method="_validated",
        choices=selectors.OUTCOME_CHOICES,
        label=_("Kết quả giải quyết"),
        error_messages=invalid(_("Kết quả giải quyết không hợp lệ.")),
        help_text=_(
            "carried_over, early, on_time, late, early_or_on_time, in_process_on_time, "
            "in_process_overdue: hồ sơ của kỳ (từ ngày, đến ngày) theo kết quả; không chọn thì "
            "là hồ sơ tiếp nhận trong kỳ."
        ),
    )
    channel = django_filters.ChoiceFilter(
        method="_validated",
        choices=selectors.CHANNEL_CHOICES,
        label=_("Kênh nộp"),
        error_messages=invalid(_("Kênh nộp không hợp lệ.")),
        help_text=_("online: hồ sơ nộp trực tuyến."),
    )
    full_online = django_filters.ChoiceFilter(
        method="_validated",
        choices=(("1", _("Có")),),
        label=_("Trực tuyến toàn trình"),
        error_messages=invalid(_("Giá trị lọc trực tuyến toàn trình phải là 1.")),
        help_text=_("1: hồ sơ trực tuyến toàn trình."),
    )
    digitised = django_filters.ChoiceFilter(
        method="_validated",
        choices=(("1", _("Có")),),
        label=_("Được số hóa"),
        error_messages=invalid(_("Giá trị lọc số hóa phải là 1.")),
        help_text=_("1: hồ sơ được số hóa khi tiếp nhận."),
    )

    class Meta:
        model = Dossier
        form = QueueForm
        fields = [
            "loc",
            "procedure",
            "status",
            "step",
            "unit",
            "due",
            *selectors.REPORT_FILTERS,
        ]

    def _validated(self, queryset, name, value):
        return queryset  # applied together in selectors.queue_filter

    @property
    def description(self) -> str:
        """The active report filters in words (for the list's heading)."""
        return selectors.period_description(self.form.cleaned_data) if self.is_valid() else ""

    def filter_queryset(self, queryset):
        return selectors.queue_filter(queryset, self.request.user, self.form.cleaned_data)
