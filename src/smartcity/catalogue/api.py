"""Read-only JSON API of the public catalogue (documented in docs/api/openapi.yaml)."""

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny

from .models import Category, Service
from .search import filter_services


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name_de", "name_en"]


class FeeSerializer(serializers.Serializer):
    amount_cents = serializers.IntegerField(allow_null=True, help_text="Betrag in Cent; null = nach Einzelfall")
    text_de = serializers.CharField()
    text_en = serializers.CharField(required=False, allow_blank=True)


class DepartmentSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ServiceSerializer(serializers.ModelSerializer):
    leika_urn = serializers.CharField(read_only=True)
    categories = CategorySerializer(many=True, read_only=True)
    fees = FeeSerializer(many=True, read_only=True)
    required_documents_de = serializers.ListField(child=serializers.CharField(), read_only=True)
    required_documents_en = serializers.ListField(child=serializers.CharField(), read_only=True)
    department = DepartmentSerializer(read_only=True)
    online_url = serializers.SerializerMethodField(help_text="Absolute URL of the online application, if any")
    url = serializers.SerializerMethodField(help_text="Public catalogue page")

    class Meta:
        model = Service
        fields = ["leika_key", "leika_urn", "slug", "name_de", "name_en", "description_de", "description_en",
                  "categories", "fees", "required_documents_de", "required_documents_en", "legal_basis",
                  "department", "ozg_level", "online", "online_url", "url"]

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request and path else path

    def get_online_url(self, obj: Service) -> str:
        return self._absolute(obj.online_url)

    def get_url(self, obj: Service) -> str:
        return self._absolute(obj.get_absolute_url())


@extend_schema_view(
    list=extend_schema(
        summary="Leistungen suchen und auflisten",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Volltextsuche (umlaut- und tippfehlertolerant)"),
            OpenApiParameter("category", OpenApiTypes.STR, description="Slug einer Lebenslage"),
            OpenApiParameter("online", OpenApiTypes.BOOL, description="nur online verfügbare Leistungen"),
        ],
    ),
    retrieve=extend_schema(summary="Eine Leistung nach LeiKa-Schlüssel"),
)
class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ServiceSerializer
    permission_classes = [AllowAny]
    lookup_field = "leika_key"
    lookup_value_regex = r"\d{14}"

    def get_queryset(self) -> QuerySet[Service]:
        return filter_services(self.request.query_params)


@extend_schema_view(list=extend_schema(summary="Lebenslagen"), retrieve=extend_schema(summary="Eine Lebenslage"))
class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CategorySerializer
    permission_classes = [AllowAny]
    queryset = Category.objects.all()
    lookup_field = "slug"

