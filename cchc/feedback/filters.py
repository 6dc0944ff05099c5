"""The petition staff queue's filters (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from cchc.core.filters import FilterSet, invalid
from cchc.feedback.models import Petition

PAGE_SIZE = 30


class StaffQueueFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Petition.Status.choices,
        label=_("Trạng thái"),
        error_messages=invalid(_("Trạng thái không hợp lệ.")),
    )

    class Meta:
        model = Petition
        fields = ["status"]
