from django.urls import path

from smartcity.core.views import under_construction

app_name = "airquality"
# Scaffold route; the airquality work package replaces it.
urlpatterns = [path("luft/", under_construction, name="dashboard")]
