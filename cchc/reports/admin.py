from django.contrib import admin

from cchc.reports.models import ReportSnapshot


@admin.register(ReportSnapshot)
class ReportSnapshotAdmin(admin.ModelAdmin):
    list_display = ["__str__", "agency", "year", "as_of", "status", "progress"]
    list_filter = ["year", "status"]
    list_select_related = ["agency"]
    search_fields = ["agency__name"]
    readonly_fields = ["data", "docx_path", "pdf_path", "xlsx_path", "generated_at", "error"]
