"""Smart City platform: service portal, automated services, back office, open data, air quality."""

from .celery import app as celery_app

__all__ = ["celery_app"]
