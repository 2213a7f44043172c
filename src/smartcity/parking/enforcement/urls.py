"""Included by ``parking/urls.py``, so the names live in the ``parking`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("pruefung/jwks.json", views.jwks, name="jwks"),
]
