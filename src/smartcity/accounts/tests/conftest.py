import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _german():
    """Messages are asserted in German; an earlier test's English request must not leak into this thread."""
    with translation.override("de"):
        yield
