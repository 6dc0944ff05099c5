from django.contrib import admin

from cchc.plans.models import (
    LegalReview,
    Plan,
    PlanTask,
    ProcedureReview,
    QualityRecord,
    Regulation,
    TaskEvidence,
    TaskNote,
)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["title", "agency", "year"]
    list_filter = ["year"]
    list_select_related = ["agency"]
    search_fields = ["title", "agency__name"]


class TaskNoteInline(admin.TabularInline):
    model = TaskNote
    extra = 0
    raw_id_fields = ["author"]


class TaskEvidenceInline(admin.TabularInline):
    model = TaskEvidence
    extra = 0
    readonly_fields = ["path", "original_name", "mime", "size", "sha256", "uploaded_by"]


@admin.register(PlanTask)
class PlanTaskAdmin(admin.ModelAdmin):
    list_display = ["content", "plan", "field", "lead_unit", "deadline", "status", "progress"]
    list_filter = ["field", "status"]
    list_select_related = ["plan", "lead_unit"]
    search_fields = ["content", "expected_output"]
    raw_id_fields = ["plan", "lead_unit"]
    filter_horizontal = ["co_units"]
    inlines = [TaskNoteInline, TaskEvidenceInline]


@admin.register(Regulation)
class RegulationAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "kind", "issued_on", "agency"]
    list_select_related = ["agency"]
    search_fields = ["number", "title"]


@admin.register(LegalReview)
class LegalReviewAdmin(admin.ModelAdmin):
    list_display = ["doc_number", "title", "review_year", "result", "follow_up", "agency"]
    list_filter = ["review_year", "result"]
    list_select_related = ["agency"]
    search_fields = ["doc_number", "title", "issuer"]


@admin.register(ProcedureReview)
class ProcedureReviewAdmin(admin.ModelAdmin):
    list_display = ["procedure_code", "procedure_name", "review_year", "proposal", "status"]
    list_filter = ["review_year", "proposal"]
    list_select_related = ["agency"]
    search_fields = ["procedure_code", "procedure_name"]


@admin.register(QualityRecord)
class QualityRecordAdmin(admin.ModelAdmin):
    list_display = ["body_name", "body_type", "standard", "certified_on", "expires_on", "agency"]
    list_filter = ["body_type", "standard"]
    list_select_related = ["agency"]
    search_fields = ["body_name", "certifier"]
