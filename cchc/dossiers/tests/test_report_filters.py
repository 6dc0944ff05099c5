"""The queue's report filters (received_from/received_to, outcome, channel, full_online,
digitised): each lists exactly the dossiers statistics.summary counts for the same period,
whatever their status; the page says the filter in words; bad values are Vietnamese messages."""

import datetime as dt
import itertools

import time_machine

from cchc.dossiers import statistics
from cchc.dossiers.models import Channel, Dossier, Status
from cchc.dossiers.tests.helpers import DeskTestCase, at

API = "/api/v1/dossiers/queue"
PAGE = "/ho-so/"
PERIOD = "received_from=2026-01-01&received_to=2026-02-28"
_numbers = itertools.count(1)

# figure key of statistics.summary -> the queue filters that list what it counts
FILTERS = {
    "received": "",
    "carried_over": "outcome=carried_over",
    "processed_early": "outcome=early",
    "processed_on_time": "outcome=on_time",
    "processed_late": "outcome=late",
    "in_process_on_time": "outcome=in_process_on_time",
    "in_process_overdue": "outcome=in_process_overdue",
    "online": "channel=online",
    "full_online": "full_online=1",
    "digitised": "digitised=1",
}


@time_machine.travel(at(2026, 3, 4, 10), tick=False)
class ReportFilterTests(DeskTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()

        def make(received, status=Status.PROCESSING, *, agency=None, **extra):
            return Dossier.objects.create(
                code=f"R-{next(_numbers):04d}",
                agency=agency or cls.agency,
                procedure=cls.procedure,
                channel=extra.pop("channel", Channel.IN_PERSON),
                status=status,
                applicant_name="Nguyễn Văn An",
                submitted_at=received,
                received_at=received,
                **extra,
            )

        # Received in the period: decided early, on time, late; in process within and past
        # time; refused (counted as received only); online, fully online, digitised.
        make(at(2026, 1, 5), Status.RETURNED, decided_at=at(2026, 1, 9), outcome="early")
        make(at(2026, 1, 6), Status.DECIDED, decided_at=at(2026, 1, 20), outcome="on_time")
        make(at(2026, 1, 7), Status.RETURNED, decided_at=at(2026, 2, 20), outcome="late")
        make(at(2026, 2, 2), due_at=at(2026, 3, 20), channel=Channel.ONLINE, full_online=True)
        make(at(2026, 2, 3), due_at=at(2026, 2, 10), channel=Channel.ONLINE, digitised=True)
        make(at(2026, 2, 4), Status.REFUSED, closed_at=at(2026, 2, 4))
        # Decided after the period: in process at its end (within time at the end of February).
        make(at(2026, 2, 26), Status.DECIDED, decided_at=at(2026, 3, 2), due_at=at(2026, 3, 3),
             outcome="on_time")  # fmt: skip
        # Carried over from 2025 and decided in the period; one closed in 2025 is not.
        make(at(2025, 12, 20), Status.RETURNED, decided_at=at(2026, 1, 3), outcome="late")
        make(
            at(2025, 12, 1), Status.RETURNED, decided_at=at(2025, 12, 5), closed_at=at(2025, 12, 6)
        )
        # Received after the period, and another agency's.
        make(at(2026, 3, 2))
        make(at(2026, 1, 8), agency=cls.other_agency)

    def codes(self, query):
        page = self.client.get(f"{PAGE}?{query}")
        self.assertEqual(page.status_code, 200, (query, page.content[:500]))
        api = self.client.get(f"{API}?{query}")
        self.assertEqual(api.status_code, 200, (query, api.content[:500]))
        shown = {d.code for d in page.context["page"].object_list}
        self.assertEqual(shown, {d["code"] for d in api.json()["results"]}, query)
        self.assertEqual(page.context["page"].paginator.count, len(shown))
        return shown

    def test_each_filter_lists_exactly_what_the_statistics_count(self):
        figures = statistics.summary(self.agency, dt.date(2026, 1, 1), dt.date(2026, 2, 28))
        self.assertEqual(
            [figures[k] for k in FILTERS],
            [7, 1, 1, 1, 2, 2, 1, 2, 1, 1],  # the set-up above, so no filter is vacuous
        )
        self.login_as("agency_leader")
        for key, criterion in FILTERS.items():
            query = f"{PERIOD}&{criterion}" if criterion else PERIOD
            self.assertEqual(len(self.codes(query)), figures[key], key)
        # The refused dossier is listed among those received (the plain queue leaves it out).
        refused = Dossier.objects.get(status=Status.REFUSED).code
        self.assertIn(refused, self.codes(PERIOD))
        self.assertNotIn(refused, self.codes(""))

    def test_the_page_says_the_filter_in_words_with_its_count(self):
        self.login_as("agency_leader")
        response = self.client.get(f"{PAGE}?{PERIOD}&outcome=late")
        self.assertContains(
            response,
            "<strong>Hồ sơ của kỳ từ 01/01/2026 đến 28/02/2026, giải quyết quá hạn</strong>",
        )
        self.assertContains(response, ": 2 hồ sơ.")
        response = self.client.get(f"{PAGE}?{PERIOD}&channel=online")
        self.assertContains(
            response, "Hồ sơ tiếp nhận từ 01/01/2026 đến 28/02/2026, nộp trực tuyến"
        )
        # The facet form keeps the report filters.
        self.assertContains(response, '<input type="hidden" name="channel" value="online">')

    def test_another_agencys_manager_sees_none_of_them(self):
        ours = set(Dossier.objects.filter(agency=self.agency).values_list("code", flat=True))
        self.login_as("outsider_chief")
        for criterion in FILTERS.values():
            query = f"{PERIOD}&{criterion}" if criterion else PERIOD
            self.assertEqual(self.codes(query) & ours, set(), query)
        self.assertEqual(len(self.codes(PERIOD)), 1)  # only its own agency's dossier

    def test_bad_values_are_vietnamese_messages_on_the_page_and_in_the_api(self):
        self.login_as("agency_leader")
        cases = {
            "received_from=2026-13-01": ("received_from", "Từ ngày không đúng định dạng"),
            "received_to=hôm-nay": ("received_to", "Đến ngày không đúng định dạng"),
            "received_from=2026-03-01&received_to=2026-01-01": (
                "received_to",
                "Đến ngày không được trước từ ngày",
            ),
            "received_from=1999-12-31": ("received_from", "trong các năm 2000-2099"),
            f"{PERIOD}&outcome=soon": ("outcome", "Kết quả giải quyết không hợp lệ"),
            "outcome=late": ("outcome", "Chọn kỳ (từ ngày, đến ngày)"),
            f"{PERIOD}&channel=paper": ("channel", "Kênh nộp không hợp lệ"),
            f"{PERIOD}&digitised=2": ("digitised", "số hóa phải là 1"),
            f"{PERIOD}&full_online=yes": ("full_online", "toàn trình phải là 1"),
        }
        for query, (field, message) in cases.items():
            api = self.client.get(f"{API}?{query}")
            self.assertEqual(api.status_code, 400, query)
            errors = api.json()["errors"]
            self.assertEqual(errors[0]["field"], field, query)
            self.assertIn(message, errors[0]["message"], query)
            page = self.client.get(f"{PAGE}?{query}")
            self.assertContains(page, message, status_code=400, msg_prefix=query)
