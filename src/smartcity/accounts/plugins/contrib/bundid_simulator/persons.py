"""Test persons of the BundID simulator (demo data: invented people at real Düsseldorf addresses).

``bpk2`` stands in for BundID's sector-specific pseudonym; the "SIM-" prefix keeps it apart from real ones.
"""

from datetime import date
from typing import TypedDict


class Person(TypedDict):
    bpk2: str
    first_name: str
    last_name: str
    birth_date: date
    street: str
    house_number: str
    postcode: str
    city: str


PERSONS: list[Person] = [
    {"bpk2": "SIM-7Q2K9X4M1B", "first_name": "Erika", "last_name": "Mustermann", "birth_date": date(1964, 8, 12),
     "street": "Kaiserstraße", "house_number": "5", "postcode": "40479", "city": "Düsseldorf"},
    {"bpk2": "SIM-3H8V6N2T5C", "first_name": "Ayşe", "last_name": "Yılmaz", "birth_date": date(1988, 3, 27),
     "street": "Ackerstraße", "house_number": "112", "postcode": "40233", "city": "Düsseldorf"},
    {"bpk2": "SIM-9D4R1L7W8E", "first_name": "Jan", "last_name": "Kowalski", "birth_date": date(1979, 11, 2),
     "street": "Brunnenstraße", "house_number": "27", "postcode": "40223", "city": "Düsseldorf"},
    {"bpk2": "SIM-5F6J3P9Y2G", "first_name": "Sophie", "last_name": "Becker", "birth_date": date(1995, 6, 14),
     "street": "Luegallee", "house_number": "88", "postcode": "40545", "city": "Düsseldorf"},
    {"bpk2": "SIM-2B7M5S8K4H", "first_name": "Klaus-Dieter", "last_name": "Schäfer",
     "birth_date": date(1951, 1, 30), "street": "Benrather Schloßallee", "house_number": "101",
     "postcode": "40597", "city": "Düsseldorf"},
    {"bpk2": "SIM-8N1C6V3Z7J", "first_name": "Lena", "last_name": "Hoffmann", "birth_date": date(2001, 9, 9),
     "street": "Nordstraße", "house_number": "43", "postcode": "40477", "city": "Düsseldorf"},
    {"bpk2": "SIM-4T9G2X5Q6L", "first_name": "Mehmet", "last_name": "Demir", "birth_date": date(1972, 12, 21),
     "street": "Kölner Landstraße", "house_number": "210", "postcode": "40591", "city": "Düsseldorf"},
]


def by_id(bpk2: str) -> Person | None:
    return next((p for p in PERSONS if p["bpk2"] == bpk2), None)
