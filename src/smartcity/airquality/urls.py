from django.urls import path, re_path

from . import views
from .sta import views as sta

app_name = "airquality"
urlpatterns = [
    path("luft/", views.dashboard, name="dashboard"),
    path("sta/v1.1", sta.landing),
    path("sta/v1.1/", sta.landing, name="sta-root"),
    re_path(r"^sta/v1\.1/(?P<path>.+)$", sta.resource, name="sta"),
]
