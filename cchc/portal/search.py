"""Diacritics-insensitive search: helpers every source uses, the article source, and the merge.

Each app registers a source with `cchc.core.registry.register_search(name, label, fn)`, where
fn(normalised_query, limit) returns dicts {"title", "url", "snippet", "date", "score"}.
Scores: 2..3 for a match in the title, 1..2 for a match in the body only; newer is higher.
"""

import datetime as dt
import re
import unicodedata

from django.db import connection
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from cchc.core import registry
from cchc.core.text import MAX_QUERY, normalise

_NON_WORD = re.compile(r"[^\w]+")
MAX_TERMS = 10
SOURCE_LIMIT = 200


def search_text(*parts: str) -> str:
    """Normalised words, one space apart, with a space at each end: what the search columns
    store, so that LIKE '% word %' matches whole words as PostgreSQL's text search does."""
    words = _NON_WORD.sub(" ", normalise(" ".join(p or "" for p in parts))).split()
    return f" {' '.join(words)} " if words else ""


def query_terms(normalised_query: str) -> list[str]:
    return _NON_WORD.sub(" ", normalised_query).split()[:MAX_TERMS]


def text_filter(
    queryset, normalised_query: str, *, title_field: str, body_field: str, vector_column: str = ""
):
    """Rows whose normalised title or body hold every term, with `title_hit` = 1 for titles.

    PostgreSQL: full-text search ('simple' config, the query through unaccent) over the stored
    tsvector column `vector_column` (GIN-indexed) or, without one, over the normalised columns;
    SQLite: LIKE over the normalised columns.
    """
    terms = query_terms(normalised_query)
    if not terms:
        return queryset.none()
    title_all = Q()
    for term in terms:
        title_all &= Q(**{f"{title_field}__contains": f" {term} "})
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector
        from django.db.models import BooleanField, Func
        from django.db.models.expressions import RawSQL

        if vector_column:
            table = connection.ops.quote_name(queryset.model._meta.db_table)
            match = RawSQL(
                # The sub-select runs once (an InitPlan), not once per row.
                f"{table}.{connection.ops.quote_name(vector_column)} @@ "
                "(SELECT plainto_tsquery('simple'::regconfig, unaccent(%s)))",
                [" ".join(terms)],
                output_field=BooleanField(),
            )
            queryset = queryset.filter(match)
        else:
            vector = SearchVector(title_field, body_field, config="simple")
            query = SearchQuery(
                Func(Value(" ".join(terms)), function="unaccent"),
                config="simple",
                search_type="plain",
            )
            queryset = queryset.annotate(search_match=vector).filter(search_match=query)
    else:
        for term in terms:
            queryset = queryset.filter(
                Q(**{f"{title_field}__contains": f" {term} "})
                | Q(**{f"{body_field}__contains": f" {term} "})
            )
    return queryset.annotate(
        title_hit=Case(
            When(title_all, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    )


def score(title_hit: bool, moment, *, today: dt.date | None = None) -> float:
    today = today or timezone.localdate()
    if moment is None:
        recency = 0.0
    else:
        day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
        recency = 0.99 / (1 + max((today - day).days, 0) / 365)
    return (2.0 if title_hit else 1.0) + recency


def _fold(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", ch)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


def _spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    folded, owner = [], []
    for index, ch in enumerate(text):
        for c in _fold(ch) or " ":
            folded.append(c if not c.isspace() else " ")
            owner.append(index)
    haystack = "".join(folded)
    spans = []
    for term in terms:
        start = haystack.find(term)
        while start != -1:
            end = start + len(term) - 1
            # Whole words only, as the search itself matches them.
            before = haystack[start - 1] if start else " "
            after = haystack[end + 1] if end + 1 < len(haystack) else " "
            if not before.isalnum() and not after.isalnum():
                spans.append((owner[start], owner[end] + 1))
            start = haystack.find(term, start + len(term))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and (a <= merged[-1][1] or not text[merged[-1][1] : a].strip()):
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def highlight(text: str, terms: list[str], *, window: int | None = None) -> str:
    """Escaped text with <mark> around the matched terms (diacritics-insensitive).

    With `window`, a piece of about that many characters around the first match."""
    text = text or ""
    spans = _spans(text, terms)
    if window and len(text) > window:
        first = spans[0][0] if spans else 0
        begin = max(0, first - window // 3)
        end = min(len(text), begin + window)
        prefix, suffix = ("…" if begin else ""), ("…" if end < len(text) else "")
        spans = [(max(a, begin), min(b, end)) for a, b in spans if b > begin and a < end]
        out, cursor = [prefix], begin
    else:
        end, suffix = len(text), ""
        out, cursor = [], 0
    for a, b in spans:
        out.append(escape(text[cursor:a]))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        cursor = b
    out.append(escape(text[cursor:end]))
    out.append(suffix)
    return mark_safe("".join(out))


def search_articles(normalised_query: str, limit: int) -> list[dict]:
    from cchc.portal.models import Article

    # Rank on narrow rows first; read titles and snippets only for the winners (bodies are
    # large, and reading one per match is what makes a broad query slow).
    ranked = list(
        text_filter(
            Article.objects.published(),
            normalised_query,
            title_field="search_title",
            body_field="search_body",
            vector_column="search_vector",
        )
        .order_by("-title_hit", "-published_at")
        .values_list("pk", "title_hit")[:limit]
    )
    if not ranked:
        return []
    details = {
        row["pk"]: row
        for row in Article.objects.filter(pk__in=[pk for pk, _hit in ranked])
        .annotate(body_start=Substr("body", 1, 1200))
        .values("pk", "title", "slug", "summary", "body_start", "published_at")
    }
    today = timezone.localdate()
    results = []
    for pk, title_hit in ranked:
        row = details[pk]
        results.append(
            {
                "title": row["title"],
                "url": f"/tin-tuc/{row['slug']}/",
                # Tags are stripped later, only for the results on the page shown.
                "snippet": row["summary"] or row["body_start"],
                "date": timezone.localtime(row["published_at"]).date(),
                "score": score(title_hit, row["published_at"], today=today),
            }
        )
    return results


def search_all(query: str) -> tuple[list[dict], list[str]]:
    """Results of every registered source, best first, and the terms to highlight."""
    normalised = normalise(query)[:MAX_QUERY]
    terms = query_terms(normalised)
    if not terms:
        return [], []
    results = []
    for source in registry.search_sources.values():
        for item in source.search(" ".join(terms), SOURCE_LIMIT):
            results.append({**item, "source": source.label})
    results.sort(key=lambda r: (-float(r.get("score") or 0), r.get("title") or ""))
    return results, terms


def decorate(results: list[dict], terms: list[str]) -> list[dict]:
    """Highlighted title and snippet for the results on one page."""
    out = []
    for item in results:
        date = item.get("date")
        out.append(
            {
                **item,
                "title_html": highlight(item.get("title") or "", terms),
                "snippet_html": highlight(strip_tags(item.get("snippet") or ""), terms, window=240),
                "date_text": date.strftime("%d/%m/%Y") if date else "",
            }
        )
    return out
