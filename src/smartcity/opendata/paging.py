"""Integer parameters of paging and limits (CKAN ``rows``/``start``/``limit``/``offset``, web ``page``).

Pure Python. Values above the cap are cut to it instead of being rejected: a page far beyond the end is simply
empty, and the cap keeps LIMIT/OFFSET inside every database's integer range (an offset of 10**20 made
PostgreSQL and SQLite fail with an overflow, i.e. a 500).
"""

import re
from typing import Any

MAX_INT = 2**31 - 1  # far beyond any catalogue or DataStore table
_DIGITS = re.compile(r"[+-]?[0-9]{1,40}")  # ASCII digits only: int() would also take "٣" and "1_000"


def _integer(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not _DIGITS.fullmatch(str(raw).strip()):
        raise ValueError("Invalid integer")
    return int(str(raw).strip())


def parse_int(raw: Any, default: int, *, minimum: int = 0, maximum: int = MAX_INT) -> int:
    """Return ``raw`` as an int in [minimum, maximum]; raise ValueError (CKAN's message) when it is no integer
    or below ``minimum``. Empty means ``default``; values above ``maximum`` are capped."""
    if raw is None or raw == "":
        return default
    value = _integer(raw)
    if value < minimum:
        raise ValueError(f"Must be a natural number >= {minimum}" if minimum >= 0 else f"Must be >= {minimum}")
    return min(value, maximum)


def clamp_int(raw: Any, default: int, *, minimum: int, maximum: int = MAX_INT) -> int:
    """For web pages: like ``parse_int`` but values below ``minimum`` are raised to it (``?page=0`` → 1)."""
    if raw is None or raw == "":
        return default
    return max(minimum, min(_integer(raw), maximum))
