"""One-stop desk: dossiers, their code counter, hand-overs (the process control slip)."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency, Unit
from cchc.procedures.models import Component, Procedure, ProcedureStep


class Status(models.IntegerChoices):
    """The ten status codes of the national public-service portal."""

    SUBMITTED = 1, _("Mới nộp trực tuyến")
    RECEIVED = 2, _("Đã tiếp nhận")
    REFUSED = 3, _("Từ chối tiếp nhận")
    PROCESSING = 4, _("Đang xử lý")
    SUPPLEMENT = 5, _("Chờ bổ sung")
    FEES = 6, _("Chờ nộp phí, lệ phí")
    WITHDRAWN = 7, _("Đã rút hồ sơ")
    STOPPED = 8, _("Dừng xử lý")
    DECIDED = 9, _("Đã có kết quả")
    RETURNED = 10, _("Đã trả kết quả")


OPEN_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.FEES)
FINISHED_STATUSES = (Status.DECIDED, Status.RETURNED)


class Channel(models.IntegerChoices):
    IN_PERSON = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POST = 3, _("Bưu chính")


class PaidOnline(models.IntegerChoices):
    """DuocThanhToanTrucTuyen of the national contract."""

    NOTHING_DUE = 0, _("Không phải nộp phí, lệ phí")
    NATIONAL = 1, _("Thanh toán trực tuyến trên Cổng DVCQG")
    GATEWAY = 2, _("Thanh toán trực tuyến qua nền tảng của bộ, tỉnh")
    NOT_ONLINE = 3, _("Không thanh toán trực tuyến")


class Outcome(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


class DayCounter(models.Model):
    """The last dossier number an agency gave on a reception day; locked to hand out the next."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="dossier_counter_unique_day")
        ]

    def __str__(self):
        return f"{self.agency_id} {self.day}: {self.last}"


