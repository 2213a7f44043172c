from django.urls import path, re_path

from . import views
from .sta import views as sta

app_name = "airquality"
urlpatterns = [
    path("luft/", views.dashboard, name="dashboard"),
    path("luft/station/<int:pk>/", views.station, name="station"),
    path("luft/vergleich/", views.compare, name="compare"),
    path("luft/grenzwerte/", views.limits, name="limits"),
    path("luft/datenqualitaet/", views.health, name="health"),
    path("sta/v1.1", sta.landing),
    path("sta/v1.1/", sta.landing, name="sta-root"),
    re_path(r"^sta/v1\.1/(?P<path>.+)$", sta.resource, name="sta"),
]
