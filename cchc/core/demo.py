"""Demo agency for `manage.py load_demo`: idempotent, safe to run on every start."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ImproperlyConfigured

from cchc.core.models import Agency, Unit, User
from cchc.core.roles import Role
from cchc.core.services import abbreviations_load_csv

DEMO_PASSWORD = "Demo@2026"
ABBREVIATIONS = Path(__file__).resolve().parent / "data" / "abbreviations.csv"

AGENCIES = [
    {
        "code": "SKHCN",
        "name": "Sở Khoa học và Công nghệ tỉnh Phú Thọ",
        "short_name": "SKHCN",
        "superior_body": "Ủy ban nhân dân tỉnh Phú Thọ",
        "place_name": "Phú Thọ",
        "address": "Đường Trần Phú, phường Việt Trì, tỉnh Phú Thọ (dữ liệu minh họa)",
        "phone": "0210 3800 000",
        "email": "skhcn@demo.cchc.vn",
    },
    {
        "code": "SKHCNTQ",
        "name": "Sở Khoa học và Công nghệ tỉnh Tuyên Quang",
        "short_name": "SKHCN",
        "superior_body": "Ủy ban nhân dân tỉnh Tuyên Quang",
        "place_name": "Tuyên Quang",
        "address": "Phường Minh Xuân, tỉnh Tuyên Quang (dữ liệu minh họa)",
        "phone": "0207 3800 000",
        "email": "skhcn-tq@demo.cchc.vn",
    },
]

UNITS = [
    ("BGD", "Ban Giám đốc Sở", Unit.Kind.LEADERSHIP),
    ("VP", "Văn phòng Sở", Unit.Kind.OFFICE),
    ("KHTC", "Phòng Kế hoạch - Tài chính", Unit.Kind.PLANNING_FINANCE),
    ("QLKH", "Phòng Quản lý khoa học", Unit.Kind.SCIENCE_MANAGEMENT),
    ("QLCN", "Phòng Quản lý công nghệ", Unit.Kind.TECHNOLOGY_MANAGEMENT),
    ("TDC", "Chi cục Tiêu chuẩn Đo lường Chất lượng", Unit.Kind.STANDARDS),
    ("TTRA", "Thanh tra Sở", Unit.Kind.INSPECTORATE),
    ("TTUD", "Trung tâm Ứng dụng tiến bộ khoa học và công nghệ", Unit.Kind.APPLICATION_CENTRE),
]

# username, full name, unit code (None = citizen), roles, agency code
ACCOUNTS = [
    ("quantri", "Nguyễn Văn Quản", "VP", [Role.SYSTEM_ADMIN], "SKHCN"),
    ("giamdoc", "Trần Thị Giám", "BGD", [Role.AGENCY_LEADER], "SKHCN"),
    ("daumoi", "Lê Văn Đầu", "VP", [Role.REFORM_FOCAL_POINT], "SKHCN"),
    ("motcua", "Phạm Thị Cửa", "VP", [Role.ONE_STOP_OFFICER], "SKHCN"),
    ("truongphong", "Hoàng Văn Trưởng", "QLCN", [Role.UNIT_LEADER], "SKHCN"),
    ("chuyenvien", "Vũ Thị Chuyên", "QLCN", [Role.SPECIALIST], "SKHCN"),
    # The people of the other units that the demo procedures' internal steps name.
    ("truongphongkh", "Lý Văn Khoa", "QLKH", [Role.UNIT_LEADER], "SKHCN"),
    ("chuyenvienkh", "Mai Thị Học", "QLKH", [Role.SPECIALIST], "SKHCN"),
    ("chicuctruong", "Trịnh Văn Chuẩn", "TDC", [Role.UNIT_LEADER], "SKHCN"),
    ("chuyenvientdc", "Phan Thị Lường", "TDC", [Role.SPECIALIST], "SKHCN"),
    ("thamdinh", "Đỗ Văn Thẩm", "VP", [Role.APPRAISER], "SKHCN"),
    ("bientap", "Bùi Thị Biên", "VP", [Role.EDITOR], "SKHCN"),
    ("xulypakn", "Đặng Văn Kiến", "TTRA", [Role.PETITION_HANDLER], "SKHCN"),
    ("canbotq", "Ngô Thị Tuyên", "QLCN", [Role.SPECIALIST], "SKHCNTQ"),
    ("congdan", "Nguyễn Thị Dân", None, [], None),
]


def reference_file(shipped: Path) -> Path:
    """A reference file shipped in an app's data/ folder, or the file of the same name in the
    CCHC_REFERENCE_DATA folder when that optional override is set (then it must be there)."""
    if not settings.REFERENCE_DATA_DIR:
        return shipped
    path = Path(settings.REFERENCE_DATA_DIR) / shipped.name
    if not path.is_file():
        raise ImproperlyConfigured(
            f"CCHC_REFERENCE_DATA={settings.REFERENCE_DATA_DIR}: không có tệp {shipped.name} "
            "(bỏ biến này để dùng dữ liệu tham chiếu đi kèm mã nguồn)."
        )
    return path


def load(stdout=None) -> dict:
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    agencies = {}
    for data in AGENCIES:
        agency, _ = Agency.objects.update_or_create(code=data["code"], defaults=data)
        agencies[agency.code] = agency
        for order, (code, name, kind) in enumerate(UNITS):
            Unit.objects.update_or_create(
                agency=agency, code=code, defaults={"name": name, "kind": kind, "order": order}
            )
    for username, full_name, unit_code, roles, agency_code in ACCOUNTS:
        last, _, first = full_name.rpartition(" ")
        unit = Unit.objects.get(agency=agencies[agency_code], code=unit_code) if unit_code else None
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "unit": unit}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = Role.SYSTEM_ADMIN in roles
            user.is_superuser = Role.SYSTEM_ADMIN in roles
            user.save()
        user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    count = abbreviations_load_csv(path=reference_file(ABBREVIATIONS))
    return {"agencies": len(agencies), "accounts": len(ACCOUNTS), "abbreviations": count}


def accounts_table() -> list[tuple[str, str, str]]:
    rows = []
    for username, _name, _unit, roles, agency_code in ACCOUNTS:
        role_text = ", ".join(str(r.label) for r in roles) or "Công dân"
        if agency_code and agency_code != "SKHCN":
            role_text += f" ({agency_code})"
        rows.append((username, DEMO_PASSWORD, role_text))
    return rows
