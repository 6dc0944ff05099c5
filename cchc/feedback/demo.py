"""Demo petitions in every status, written for this demo."""

import datetime as dt

from django.utils import timezone

from cchc.core.models import Agency, Unit, User
from cchc.feedback import services
from cchc.feedback.models import FeedbackSettings, Petition

# (subject, content, final status, answer)
PETITIONS = [
    ("Hỏi về thời hạn cấp giấy chứng nhận doanh nghiệp KH&CN", "Tôi nộp hồ sơ đã lâu nhưng chưa nhận được kết quả.", "received", ""),
    ("Đề nghị hướng dẫn thủ tục đăng ký nhiệm vụ khoa học", "Xin hướng dẫn thành phần hồ sơ khi đăng ký nhiệm vụ cấp tỉnh.", "accepted", ""),
    ("Phản ánh cân tại chợ không chính xác", "Cân của một số hộ kinh doanh tại chợ trung tâm có sai số lớn.", "accepted", ""),
    ("Kiến nghị về việc xây dựng nhà văn hóa thôn", "Đề nghị hỗ trợ kinh phí xây dựng nhà văn hóa.", "forwarded", ""),
    ("Nội dung không rõ ràng", "abc", "refused", ""),
    ("Hỏi về phí thẩm định hợp đồng chuyển giao công nghệ", "Phí thẩm định được tính như thế nào?", "answered", "Mức phí thực hiện theo quy định hiện hành của Bộ Tài chính; Sở đã gửi văn bản hướng dẫn chi tiết."),
    ("Đề nghị công khai kết quả nghiệm thu đề tài", "Tôi muốn tìm hiểu kết quả các đề tài đã nghiệm thu.", "published", "Kết quả các nhiệm vụ đã nghiệm thu được công khai tại mục Kết quả thực hiện nhiệm vụ KH&CN trên Cổng thông tin."),
    ("Hỏi về thủ tục hành chính công bố hợp chuẩn", "Doanh nghiệp cần chuẩn bị những gì để công bố hợp chuẩn?", "published", "Doanh nghiệp nộp bản công bố kèm kết quả chứng nhận hoặc tự đánh giá; hồ sơ nộp trực tuyến qua dịch vụ công."),
]  # fmt: skip


def load(stdout=None) -> dict:
    agency = Agency.objects.filter(code="SKHCN").first()
    if agency is None:
        return {"petitions": 0}
    FeedbackSettings.objects.get_or_create(agency=agency)
    handler = (
        User.objects.filter(username="xulypakn").first()
        or User.objects.filter(is_superuser=True).first()
    )
    unit = Unit.objects.filter(agency=agency, code="QLKH").first()
    created = 0
    for index, (subject, content, final, answer) in enumerate(PETITIONS):
        if Petition.objects.filter(agency=agency, subject=subject).exists():
            continue
        petition = services.petition_submit(
            agency=agency,
            sender_name=f"Công dân minh họa {index + 1}",
            sender_phone=f"0912 000 {index + 1:03d}",
            subject=subject,
            content=content,
            consent_to_publish=final == "published" or index % 2 == 0,
        )
        back = timezone.now() - dt.timedelta(days=(len(PETITIONS) - index) * 2)
        Petition.objects.filter(pk=petition.pk).update(received_at=back)
        if final == "refused":
            services.petition_refuse(
                actor=handler,
                petition=petition,
                reason="Nội dung không rõ, không có thông tin liên hệ để làm rõ.",
            )
        elif final == "forwarded":
            services.petition_forward(
                actor=handler, petition=petition, to="Ủy ban nhân dân xã (cơ quan có thẩm quyền)"
            )
        elif final != "received":
            services.petition_accept(actor=handler, petition=petition, unit=unit)
            if final in ("answered", "published"):
                services.petition_answer(actor=handler, petition=petition, answer=answer)
            if final == "published":
                services.petition_publish(actor=handler, petition=petition)
        created += 1
    return {"petitions": created}
