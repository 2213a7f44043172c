from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("", include("smartcity.core.urls")),
    path("konto/", include("smartcity.accounts.urls")),
    path("leistungen/", include("smartcity.catalogue.urls")),
    path("antrag/", include("smartcity.eforms.urls")),
    path("meine-antraege/", include("smartcity.portal.urls")),
    path("backoffice/", include("smartcity.backoffice.urls")),
    path("dokumente/", include("smartcity.documents.urls")),
    path("vorgaenge/", include("smartcity.cases.urls")),
    path("postfach/", include("smartcity.notifications.urls")),
    path("bezahlen/", include("smartcity.payments.urls")),
    path("parken/", include("smartcity.parking.urls")),
    # Open data and SensorThings own root-level paths (/opendata/, /api/3/action/, /luft/, /sta/v1.1/)
    # because external clients expect them there.
    path("", include("smartcity.opendata.urls")),
    path("", include("smartcity.airquality.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = f"{settings.CITY_NAME} – Konfiguration"

handler500 = "smartcity.core.views.server_error"
