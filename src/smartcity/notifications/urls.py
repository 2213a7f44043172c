from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.mailbox, name="mailbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("alle-gelesen/", views.mark_all_read, name="mark_all_read"),
]
