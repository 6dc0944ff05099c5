import re

from django import forms
from django.utils.translation import gettext_lazy as _

from cchc.core.forms import EMAIL_ATTRS, NAME_ATTRS
from cchc.portal.models import Article, Category, ReceptionSession, ReceptionVisit, Tag


class HoneypotMixin(forms.Form):
    # Hidden from people (CSS and aria-hidden); bots fill it in.
    website = forms.CharField(required=False, label=_("Trang web (để trống)"))

    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class CommentForm(HoneypotMixin):
    name = forms.CharField(label=_("Họ và tên"), max_length=120, widget=forms.TextInput(NAME_ATTRS))
    email = forms.EmailField(
        label=_("Thư điện tử"),
        help_text=_("Không hiển thị công khai."),
        widget=forms.EmailInput(EMAIL_ATTRS),
    )
    text = forms.CharField(
        label=_("Ý kiến"), max_length=3000, widget=forms.Textarea(attrs={"rows": 5})
    )


def body_field():
    """The rich-text editor (django-prose-editor, no build step); the service sanitises again."""
    from django_prose_editor.fields import ProseEditorFormField

    return ProseEditorFormField(
        label=_("Nội dung"),
        required=False,
        sanitize=True,  # the service sanitises again with our own allow-list
        extensions={
            "Bold": True, "Italic": True, "Underline": True, "Strike": True,
            "Subscript": True, "Superscript": True, "Heading": {"levels": [2, 3, 4]},
            "BulletList": True, "OrderedList": True, "ListItem": True, "Blockquote": True,
            "Link": True, "Table": True, "TableRow": True, "TableHeader": True,
            "TableCell": True, "HorizontalRule": True, "HardBreak": True,
            "Image": True, "Figure": True, "Caption": True,
        },
    )  # fmt: skip


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Tiêu đề"), max_length=300)
    category = forms.ModelChoiceField(label=_("Chuyên mục"), queryset=Category.objects.all())
    summary = forms.CharField(
        label=_("Tóm tắt"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Thẻ"), queryset=Tag.objects.all(), required=False
    )
    author_name = forms.CharField(label=_("Tác giả"), max_length=120, required=False)
    source = forms.CharField(label=_("Nguồn"), max_length=255, required=False)
    cover_image = forms.CharField(
        label=_("Ảnh đại diện (đường dẫn)"), max_length=255, required=False
    )
    cover_upload = forms.FileField(
        label=_("Tải ảnh đại diện lên"),
        required=False,
        help_text=_("Ảnh JPG, PNG, GIF hoặc WebP, tối đa 5 MB; cần mô tả ảnh (alt)."),
    )
    cover_alt = forms.CharField(label=_("Mô tả ảnh (alt)"), max_length=255, required=False)
    cover_caption = forms.CharField(label=_("Chú thích ảnh"), max_length=255, required=False)
    featured = forms.BooleanField(label=_("Tin nổi bật"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"] = body_field()
        self.order_fields(["title", "category", "summary", "body"])

    def clean_cover_image(self):
        """A typed cover address is an http(s) link or one of our served images: never
        `javascript:`/`data:`, nor a file under /media/ (uploads are served by views only)."""
        value = self.cleaned_data.get("cover_image", "").strip()
        if value and not re.fullmatch(
            r"(https?://[^\s\"'<>]+|/anh/[0-9a-f]{32}\.[a-z]{3,4})", value
        ):
            raise forms.ValidationError(
                _("Đường dẫn ảnh phải bắt đầu bằng http:// hoặc https:// (hoặc tải ảnh lên).")
            )
        return value

    @classmethod
    def initial_for(cls, article: Article) -> dict:
        return {
            "title": article.title,
            "category": article.category_id,
            "summary": article.summary,
            "body": article.body,
            "tags": list(article.tags.values_list("pk", flat=True)),
            "author_name": article.author_name,
            "source": article.source,
            "cover_image": article.cover_image,
            "cover_alt": article.cover_alt,
            "cover_caption": article.cover_caption,
            "featured": article.featured,
        }


class ApproveForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Hẹn giờ đăng (để trống: đăng ngay)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do trả lại"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReceptionSessionForm(forms.ModelForm):
    class Meta:
        model = ReceptionSession
        fields = ["date", "session", "leader", "place", "content"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "content": forms.Textarea(attrs={"rows": 3}),
        }


class ReceptionVisitForm(forms.ModelForm):
    class Meta:
        model = ReceptionVisit
        fields = ["date", "name", "address", "content", "request", "handling"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "content": forms.Textarea(attrs={"rows": 3}),
            "request": forms.Textarea(attrs={"rows": 2}),
            "handling": forms.Textarea(attrs={"rows": 2}),
        }


class ScienceFilterForm(forms.Form):
    q = forms.CharField(label=_("Từ khóa"), required=False, max_length=200)
    level = forms.ChoiceField(label=_("Cấp quản lý"), required=False)
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=1990, max_value=2100)

    def __init__(self, *args, **kwargs):
        from cchc.portal.models import ScienceTask

        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("Tất cả"))] + list(ScienceTask.Level.choices)
