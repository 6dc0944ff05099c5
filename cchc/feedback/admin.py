from django.contrib import admin

from cchc.feedback.models import FeedbackSettings, Petition, PetitionAttachment


@admin.register(FeedbackSettings)
class FeedbackSettingsAdmin(admin.ModelAdmin):
    list_display = ["agency", "triage_working_days", "answer_working_days"]
    list_select_related = ["agency"]


class AttachmentInline(admin.TabularInline):
    model = PetitionAttachment
    extra = 0
    can_delete = False
    readonly_fields = ["original_name", "path", "mime", "size", "sha256"]


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    """Read-only: every change goes through the staff queue (locking, audit, mails)."""

    list_display = ["code", "subject", "status", "received_at", "due_at", "unit"]
    list_filter = ["status", "agency"]
    list_select_related = ["unit"]
    search_fields = ["code", "subject", "sender_name"]
    inlines = [AttachmentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
