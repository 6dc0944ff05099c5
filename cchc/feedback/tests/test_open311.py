"""Open311 GeoReport v2 over the petitions: a real Open311 client (georeport) against a live
server, and the test client for XML, the filters and the errors."""

import datetime as dt
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

import requests
import time_machine
from django.core.cache import cache
from django.test import LiveServerTestCase, override_settings
from georeport import GeoReport

from cchc.core.models import Unit
from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_agency, make_user
from cchc.feedback import services
from cchc.feedback.models import Petition
from cchc.procedures.models import Procedure

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SENDER = {
    "sender_name": "Hoàng Thị Quyên",
    "sender_phone": "0987001122",
    "sender_email": "quyen.hoang@example.vn",
    "sender_address": "Số 7 phố Hàng Bông, Hoàn Kiếm",
}
MARCH = {"start_date": "2025-03-01T00:00:00+07:00", "end_date": "2025-03-31T23:59:59+07:00"}


def at(y, m, d, hh=9) -> dt.datetime:
    return dt.datetime(y, m, d, hh, tzinfo=VN)


def file_petition(agency, when, *, subject="Hỏi về thời hạn cấp giấy phép", **extra):
    values = {
        **SENDER,
        "subject": subject,
        "content": "Thủ tục ghi 15 ngày nhưng chưa nhận được kết quả.",
        "consent_to_publish": True,
        **extra,
    }
    with time_machine.travel(when, tick=False):
        return services.petition_submit(agency=agency, **values)


def publish(petition, handler, when, answer="Cơ quan đã trả kết quả ngày 20/3."):
    with time_machine.travel(when, tick=False):
        services.petition_accept(actor=handler, petition=petition)
        services.petition_answer(actor=handler, petition=petition, answer=answer)
        services.petition_publish(actor=handler, petition=petition)
    petition.refresh_from_db()
    return petition


def procedure():
    return Procedure.objects.create(
        code="2.002248",
        name="Cấp Giấy chứng nhận đăng ký chuyển giao công nghệ",
        field="Chuyển giao công nghệ",
    )


@override_settings(SITE_AGENCY_CODE="TEST")
class Open311LiveTests(LiveServerTestCase):
    """The georeport client reads what a citizen's app would read; the petition it files goes
    through the same service as the form and, once answered and published, is listed."""

    def setUp(self):
        cache.clear()
        self.agency = make_agency()
        unit = Unit.objects.create(agency=self.agency, code="BGD", name="Ban Giám đốc")
        self.handler = make_user("handler", unit, [Role.PETITION_HANDLER])
        procedure()
        self.client311 = GeoReport(f"{self.live_server_url}/open311/v2")

    def test_the_georeport_client_lists_services_and_published_requests(self):
        published = publish(
            file_petition(self.agency, at(2025, 3, 3)), self.handler, at(2025, 3, 20)
        )
        file_petition(self.agency, at(2025, 3, 4), subject="Chưa trả lời, không được công khai")

        services_ = self.client311.get_service_list()
        self.assertEqual([s["service_code"] for s in services_], ["PAKN", "2.002248"])
        self.assertEqual(services_[1]["group"], "Chuyển giao công nghệ")
        self.assertEqual({s["type"] for s in services_}, {"realtime"})
        self.assertEqual({s["metadata"] for s in services_}, {False})

        found = self.client311.get_service_requests(**MARCH)
        self.assertEqual([r["service_request_id"] for r in found], [published.code])
        self.assertEqual(found[0]["status"], "closed")
        self.assertEqual(found[0]["status_notes"], "Cơ quan đã trả kết quả ngày 20/3.")
        self.assertEqual(found[0]["requested_datetime"], "2025-03-03T09:00:00+07:00")
        self.assertEqual(found[0]["updated_datetime"], "2025-03-20T09:00:00+07:00")
        self.assertEqual(found[0]["agency_responsible"], self.agency.name)
        one = self.client311.get_service_request(published.code)
        self.assertEqual(one["description"].split("\n")[0], "Hỏi về thời hạn cấp giấy phép")

        as_xml = GeoReport(f"{self.live_server_url}/open311/v2", output_format="xml")
        self.assertEqual(as_xml.get_service_list()[0]["service_code"], "PAKN")
        self.assertEqual(as_xml.get_service_request(published.code)["status"], "closed")
        with self.assertRaises(requests.HTTPError) as caught:
            self.client311.get_service_request("PAKN-250304-0002-XXXX")
        self.assertEqual(caught.exception.response.status_code, 404)

    def test_a_request_posted_by_an_open311_client_becomes_a_petition(self):
        # georeport 0.3.1 only reads: the POST goes through the same HTTP library it uses.
        with time_machine.travel(at(2025, 3, 5), tick=False):
            response = requests.post(
                f"{self.live_server_url}/open311/v2/requests.json",
                data={
                    "service_code": "2.002248",
                    "description": "Đề nghị hướng dẫn hồ sơ\nCần bản sao hợp đồng không?",
                    "first_name": "Quyên",
                    "last_name": "Hoàng Thị",
                    "email": "quyen.hoang@example.vn",
                    "consent_to_publish": "true",
                    "api_key": "không cần",
                },
                timeout=10,
            )
        self.assertEqual(response.status_code, 201, response.text)
        code = response.json()[0]["service_request_id"]
        self.assertIn("Hạn trả lời", response.json()[0]["service_notice"])
        petition = Petition.objects.get(code=code)
        self.assertEqual(petition.sender_name, "Hoàng Thị Quyên")
        self.assertEqual(petition.subject, "Đề nghị hướng dẫn hồ sơ")
        self.assertEqual(
            petition.procedure_name, "Cấp Giấy chứng nhận đăng ký chuyển giao công nghệ"
        )
        self.assertEqual(petition.channel, Petition.Channel.API)
        self.assertTrue(petition.consent_to_publish)
        self.assertEqual(self.client311.get_service_requests(**MARCH), [])

        publish(petition, self.handler, at(2025, 3, 10))
        found = self.client311.get_service_requests(service_code="2.002248", **MARCH)
        self.assertEqual([r["service_request_id"] for r in found], [code])


