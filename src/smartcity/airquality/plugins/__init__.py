"""Ingest adapters (sensor.community, UBA air data API, traffic CSV, DATEX II), one per contrib module."""
