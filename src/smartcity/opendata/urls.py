from django.urls import path, re_path

from . import dcat_views, editor_views, views
from .ckan import views as ckan_views

app_name = "opendata"
urlpatterns = [
    path("opendata/", views.search_page, name="search"),
    path("opendata/dataset/<uuid:dataset_id>", views.dataset_by_id, name="dataset_by_id"),
    path("opendata/dataset/<slug:name>/", views.dataset_page, name="dataset"),
    path("opendata/dataset/<slug:name>/resource/<uuid:resource_id>/", views.resource_page, name="resource"),
    path("opendata/dataset/<uuid:dataset_id>/resource/<uuid:resource_id>/download/<str:filename>",
         views.resource_download, name="resource_download"),
    path("opendata/changes", views.change_feed, name="changes"),
    re_path(r"^opendata/catalog\.(?P<fmt>ttl|rdf|xml|jsonld)$", dcat_views.catalog, name="catalog"),
    re_path(r"^opendata/dataset/(?P<name>[-a-z0-9_]+)\.(?P<fmt>ttl|rdf|xml|jsonld)$", dcat_views.dataset_rdf,
            name="dataset_rdf"),
    path("opendata/redaktion/", editor_views.dashboard, name="editor"),
    path("opendata/redaktion/tokens/", editor_views.tokens, name="editor_tokens"),
    path("opendata/redaktion/neu/", editor_views.dataset_create, name="editor_create"),
    path("opendata/redaktion/<slug:name>/", editor_views.dataset_edit, name="editor_edit"),
    path("opendata/redaktion/<slug:name>/ressource/", editor_views.resource_upload, name="editor_resource"),
    path("opendata/redaktion/<slug:name>/status/", editor_views.dataset_state, name="editor_state"),
    path("api/", ckan_views.api_version, name="api_version"),
    path("api/3", ckan_views.api_version),
    path("api/3/", ckan_views.api_version),
    path("api/3/action/<str:name>", ckan_views.action_view, name="action"),
    path("api/action/<str:name>", ckan_views.action_view, name="action_unversioned"),
]