class Dossier(models.Model):
    class ApplicantKind(models.TextChoices):
        PERSON = "person", _("Cá nhân")
        ORGANISATION = "organisation", _("Tổ chức")

    code = models.CharField(_("mã hồ sơ"), max_length=40, unique=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("cơ quan")
    )
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("thủ tục")
    )
    channel = models.PositiveSmallIntegerField(_("kênh nộp"), choices=Channel.choices)
    status = models.PositiveSmallIntegerField(
        _("trạng thái"), choices=Status.choices, db_index=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    secret_hash = models.CharField(max_length=64, editable=False)
    applicant_kind = models.CharField(
        _("người nộp là"),
        max_length=20,
        choices=ApplicantKind.choices,
        default=ApplicantKind.PERSON,
    )
    applicant_name = models.CharField(_("họ tên / tên tổ chức"), max_length=255)
    applicant_id_number = models.CharField(_("số định danh / mã số thuế"), max_length=20)
    applicant_phone = models.CharField(_("điện thoại"), max_length=20)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=255)
    representative_name = models.CharField(_("người đại diện"), max_length=255, blank=True)
    representative_phone = models.CharField(
        _("điện thoại người đại diện"), max_length=20, blank=True
    )
    full_online = models.BooleanField(_("nộp toàn trình"), default=False)
    digitised = models.BooleanField(_("đã số hóa thành phần"), default=False)
    result_digitised = models.BooleanField(_("đã số hóa kết quả"), default=False)
    fee_amount = models.DecimalField(
        _("phí, lệ phí"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("nộp lúc"))
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True, db_index=True)
    clock_start = models.DateTimeField(_("bắt đầu tính hạn"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn giải quyết"), null=True, blank=True, db_index=True)
    due_explanation = models.JSONField(default=list, blank=True)
    appointment_at = models.DateTimeField(_("hẹn lại"), null=True, blank=True)
    apology_reason = models.TextField(_("lý do xin lỗi, hẹn lại"), blank=True)
    apologised_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(_("tạm dừng lúc"), null=True, blank=True)
    decided_at = models.DateTimeField(_("có kết quả lúc"), null=True, blank=True, db_index=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    outcome = models.CharField(
        _("kết quả đúng hạn"), max_length=10, choices=Outcome.choices, blank=True
    )
    result_text = models.TextField(_("kết quả giải quyết"), blank=True)
    refusal_reason = models.TextField(_("lý do từ chối"), blank=True)
    current_step = models.ForeignKey(
        ProcedureStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step_due_at = models.DateTimeField(null=True, blank=True)
    current_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị xử lý"),
    )
    current_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người xử lý"),
    )
    late_supplement = models.BooleanField(_("yêu cầu bổ sung quá 3 ngày"), default=False)
    # Filed on the National Public Service Portal: its dossier code (MaHoSo there) and the
    # applicant's account there (TechID, MaDoiTuong). Blank for dossiers filed here.
    national_code = models.CharField(_("mã hồ sơ trên Cổng DVCQG"), max_length=60, blank=True)
    national_account = models.CharField(_("tài khoản trên Cổng DVCQG"), max_length=100, blank=True)
    vneid_verified = models.BooleanField(_("tài khoản xác thực VNeID"), default=False)
    paid_online = models.PositiveSmallIntegerField(
        _("thanh toán trực tuyến"), choices=PaidOnline.choices, default=PaidOnline.NOTHING_DUE
    )
    # Raised by every transition: a hand-over or decision names the version it was made on.
    version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "status", "due_at"], name="dossier_queue"),
            models.Index(fields=["agency", "received_at"], name="dossier_received"),
            models.Index(fields=["agency", "decided_at"], name="dossier_decided"),
            models.Index(fields=["current_unit", "status"], name="dossier_unit_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in Status]),
                name="dossier_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=[c.value for c in Channel]),
                name="dossier_channel_known",
            ),
            models.UniqueConstraint(
                fields=["national_code"],
                condition=~models.Q(national_code=""),
                name="dossier_national_code_unique",
            ),
        ]

    def __str__(self):
        return self.code

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256((secret or "").strip().upper().encode()).hexdigest()

    def secret_matches(self, secret: str) -> bool:
        return bool(secret) and self.hash_secret(secret) == self.secret_hash

    @property
    def effective_due(self):
        return self.appointment_at or self.due_at


