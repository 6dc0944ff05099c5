"""Every parameterless page and endpoint answers every persona without a server error."""

from django.urls import URLPattern, URLResolver, get_resolver

from cchc.core.testing import PersonaTestCase

SKIP_PREFIXES = ("quan-tri/", "dang-xuat/", "static/", "media/")


def plain_paths(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(pattern.pattern)
        if "<" in route or "(?P" in route or route.startswith("^"):
            continue
        if isinstance(pattern, URLResolver):
            yield from plain_paths(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            path = prefix + route
            if not path.startswith(SKIP_PREFIXES):
                yield "/" + path


class UrlSmokeTests(PersonaTestCase):
    def test_no_plain_url_gives_a_server_error_to_anyone(self):
        paths = sorted(set(plain_paths()))
        self.assertIn("/tu-viet-tat/", paths)
        for persona in ("anonymous", "citizen", "officer_a", "agency_leader", "outsider"):
            self.login_as(persona)
            for path in paths:
                with self.subTest(persona=persona, path=path):
                    response = self.client.get(path)
                    self.assertLess(response.status_code, 500, f"{persona} GET {path}")

    def test_head_is_answered_wherever_get_is(self):
        """Monitors and link checkers send HEAD: a page that answers GET answers HEAD alike."""
        self.login_as("anonymous")
        checked = 0
        for path in sorted(set(plain_paths())):
            if path.startswith("/api/"):
                continue
            got = self.client.get(path).status_code
            if got != 200:
                continue
            checked += 1
            with self.subTest(path=path):
                self.assertEqual(self.client.head(path).status_code, 200, f"HEAD {path}")
        self.assertGreater(checked, 10)
