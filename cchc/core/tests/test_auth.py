from cchc.core.testing import PersonaTestCase


class LoginTests(PersonaTestCase):
    def test_the_login_page_speaks_vietnamese(self):
        response = self.client.get("/dang-nhap/")
        self.assertContains(response, "<h1>Đăng nhập</h1>", html=True)
        self.assertContains(response, "Tên đăng nhập")
        self.assertContains(response, "Mật khẩu")

    def test_a_person_logs_in_and_out(self):
        response = self.client.post(
            "/dang-nhap/", {"username": "officer_a", "password": "pw-officer_a"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(int(self.client.session["_auth_user_id"]), self.officer_a.pk)
        self.client.post("/dang-xuat/")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_failures_never_say_which_of_user_or_password_was_wrong(self):
        wrong_password = self.client.post(
            "/dang-nhap/", {"username": "officer_a", "password": "nope"}
        )
        unknown_user = self.client.post("/dang-nhap/", {"username": "nobody", "password": "nope"})
        self.assertEqual(wrong_password.status_code, 200)
        message = "Tên đăng nhập hoặc mật khẩu không đúng. Vui lòng thử lại."
        self.assertContains(wrong_password, message)
        self.assertContains(unknown_user, message)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_an_inactive_account_gets_the_same_message(self):
        self.officer_b.is_active = False
        self.officer_b.save()
        response = self.client.post(
            "/dang-nhap/", {"username": "officer_b", "password": "pw-officer_b"}
        )
        self.assertContains(response, "Tên đăng nhập hoặc mật khẩu không đúng.")


class PasswordChangeTests(PersonaTestCase):
    def test_anonymous_visitors_are_sent_to_login(self):
        response = self.client.get("/doi-mat-khau/")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/dang-nhap/"))

    def test_a_person_changes_their_password(self):
        self.login_as("officer_a")
        page = self.client.get("/doi-mat-khau/")
        self.assertContains(page, "<h1>Đổi mật khẩu</h1>", html=True)
        response = self.client.post(
            "/doi-mat-khau/",
            {
                "old_password": "pw-officer_a",
                "new_password1": "Mat-khau-moi-2026",
                "new_password2": "Mat-khau-moi-2026",
            },
        )
        self.assertRedirects(response, "/doi-mat-khau/xong/")
        self.officer_a.refresh_from_db()
        self.assertTrue(self.officer_a.check_password("Mat-khau-moi-2026"))

    def test_a_wrong_old_password_is_refused_in_vietnamese(self):
        self.login_as("officer_a")
        response = self.client.post(
            "/doi-mat-khau/",
            {
                "old_password": "sai",
                "new_password1": "Mat-khau-moi-2026",
                "new_password2": "Mat-khau-moi-2026",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Mật khẩu cũ")
        self.officer_a.refresh_from_db()
        self.assertTrue(self.officer_a.check_password("pw-officer_a"))
