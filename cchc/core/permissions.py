"""Who may see what. Every view and API endpoint fetches objects through these helpers.

Scope rule (docs/design.md): a person acts within their own unit unless a role says more;
agency-wide roles (agency leader, reform focal point, system admin) see their whole agency;
citizens see only what they own; anonymous visitors see nothing that is not public.
"""

from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404

from cchc.core.models import Agency, AuditEntry, Unit, User
from cchc.core.roles import Role


def scope_filter(user, *, unit_field: str, owner_field: str | None = None) -> models.Q | None:
    """A Q object selecting the rows `user` may see, or None when the user may see nothing.

    `unit_field` is the lookup path from the model to its owning Unit ("unit", "dossier__unit");
    `owner_field` the path to the owning user, for records a citizen owns.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return models.Q()
    q = None
    if user.is_staff_member:
        if user.is_agency_wide:
            q = models.Q(**{f"{unit_field}__agency_id": user.unit.agency_id})
        else:
            q = models.Q(**{unit_field: user.unit_id})
    if owner_field:
        own = models.Q(**{owner_field: user.pk})
        q = own if q is None else q | own
    return q


def visible_to(queryset: models.QuerySet, user, *, unit_field: str, owner_field: str | None = None):
    q = scope_filter(user, unit_field=unit_field, owner_field=owner_field)
    return queryset.none() if q is None else queryset.filter(q)


def get_object_for_user(
    queryset: models.QuerySet, user, *, unit_field: str, owner_field=None, **lookup
):
    """The object, or 404 when it does not exist *or* the user may not see it."""
    return get_object_or_404(
        visible_to(queryset, user, unit_field=unit_field, owner_field=owner_field), **lookup
    )


# One helper per kind of core object.


def units_for_user(user):
    """Internal units a person may see: staff see their own agency's units."""
    if not user.is_authenticated:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    if not user.is_staff_member:
        return Unit.objects.none()
    return Unit.objects.filter(agency_id=user.unit.agency_id)


def get_unit_for_user(user, pk) -> Unit:
    return get_object_or_404(units_for_user(user), pk=pk)


def members_for_user(user):
    """Staff accounts a person may see: their unit, or their agency for agency-wide roles."""
    return visible_to(User.objects.all(), user, unit_field="unit")


def get_member_for_user(user, pk) -> User:
    return get_object_or_404(members_for_user(user), pk=pk)


def audit_for_user(user):
    """Audit entries: agency-wide roles see their agency's; nobody else sees the log."""
    if not user.is_authenticated:
        return AuditEntry.objects.none()
    if user.is_superuser:
        return AuditEntry.objects.all()
    if user.is_staff_member and user.is_agency_wide:
        return AuditEntry.objects.filter(agency_id=user.unit.agency_id)
    return AuditEntry.objects.none()


def get_audit_entry_for_user(user, pk) -> AuditEntry:
    return get_object_or_404(audit_for_user(user), pk=pk)


def require_staff(user) -> None:
    """Raise 404 (not 403: do not reveal staff pages) unless the user is a civil servant."""
    if not (user.is_authenticated and (user.is_superuser or user.is_staff_member)):
        raise Http404


def agency_ids_for_user(user) -> list[int] | None:
    """Agencies whose records a person may read: their own (None = every agency)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return None
    if not user.is_staff_member:
        return []
    return [user.unit.agency_id]


def scoped_to_agency(queryset: models.QuerySet, user, field: str = "agency_id"):
    """The rows of `queryset` owned (through `field`) by the person's agency."""
    ids = agency_ids_for_user(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": ids}) if ids else queryset.none()


def acts_for(user, agency_id: int | None) -> bool:
    """True when `user` may act on records of agency `agency_id` (a superuser, or an active
    civil servant of that agency); roles are checked separately. Same role, other agency: False.
    """
    ids = agency_ids_for_user(user)
    return agency_id is not None and (ids is None or agency_id in ids)


def may_manage_agency(user, agency_id: int | None) -> bool:
    """The agency's reform records (plans, reviews, ISO, the PAR field records, reports) are
    kept by its agency-wide roles: leader, reform focal point, system administrator."""
    return acts_for(user, agency_id) and (
        user.is_superuser
        or user.has_role(Role.AGENCY_LEADER, Role.REFORM_FOCAL_POINT, Role.SYSTEM_ADMIN)
    )


def require_manager(user, agency_id: int | None) -> None:
    # 404 rather than 403 for people outside the agency: do not reveal what exists.
    if not may_manage_agency(user, agency_id):
        raise Http404


def agency_of(user) -> Agency | None:
    return user.agency if user.is_authenticated else None
