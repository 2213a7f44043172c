from django.urls import include, path

from . import staff, views

app_name = "parking"
urlpatterns = [
    path("", views.start, name="start"),
    path("antrag/", views.apply, name="apply"),
    path("antrag/<uuid:pk>/", views.application_detail, name="application"),
    path("antrag/<uuid:pk>/bearbeiten/", views.application_edit, name="application_edit"),
    path("antrag/<uuid:pk>/bezahlen/", views.application_pay, name="application_pay"),
    path("antrag/<uuid:pk>/stellungnahme/", views.application_statement, name="application_statement"),
    path("antrag/<uuid:pk>/zurueckziehen/", views.application_withdraw, name="application_withdraw"),
    path("ausweis/<uuid:pk>/", views.permit_detail, name="permit"),
    path("ausweis/<uuid:pk>/pdf/", views.permit_download, name="permit_download"),
    path("ausweis/<uuid:pk>/verlaengern/", views.permit_renew, name="renew"),
    path("ausweis/<uuid:pk>/kennzeichen/", views.permit_change_plate, name="change_plate"),
    path("ausweis/<uuid:pk>/umzug/", views.permit_change_zone, name="change_zone"),
    path("ausweis/<uuid:pk>/ersatz/", views.permit_replace, name="replace"),
    path("ausweis/<uuid:pk>/rueckgabe/", views.permit_cancel, name="cancel"),
    path("sachbearbeitung/", staff.application_list, name="staff_list"),
    path("sachbearbeitung/<uuid:pk>/", staff.application_detail, name="staff_application"),
    path("sachbearbeitung/<uuid:pk>/gebiet/", staff.set_zone, name="staff_set_zone"),
    path("sachbearbeitung/<uuid:pk>/anhoerung/", staff.start_hearing, name="staff_start_hearing"),
    path("", include("smartcity.parking.enforcement.urls")),  # verification and Kontrolle (enforce helper)
]
