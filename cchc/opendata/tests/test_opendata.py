"""Open data: the datasets of an agency as CSV and JSON, the page and the data.json catalogue,
counted from the records, with nothing personal in them."""

import csv
import datetime as dt
import io

import time_machine
from django.core.cache import cache
from django.test import override_settings

from cchc.dossiers import services
from cchc.dossiers.tests.helpers import APPLICANT, DeskTestCase, at
from cchc.feedback import services as feedback
from cchc.portal.models import ReceptionSession
from cchc.procedures.models import Procedure

SENDER = {
    "sender_name": "Đinh Thị Mai",
    "sender_phone": "0977665544",
    "sender_email": "mai.dinh@example.vn",
    "sender_address": "12 Lê Lợi, Thành phố Vinh",
}


@override_settings(SITE_AGENCY_CODE="TEST")
class OpenDataTests(DeskTestCase):
    def setUp(self):
        cache.clear()

        def paper(when):
            return services.dossier_receive_paper(
                actor=self.desk, procedure=self.procedure, applicant=APPLICANT, at=when
            )[0]

        carried = paper(at(2025, 12, 29, 9))  # decided late on 08/01
        self.decide(carried, at(2026, 1, 8, 9))
        early = paper(at(2026, 1, 5, 9))
        self.decide(early, at(2026, 1, 7, 9))
        online, _ = self.file_online(at(2026, 1, 12, 8))
        services.dossier_accept(actor=self.desk, dossier=online, at=at(2026, 1, 12, 9))
        paper(at(2026, 1, 20, 9))
        Procedure.objects.update(updated_at=at(2025, 11, 3), fee_text="Không thu phí")
        with time_machine.travel(at(2026, 1, 21), tick=False):
            feedback.petition_submit(
                agency=self.agency, subject="Hỏi về phí", content="Có thu phí không?", **SENDER
            )
        with time_machine.travel(at(2026, 1, 26), tick=False):
            ReceptionSession.objects.create(
                agency=self.agency,
                date=dt.date(2026, 2, 12),
                session="morning",
                leader="Giám đốc Sở",
                place="Phòng tiếp công dân",
            )

    def get(self, path, **params):
        return self.client.get(f"/du-lieu-mo/{path}", params)

    def rows(self, slug, **params):
        response = self.get(f"TEST/{slug}.json", **params)
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()

    def test_dossiers_per_month_procedure_and_channel(self):
        with self.assertNumQueries(4):  # the agency, receptions, decisions, the last change
            body = self.rows("ho-so-theo-thang")
        counts = [
            (r["month"], r["channel"], r["received"], r["decided"], r["on_time"], r["late"])
            for r in body["rows"]
        ]
        self.assertEqual(
            counts,
            [("2025-12", 1, 1, 0, 0, 0), ("2026-01", 1, 2, 2, 1, 1), ("2026-01", 2, 1, 0, 0, 0)],
        )
        self.assertEqual(body["rows"][2]["channel_name"], "Trực tuyến")
        self.assertEqual(body["rows"][0]["procedure_code"], "2.002248")
        self.assertEqual(body["modified"], "2026-01-20")
        self.assertEqual(body["license"], "https://creativecommons.org/licenses/by/4.0/")
        self.assertIn("tháng có kết quả", body["counting_rule"])
        self.assertEqual(body["columns"][0], {"name": "month", "title": "Tháng"})

    def test_csv_is_utf8_with_a_byte_order_mark_and_the_same_rows(self):
        response = self.get("TEST/ho-so-theo-thang.csv")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("TEST-ho-so-theo-thang.csv", response["Content-Disposition"])
        self.assertTrue(response.content.startswith("\ufeff".encode()))
        table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(
            table[0][:6],
            ["month", "procedure_code", "procedure_name", "channel", "channel_name", "received"],
        )
        self.assertEqual(table[2][0], "2026-01")
        self.assertEqual(table[2][3:], ["1", "Trực tiếp", "2", "2", "1", "1"])
        self.assertEqual(len(table), 4)

    def test_the_procedure_catalogue(self):
        body = self.rows("thu-tuc-hanh-chinh")
        self.assertEqual(len(body["rows"]), 1)
        row = body["rows"][0]
        self.assertEqual(row["code"], "2.002248")
        self.assertEqual(row["legal_time"], "5")
        self.assertEqual(row["legal_time_text"], "5 ngày làm việc")
        self.assertEqual(row["fee_text"], "Không thu phí")
        self.assertEqual((row["online_level"], row["online_level_text"]), ("partial", "Một phần"))
        self.assertEqual(body["modified"], "2025-11-03")

    def test_petition_counters_and_reception_schedule(self):
        body = self.rows("pakn")
        self.assertEqual(body["rows"][0]["received"], 1)
        self.assertEqual(body["rows"][0]["in_process"], 1)
        self.assertEqual(body["modified"], "2026-01-21")
        body = self.rows("lich-tiep-cong-dan")
        self.assertEqual(body["rows"][0]["date"], "2026-02-12")
        self.assertEqual(body["rows"][0]["session_name"], "Sáng")
        self.assertEqual(body["modified"], "2026-01-26")

    def test_the_766_figures_of_a_year(self):
        body = self.rows("chi-so-766", nam="2026")
        groups = {r["group"] for r in body["rows"]}
        self.assertEqual(len(groups), 6)
        on_time = next(r for r in body["rows"] if r["group"] == "Tiến độ giải quyết")
        self.assertEqual((on_time["numerator"], on_time["denominator"]), (1, 2))
        self.assertEqual(on_time["rate"], 0.5)
        self.assertTrue(on_time["formula"])
        self.assertEqual({r["year"] for r in body["rows"]}, {2026})
        empty = self.rows("chi-so-766", nam="2024")
        self.assertIsNone(
            next(r for r in empty["rows"] if r["group"] == "Tiến độ giải quyết")["rate"]
        )
        for bad in ("20x6", "1999"):
            response = self.get("TEST/chi-so-766.json", nam=bad)
            self.assertEqual(response.status_code, 400)
            self.assertEqual(response.json()["errors"][0]["field"], "nam")
            self.assertIn("2000-2099", response.json()["errors"][0]["message"])

    def test_another_agency_has_its_own_datasets_and_an_unknown_one_is_404(self):
        body = self.client.get("/du-lieu-mo/OTHER/ho-so-theo-thang.json").json()
        self.assertEqual(body["rows"], [])
        self.assertIsNone(body["modified"])
        self.assertEqual(body["publisher"]["code"], "OTHER")
        for path in ("NOPE/ho-so-theo-thang.json", "NOPE/", "NOPE/data.json", "TEST/khac.csv"):
            self.assertEqual(self.get(path).status_code, 404, path)

    def test_the_catalogue_is_dcat_with_absolute_download_links(self):
        with self.assertNumQueries(6):  # the agency, then one "last changed" per dataset
            catalogue = self.get("data.json").json()
        self.assertEqual(catalogue["conformsTo"], "https://project-open-data.cio.gov/v1.1/schema")
        self.assertEqual(len(catalogue["dataset"]), 5)
        monthly = next(d for d in catalogue["dataset"] if "theo tháng" in d["title"])
        self.assertEqual(monthly["modified"], "2026-01-20")
        self.assertEqual(monthly["accessLevel"], "public")
        self.assertEqual(monthly["publisher"]["name"], self.agency.name)
        self.assertEqual(monthly["contactPoint"]["fn"], self.agency.name)
        self.assertEqual(
            monthly["identifier"], "http://testserver/du-lieu-mo/TEST/ho-so-theo-thang.json"
        )
        self.assertEqual(
            [(d["downloadURL"], d["mediaType"]) for d in monthly["distribution"]],
            [
                ("http://testserver/du-lieu-mo/TEST/ho-so-theo-thang.csv", "text/csv"),
                ("http://testserver/du-lieu-mo/TEST/ho-so-theo-thang.json", "application/json"),
            ],
        )
        for entry in catalogue["dataset"]:
            for key in ("title", "description", "keyword", "modified", "identifier", "license"):
                self.assertTrue(entry[key], (entry["title"], key))
            download = entry["distribution"][0]["downloadURL"].removeprefix("http://testserver")
            self.assertEqual(self.client.get(download).status_code, 200, download)
        self.assertEqual(
            self.get("OTHER/data.json").json()["dataset"][0]["publisher"]["name"],
            self.other_agency.name,
        )

    def test_the_page_lists_each_dataset_with_its_rule_licence_and_date(self):
        self.get("")  # the site's agency and the page's fragments are cached after this
        with self.assertNumQueries(6):  # one "last changed" per dataset, the other agencies
            response = self.get("")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Thống kê hồ sơ theo tháng, thủ tục và kênh nộp")
        self.assertContains(response, "20/01/2026")
        self.assertContains(response, "CC BY 4.0")
        self.assertContains(response, 'href="/du-lieu-mo/TEST/chi-so-766.csv"')
        self.assertContains(response, 'href="/du-lieu-mo/TEST/data.json"')
        self.assertContains(response, 'href="/du-lieu-mo/OTHER/"')
        self.assertContains(self.get("OTHER/"), "Sở Khoa học và Công nghệ tỉnh Khác")

    def test_no_dataset_carries_personal_data(self):
        bodies = [self.get("").content, self.get("data.json").content]
        for slug in ("thu-tuc-hanh-chinh", "ho-so-theo-thang", "pakn", "lich-tiep-cong-dan"):
            for fmt in ("csv", "json"):
                bodies.append(self.get(f"TEST/{slug}.{fmt}").content)
        bodies += [
            self.get(f"TEST/chi-so-766.{fmt}", nam="2026").content for fmt in ("csv", "json")
        ]
        personal = [APPLICANT.name, APPLICANT.phone, APPLICANT.id_number, APPLICANT.email]
        personal.append(APPLICANT.address)
        personal += [*SENDER.values(), "Hỏi về phí"]
        for body in bodies:
            text = body.decode("utf-8-sig")
            self.assertTrue(text)
            for value in personal:
                self.assertNotIn(value, text)
