"""OGC SensorThings API 1.1 under /sta/v1.1/ (see docs/airquality.md for where it differs from the spec)."""
