import pytest
from django.core.paginator import Paginator

from smartcity.accounts.models import Department
from smartcity.core.pagination import FirstPagePaginator


@pytest.fixture
def departments(db):
    Department.objects.bulk_create([Department(code=f"amt-{i:02d}", name=f"Amt {i:02d}") for i in range(7)])
    return Department.objects.order_by("code")


def _summary(page):
    return ([d.code for d in page.object_list], page.number, page.paginator.count, page.paginator.num_pages,
            page.has_next(), page.has_previous())


@pytest.mark.parametrize("per_page", [3, 7, 10])
@pytest.mark.parametrize("number", [None, "1", 1, "2", 3, "x", "99", "-1", "01"])
def test_same_pages_as_djangos_paginator(departments, per_page, number):
    assert (_summary(FirstPagePaginator(departments, per_page).get_page(number))
            == _summary(Paginator(departments, per_page).get_page(number)))


def test_first_page_with_every_result_costs_one_query(departments, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = FirstPagePaginator(departments, 10).get_page(None)
        assert (len(page), page.paginator.count, page.has_other_pages()) == (7, 7, False)
    with django_assert_num_queries(1):  # a full first page: counted only when asked
        page = FirstPagePaginator(departments, 7).get_page("1")
        assert len(page) == 7
    with django_assert_num_queries(1):
        assert page.paginator.count == 7
    with django_assert_num_queries(2):  # other pages as before
        FirstPagePaginator(departments, 3).get_page("2").object_list[0]  # noqa: B018
