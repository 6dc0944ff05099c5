"""Reads of the national-portal link, scoped to the person's agency."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from cchc.core.permissions import agency_of, scoped_to_agency
from cchc.dossiers import selectors as dossier_selectors
from cchc.nationalportal.models import OutboxMessage, SyncLog
from cchc.nationalportal.services import UNSENT, may_administer


def sync_log_for_dossier(user, code: str):
    """The dossier (as its page shows it: 404 for whoever does not see it), its calls and its
    outbox rows, oldest first."""
    dossier = dossier_selectors.get_dossier_for_user(user, code)
    calls = SyncLog.objects.filter(dossier=dossier).order_by("at", "id")
    messages = OutboxMessage.objects.filter(dossier=dossier).order_by("created_at", "id")
    return dossier, calls, messages


def require_admin(user) -> None:
    """404 (not 403) unless the person is a system administrator of their agency."""
    agency = agency_of(user) if user.is_authenticated else None
    if not (
        user.is_authenticated
        and (user.is_superuser or (agency and may_administer(user, agency.pk)))
    ):
        raise Http404


def failures_for_user(user):
    require_admin(user)
    return (
        scoped_to_agency(OutboxMessage.objects.all(), user)
        .filter(state__in=(OutboxMessage.State.FAILED, OutboxMessage.State.DEAD))
        .select_related("dossier")
        .order_by("created_at", "id")
    )


def get_failure_for_user(user, pk: int) -> OutboxMessage:
    return get_object_or_404(failures_for_user(user), pk=pk)


def waiting_count(user) -> int:
    return scoped_to_agency(OutboxMessage.objects.filter(state__in=UNSENT), user).count()