@override_settings(SITE_AGENCY_CODE="TEST")
class Open311Tests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()
        procedure()
        cls.published = publish(
            file_petition(cls.agency, at(2025, 3, 3)), cls.agency_leader, at(2025, 3, 20)
        )
        cls.general = publish(
            file_petition(cls.agency, at(2025, 3, 6), subject="Góp ý giờ làm việc"),
            cls.agency_leader,
            at(2025, 3, 21),
        )
        Petition.objects.filter(pk=cls.published.pk).update(
            procedure_code="2.002248", procedure_name="Cấp Giấy chứng nhận đăng ký chuyển giao"
        )
        cls.hidden = file_petition(cls.agency, at(2025, 3, 7), subject="Chưa công khai")
        cls.elsewhere = publish(
            file_petition(cls.other_agency, at(2025, 3, 8), subject="Của cơ quan khác"),
            cls.outsider_chief,
            at(2025, 3, 22),
        )

    def setUp(self):
        cache.clear()

    def get(self, path, **params):
        return self.client.get(f"/open311/v2/{path}", params)

    def codes(self, response):
        self.assertEqual(response.status_code, 200, response.content)
        return [row["service_request_id"] for row in response.json()]

    def test_requests_list_published_petitions_of_this_agency_only(self):
        self.assertEqual(
            self.codes(self.get("requests.json", **MARCH)),
            [self.general.code, self.published.code],
        )

    def test_no_personal_data_of_the_sender_is_published(self):
        for response in (
            self.get("requests.json", **MARCH),
            self.get("requests.xml", **MARCH),
            self.get(f"requests/{self.published.code}.json"),
        ):
            body = response.content.decode()
            self.assertIn(self.published.code, body)
            for value in SENDER.values():
                self.assertNotIn(value, body)
            self.assertNotIn("Quyên", body)
            self.assertNotIn("sender", body)

    def test_the_filters_of_the_specification(self):
        self.assertEqual(
            self.codes(self.get("requests.json", service_code="2.002248", **MARCH)),
            [self.published.code],
        )
        self.assertEqual(
            self.codes(self.get("requests.json", service_code="PAKN", **MARCH)), [self.general.code]
        )
        self.assertEqual(self.codes(self.get("requests.json", status="open", **MARCH)), [])
        self.assertEqual(len(self.codes(self.get("requests.json", status="closed", **MARCH))), 2)
        narrow = {"start_date": "2025-03-05", "end_date": "2025-03-31"}
        self.assertEqual(self.codes(self.get("requests.json", **narrow)), [self.general.code])
        one_day = {"start_date": "2025-03-06", "end_date": "2025-03-06"}  # the whole day
        self.assertEqual(self.codes(self.get("requests.json", **one_day)), [self.general.code])
        ids = f"{self.published.code},{self.hidden.code},{self.elsewhere.code}"
        self.assertEqual(
            self.codes(self.get("requests.json", service_request_id=ids)), [self.published.code]
        )

    def test_the_default_window_is_the_latest_90_days(self):
        with time_machine.travel(at(2025, 6, 1), tick=False):
            self.assertEqual(len(self.codes(self.get("requests.json"))), 2)
        with time_machine.travel(at(2025, 6, 10), tick=False):
            self.assertEqual(self.codes(self.get("requests.json")), [])

    def test_a_bad_filter_is_a_400_in_the_error_format(self):
        for params, word in (
            ({"status": "pending"}, "status"),
            ({"start_date": "hôm qua"}, "start_date"),
            ({"start_date": "2025-01-01", "end_date": "2025-06-01"}, "90"),
            ({"start_date": "2025-03-10", "end_date": "2025-03-01"}, "end_date"),
            ({"end_date": "0001-01-01"}, "2000-2099"),
        ):
            response = self.get("requests.json", **params)
            self.assertEqual(response.status_code, 400, params)
            errors = response.json()
            self.assertEqual(errors[0]["code"], 400)
            self.assertIn(word, errors[0]["description"])
        response = self.get("requests.xml", status="pending")
        self.assertEqual(response.status_code, 400)
        root = ET.fromstring(response.content)
        self.assertEqual(root.tag, "errors")
        self.assertEqual(root.find("error/code").text, "400")
        self.assertIn("open", root.find("error/description").text)

    def test_unpublished_unknown_or_foreign_requests_are_404(self):
        self.assertEqual(self.get(f"requests/{self.published.code}.json").status_code, 200)
        for code in (self.hidden.code, self.elsewhere.code, "PAKN-000000-0000-ABCD"):
            for fmt in ("json", "xml"):
                response = self.get(f"requests/{code}.{fmt}")
                self.assertEqual(response.status_code, 404, (code, fmt))
                self.assertNotIn(b"Ch\xc6\xb0a c\xc3\xb4ng khai", response.content)
            self.assertEqual(response.headers["Content-Type"], "text/xml; charset=utf-8")
            self.assertEqual(ET.fromstring(response.content).find("error/code").text, "404")
        response = self.get(f"requests/{self.hidden.code}.json")
        self.assertEqual(response.json()[0]["code"], 404)

    def test_xml_has_the_roots_of_the_specification(self):
        services_ = ET.fromstring(self.get("services.xml").content)
        self.assertEqual(services_.tag, "services")
        self.assertEqual(
            [s.find("service_code").text for s in services_.findall("service")],
            ["PAKN", "2.002248"],
        )
        self.assertEqual(services_.find("service/metadata").text, "false")
        listed = ET.fromstring(self.get("requests.xml", **MARCH).content)
        self.assertEqual(listed.tag, "service_requests")
        self.assertEqual(
            [r.find("service_request_id").text for r in listed.findall("request")],
            [self.general.code, self.published.code],
        )
        self.assertEqual(listed.find("request/status").text, "closed")

    def test_the_lists_take_a_fixed_number_of_queries(self):
        for when in (at(2025, 3, 10), at(2025, 3, 11)):
            publish(file_petition(self.agency, when), self.agency_leader, at(2025, 3, 25))
        site_agency = 1  # then cached
        with self.assertNumQueries(site_agency + 1):
            self.assertEqual(len(self.codes(self.get("requests.json", **MARCH))), 4)
        with self.assertNumQueries(1):
            self.assertEqual(self.get("services.json").status_code, 200)

    def test_another_jurisdiction_is_unknown(self):
        response = self.get("services.json", jurisdiction_id="OTHER")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()[0]["code"], 404)
        self.assertEqual(self.get("services.json", jurisdiction_id="TEST").status_code, 200)


