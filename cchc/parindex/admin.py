from django.contrib import admin

from cchc.parindex.models import Assessment, Framework, Node, Period, Score, ScoreChange


class NodeInline(admin.TabularInline):
    model = Node
    fields = ["code", "name", "level", "max_points", "is_leaf", "rule_kind", "metric"]
    extra = 0
    show_change_link = False

    def has_change_permission(self, request, obj=None):
        # A framework used by a period never changes; a new year copies it.
        return obj is None or not obj.is_locked

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "year", "level", "scale", "sample"]
    list_filter = ["level", "sample", "year"]
    search_fields = ["code", "name"]
    inlines = [NodeInline]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "year", "framework"]
    list_select_related = ["agency", "framework"]
    search_fields = ["name"]
    filter_horizontal = ["appraisers"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["unit", "period", "status"]
    list_select_related = ["unit", "period"]
    list_filter = ["status", "period"]
    search_fields = ["unit__name"]
    readonly_fields = ["status", "submitted_at", "finalised_at", "published_at"]


@admin.register(ScoreChange)
class ScoreChangeAdmin(admin.ModelAdmin):
    list_display = ["score", "field", "old", "new", "actor", "at"]
    list_select_related = ["score__node", "actor"]
    search_fields = ["score__node__code", "reason"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    """Read-only: scores change through the scoring pages so that history is kept."""

    list_display = ["node", "assessment", "self_points", "round1_points", "final_points"]
    list_select_related = ["node", "assessment__unit", "assessment__period"]
    search_fields = ["node__code", "assessment__unit__name"]

    def has_change_permission(self, request, obj=None):
        return False
