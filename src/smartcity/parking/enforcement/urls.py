"""Included by ``parking/urls.py``, so the names live in the ``parking`` namespace."""

from django.urls import path

from . import api, views

urlpatterns = [
    path("pruefung/", views.verify, name="verify"),
    path("pruefung/jwks.json", views.jwks, name="jwks"),
    path("pruefung/sperrliste.jws", views.revocations, name="revocations"),
    path("kontrolle/", views.enforcement, name="enforcement"),
    path("api/pruefung/", api.VerifyTokenView.as_view(), name="verify-api"),
    path("api/kontrolle/kennzeichen/", api.PlateLookupView.as_view(), name="enforcement-lookup"),
    path("api/kontrolle/snapshot/", api.SnapshotView.as_view(), name="enforcement-snapshot"),
    path("api/kontrolle/snapshot/<str:valid_on>.tsv.gz", api.SnapshotFileView.as_view(),
         name="enforcement-snapshot-file"),
]
