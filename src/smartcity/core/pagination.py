"""A Paginator that skips the COUNT query when the first page holds every result."""

from typing import Any

from django.core.paginator import Page, Paginator


class FirstPagePaginator(Paginator):
    """Django's Paginator, except that the first page is fetched before anything is counted: when it has fewer
    rows than a page, they are all the results and their number is the count (one query instead of two, e.g.
    Meine Anträge of a citizen with a few cases, a queue search that finds a handful). Other pages, and a full
    first page whose count is asked for (page n of m), count as before. Only without orphans."""

    def _first_page_shortcut(self) -> bool:
        return self.orphans == 0 and self.allow_empty_first_page and "count" not in self.__dict__

    def validate_number(self, number: Any) -> int:
        # Page 1 always exists when an empty first page is allowed: no count needed to say so.
        if self._first_page_shortcut() and not isinstance(number, float) and str(number).strip() == "1":
            return 1
        return super().validate_number(number)

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if number != 1 or not self._first_page_shortcut():
            return super().page(number)
        rows = list(self.object_list[: self.per_page])
        if len(rows) < self.per_page:
            self.count = len(rows)  # sets the cached_property
        return self._get_page(rows, 1, self)
