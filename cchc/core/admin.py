from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from cchc.core.forms import CalendarOverrideForm
from cchc.core.models import (
    Abbreviation,
    Agency,
    AuditEntry,
    CalendarOverride,
    RolePolicy,
    Unit,
    User,
)
from cchc.core.services import audit_record

admin.site.site_header = _("Quản trị CCHC")
admin.site.site_title = _("Quản trị CCHC")
admin.site.index_title = _("Danh mục quản trị")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "national_code", "superior_body", "place_name"]
    search_fields = ["code", "name", "short_name", "national_code"]

    def save_model(self, request, obj, form, change):
        """A change of the national unit code re-addresses everything sent to the national
        portal (MaDonVi, the MaHoSo prefix): it is audited with the old and new code."""
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and "national_code" in form.changed_data:
                audit_record(
                    actor=request.user,
                    obj=obj,
                    action="national_code_changed",
                    from_state=form.initial.get("national_code") or "",
                    to_state=obj.national_code,
                    agency=obj,
                )


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "agency", "parent", "kind", "order"]
    list_filter = ["agency", "kind"]
    list_select_related = ["agency", "parent"]
    search_fields = ["name", "code"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Đơn vị công tác"), {"fields": ("unit", "phone")}))
    list_display = ["username", "first_name", "last_name", "unit", "is_active"]
    list_filter = ["unit__agency", "groups", "is_active"]
    list_select_related = ["unit"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = [
        "seq",
        "at",
        "actor",
        "content_type",
        "object_repr",
        "action",
        "from_state",
        "to_state",
        "request_id",
    ]
    list_filter = ["content_type", "action", "agency", ("at", admin.DateFieldListFilter)]
    list_select_related = ["actor", "content_type"]
    search_fields = ["object_repr", "object_id", "reason", "request_id", "actor__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    form = CalendarOverrideForm
    list_display = ["date", "is_working_day", "reason"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["reason"]


@admin.register(Abbreviation)
class AbbreviationAdmin(admin.ModelAdmin):
    list_display = ["abbreviation", "expansion"]
    search_fields = ["abbreviation", "expansion"]


@admin.register(RolePolicy)
class RolePolicyAdmin(admin.ModelAdmin):
    """Per role: whether its people must sign in with a second factor (TOTP)."""

    list_display = ["__str__", "group", "require_two_factor"]
    list_editable = ["require_two_factor"]
    list_select_related = ["group"]

    def get_changeform_initial_data(self, request):
        # Every role requires two-factor sign-in by default: a new policy starts from that.
        return {"require_two_factor": True, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                obj=obj,
                action="role_policy_changed",
                to_state="2fa" if obj.require_two_factor else "password",
            )
