"""Demo content for the portal, written for this demo (not copied from any real site)."""

import datetime as dt

from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify

from cchc.core.models import Agency
from cchc.core.text import normalise
from cchc.core.workcalendar import add_working_days
from cchc.portal.models import (
    Article,
    Category,
    Page,
    ReceptionSession,
    ScienceTask,
    SiteLink,
    Tag,
)
from cchc.portal.search import search_text

CATEGORIES = [
    ("tin-hoat-dong", "Tin hoạt động"),
    ("cai-cach-hanh-chinh", "Cải cách hành chính"),
    ("khoa-hoc-cong-nghe", "Khoa học và công nghệ"),
    ("tieu-chuan-do-luong", "Tiêu chuẩn - Đo lường - Chất lượng"),
    ("thong-bao", "Thông báo"),
]
TAGS = ["Chuyển đổi số", "Dịch vụ công", "Đổi mới sáng tạo", "Nông nghiệp", "ISO", "Khởi nghiệp"]

# (category slug, title, summary, tags, featured)
ARTICLES = [
    ("cai-cach-hanh-chinh", "Sở triển khai kế hoạch CCHC năm 2026", "Kế hoạch tập trung vào số hóa hồ sơ, rút ngắn thời gian giải quyết TTHC và nâng chỉ số hài lòng.", ["Dịch vụ công"], True),
    ("cai-cach-hanh-chinh", "Rà soát, đơn giản hóa thủ tục hành chính lĩnh vực sở hữu trí tuệ", "Ba thủ tục được đề xuất cắt giảm thành phần hồ sơ giấy.", ["Dịch vụ công"], False),
    ("cai-cach-hanh-chinh", "Bộ phận một cửa tiếp nhận hồ sơ trực tuyến toàn trình", "Người dân có thể nộp hồ sơ, nộp phí và nhận kết quả mà không cần đến trụ sở.", ["Dịch vụ công", "Chuyển đổi số"], True),
    ("cai-cach-hanh-chinh", "Kết quả tự chấm điểm Chỉ số CCHC năm trước", "Sở đạt điểm cao ở lĩnh vực cải cách TTHC, còn hạn chế ở số hóa kết quả.", [], False),
    ("cai-cach-hanh-chinh", "Hướng dẫn tra cứu tình trạng hồ sơ bằng mã hồ sơ", "Mỗi hồ sơ có một mã riêng in trên giấy tiếp nhận; nhập mã để xem tiến độ.", ["Dịch vụ công"], False),
    ("cai-cach-hanh-chinh", "Khảo sát sự hài lòng của người dân quý III", "Phiếu khảo sát được gửi kèm kết quả giải quyết hồ sơ.", [], False),
    ("tin-hoat-dong", "Hội nghị sơ kết công tác khoa học và công nghệ 6 tháng", "Hội nghị đánh giá tiến độ các nhiệm vụ và thống nhất giải pháp cho 6 tháng cuối năm.", ["Đổi mới sáng tạo"], False),
    ("tin-hoat-dong", "Đoàn công tác làm việc với các doanh nghiệp khởi nghiệp", "Doanh nghiệp đề xuất hỗ trợ về sở hữu trí tuệ và thử nghiệm sản phẩm.", ["Khởi nghiệp", "Đổi mới sáng tạo"], True),
    ("tin-hoat-dong", "Tập huấn chuyển đổi số cho cán bộ, công chức", "Lớp tập huấn về ký số, lưu trữ điện tử và an toàn thông tin.", ["Chuyển đổi số"], False),
    ("tin-hoat-dong", "Ký kết chương trình hợp tác với trường đại học", "Hai bên hợp tác đào tạo, chuyển giao kết quả nghiên cứu cho địa phương.", ["Đổi mới sáng tạo"], False),
    ("tin-hoat-dong", "Kiểm tra việc thực hiện quy chế dân chủ tại cơ quan", "Đoàn kiểm tra ghi nhận việc công khai tài chính, tổ chức hội nghị cán bộ.", [], False),
    ("tin-hoat-dong", "Phát động phong trào thi đua năm 2026", "Phong trào gắn với nhiệm vụ chuyển đổi số và cải cách hành chính.", ["Chuyển đổi số"], False),
    ("khoa-hoc-cong-nghe", "Nghiệm thu đề tài nhân giống cây dược liệu bản địa", "Đề tài tạo được quy trình nhân giống và mô hình trồng thử nghiệm 2 ha.", ["Nông nghiệp"], False),
    ("khoa-hoc-cong-nghe", "Ứng dụng cảm biến theo dõi độ ẩm đất cho vùng chè", "Hệ thống cảm biến giúp giảm 20% lượng nước tưới trong mùa khô.", ["Nông nghiệp", "Chuyển đổi số"], True),
    ("khoa-hoc-cong-nghe", "Thông báo tuyển chọn tổ chức chủ trì nhiệm vụ cấp tỉnh", "Hồ sơ đăng ký nộp trực tuyến trước ngày hết hạn ghi trong thông báo.", [], False),
    ("khoa-hoc-cong-nghe", "Chợ công nghệ và thiết bị khu vực miền núi phía Bắc", "Hơn 100 công nghệ được giới thiệu, tập trung chế biến nông sản.", ["Đổi mới sáng tạo", "Nông nghiệp"], False),
    ("khoa-hoc-cong-nghe", "Hỗ trợ doanh nghiệp đăng ký bảo hộ nhãn hiệu", "Chương trình hỗ trợ một phần chi phí đăng ký nhãn hiệu cho sản phẩm OCOP.", ["Khởi nghiệp"], False),
    ("khoa-hoc-cong-nghe", "Mô hình ứng dụng công nghệ sinh học trong sản xuất phân bón", "Phân bón vi sinh từ phụ phẩm nông nghiệp được thử nghiệm tại ba xã.", ["Nông nghiệp"], False),
    ("tieu-chuan-do-luong", "Kiểm định phương tiện đo tại các chợ đầu mối", "Cân đối chứng được đặt tại chợ để người mua tự kiểm tra.", [], False),
    ("tieu-chuan-do-luong", "Duy trì hệ thống quản lý chất lượng theo TCVN ISO 9001:2015", "Cơ quan đánh giá nội bộ và cập nhật quy trình giải quyết TTHC.", ["ISO"], False),
    ("tieu-chuan-do-luong", "Kiểm tra chất lượng xăng dầu trên địa bàn tỉnh", "Đoàn kiểm tra lấy mẫu tại 30 cửa hàng, chưa phát hiện vi phạm về chất lượng.", [], False),
    ("tieu-chuan-do-luong", "Hướng dẫn công bố hợp chuẩn, hợp quy sản phẩm", "Doanh nghiệp nộp hồ sơ công bố qua dịch vụ công trực tuyến.", ["Dịch vụ công"], False),
    ("thong-bao", "Lịch tiếp công dân định kỳ của Giám đốc Sở", "Giám đốc Sở tiếp công dân vào ngày thứ Năm tuần thứ hai hằng tháng.", [], False),
    ("thong-bao", "Thông báo nghỉ lễ và bố trí trực tiếp nhận hồ sơ", "Bộ phận một cửa bố trí cán bộ trực để tiếp nhận hồ sơ trực tuyến.", [], False),
    ("thong-bao", "Công khai kết quả giải quyết phản ánh, kiến nghị", "Các câu trả lời được đăng tại chuyên trang PAKN khi người gửi đồng ý công khai.", ["Dịch vụ công"], False),
    ("thong-bao", "Tuyển chọn sáng kiến cải cách hành chính", "Cán bộ, công chức gửi sáng kiến về Văn phòng Sở.", [], False),
    ("thong-bao", "Lấy ý kiến dự thảo quy chế quản lý nhiệm vụ khoa học", "Góp ý gửi qua thư điện tử hoặc trực tiếp tại Phòng Quản lý khoa học.", ["Đổi mới sáng tạo"], False),
]  # fmt: skip

