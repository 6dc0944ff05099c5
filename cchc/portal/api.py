"""Public read API of the portal and the comment POST, calling the same selectors/services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cchc.core import ratelimits
from cchc.core.api import ERROR_SCHEMA
from cchc.core.text import search_query
from cchc.portal import selectors, services
from cchc.portal.models import Article, Category, ReceptionSession, ScienceTask


class CategoryOut(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["name", "slug", "description"]


class ArticleListOut(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Article
        fields = ["slug", "title", "summary", "category", "published_at", "url"]


class ArticleOut(ArticleListOut):
    tags = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    view_count = serializers.SerializerMethodField()

    class Meta(ArticleListOut.Meta):
        fields = [
            *ArticleListOut.Meta.fields,
            "body",
            "tags",
            "author_name",
            "source",
            "cover_image",
            "cover_alt",
            "cover_caption",
            "view_count",
        ]

    def get_view_count(self, obj) -> int:
        return selectors.article_view_count(obj)


class ScheduleOut(serializers.ModelSerializer):
    session_label = serializers.CharField(source="get_session_display")

    class Meta:
        model = ReceptionSession
        fields = ["date", "session", "session_label", "leader", "place", "content"]


class ScienceTaskOut(serializers.ModelSerializer):
    class Meta:
        model = ScienceTask
        fields = [
            "code",
            "name",
            "level",
            "lead_organisation",
            "principal_investigator",
            "start_date",
            "end_date",
            "budget",
            "status",
            "result_summary",
        ]


class CommentIn(serializers.Serializer):
    # Lengths count what was sent (as the schema says); the service strips the spaces.
    name = serializers.CharField(max_length=120, trim_whitespace=False)
    email = serializers.EmailField()
    text = serializers.CharField(max_length=3000, trim_whitespace=False)
    website = serializers.CharField(required=False, allow_blank=True, help_text="Để trống.")


class CommentOut(serializers.Serializer):
    status = serializers.CharField()
    message = serializers.CharField()


class Public:
    permission_classes = [AllowAny]


class CategoryList(Public, generics.ListAPIView):
    serializer_class = CategoryOut
    queryset = Category.objects.all()
    pagination_class = None


class ArticleList(Public, generics.ListAPIView):
    serializer_class = ArticleListOut

    def get_queryset(self):
        qs = selectors.public_articles().select_related("category").order_by("-published_at", "-id")
        slug = self.request.query_params.get("category")
        if not slug:
            return qs
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            raise NotFound(_("Không có chuyên mục này."))
        return qs.filter(category=category)


class ArticleDetail(Public, generics.RetrieveAPIView):
    serializer_class = ArticleOut
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.public_articles().select_related("category").prefetch_related("tags")


class ScheduleList(Public, generics.ListAPIView):
    serializer_class = ScheduleOut
    pagination_class = None

    def get_queryset(self):
        return selectors.upcoming_schedule(weeks=4)


class ScienceTaskList(Public, generics.ListAPIView):
    serializer_class = ScienceTaskOut

    def get_queryset(self):
        return selectors.science_tasks(
            results=self.request.query_params.get("results") in ("1", "true"),
            level=self.request.query_params.get("level", ""),
            query=search_query(self.request.query_params.get("q")),
        )


class CommentCreate(Public, APIView):
    @extend_schema(
        request=CommentIn, responses={201: CommentOut, 400: ERROR_SCHEMA, 429: ERROR_SCHEMA}
    )
    def post(self, request, slug):
        article = get_object_or_404(selectors.public_articles(), slug=slug)
        ratelimits.check_api(request, "comment")
        data = CommentIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if not values.pop("website", ""):
            try:
                services.comment_submit(article=article, **values)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.message_dict) from None
        out = {"status": "pending", "message": _("Ý kiến sẽ được đăng sau khi kiểm duyệt.")}
        return Response(CommentOut(out).data, status=status.HTTP_201_CREATED)
