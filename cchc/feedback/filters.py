"""The petition staff queue's filters (django-filter): a status, and the report filters that
list exactly the petitions one number of the period's figures counted (selectors.summary)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.core.filters import FilterSet, invalid
from cchc.feedback import selectors
from cchc.feedback.models import Petition

PAGE_SIZE = 30


class StaffQueueForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and end < start:
            self.add_error("received_to", _("Đến ngày không được trước từ ngày."))
        return data


class StaffQueueFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Petition.Status.choices,
        label=_("Trạng thái"),
        error_messages=invalid(_("Trạng thái không hợp lệ.")),
    )
    received_from = django_filters.DateFilter(
        method="_together",
        label=_("Tiếp nhận từ ngày"),
        error_messages=invalid(_("Từ ngày không đúng định dạng YYYY-MM-DD.")),
    )
    received_to = django_filters.DateFilter(
        method="_together",
        label=_("Tiếp nhận đến ngày"),
        error_messages=invalid(_("Đến ngày không đúng định dạng YYYY-MM-DD.")),
    )
    group = django_filters.ChoiceFilter(
        method="_together",
        choices=selectors.GROUP_CHOICES,
        label=_("Kết quả xử lý"),
        error_messages=invalid(_("Kết quả xử lý không hợp lệ.")),
    )

    class Meta:
        model = Petition
        form = StaffQueueForm
        fields = ["status", "received_from", "received_to", "group"]

    def _together(self, queryset, name, value):
        return queryset  # the period and the group are applied together below

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        q = selectors.period_q(self.form.cleaned_data)
        return queryset if q is None else queryset.filter(q)

    @property
    def description(self) -> str:
        return selectors.period_description(self.form.cleaned_data) if self.is_valid() else ""
