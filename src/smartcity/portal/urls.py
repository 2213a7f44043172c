from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("<str:reference>/", views.case_detail, name="detail"),
]
