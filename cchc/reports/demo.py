"""Demo: last year's annual report, snapshotted at 31/12 and generated (Word, PDF, Excel)."""

import datetime as dt

from django.utils import timezone

from cchc.core.models import Agency, User
from cchc.reports import services
from cchc.reports.models import ReportSnapshot

NARRATIVE = {
    "overview": (
        "Năm {y}, Sở Khoa học và Công nghệ tập trung chỉ đạo quyết liệt công tác cải cách hành "
        "chính, xác định rõ nhiệm vụ trọng tâm trong kế hoạch CCHC năm.\n"
        "Số liệu dưới đây được tổng hợp tự động từ hệ thống CCHC (dữ liệu minh họa)."
    ),
    "1": "Sở ban hành kế hoạch CCHC ngay từ đầu năm và giao nhiệm vụ cụ thể cho từng phòng, đơn vị.",
    "2": "Sở tổ chức rà soát các văn bản QPPL thuộc lĩnh vực quản lý và kiến nghị xử lý kịp thời.",
    "3": "Sở rà soát bộ TTHC, kiến nghị bãi bỏ, đơn giản hóa và công bố mới các thủ tục.",
    "4": (
        "Sở rà soát chức năng, nhiệm vụ của các phòng, đơn vị; bố trí biên chế trong số được "
        "giao và sắp xếp tổ chức bộ máy theo quy định."
    ),
    "5": (
        "Sở thực hiện tuyển dụng, đào tạo, bồi dưỡng và đánh giá, xếp loại công chức, viên chức "
        "theo vị trí việc làm; kiểm tra việc chấp hành kỷ luật, kỷ cương hành chính."
    ),
    "6": (
        "Sở ban hành quy chế chi tiêu nội bộ, thực hiện cơ chế tự chủ tài chính của đơn vị sự "
        "nghiệp công lập và đẩy nhanh giải ngân vốn đầu tư công."
    ),
    "7": (
        "Sở cấp hòm thư điện tử công vụ cho công chức, viên chức, gửi nhận văn bản điện tử có ký "
        "số và tham mưu Ban chỉ đạo ISO của tỉnh duy trì hệ thống quản lý chất lượng TCVN ISO 9001."
    ),
    "limitations": "Một số nhiệm vụ hoàn thành chậm so với thời hạn.",
    "next_year": "Tiếp tục đẩy mạnh chuyển đổi số và nâng cao chất lượng phục vụ người dân.",
    "recommendations": (
        "Đề nghị UBND tỉnh bố trí kinh phí nâng cấp hạ tầng số và bổ sung biên chế cho các "
        "phòng chuyên môn còn thiếu."
    ),
}


def load(stdout=None) -> dict:
    agency = Agency.objects.get(code="SKHCN")
    today = timezone.localdate()
    year = today.year - 1
    report = ReportSnapshot.objects.filter(agency=agency, year=year, number=1).first()
    if report is None:
        report = services.report_create(
            actor=None,
            agency=agency,
            year=year,
            as_of=dt.date(year, 12, 31),
            number=1,
            issued_on=min(dt.date(year + 1, 1, 5), today),  # not a date still to come
            signer_title="GIÁM ĐỐC",
            signer_name="Trần Thị Giám",
            recipients="UBND tỉnh Phú Thọ\nSở Nội vụ\nBan Giám đốc Sở\nLưu: VT, VP",
        )
        report = services.report_narrative_update(
            actor=None,
            report=report,
            narrative={k: v.format(y=year) for k, v in NARRATIVE.items()},
        )
    if report.status != ReportSnapshot.Status.READY:
        actor = User.objects.filter(username="daumoi").first()
        services.report_generation_request(actor=actor, report=report)
        # The immediate task backend runs on commit; with a real worker it runs later.
    return {"report": report.number_text, "year": year}
