"""The lookup page as a citizen reads it: the status first, then the timeline, then the folded
explanation of the due time; wrong input explained in Vietnamese, never a 500."""

from decimal import Decimal

from django.core.cache import cache

from cchc.dossiers import selectors, services
from cchc.dossiers.models import Status
from cchc.dossiers.tests.helpers import DeskTestCase, at

URL = "/ho-so/tra-cuu/"


def between(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


class LookupPageTests(DeskTestCase):
    def setUp(self):
        cache.clear()
        self.procedure.time = Decimal(7)
        self.procedure.save(update_fields=["time"])
        # Accepted on Friday 13/11/2026: seven working days skip two weekends and 24/11.
        self.dossier, self.secret = self.file_online(at(2026, 11, 13, 8))
        services.dossier_accept(actor=self.desk, dossier=self.dossier, at=at(2026, 11, 13, 9))

    def page(self, **params):
        response = self.client.get(URL, {"code": self.dossier.code, **params})
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_status_panel_comes_before_the_timeline_and_the_folded_explanation(self):
        page = self.page(secret=self.secret)
        order = [
            page.index('id="status-panel"'),
            page.index('id="lookup-status"'),
            page.index('id="lookup-due"'),
            page.index('id="lookup-timeline"'),
            page.index('id="due-explanation"'),
        ]
        self.assertEqual(order, sorted(order))
        panel = between(page, 'id="status-panel"', "</section>")
        self.assertIn("Đã tiếp nhận, đang chờ giải quyết", panel)
        self.assertIn("Việc bạn cần làm", panel)
        self.assertIn("25/11/2026", panel)
        self.assertIn("Nguyễn Văn An", page)

    def test_the_explanation_groups_the_days_skipped_and_the_record_keeps_every_day(self):
        page = self.page()
        folded = between(page, '<details class="due-explanation"', "</details>")
        self.assertIn("<summary>Cách tính hạn</summary>", folded)
        self.assertIn(
            "Bỏ qua 4 ngày cuối tuần: 14-15/11, 21-22/11; Ngày Văn hóa Việt Nam 24/11", folded
        )
        self.assertEqual(folded.count("<li>"), 3)  # start, the days skipped, the due time
        self.assertNotIn("Không tính", page)
        self.dossier.refresh_from_db()
        skipped = [e for e in self.dossier.due_explanation if e["kind"] == "skip"]
        self.assertEqual(len(skipped), 5)

    def test_without_the_secret_the_panel_shows_but_no_timeline_nor_personal_data(self):
        page = self.page()
        self.assertIn('id="status-panel"', page)
        self.assertNotIn('id="lookup-timeline"', page)
        self.assertNotIn("Nguyễn Văn An", page)

    def test_the_timeline_is_oldest_first_with_dates_and_units_never_officers(self):
        with self.captureOnCommitCallbacks(execute=True):
            services.dossier_hand_over(
                actor=self.desk, dossier=self.dossier, at=at(2026, 11, 16, 10, 5)
            )
        self.desk.first_name, self.desk.last_name = "Trần", "Thị Bình"
        self.desk.save(update_fields=["first_name", "last_name"])
        timeline = between(self.page(secret=self.secret), 'id="lookup-timeline"', "</ol>")
        entries = timeline.split("<li>")[1:]
        self.assertEqual(len(entries), 3)
        self.assertIn("13/11/2026 08:00", entries[0])
        self.assertIn("Người nộp hồ sơ", entries[0])
        self.assertIn("13/11/2026 09:00", entries[1])
        self.assertIn("Ban Giám đốc", entries[1])
        self.assertIn("16/11/2026 10:05", entries[2])
        for private in ("Trần", "Bình", "desk"):
            self.assertNotIn(private, timeline)

    def test_a_dossier_awaiting_a_supplement_says_so_and_how_to_send_it(self):
        services.dossier_request_supplement(
            actor=self.desk, dossier=self.dossier, items="Bản sao hợp đồng", at=at(2026, 11, 16)
        )
        page = self.page(secret=self.secret)
        panel = between(page, 'id="status-panel"', "</section>")
        self.assertIn("Cần bổ sung hồ sơ", panel)
        self.assertIn(f'href="/ho-so/{self.dossier.code}/bo-sung/"', panel)
        self.assertIn("Bản sao hợp đồng", panel)
        self.assertIn("tạm dừng", panel)

    def test_a_result_says_whether_it_came_on_time(self):
        self.decide(self.dossier, at(2026, 11, 20, 10))
        panel = between(self.page(), 'id="status-panel"', "</section>")
        self.assertIn("Đã có kết quả, mời nhận kết quả", panel)
        self.assertIn("Có kết quả trước hạn.", panel)

    def test_wrong_codes_and_secrets_are_explained_and_linked_to_their_field(self):
        missing = self.client.get(URL, {"code": "SKHCN-20261113-9999"})
        self.assertContains(missing, "Không tra cứu được hồ sơ")
        self.assertContains(missing, '<a href="#id_code">Không tìm thấy hồ sơ có mã này.</a>')
        wrong = self.client.get(URL, {"code": self.dossier.code, "secret": "WRONG123"})
        self.assertContains(
            wrong, '<a href="#id_secret">Mã tra cứu hoặc số điện thoại không khớp với hồ sơ.</a>'
        )
        self.assertNotContains(wrong, 'id="status-panel"')
        self.assertNotContains(wrong, "Nguyễn Văn An")
        for params in ({"code": ""}, {"code": "x" * 500}, {"code": "SKHCN\x00-1"}):
            response = self.client.get(URL, params)
            self.assertEqual(response.status_code, 200, params)
            self.assertContains(response, "Không tra cứu được hồ sơ")
        self.assertContains(self.client.get(URL, {"code": ""}), 'href="#id_code"')


class TimelinessTests(DeskTestCase):
    def setUp(self):
        self.dossier, _secret = self.file_online(at(2026, 11, 13, 8))
        services.dossier_accept(actor=self.desk, dossier=self.dossier, at=at(2026, 11, 13, 9))
        self.dossier.refresh_from_db()

    def test_open_dossiers_are_on_time_until_the_due_moment(self):
        due = self.dossier.due_at
        self.assertEqual(selectors.timeliness(self.dossier, due)[0], "ok")
        kind, text = selectors.timeliness(self.dossier, at(2026, 12, 1))
        self.assertEqual(kind, "late")
        self.assertIn("xin lỗi", text)

    def test_every_status_has_a_plain_headline_and_something_to_do(self):
        for status in Status:
            self.dossier.status = status
            panel = selectors.status_panel(self.dossier, now=at(2026, 11, 14))
            self.assertTrue(panel["headline"] and panel["meaning"] and panel["action"], status)
        self.dossier.status = Status.REFUSED
        self.assertEqual(selectors.timeliness(self.dossier, at(2026, 11, 14)), ("", ""))
