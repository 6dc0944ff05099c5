"""The national payloads, built at send time from the dossier as it is now (docs/dvcqg.md §4–5).

Every value is a string; moments are `yyyyMMddHHmmss` in ICT (`codes.national_time`).
"""

import re

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.text import Truncator

from cchc.nationalportal.codes import APPLICANT_KIND, ORIGIN_STATUS, national_time
from cchc.procedures.national import field_code_for, national_for

FILE_SALT = "cchc.nationalportal.file"
FINISHED_WITHOUT_RESULT = (3, 7, 8)  # refused, withdrawn, stopped: processing ended there


def _s(value) -> str:
    return "" if value is None else str(value)


def _flag(value) -> str:
    return "1" if value else "0"


# --- MaHoSo and the public file links -------------------------------------------------------


def national_dossier_code(dossier) -> str:
    """MaHoSo: the national code of a dossier filed on DVCQG; else the local code prefixed
    with the agency's national unit code and "-" (assumption 1 of docs/dvcqg.md)."""
    if dossier.national_code:
        return dossier.national_code
    prefix = dossier.agency.national_code
    if prefix and not dossier.code.startswith(prefix):
        return f"{prefix}-{dossier.code}"
    return dossier.code


def file_token(file_id: int) -> str:
    return signing.dumps({"f": file_id}, salt=FILE_SALT, compress=True)


def file_id_from_token(token: str) -> int:
    """The file a link names; raises signing.BadSignature (also when expired)."""
    max_age = settings.DVCQG_LINK_DAYS * 24 * 3600
    return int(signing.loads(token, salt=FILE_SALT, max_age=max_age)["f"])


def public_file_url(file_id: int) -> str:
    path = reverse("nationalportal:public-file", kwargs={"token": file_token(file_id)})
    return settings.SITE_URL + path


# --- DongBoHoSoMC ---------------------------------------------------------------------------


def identities(dossier) -> list[dict]:
    """DinhDanhCHS: a 12-digit personal ID is type 1, a 9-digit old ID card type 2; an
    organisation's tax code is not an identity of this list (sent in SoGiayToChuHoSo only)."""
    number = (dossier.applicant_id_number or "").strip()
    if dossier.applicant_kind != "person":
        return []
    if re.fullmatch(r"\d{12}", number):
        return [{"LoaiDinhDanh": "1", "SoDinhDanh": number}]
    if re.fullmatch(r"\d{9}", number):
        return [{"LoaiDinhDanh": "2", "SoDinhDanh": number}]
    return []


def end_of_processing(dossier):
    """NgayKetThucXuLy: the decision, else the closing of a refused/withdrawn/stopped dossier."""
    if dossier.decided_at:
        return dossier.decided_at
    if dossier.status in FINISHED_WITHOUT_RESULT:
        return dossier.closed_at
    return None


def _due_history(dossier) -> dict[int, dict]:
    """The due date in force when each supplement was asked for and after it arrived, from the
    snapshots the outbox rows took at those moments (outbox.record_change)."""
    history: dict[int, dict] = {}
    for message in dossier.outbox.filter(event__in=("request_supplement", "supplement")).order_by(
        "created_at", "id"
    ):
        snap = message.payload or {}
        number = snap.get("supplement")
        if not number:
            continue
        entry = history.setdefault(number, {"before": "", "after": ""})
        if message.event == "request_supplement" and not entry["before"]:
            entry["before"] = snap.get("due", "")
        elif message.event == "supplement":
            entry["after"] = snap.get("due", "")
    return history


def supplements(dossier) -> list[dict]:
    history = _due_history(dossier)
    items = []
    for request in dossier.supplements.select_related("requested_by").order_by(
        "requested_at", "id"
    ):
        dues = history.get(request.pk, {"before": "", "after": ""})
        items.append(
            {
                "HoSoBoSungId": _s(request.pk),
                "NguoiYeuCauBoSung": Truncator(
                    request.requested_by.display_name if request.requested_by else ""
                ).chars(50),
                "NoiDungBoSung": Truncator(request.items).chars(2000),
                "NgayBoSung": national_time(request.requested_at),
                "NguoiTiepNhanBoSung": "",
                "ThongTinTiepNhan": "",
                "NgayTiepNhanBoSung": national_time(request.fulfilled_at),
                "TrangThaiBoSung": _flag(request.fulfilled_at),
                "DanhSachGiayToBoSung": [],
                "DanhSachLePhiBoSung": [],
                "NgayHenTraTruoc": dues["before"],
                "NgayHenTraMoi": dues["after"],
            }
        )
    return items