@override_settings(SITE_AGENCY_CODE="TEST")
class Open311PostTests(PersonaTestCase):
    GOOD = {
        "service_code": "PAKN",
        "description": "Đề nghị niêm yết giờ tiếp công dân",
        "first_name": "Bình",
        "last_name": "Trần",
        "phone": "0912000111",
    }

    def setUp(self):
        cache.clear()

    def post(self, fmt="json", **changes):
        data = {k: v for k, v in {**self.GOOD, **changes}.items() if v is not None}
        return self.client.post(f"/open311/v2/requests.{fmt}", data)

    def test_a_good_request_files_a_petition_like_the_form(self):
        with time_machine.travel(at(2025, 3, 3), tick=False):
            response = self.post()
        self.assertEqual(response.status_code, 201, response.content)
        petition = Petition.objects.get()
        self.assertEqual(response.json()[0]["service_request_id"], petition.code)
        self.assertEqual(petition.sender_name, "Trần Bình")
        self.assertEqual(petition.procedure_code, "")
        self.assertFalse(petition.consent_to_publish)
        self.assertEqual(petition.status, Petition.Status.RECEIVED)

    def test_the_answer_comes_in_xml_when_asked(self):
        response = self.post("xml")
        self.assertEqual(response.status_code, 201)
        root = ET.fromstring(response.content)
        self.assertEqual(root.tag, "service_requests")
        self.assertEqual(root.find("request/service_request_id").text, Petition.objects.get().code)

    def test_invalid_requests_are_400_with_vietnamese_descriptions_and_store_nothing(self):
        for changes, word in (
            ({"service_code": None}, "service_code: bắt buộc"),
            ({"service_code": "9.999999"}, "không có trong services.json"),
            ({"description": ""}, "description"),
            ({"first_name": "", "last_name": ""}, "first_name"),
            ({"phone": ""}, "điện thoại hoặc thư điện tử"),
            ({"email": "khong-phai-email"}, "email"),
            ({"description": "x" * 5001}, "description"),
            ({"media_url": "http://example.com/a.jpg"}, "media_url"),
            ({"consent_to_publish": "có"}, "consent_to_publish"),
        ):
            cache.clear()  # every attempt counts against the limit, as on the form
            response = self.post(**changes)
            self.assertEqual(response.status_code, 400, changes)
            descriptions = " | ".join(e["description"] for e in response.json())
            self.assertIn(word, descriptions, changes)
            self.assertEqual({e["code"] for e in response.json()}, {400})
        self.assertFalse(Petition.objects.exists())

    def test_the_rate_limit_of_the_form_applies(self):
        for _ in range(5):
            self.assertEqual(self.post().status_code, 201)
        response = self.post()
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response.json()[0]["code"], 429)
        self.assertEqual(Petition.objects.count(), 5)

    def test_another_jurisdiction_in_the_body_is_refused(self):
        response = self.post(jurisdiction_id="OTHER")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()[0]["code"], 404)
        self.assertFalse(Petition.objects.exists())

    def test_json_bodies_are_accepted_too(self):
        response = self.client.post(
            "/open311/v2/requests.json", self.GOOD, content_type="application/json"
        )
        self.assertEqual(response.status_code, 201)
        response = self.client.post(
            "/open311/v2/requests.json", "[1, 2", content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Petition.objects.count(), 1)

    def test_hostile_input_is_refused_or_kept_verbatim_never_a_500(self):
        from cchc.core.tests.badinput import HUGE_TEXT, NUL_TEXT, SCRIPT

        for changes in ({"first_name": NUL_TEXT}, {"description": HUGE_TEXT}):
            cache.clear()
            response = self.post(**changes)
            self.assertEqual(response.status_code, 400)
            self.assertEqual(response.json()[0]["code"], 400)
        for body, kind in (
            (
                b"service_code=%FF%FE&description=\xff\xfe&phone=%00",
                "application/x-www-form-urlencoded",
            ),
            (b'{"service_code": "\xff\xfe", "description": "\xc3"}', "application/json"),
            (b'{"service_code": ["PAKN"], "description": {"a": 1}}', "application/json"),
        ):
            cache.clear()
            response = self.client.post("/open311/v2/requests.json", body, content_type=kind)
            self.assertEqual(response.status_code, 400, body)
        self.assertFalse(Petition.objects.exists())
        cache.clear()
        response = self.post("xml", description=SCRIPT)
        self.assertEqual(response.status_code, 201)
        self.assertEqual(Petition.objects.get().content, SCRIPT)
        self.assertNotIn(b"<script>", response.content)
