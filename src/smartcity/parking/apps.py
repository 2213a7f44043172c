from django.apps import AppConfig


class ParkingConfig(AppConfig):
    name = "smartcity.parking"
    verbose_name = "Bewohnerparken"