def dossier_item(dossier) -> dict:
    """One `data` item of DongBoHoSoMC with every field of the contract's §16 list."""
    procedure = dossier.procedure
    national = national_for(procedure)
    files = list(dossier.files.order_by("id"))
    submitted = [f for f in files if not f.is_result]
    results = [f for f in files if f.is_result]
    result_code = national.result_code if national else ""
    return {
        "MaHoSo": national_dossier_code(dossier),
        "MaTTHC": national.code if national else (procedure.code or f"CCHC-{procedure.pk}"),
        "TenTTHC": Truncator(national.name if national else procedure.name).chars(1000),
        "MaLinhVuc": (national.field_code if national else "") or field_code_for(procedure),
        "TenLinhVuc": (national.field_name if national else "") or procedure.field,
        "KenhThucHien": _s(dossier.channel),
        "SoBienNhan": dossier.code,
        "ChuHoSo": dossier.applicant_name,
        "SoGiayToChuHoSo": dossier.applicant_id_number,
        "DinhDanhCHS": identities(dossier),
        "LoaiDoiTuong": APPLICANT_KIND.get(dossier.applicant_kind, "4"),
        "MaDoiTuong": dossier.national_account if dossier.national_code else "",
        "Email": dossier.applicant_email,
        "SoDienThoai": dossier.applicant_phone,
        "TrichYeuHoSo": Truncator(f"{procedure.name} - {dossier.applicant_name}").chars(1000),
        "NgayNopHoSo": national_time(dossier.submitted_at),
        "NgayTiepNhan": national_time(dossier.received_at),
        "NgayHenTra": national_time(dossier.effective_due),
        "TrangThaiHoSo": _s(dossier.status),
        "NgayKetThucXuLy": national_time(end_of_processing(dossier)),
        "NgayTra": national_time(dossier.returned_at),
        "NgayTuChoi": national_time(dossier.closed_at if dossier.status == 3 else None),
        "HinhThuc": "1" if dossier.channel == 3 else "0",
        "DonViXuLy": dossier.agency.name,
        "TaiLieuNop": [
            {
                "TepDinhKemId": _s(f.pk),
                "TenTepDinhKem": Truncator(f.original_name or f.name).chars(255),
                "IsDeleted": "False",
                "MaThanhPhanHoSo": _s(f.component_id),
                "DuongDanTaiTepTin": public_file_url(f.pk),
                "DuocSoHoa": _flag(f.digitised),
                "DuocTaiSuDung": _s(f.reuse),
                "DuocLayTuKhoDMQG": _flag(f.from_national_store),
            }
            for f in submitted
        ],
        "DanhSachGiayToKetQua": [
            {
                "TenGiayTo": Truncator(f.name).chars(255),
                "MaThanhPhanHoSo": "",
                "GiayToId": _s(f.pk),
                "DuongDanTepTinKetQua": public_file_url(f.pk),
                "MaGiayToKetQua": result_code,
            }
            for f in results
        ],
        "DanhSachLePhi": [
            {
                "TenPhiLePhi": Truncator(fee.name).chars(300),
                "MaPhiLePhi": fee.code,
                "HinhThucThu": _flag(fee.paid_online in (1, 2)),
                "Gia": _s(int(fee.amount)),
                "LoaiPhiLePhi": _s(fee.kind),
            }
            for fee in dossier.fees.order_by("id")
        ],
        "DanhSachHoSoBoSung": supplements(dossier),
        "HoSoCoThanhPhanSoHoa": _flag(dossier.digitised or any(f.digitised for f in submitted)),
        "TaiKhoanDuocXacThucVoiVNeID": _flag(dossier.vneid_verified),
        "DuocThanhToanTrucTuyen": _s(dossier.paid_online),
        "DSKetNoiCSDL": [],
    }


# --- CapNhatTienDoHoSoMC --------------------------------------------------------------------


def step_item(dossier, handover) -> dict:
    """One processing step (a HandOver row). `IdBuocXuLy` is CCHC's own step id (the HandOver
    id, assumption 2 of docs/dvcqg.md): the receiver keys steps by MaHoSo + IdBuocXuLy."""
    user = handover.from_user
    content = handover.label + (f" - {handover.note}" if handover.note else "")
    return {
        "MaHoSo": national_dossier_code(dossier),
        "IdBuocXuLy": _s(handover.pk),
        "NguoiXuLy": Truncator(user.display_name if user else "Chuyên viên").chars(50),
        "ChucDanh": "",
        "ThoiDiemXuLy": national_time(handover.at),
        "PhongBanXuLy": handover.from_unit.name if handover.from_unit else "",
        "NoiDungXuLy": Truncator(content).chars(2000),
        "TrangThai": _s(handover.to_status or dossier.status),
        "NgayBatDau": national_time(handover.at),
        "NgayKetThucTheoQuyDinh": national_time(handover.step_due_at),
    }


# --- DongBoTrangThaiHoSo --------------------------------------------------------------------


def status_item(dossier) -> dict:
    """The status of a dossier filed on DVCQG: 2 accepted/in process/done, 5 returned/refused."""
    last = dossier.handovers.order_by("-at", "-id").first()
    return {
        "MaHoSo": dossier.national_code,
        "MaHoSoDonVi": dossier.code,
        "MaDoiTuong": dossier.national_account,
        "NoiDung": Truncator(last.label if last else dossier.get_status_display()).chars(2000),
        "NgayXuLy": national_time(last.at if last else dossier.submitted_at),
        "TrangThai": ORIGIN_STATUS.get(dossier.status, "2"),
        "TaiLieuXuLy": [
            {"TenTepDinhKem": f.name, "DuongDanTaiTepTin": public_file_url(f.pk)}
            for f in dossier.files.filter(is_result=True).order_by("id")
        ],
    }
