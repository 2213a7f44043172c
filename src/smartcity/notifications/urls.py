from django.urls import path

from smartcity.core.views import under_construction

app_name = "notifications"
# Scaffold route; the notifications work package replaces it.
urlpatterns = [path("", under_construction, name="mailbox")]
