from django import forms
from django.contrib import admin

from cchc.portal import services
from cchc.portal.models import (
    Article,
    Category,
    Comment,
    Page,
    ReceptionSession,
    ReceptionVisit,
    ScienceTask,
    ScienceTaskFile,
    SiteLink,
    Tag,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Read-mostly: writing and approving go through the staff pages (sanitising, audit)."""

    list_display = ["title", "category", "status", "published_at", "featured", "view_count"]
    list_filter = ["status", "category", "featured"]
    list_select_related = ["category"]
    search_fields = ["title", "search_title"]
    date_hierarchy = "published_at"
    fields = ["title", "slug", "category", "status", "published_at", "featured", "view_count"]
    readonly_fields = ["title", "slug", "category", "status", "published_at", "view_count"]

    def has_add_permission(self, request):
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["name", "article", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["article"]
    search_fields = ["name", "email", "text"]
    readonly_fields = ["article", "name", "email", "text", "created_at"]


@admin.register(ReceptionSession)
class ReceptionSessionAdmin(admin.ModelAdmin):
    list_display = ["date", "session", "leader", "place", "agency"]
    list_filter = ["agency", "session"]
    list_select_related = ["agency"]
    search_fields = ["leader", "place", "content"]


@admin.register(ReceptionVisit)
class ReceptionVisitAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "agency"]
    list_select_related = ["agency"]
    search_fields = ["name", "content"]


class ScienceTaskFileInline(admin.TabularInline):
    model = ScienceTaskFile
    extra = 0
    readonly_fields = ["path", "mime", "size", "sha256"]


@admin.register(ScienceTask)
class ScienceTaskAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "status", "start_date", "end_date"]
    list_filter = ["status", "level"]
    search_fields = ["code", "name", "principal_investigator", "lead_organisation"]
    inlines = [ScienceTaskFileInline]


@admin.register(SiteLink)
class SiteLinkAdmin(admin.ModelAdmin):
    list_display = ["title", "url", "order"]


class PageForm(forms.ModelForm):
    class Meta:
        model = Page
        fields = ["slug", "title", "body", "show_unit_tree"]

    def clean_body(self):
        # Pages are shown as HTML: the same sanitising (and alt-text rule) as articles.
        clean, _text = services.sanitise_body(self.cleaned_data["body"])
        return clean


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    form = PageForm
    list_display = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
