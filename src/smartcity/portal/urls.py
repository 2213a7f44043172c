from django.urls import path

from smartcity.core.views import under_construction

app_name = "portal"
# Scaffold routes until the Meine-Anträge views land (same branch, next step).
urlpatterns = [
    path("", under_construction, name="list"),
    path("<str:reference>/", lambda request, reference: under_construction(request), name="detail"),
]
