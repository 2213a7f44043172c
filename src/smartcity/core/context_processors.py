from django.conf import settings


def platform(request):
    return {"CITY_NAME": settings.CITY_NAME}
