from django.urls import path

from . import views

app_name = "backoffice"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("export.csv", views.export_csv, name="export"),
    path("uebersicht/", views.dashboard, name="dashboard"),
    path("vorgang/<str:reference>/", views.case_detail, name="case"),
    path("vorgang/<str:reference>/status/", views.transition, name="transition"),
    path("vorgang/<str:reference>/notiz/", views.add_note, name="note"),
    path("vorgang/<str:reference>/zuweisen/", views.assign, name="assign"),
    path("vorgang/<str:reference>/nachricht/", views.send_message, name="message"),
    path("vorgang/<str:reference>/entscheiden/", views.decide, name="decide"),
    path("vorgang/<str:reference>/frist/", views.extend, name="extend"),
]