class SupplementRequest(models.Model):
    """A request to complete the dossier (BM.02); during processing it pauses the clock."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="supplements")
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at_reception = models.BooleanField(default=False)
    items = models.TextField(_("nội dung cần bổ sung"))
    late = models.BooleanField(_("quá 3 ngày làm việc"), default=False)
    late_reason = models.TextField(_("lý do yêu cầu muộn"), blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self):
        return f"{self.dossier_id}: {self.items[:50]}"


class HandOver(models.Model):
    """One line of the process control slip (BM.05)."""

    class Action(models.TextChoices):
        FILE_ONLINE = "file_online", _("Nộp hồ sơ trực tuyến")
        RECEIVE = "receive", _("Tiếp nhận hồ sơ")
        ACCEPT = "accept", _("Tiếp nhận hồ sơ nộp trực tuyến")
        REFUSE = "refuse", _("Từ chối tiếp nhận")
        REQUEST_SUPPLEMENT = "request_supplement", _("Yêu cầu bổ sung hồ sơ")
        SUPPLEMENT = "supplement", _("Nhận hồ sơ bổ sung")
        HAND_OVER = "hand_over", _("Chuyển bước xử lý")
        SEND_BACK = "send_back", _("Trả lại bước trước")
        ASSIGN = "assign", _("Giao người xử lý")
        APOLOGISE = "apologise", _("Xin lỗi và hẹn lại ngày trả kết quả")
        REQUIRE_FEES = "require_fees", _("Yêu cầu nộp phí, lệ phí")
        FEES_PAID = "fees_paid", _("Đã nộp phí, lệ phí")
        DECIDE = "decide", _("Có kết quả giải quyết")
        RETURN = "return", _("Trả kết quả")
        WITHDRAW = "withdraw", _("Rút hồ sơ")
        STOP = "stop", _("Dừng xử lý")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="handovers")
    at = models.DateTimeField()
    action = models.CharField(max_length=40, choices=Action.choices)
    step_name = models.CharField(max_length=300, blank=True)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    step_due_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    from_status = models.PositiveSmallIntegerField(null=True, blank=True, choices=Status.choices)
    to_status = models.PositiveSmallIntegerField(null=True, blank=True, choices=Status.choices)
    note = models.TextField(blank=True)
    # Set when the national portal acknowledged this step (CapNhatTienDoHoSoMC).
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["dossier", "at"], name="handover_dossier_at")]

    def __str__(self):
        return f"{self.dossier_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        """What happened, in Vietnamese: the action, and the step when it names one."""
        action = str(self.get_action_display())
        return f"{action}: {self.step_name}" if self.step_name else action


class DossierFile(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="files")
    component = models.ForeignKey(
        Component, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=500)
    path = models.CharField(max_length=300)
    original_name = models.CharField(max_length=200)
    mime = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    is_result = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # TaiLieuNop flags of the national contract: a component counts as digitised only when a
    # scanned file is stored for it; reuse is DuocTaiSuDung (0 no, 1/2 reused), and
    # from_national_store is DuocLayTuKhoDMQG.
    digitised = models.BooleanField(_("đã số hóa"), default=False)
    reuse = models.PositiveSmallIntegerField(_("được tái sử dụng"), default=0)
    from_national_store = models.BooleanField(_("lấy từ kho dữ liệu của Cổng DVCQG"), default=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class MonthlyFigure(models.Model):
    """Dossiers received and decided per agency, procedure version and month, kept up to date
    in the transaction of each reception and decision, so yearly statistics read a few hundred
    rows instead of every dossier. `rebuild_monthly_figures` recomputes it from the dossiers."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    received = models.PositiveIntegerField(default=0)
    decided = models.PositiveIntegerField(default=0)
    early = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "month", "procedure"], name="monthly_figure_unique"
            )
        ]

    def __str__(self):
        return f"{self.agency_id} {self.procedure_id} {self.month:%Y-%m}"


class FeeLine(models.Model):
    """One fee or charge due on a dossier (DanhSachLePhi of the national contract)."""

    class Kind(models.IntegerChoices):
        FEE = 1, _("Phí")
        CHARGE = 2, _("Lệ phí")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="fees")
    kind = models.PositiveSmallIntegerField(_("loại"), choices=Kind.choices, default=Kind.CHARGE)
    code = models.CharField(_("mã phí, lệ phí"), max_length=60, blank=True)
    name = models.CharField(_("tên phí, lệ phí"), max_length=300)
    amount = models.DecimalField(_("số tiền"), max_digits=14, decimal_places=0)
    paid_at = models.DateTimeField(_("đã nộp lúc"), null=True, blank=True)
    paid_online = models.PositiveSmallIntegerField(
        _("nộp trực tuyến"), choices=PaidOnline.choices, default=PaidOnline.NOT_ONLINE
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="fee_line_not_negative")
        ]

    def __str__(self):
        return f"{self.dossier_id} {self.name}: {self.amount}"


class Rating(models.Model):
    """The applicant's satisfaction with one returned dossier: once per dossier."""

    class Level(models.IntegerChoices):
        NOT_SATISFIED = 1, _("Không hài lòng")
        SATISFIED = 2, _("Hài lòng")
        VERY_SATISFIED = 3, _("Rất hài lòng")

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    level = models.PositiveSmallIntegerField(_("mức độ hài lòng"), choices=Level.choices)
    comment = models.TextField(_("ý kiến"), blank=True, max_length=2000)
    rated_at = models.DateTimeField(_("đánh giá lúc"))

    class Meta:
        ordering = ["-rated_at"]

    def __str__(self):
        return f"{self.dossier_id}: {self.level}"