TASKS = [
    ("DT.01-2025", "Nghiên cứu chọn tạo giống chè chất lượng cao cho vùng đồi", "province", "Trung tâm Ứng dụng tiến bộ KH&CN", "ThS. Nguyễn Thị Hoa", 2025, 2027, 1_850_000_000, "in_progress", ""),
    ("DT.02-2025", "Ứng dụng trí tuệ nhân tạo hỗ trợ tra cứu thủ tục hành chính", "province", "Văn phòng Sở", "KS. Trần Văn Minh", 2025, 2026, 950_000_000, "in_progress", ""),
    ("DT.03-2024", "Xây dựng bản đồ số vùng trồng cây ăn quả", "province", "Viện Quy hoạch nông nghiệp (minh họa)", "TS. Lê Quang Vinh", 2024, 2026, 2_300_000_000, "in_progress", ""),
    ("DT.04-2024", "Mô hình nuôi cá lồng ứng dụng cảm biến môi trường", "grassroots", "Hợp tác xã thủy sản (minh họa)", "KS. Phạm Văn Sơn", 2024, 2025, 480_000_000, "in_progress", ""),
    ("DT.05-2022", "Quy trình nhân giống cây dược liệu bản địa", "province", "Trung tâm Ứng dụng tiến bộ KH&CN", "TS. Hoàng Thị Lan", 2022, 2024, 1_200_000_000, "accepted", "Xây dựng được quy trình nhân giống bằng giâm hom đạt tỉ lệ sống 85%."),
    ("DT.06-2021", "Sản xuất phân bón vi sinh từ phụ phẩm nông nghiệp", "ministry", "Viện Công nghệ sinh học (minh họa)", "PGS.TS. Đỗ Minh Tuấn", 2021, 2023, 3_100_000_000, "registered", "Chế phẩm vi sinh được đăng ký kết quả và chuyển giao cho hai doanh nghiệp."),
    ("DT.07-2021", "Đánh giá tài nguyên nước ngầm phục vụ sinh hoạt", "national", "Liên hiệp các hội KH&KT (minh họa)", "TS. Vũ Văn Thành", 2021, 2023, 4_500_000_000, "accepted", "Bộ dữ liệu và bản đồ phân vùng chất lượng nước ngầm tỷ lệ 1:50.000."),
    ("DT.08-2020", "Giải pháp số hóa hồ sơ lưu trữ của cơ quan hành chính", "province", "Văn phòng Sở", "ThS. Bùi Thị Thu", 2020, 2022, 760_000_000, "registered", "Phần mềm số hóa và quy trình chuẩn hóa dữ liệu hồ sơ lưu trữ."),
]  # fmt: skip

