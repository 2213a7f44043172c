"""Every app's English catalogue is complete and well-formed."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

PO_FILES = sorted(Path(settings.BASE_DIR).glob("**/locale/en/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: p.parts[-5])
def test_catalogue_has_no_empty_fuzzy_or_duplicate_entries(po_path):
    po = polib.pofile(str(po_path), check_for_duplicates=True)
    assert not po.fuzzy_entries(), "fuzzy entries"
    assert not [e.msgid for e in po if not e.msgstr and not e.msgstr_plural], "untranslated entries"
    for entry in po:
        for placeholder in ("%(", "{"):
            assert entry.msgid.count(placeholder) == entry.msgstr.count(placeholder) or entry.msgstr_plural, entry.msgid
