"""The staff queue's report filters (received_from/received_to, group): each lists exactly the
petitions selectors.summary counts for the same period; the page says the filter in words with
its count; bad values are Vietnamese messages; another agency's handlers see none of them."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.feedback import selectors, services
from cchc.feedback.models import Petition

URL = "/pakn/xu-ly/"
PERIOD = {"received_from": "2026-01-01", "received_to": "2026-02-28"}
VN = ZoneInfo("Asia/Ho_Chi_Minh")
S = Petition.Status


def at(y, m, d, hh=9):
    return dt.datetime(y, m, d, hh, tzinfo=VN)


@time_machine.travel(at(2026, 3, 9), tick=False)
class ReportFilterTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()
        cls.handler = make_user("handler", cls.leadership, [Role.PETITION_HANDLER])

        def submit(when, agency=None, **state):
            with time_machine.travel(when, tick=False):
                petition = services.petition_submit(
                    agency=agency or cls.agency,
                    sender_name="Trần Thị Bình",
                    sender_email="binh@example.vn",
                    subject="Đề nghị",
                    content="Nội dung",
                )
            Petition.objects.filter(pk=petition.pk).update(**state)
            return petition

        submit(
            at(2026, 1, 5), status=S.ANSWERED, due_at=at(2026, 1, 20), answered_at=at(2026, 1, 15)
        )
        submit(
            at(2026, 1, 6), status=S.ANSWERED, due_at=at(2026, 1, 20), answered_at=at(2026, 2, 2)
        )
        submit(at(2026, 1, 7), status=S.REFUSED, refusal_reason="Không thuộc thẩm quyền")
        submit(at(2026, 1, 8), status=S.FORWARDED)
        submit(at(2026, 1, 9), status=S.RECEIVED, due_at=at(2026, 2, 1))  # overdue now
        submit(at(2026, 2, 9), status=S.ACCEPTED, due_at=at(2026, 4, 1))
        submit(at(2026, 3, 2), status=S.RECEIVED, due_at=at(2026, 4, 1))  # after the period
        submit(at(2026, 1, 9), agency=cls.other_agency)  # fmt: skip

    def listed(self, **params):
        response = self.client.get(URL, {**PERIOD, **params})
        self.assertEqual(response.status_code, 200, params)
        return response, {p.code for p in response.context["page"].object_list}

    def test_each_group_lists_exactly_what_the_summary_counts(self):
        figures = selectors.summary(self.agency, dt.date(2026, 1, 1), dt.date(2026, 2, 28))
        keys = ["received", "answered", "in_process", "refused", "forwarded", "overdue"]
        self.assertEqual([figures[k] for k in keys], [6, 2, 2, 1, 1, 1])
        self.assertEqual(figures["on_time_rate"], 0.5)
        self.client.force_login(self.handler)
        for key in keys:
            response, codes = self.listed(group="" if key == "received" else key)
            self.assertEqual(len(codes), figures[key], key)
            self.assertEqual(response.context["page"].paginator.count, figures[key], key)
        _response, on_time = self.listed(group="answered_on_time")
        self.assertEqual(len(on_time), 1)

    def test_the_page_says_the_filter_in_words_with_its_count(self):
        self.client.force_login(self.handler)
        response, _codes = self.listed(group="answered")
        self.assertContains(
            response,
            "<strong>PAKN tiếp nhận từ 01/01/2026 đến 28/02/2026, đã trả lời</strong>: 2 PAKN.",
        )
        self.assertContains(response, '<input type="hidden" name="group" value="answered">')

    def test_another_agencys_handler_sees_none_of_them(self):
        ours = set(Petition.objects.filter(agency=self.agency).values_list("code", flat=True))
        self.login_as("outsider_chief")
        for group in ["", "answered", "in_process", "refused", "forwarded", "overdue"]:
            _response, codes = self.listed(group=group)
            self.assertEqual(codes & ours, set(), group)

    def test_bad_values_are_a_400_with_a_vietnamese_message(self):
        self.client.force_login(self.handler)
        for params, message in (
            ({"received_from": "2026-02-30"}, "Từ ngày không đúng định dạng"),
            ({"received_to": "hôm nay"}, "Đến ngày không đúng định dạng"),
            (
                {"received_from": "2026-03-01", "received_to": "2026-01-01"},
                "Đến ngày không được trước từ ngày",
            ),
            ({"group": "late"}, "Kết quả xử lý không hợp lệ"),
        ):
            response = self.client.get(URL, params)
            self.assertContains(response, message, status_code=400, msg_prefix=str(params))
