"""A URL configuration with another path for catalogue:list (test_fast_tags)."""

from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [path("", include(([path("anders/", lambda request: HttpResponse(), name="list")], "catalogue")))]
