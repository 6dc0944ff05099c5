"""Reads of online payment: what the citizen sees on the lookup page, what staff see."""

from django.shortcuts import get_object_or_404

from cchc.dossiers.models import Dossier, Status
from cchc.payments import gateway
from cchc.payments.models import PaymentTransaction


def fees_due(dossier: Dossier) -> dict | None:
    """The lookup page's payment block (the lines still to pay and their total), or None when
    the dossier asks for no fee now."""
    if dossier.status != Status.FEES:
        return None
    lines = list(dossier.fees.filter(paid_at__isnull=True))
    if not lines:
        return None
    return {
        "lines": lines,
        "total": sum(line.amount for line in lines),
        "online": gateway.configured() and bool(dossier.agency.national_code),
    }


def payment_by_reference(reference: str) -> PaymentTransaction:
    """The return page's transaction, by its unguessable reference (404 when unknown)."""
    return get_object_or_404(
        PaymentTransaction.objects.select_related("dossier"), reference=reference
    )


def payments_of(dossier: Dossier):
    """The dossier's transactions for its staff (the caller fetched the dossier with the
    permission-aware dossiers.selectors.get_dossier_for_user)."""
    return dossier.payments.all()
