from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import api, views

app_name = "catalogue"
router = SimpleRouter()
router.register("leistungen", api.ServiceViewSet, basename="api-service")
router.register("lebenslagen", api.CategoryViewSet, basename="api-category")

urlpatterns = [
    path("", views.service_list, name="list"),
    path("export.json", views.export_json, name="export-json"),
    path("export.csv", views.export_csv_view, name="export-csv"),
    path("api/v1/", include(router.urls)),
    path("<slug:slug>/", views.service_detail, name="detail"),
]