PAGES = [
    ("gioi-thieu", "Giới thiệu", "<p>Sở Khoa học và Công nghệ là cơ quan chuyên môn tham mưu, giúp Ủy ban nhân dân tỉnh quản lý nhà nước về khoa học, công nghệ và đổi mới sáng tạo (nội dung minh họa).</p>", True),
    ("lien-he", "Liên hệ", "<p>Bộ phận một cửa làm việc buổi sáng 7h30-11h30, buổi chiều 13h00-17h00 các ngày làm việc (nội dung minh họa).</p>", False),
]  # fmt: skip

LINKS = [
    ("Cổng Dịch vụ công quốc gia", "https://dichvucong.gov.vn/", 1),
    ("Bộ Khoa học và Công nghệ", "https://most.gov.vn/", 2),
    ("Cơ sở dữ liệu quốc gia về văn bản pháp luật", "https://vbpl.vn/", 3),
]


def _body(tag_names: list[str], title: str) -> str:
    topic = f" (chủ đề: {', '.join(tag_names)})" if tag_names else ""
    return (
        f"<p>Theo đơn vị chủ trì, nội dung “{title}” được triển khai theo kế hoạch của Sở{topic}, "
        "có phân công rõ đơn vị và thời hạn thực hiện.</p>"
        "<h2>Các bước tiếp theo</h2><ul><li>Tổng hợp kết quả, báo cáo lãnh đạo Sở.</li>"
        "<li>Công khai thông tin trên Cổng thông tin điện tử.</li></ul>"
        "<p><em>Bài viết minh họa cho bản chạy thử CCHC.</em></p>"
    )


