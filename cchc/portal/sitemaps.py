from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from cchc.portal.models import Category, Page
from cchc.portal.selectors import public_articles

MAX_URLS = 50000


@require_safe
def sitemap(request):
    base = request.build_absolute_uri("/").rstrip("/")
    entries = [{"loc": base + "/", "lastmod": ""}]
    for path in ("/tin-tuc/", "/lich-tiep-cong-dan/", "/nhiem-vu-khcn/", "/ket-qua-khcn/"):
        entries.append({"loc": base + path, "lastmod": ""})
    for slug in Category.objects.values_list("slug", flat=True):
        entries.append({"loc": f"{base}/chuyen-muc/{slug}/", "lastmod": ""})
    for slug in Page.objects.values_list("slug", flat=True):
        entries.append({"loc": f"{base}/trang/{slug}/", "lastmod": ""})
    rows = public_articles().order_by("-published_at").values_list("slug", "updated_at")
    for slug, updated in rows[:MAX_URLS]:
        entries.append({"loc": f"{base}/tin-tuc/{slug}/", "lastmod": updated.date().isoformat()})
    xml = render_to_string("portal/sitemap.xml", {"entries": entries})
    return HttpResponse(xml, content_type="application/xml; charset=utf-8")
