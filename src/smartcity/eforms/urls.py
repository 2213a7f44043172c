from django.urls import path

from . import views

app_name = "eforms"
urlpatterns = [
    path("<slug:slug>/", views.start, name="start"),
    path("<slug:slug>/neu/", views.new, name="new"),
    path("entwurf/<uuid:pk>/zusammenfassung/", views.summary, name="summary"),
    path("entwurf/<uuid:pk>/loeschen/", views.delete, name="delete"),
    path("entwurf/<uuid:pk>/<slug:step>/", views.step, name="step"),
    path("eingereicht/<uuid:pk>/", views.done, name="done"),
    path("eingereicht/<uuid:pk>/bezahlen/", views.pay, name="pay"),
]