def load(stdout=None) -> dict:
    agency = Agency.objects.filter(code="SKHCN").first()
    cats = {}
    for order, (slug, name) in enumerate(CATEGORIES):
        cats[slug], _ = Category.objects.update_or_create(
            slug=slug, defaults={"name": name, "order": order}
        )
    tags = {}
    for name in TAGS:
        tags[name], _ = Tag.objects.get_or_create(
            slug=slugify(normalise(name)), defaults={"name": name}
        )
    now = timezone.now()
    for index, (cat, title, summary, tag_names, featured) in enumerate(ARTICLES):
        body = _body(tag_names, title)
        article, _ = Article.objects.update_or_create(
            slug=slugify(normalise(title))[:300],
            defaults={
                "title": title,
                "summary": summary,
                "body": body,
                "category": cats[cat],
                "status": Article.Status.PUBLISHED,
                "published_at": now - dt.timedelta(days=index * 3 + 1, hours=index),
                "featured": featured,
                "author_name": "Văn phòng Sở",
                "search_title": search_text(title)[:300],
                "search_body": search_text(summary, strip_tags(body)),
            },
        )
        article.tags.set([tags[t] for t in tag_names])
    # One scheduled article (appears by itself tomorrow) and one waiting for approval.
    for slug, title, status, when in (
        ("ban-tin-cchc-so-sap-toi", "Bản tin CCHC số sắp tới", Article.Status.SCHEDULED, now + dt.timedelta(days=1)),
        ("du-thao-tin-cho-duyet", "Dự thảo tin chờ lãnh đạo duyệt", Article.Status.IN_REVIEW, None),
    ):  # fmt: skip
        Article.objects.update_or_create(
            slug=slug,
            defaults={
                "title": title,
                "summary": "Bài viết minh họa trạng thái biên tập.",
                "body": "<p>Nội dung minh họa.</p>",
                "category": cats["thong-bao"],
                "status": status,
                "published_at": when,
                "search_title": search_text(title)[:300],
            },
        )
    for code, name, level, org, pi, start, end, budget, status, result in TASKS:
        task = ScienceTask.objects.filter(code=code).first() or ScienceTask(code=code)
        task.name, task.level, task.lead_organisation = name, level, org
        task.principal_investigator, task.budget, task.status = pi, budget, status
        task.start_date, task.end_date = dt.date(start, 1, 1), dt.date(end, 12, 31)
        task.result_summary = result
        task.save()
    for slug, title, body, tree in PAGES:
        Page.objects.update_or_create(
            slug=slug, defaults={"title": title, "body": body, "show_unit_tree": tree}
        )
    for title, url, order in LINKS:
        SiteLink.objects.update_or_create(title=title, defaults={"url": url, "order": order})
    sessions = 0
    if agency is not None:
        today = timezone.localdate()
        monday = today - dt.timedelta(days=today.weekday())
        first = add_working_days(now, 5).due.date()
        plan = [
            (monday + dt.timedelta(days=3), "morning", "Giám đốc Sở"),
            (monday + dt.timedelta(days=1), "afternoon", "Phó Giám đốc Sở phụ trách CCHC"),
            (max(first, monday + dt.timedelta(days=10)), "morning", "Giám đốc Sở"),
            (monday + dt.timedelta(days=17), "morning", "Phó Giám đốc Sở"),
            (monday + dt.timedelta(days=24), "afternoon", "Giám đốc Sở"),
        ]
        for date, session, leader in plan:
            ReceptionSession.objects.update_or_create(
                agency=agency,
                date=date,
                session=session,
                leader=leader,
                defaults={
                    "place": "Phòng tiếp công dân, trụ sở Sở",
                    "content": "Tiếp công dân định kỳ; tiếp nhận phản ánh về thủ tục hành chính.",
                },
            )
            sessions += 1
    return {"articles": len(ARTICLES) + 2, "tasks": len(TASKS), "schedule": sessions}
