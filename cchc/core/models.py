from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.core.abbreviations import forget_glossary
from cchc.core.roles import AGENCY_WIDE_ROLES, Role


class Agency(models.Model):
    """A state agency (ministry, department) with its identifier code used in dossier codes."""

    code = models.CharField(
        _("mã định danh"),
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9.]+$", _("Chỉ dùng chữ in hoa, chữ số và dấu chấm."))],
    )
    name = models.CharField(_("tên cơ quan"), max_length=255)
    short_name = models.CharField(
        _("tên viết tắt"), max_length=30, help_text=_("Dùng trong số văn bản, ví dụ SKHCN.")
    )
    superior_body = models.CharField(_("cơ quan chủ quản"), max_length=255, blank=True)
    place_name = models.CharField(
        _("địa danh"), max_length=100, help_text=_("Dùng ở dòng địa danh, ngày tháng của văn bản.")
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=50, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    website = models.URLField(_("trang thông tin điện tử"), blank=True)
    national_code = models.CharField(
        _("mã định danh đơn vị trên Cổng DVCQG"),
        max_length=60,
        blank=True,
        db_default="",  # older migration states insert agencies without it
        help_text=_("MaDinhDanhDonVi / madonvi: mã do Cổng Dịch vụ công quốc gia cấp."),
    )

    class Meta:
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from cchc.core.selectors import SITE_AGENCY_KEY

        cache.delete(SITE_AGENCY_KEY)


class Unit(models.Model):
    """An internal unit of an agency; units form a tree."""

    class Kind(models.TextChoices):
        LEADERSHIP = "leadership", _("Ban lãnh đạo")
        OFFICE = "office", _("Văn phòng")
        PLANNING_FINANCE = "planning_finance", _("Phòng Kế hoạch - Tài chính")
        SCIENCE_MANAGEMENT = "science_management", _("Phòng Quản lý khoa học")
        TECHNOLOGY_MANAGEMENT = "technology_management", _("Phòng Quản lý công nghệ")
        STANDARDS = "standards", _("Chi cục Tiêu chuẩn Đo lường Chất lượng")
        INSPECTORATE = "inspectorate", _("Thanh tra")
        APPLICATION_CENTRE = "application_centre", _("Trung tâm ứng dụng")
        OTHER = "other", _("Khác")

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="units", verbose_name=_("cơ quan")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    code = models.CharField(_("mã đơn vị"), max_length=30)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    kind = models.CharField(
        _("loại đơn vị"), max_length=30, choices=Kind.choices, default=Kind.OTHER
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["agency", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="unit_code_unique_in_agency")
        ]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person: staff belong to a unit; citizens have none."""

    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("đơn vị"),
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    @property
    def agency(self) -> Agency | None:
        return self.unit.agency if self.unit_id else None

    @property
    def display_name(self) -> str:
        # Vietnamese order: family and middle names first ("Bùi Thị Biên").
        return f"{self.last_name} {self.first_name}".strip() or self.username

    def roles(self) -> set[str]:
        if not self.is_authenticated:
            return set()
        if not hasattr(self, "_role_cache"):
            self._role_cache = set(self.groups.values_list("name", flat=True))
        return self._role_cache

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles() & set(roles))

    @property
    def is_staff_member(self) -> bool:
        """A civil servant of some agency (as opposed to a citizen account)."""
        return self.unit_id is not None

    @property
    def is_agency_wide(self) -> bool:
        return self.is_superuser or self.has_role(*AGENCY_WIDE_ROLES)


class AuditEntry(models.Model):
    """One state change of one object: who, when, from what to what, and why."""

    # The hash chain covers these columns, so deleting a referenced user or agency is refused
    # (PROTECT) instead of rewriting the log; deactivate users instead.
    at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("người thực hiện"),
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("cơ quan")
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("loại đối tượng")
    )
    object_id = models.CharField(_("mã đối tượng"), max_length=64)
    object_repr = models.CharField(_("đối tượng"), max_length=255)
    action = models.CharField(_("thao tác"), max_length=64)
    from_state = models.CharField(_("từ trạng thái"), max_length=64, blank=True)
    to_state = models.CharField(_("sang trạng thái"), max_length=64, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    request_id = models.CharField(_("mã yêu cầu"), max_length=64, blank=True)
    # Position in the hash chain (gapless from 1), the previous entry's hash and this one's.
    seq = models.PositiveBigIntegerField(_("số thứ tự chuỗi"), unique=True, editable=False)
    prev_hash = models.CharField(_("mã băm mục trước"), max_length=64, editable=False)
    hash = models.CharField(_("mã băm"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.object_repr}: {self.from_state} → {self.to_state}"


class AuditChainHead(models.Model):
    """The single row naming the last chained audit entry; appenders lock it (one at a time)."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")
        verbose_name_plural = _("đầu chuỗi nhật ký")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="audit_head_single")]

    def __str__(self):
        return f"#{self.seq} {self.hash[:12]}"


class CalendarOverride(models.Model):
    """An administrator's correction of the legal holiday calendar for one date."""

    date = models.DateField(
        _("ngày"), unique=True, error_messages={"unique": _("Ngày này đã có điều chỉnh lịch.")}
    )
    is_working_day = models.BooleanField(
        _("là ngày làm việc"),
        help_text=_("Bật: ngày làm việc (ví dụ thứ Bảy làm bù). Tắt: ngày nghỉ."),
    )
    reason = models.CharField(_("lý do"), max_length=255)

    class Meta:
        verbose_name = _("điều chỉnh lịch làm việc")
        verbose_name_plural = _("điều chỉnh lịch làm việc")
        ordering = ["date"]

    def __str__(self):
        kind = _("ngày làm việc") if self.is_working_day else _("ngày nghỉ")
        return f"{self.date:%d/%m/%Y}: {kind} ({self.reason})"


class Abbreviation(models.Model):
    abbreviation = models.CharField(_("từ viết tắt"), max_length=30, unique=True)
    expansion = models.CharField(_("nghĩa đầy đủ"), max_length=255)

    class Meta:
        verbose_name = _("từ viết tắt")
        verbose_name_plural = _("từ viết tắt")
        ordering = ["abbreviation"]

    def __str__(self):
        return f"{self.abbreviation}: {self.expansion}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget_glossary()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        forget_glossary()
        return result


class RolePolicy(models.Model):
    """Sign-in rules an administrator sets per role (a Django group)."""

    group = models.OneToOneField(
        "auth.Group",
        on_delete=models.CASCADE,
        related_name="policy",
        verbose_name=_("vai trò"),
    )
    require_two_factor = models.BooleanField(
        _("bắt buộc xác thực hai bước"),
        default=False,
        help_text=_(
            "Người có vai trò này phải nhập mã từ ứng dụng xác thực (TOTP) sau mật khẩu; "
            "ai chưa có thiết bị sẽ được yêu cầu thiết lập ở lần đăng nhập kế tiếp."
        ),
    )

    class Meta:
        verbose_name = _("chính sách đăng nhập theo vai trò")
        verbose_name_plural = _("chính sách đăng nhập theo vai trò")
        ordering = ["group__name"]

    def __str__(self):
        try:
            return str(Role(self.group.name).label)
        except ValueError:
            return self.group.name


__all__ = [
    "Agency",
    "Unit",
    "User",
    "AuditEntry",
    "AuditChainHead",
    "CalendarOverride",
    "Abbreviation",
    "RolePolicy",
    "Role",
]
