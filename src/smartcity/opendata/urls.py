from django.urls import path

from smartcity.core.views import under_construction

app_name = "opendata"
# Scaffold route; the opendata work package replaces it.
urlpatterns = [path("opendata/", under_construction, name="search")]
