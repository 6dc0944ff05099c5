from django.contrib import admin

from cchc.procedures.models import Component, LegalBasis, Procedure, ProcedureStep


class LegalBasisInline(admin.TabularInline):
    model = LegalBasis
    extra = 0


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0


class StepInline(admin.TabularInline):
    model = ProcedureStep
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "field",
        "time",
        "time_unit",
        "online_form",
        "version",
        "is_current",
    )
    list_filter = ("field", "online_form", "is_current")
    search_fields = ("code", "name")
    inlines = [LegalBasisInline, ComponentInline, StepInline]
