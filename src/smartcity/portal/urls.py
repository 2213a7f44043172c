from django.urls import path

from smartcity.core.views import under_construction

app_name = "portal"
# Scaffold route; the portal work package replaces it.
urlpatterns = [path("", under_construction, name="list")]
