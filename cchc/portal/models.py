from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency


class Category(models.Model):
    name = models.CharField(_("tên chuyên mục"), max_length=120)
    slug = models.SlugField(_("đường dẫn"), max_length=120, unique=True)
    description = models.CharField(_("mô tả"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("chuyên mục")
        verbose_name_plural = _("chuyên mục")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"/chuyen-muc/{self.slug}/"


class Tag(models.Model):
    name = models.CharField(_("thẻ"), max_length=80)
    slug = models.SlugField(_("đường dẫn"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("thẻ")
        verbose_name_plural = _("thẻ")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"/the/{self.slug}/"


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """The one definition of what the public sees: published, or scheduled and due."""
        return self.filter(
            status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED],
            published_at__lte=timezone.now(),
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        IN_REVIEW = "in_review", _("Chờ duyệt")
        PUBLISHED = "published", _("Đã đăng")
        SCHEDULED = "scheduled", _("Hẹn giờ đăng")

    title = models.CharField(_("tiêu đề"), max_length=300)
    slug = models.SlugField(_("đường dẫn"), max_length=320, unique=True)
    summary = models.TextField(_("tóm tắt"), max_length=1000, blank=True)
    body = models.TextField(_("nội dung"), blank=True, help_text=_("HTML đã làm sạch."))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="articles", verbose_name=_("chuyên mục")
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles", verbose_name=_("thẻ"))
    cover_image = models.CharField(_("ảnh đại diện"), max_length=255, blank=True)
    cover_alt = models.CharField(_("mô tả ảnh (alt)"), max_length=255, blank=True)
    cover_caption = models.CharField(_("chú thích ảnh"), max_length=255, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người viết"),
    )
    author_name = models.CharField(_("tác giả"), max_length=120, blank=True)
    source = models.CharField(_("nguồn"), max_length=255, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("thời điểm đăng"), null=True, blank=True)
    featured = models.BooleanField(_("tin nổi bật"), default=False)
    view_count = models.PositiveIntegerField(_("lượt xem"), default=0)
    # Normalised copies (cchc.core.text.normalise) for diacritics-insensitive search.
    search_title = models.CharField(max_length=300, blank=True, editable=False, db_index=True)
    search_body = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("bài viết")
        verbose_name_plural = _("bài viết")
        ordering = ["-published_at", "-id"]
        indexes = [
            # Date first: lists walk the index newest first and stop early (no sort step).
            models.Index(fields=["-published_at", "status"], name="article_public_idx"),
            models.Index(fields=["category", "-published_at", "status"], name="article_cat_idx"),
            models.Index(
                fields=["-published_at", "status"],
                condition=Q(featured=True),
                name="article_featured_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["published", "scheduled"]) | Q(published_at__isnull=False),
                name="article_public_has_date",
            ),
            models.CheckConstraint(
                condition=Q(cover_image="") | ~Q(cover_alt=""), name="article_cover_has_alt"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"/tin-tuc/{self.slug}/"


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ kiểm duyệt")
        PUBLISHED = "published", _("Đã đăng")
        REJECTED = "rejected", _("Không đăng")

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="comments", verbose_name=_("bài viết")
    )
    name = models.CharField(_("họ tên"), max_length=120)
    email = models.EmailField(_("thư điện tử"))
    text = models.TextField(_("ý kiến"), max_length=3000)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("ý kiến bạn đọc")
        verbose_name_plural = _("ý kiến bạn đọc")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["article", "status"], name="comment_article_idx")]

    def __str__(self):
        return f"{self.name}: {self.text[:40]}"


class ReceptionSession(models.Model):
    """One entry of the citizen reception schedule (lịch tiếp công dân)."""

    class Session(models.TextChoices):
        MORNING = "morning", _("Sáng")
        AFTERNOON = "afternoon", _("Chiều")
        ALL_DAY = "all_day", _("Cả ngày")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, verbose_name=_("cơ quan"))
    date = models.DateField(_("ngày tiếp"))
    session = models.CharField(_("buổi"), max_length=20, choices=Session.choices)
    leader = models.CharField(_("lãnh đạo tiếp"), max_length=160)
    place = models.CharField(_("địa điểm"), max_length=255)
    content = models.TextField(_("nội dung dự kiến"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lịch tiếp công dân")
        verbose_name_plural = _("lịch tiếp công dân")
        ordering = ["date", "session"]
        indexes = [models.Index(fields=["agency", "date"], name="reception_date_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "date", "session", "leader"], name="reception_unique_slot"
            )
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.get_session_display()}: {self.leader}"


class ReceptionVisit(models.Model):
    """The reception register (sổ tiếp công dân): staff only."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, verbose_name=_("cơ quan"))
    date = models.DateField(_("ngày tiếp"))
    name = models.CharField(_("họ tên công dân"), max_length=160)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    content = models.TextField(_("nội dung"))
    request = models.TextField(_("yêu cầu, đề nghị"), blank=True)
    handling = models.TextField(_("kết quả xử lý"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lượt tiếp công dân")
        verbose_name_plural = _("sổ tiếp công dân")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["agency", "-date"], name="visit_date_idx")]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.name}"


class ScienceTask(models.Model):
    """An S&T task (nhiệm vụ KH&CN) and its result."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("Cấp quốc gia")
        MINISTRY = "ministry", _("Cấp bộ")
        PROVINCE = "province", _("Cấp tỉnh")
        GRASSROOTS = "grassroots", _("Cấp cơ sở")

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        ACCEPTED = "accepted", _("Đã nghiệm thu")
        REGISTERED = "registered", _("Đã đăng ký kết quả")

    code = models.CharField(_("mã số"), max_length=40, unique=True)
    name = models.CharField(_("tên nhiệm vụ"), max_length=500)
    level = models.CharField(_("cấp quản lý"), max_length=20, choices=Level.choices)
    lead_organisation = models.CharField(_("tổ chức chủ trì"), max_length=255)
    principal_investigator = models.CharField(_("chủ nhiệm"), max_length=160)
    start_date = models.DateField(_("bắt đầu"))
    end_date = models.DateField(_("kết thúc"))
    budget = models.DecimalField(_("kinh phí (đồng)"), max_digits=15, decimal_places=0, default=0)
    status = models.CharField(_("tình trạng"), max_length=20, choices=Status.choices)
    result_summary = models.TextField(_("tóm tắt kết quả"), blank=True)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("nhiệm vụ KH&CN")
        verbose_name_plural = _("nhiệm vụ KH&CN")
        ordering = ["-start_date", "code"]
        indexes = [models.Index(fields=["status", "level", "-start_date"], name="task_list_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="task_period_valid"
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="task_budget_not_negative"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        from cchc.portal.search import search_text

        self.search_text = search_text(
            self.code, self.name, self.lead_organisation, self.principal_investigator
        )
        super().save(*args, **kwargs)


class ScienceTaskFile(models.Model):
    task = models.ForeignKey(ScienceTask, on_delete=models.CASCADE, related_name="files")
    title = models.CharField(_("tên tệp"), max_length=255)
    path = models.CharField(max_length=255)
    mime = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("tệp kết quả")
        verbose_name_plural = _("tệp kết quả")

    def __str__(self):
        return self.title


class SiteLink(models.Model):
    title = models.CharField(_("tên liên kết"), max_length=160)
    url = models.URLField(_("địa chỉ"))
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("liên kết trang")
        verbose_name_plural = _("liên kết trang")
        ordering = ["order", "title"]

    def __str__(self):
        return self.title


class Page(models.Model):
    """A simple editable page (giới thiệu, liên hệ...)."""

    slug = models.SlugField(_("đường dẫn"), max_length=80, unique=True)
    title = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"), blank=True)
    show_unit_tree = models.BooleanField(_("kèm sơ đồ tổ chức"), default=False)

    class Meta:
        verbose_name = _("trang")
        verbose_name_plural = _("trang")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"/trang/{self.slug}/"
