import io

import pytest

from smartcity.catalogue import demo


@pytest.fixture
def demo_catalogue(db):
    demo.load(io.StringIO())
