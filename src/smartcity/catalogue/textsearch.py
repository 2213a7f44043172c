"""German search normalisation and the typo-tolerant matcher used without PostgreSQL.

Pure Python (no Django): both the stored search column and every query pass through ``normalise``,
so "Straße"/"Strasse" and "Führerschein"/"Fuehrerschein" meet in the middle.
"""

import re
import unicodedata
from difflib import SequenceMatcher

_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_NON_WORD = re.compile(r"[^a-z0-9]+")
# A query word this similar to a word of the text (or to its beginning) counts as a typo of it.
FUZZY_RATIO = 0.8
MIN_FUZZY_LENGTH = 5  # shorter words have too many near neighbours ("hund"/"und")
MIN_INFIX_LENGTH = 4


def normalise(text: str) -> str:
    """Lower case, umlauts and ß transliterated, other accents dropped, punctuation to spaces."""
    text = text.lower().translate(_TRANSLITERATION)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(_NON_WORD.sub(" ", text).split())


def words(text: str) -> list[str]:
    return normalise(text).split()


def _word_score(token: str, text_words: set[str]) -> float:
    """1.0 exact word, 0.95 word prefix, 0.9 inside a compound word, below that a typo (scaled fuzzy ratio)."""
    if token in text_words:
        return 1.0
    best = 0.0
    for word in text_words:
        if word.startswith(token):
            best = 0.95
        elif len(token) >= MIN_INFIX_LENGTH and token in word:
            best = max(best, 0.9)
        elif len(token) >= MIN_FUZZY_LENGTH:
            # Compare with the whole word and with its beginning, so "hundsteuer" finds "hundesteuer"
            # and "parkausweiss" finds "parkausweis".
            ratio = max(SequenceMatcher(None, token, word).ratio(),
                        SequenceMatcher(None, token, word[: len(token)]).ratio())
            if ratio >= FUZZY_RATIO:
                best = max(best, 0.85 * ratio)
    return best


def score(query: str, normalised_text: str) -> float:
    """Relevance of a text for a query; 0 when any query word is missing (all words must match)."""
    tokens = words(query)
    if not tokens:
        return 0.0
    text_words = set(normalised_text.split())
    total = 0.0
    for token in tokens:
        word_score = _word_score(token, text_words)
        if not word_score:
            return 0.0
        total += word_score
    return total / len(tokens)
