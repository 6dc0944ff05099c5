"""Login lockout (django-axes): username+IP, 5 failures, 15 minutes, Vietnamese page."""

import datetime as dt

import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.http import HttpRequest
from django.test import override_settings
from django.utils import timezone

from cchc.core.testing import PersonaTestCase

WRONG = "Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng thử lại."
LOCKED = "tạm khóa trong 15 phút"


class LockoutTests(PersonaTestCase):
    def post(self, username, password, ip="203.0.113.7"):
        return self.client.post(
            "/dang-nhap/", {"username": username, "password": password}, REMOTE_ADDR=ip
        )

    def fail(self, username, times, ip="203.0.113.7"):
        return [self.post(username, "sai-mat-khau", ip) for _ in range(times)]

    def assert_signed_in(self, response, user):
        self.assertEqual(response.status_code, 302)
        self.assertEqual(int(self.client.session["_auth_user_id"]), user.pk)

    def test_four_failures_keep_the_ordinary_message(self):
        for response in self.fail("officer_a", 4):
            self.assertContains(response, WRONG, status_code=200)
            self.assertNotContains(response, LOCKED, status_code=200)
        self.assert_signed_in(self.post("officer_a", "pw-officer_a"), self.officer_a)

    def test_the_fifth_failure_locks_with_a_vietnamese_page_and_the_password_is_refused(self):
        *_, fifth = self.fail("officer_a", 5)
        self.assertEqual(fifth.status_code, 429)
        self.assertContains(fifth, "<h1>Đăng nhập</h1>", html=True, status_code=429)
        self.assertContains(fifth, "Bạn đã đăng nhập sai quá 5 lần", status_code=429)
        self.assertContains(fifth, LOCKED, status_code=429)
        self.assertNotContains(fifth, "Account locked", status_code=429)
        self.assertEqual(fifth["Retry-After"], "900")
        right = self.post("officer_a", "pw-officer_a")
        self.assertContains(right, LOCKED, status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_an_unknown_username_locks_the_same_way(self):
        known = self.fail("officer_a", 5)[-1]
        unknown = self.fail("nobody", 5)[-1]
        self.assertEqual(known.status_code, unknown.status_code)
        self.assertContains(unknown, "Bạn đã đăng nhập sai quá 5 lần", status_code=429)

    def test_the_lock_is_per_username_and_address(self):
        self.fail("officer_a", 5, ip="203.0.113.7")
        # The same person from another address, and another person from that address, go on.
        self.assert_signed_in(
            self.post("officer_a", "pw-officer_a", ip="198.51.100.9"), self.officer_a
        )
        self.client.logout()
        self.assert_signed_in(
            self.post("officer_b", "pw-officer_b", ip="203.0.113.7"), self.officer_b
        )

    @override_settings(TRUSTED_PROXIES=["10.0.0.1"])
    def test_behind_the_proxy_the_client_address_counts(self):
        for _ in range(5):
            self.client.post(
                "/dang-nhap/",
                {"username": "officer_a", "password": "x"},
                REMOTE_ADDR="10.0.0.1",
                HTTP_X_FORWARDED_FOR="203.0.113.7",
            )
        attempt = AccessAttempt.objects.get(username="officer_a")
        self.assertEqual(attempt.ip_address, "203.0.113.7")
        # Another citizen behind the same proxy is not locked out.
        other = self.client.post(
            "/dang-nhap/",
            {"username": "officer_a", "password": "pw-officer_a"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.9",
        )
        self.assert_signed_in(other, self.officer_a)

    def test_axes_reset_unlocks(self):
        self.fail("officer_a", 5)
        self.assertEqual(self.post("officer_a", "pw-officer_a").status_code, 429)
        call_command("axes_reset", verbosity=0)
        self.assert_signed_in(self.post("officer_a", "pw-officer_a"), self.officer_a)

    def test_the_lock_ends_after_the_cool_off(self):
        with time_machine.travel(timezone.now(), tick=False) as clock:
            self.fail("officer_a", 5)
            clock.shift(dt.timedelta(minutes=14))
            self.assertEqual(self.post("officer_a", "pw-officer_a").status_code, 429)
            # A refused try during the lock starts the 15 minutes again.
            clock.shift(dt.timedelta(minutes=14))
            self.assertEqual(self.post("officer_a", "pw-officer_a").status_code, 429)
            clock.shift(dt.timedelta(minutes=16))
            self.assert_signed_in(self.post("officer_a", "pw-officer_a"), self.officer_a)

    def test_a_success_clears_earlier_failures(self):
        self.fail("officer_a", 4)
        self.assert_signed_in(self.post("officer_a", "pw-officer_a"), self.officer_a)
        self.client.logout()
        self.assertEqual(self.fail("officer_a", 4)[-1].status_code, 200)

    def test_test_client_login_and_force_login_still_work(self):
        # Axes needs the request in authenticate(): the test client's login() is given one.
        self.assertTrue(
            self.client.login(request=HttpRequest(), username="officer_a", password="pw-officer_a")
        )
        self.assertEqual(self.client.get("/doi-mat-khau/").status_code, 200)
        self.client.logout()
        self.client.force_login(self.officer_b)
        self.assertEqual(self.client.get("/doi-mat-khau/").status_code, 200)

    def test_the_admin_login_is_locked_too(self):
        for _ in range(5):
            response = self.client.post(
                "/quan-tri/login/", {"username": "officer_a", "password": "x"}
            )
        self.assertContains(response, LOCKED, status_code=429)
