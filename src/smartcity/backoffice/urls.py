from django.urls import path

from smartcity.core.views import under_construction

app_name = "backoffice"
# Scaffold route; the backoffice work package replaces it.
urlpatterns = [path("", under_construction, name="queue")]
