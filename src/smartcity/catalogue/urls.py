from django.urls import path

from smartcity.core.views import under_construction

app_name = "catalogue"
# Scaffold route; the catalogue work package replaces it.
urlpatterns = [path("", under_construction, name="list")]
