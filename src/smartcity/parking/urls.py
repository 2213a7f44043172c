from django.urls import include, path

from smartcity.core.views import under_construction

app_name = "parking"
# Scaffold route; the parking work package replaces it.
urlpatterns = [
    path("", under_construction, name="start"),
    path("", include("smartcity.parking.enforcement.urls")),  # verification and Kontrolle
]
