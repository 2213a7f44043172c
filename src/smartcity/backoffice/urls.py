from django.urls import path

from smartcity.core.views import under_construction

app_name = "backoffice"
# Scaffold routes until the back-office views land (same branch, next step).
urlpatterns = [
    path("", under_construction, name="queue"),
    path("vorgang/<str:reference>/", lambda request, reference: under_construction(request), name="case"),
]
