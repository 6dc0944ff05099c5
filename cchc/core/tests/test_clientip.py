from django.test import RequestFactory, SimpleTestCase, override_settings

from cchc.core.clientip import client_ip


class ClientIpTests(SimpleTestCase):
    def request(self, remote, forwarded=None):
        meta = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            meta["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().get("/", **meta)

    def test_untrusted_remote_ignores_forwarded_header(self):
        self.assertEqual(client_ip(self.request("203.0.113.9", "1.2.3.4")), "203.0.113.9")

    @override_settings(TRUSTED_PROXIES=["127.0.0.1"])
    def test_trusted_proxy_gives_the_right_most_untrusted_hop(self):
        self.assertEqual(client_ip(self.request("127.0.0.1", "6.6.6.6, 1.2.3.4")), "1.2.3.4")

    @override_settings(TRUSTED_PROXIES=["127.0.0.1", "10.0.0.2"])
    def test_chain_of_trusted_proxies_is_skipped(self):
        self.assertEqual(client_ip(self.request("127.0.0.1", "1.2.3.4, 10.0.0.2")), "1.2.3.4")

    @override_settings(TRUSTED_PROXIES=["127.0.0.1"])
    def test_garbage_header_falls_back_to_the_proxy(self):
        self.assertEqual(client_ip(self.request("127.0.0.1", "not-an-ip")), "127.0.0.1")
        self.assertEqual(client_ip(self.request("127.0.0.1", "")), "127.0.0.1")
