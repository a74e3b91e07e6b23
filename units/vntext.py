"""Vietnamese text helpers: normalisation, diacritic-free folding, name parts, collation keys.

Pure functions, no Django: imports, search and ordering all go through these so that
"Nguyễn", "NGUYEN" and a decomposed (NFD) "Nguyễn" from a macOS file meet in one place.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")

# Combining marks that make a different letter (ă â ê ô ơ ư), as opposed to tone marks.
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
# Tone marks in the order of the CLDR Vietnamese collation (and Hoàng Phê's dictionary):
# ngang (none), huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": 2, "\u0309": 3, "\u0303": 4, "\u0301": 5, "\u0323": 6}
_NO_TONE = 1

# Vietnamese alphabet order; f j w z (foreign names) sit where Latin puts them.
_ALPHABET = [
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m",
    "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
]
# Two decimal digits per symbol: digits 10-19, letters from 20. Keys are made of digits only,
# so every database collation (C, en_US, vi_VN, SQLite BINARY) orders them the same way.
_SYMBOL_CODE = {str(d): f"{10 + d}" for d in range(10)}
_SYMBOL_CODE.update({letter: f"{20 + i}" for i, letter in enumerate(_ALPHABET)})


def normalize_text(value: str | None) -> str:
    """NFC, trimmed, inner whitespace collapsed to one space."""
    if value is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def fold(value: str | None) -> str:
    """Lower case without diacritics, đ folded to d: the form used for search and matching."""
    text = unicodedata.normalize("NFD", normalize_text(value).lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("đ", "d")


def search_index(value: str | None) -> str:
    """Folded words padded with spaces, so that ' an ' matches the whole word only."""
    folded = fold(value)
    return f" {folded} " if folded else ""


def search_terms(query: str | None) -> list[str]:
    """The whole words a search must find, each as ' word ' to match against search_index."""
    return [f" {word} " for word in fold(query).split(" ") if word]


def name_case(value: str | None) -> str:
    """Names as Vietnamese write them: "nguyễn VĂN an" -> "Nguyễn Văn An"."""
    return " ".join(word[:1].upper() + word[1:].lower() for word in normalize_text(value).split(" "))


def search_phrase(query: str | None) -> str:
    """The folded query as one phrase of whole words: ' duc hoa ' (not 'Giáo dục ... Hóa')."""
    folded = fold(query)
    return f" {folded} " if folded else ""


def text_sort_key(text: str | None) -> str:
    """Vietnamese collation key for any text (unit names, districts)."""
    words = normalize_text(text).split(" ")
    return _words_key([w for w in words if w])


NAME_WORD = re.compile(r"^[^\W\d_]+(?:[-'][^\W\d_]+)*$")
MAX_NAME_WORDS = 7


def person_name_error(full_name: str) -> str | None:
    """Why a text cannot be a person's full name, in Vietnamese; None when it can."""
    words = normalize_text(full_name).split(" ")
    words = [w for w in words if w]
    if len(words) < 2:
        return "Họ và tên phải có ít nhất hai từ (họ và tên)."
    if len(words) > MAX_NAME_WORDS:
        return f"Họ và tên có {len(words)} từ, nhiều hơn mức cho phép ({MAX_NAME_WORDS})."
    for word in words:
        if not NAME_WORD.match(word):
            return f"“{word}” không phải là một từ trong tên người (chỉ gồm chữ cái)."
        if len(word) > 20:
            return f"“{word[:20]}…” quá dài cho một từ trong tên người."
    return None


def split_name(full_name: str) -> tuple[str, str, str]:
    """(family, middle, given) from a Vietnamese full name written family-first."""
    words = normalize_text(full_name).split(" ")
    words = [w for w in words if w]
    if not words:
        return "", "", ""
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def _word_key(word: str) -> str:
    """Primary key (letters) then the tone as a secondary key, for one word (syllable)."""
    primary: list[str] = []
    tone = _NO_TONE
    for ch in unicodedata.normalize("NFD", word.lower()):
        if ch in _TONES:
            tone = _TONES[ch]
        elif ch in (_BREVE, _CIRCUMFLEX, _HORN) and primary:
            # Recompose the base letter with its modifier: a+˘ -> ă, o+ʼ -> ơ ...
            base = _ALPHABET[int(primary[-1]) - 20] if int(primary[-1]) >= 20 else ""
            composed = unicodedata.normalize("NFC", base + ch)
            if composed in _SYMBOL_CODE:
                primary[-1] = _SYMBOL_CODE[composed]
        elif ch in _SYMBOL_CODE:
            primary.append(_SYMBOL_CODE[ch])
        # Anything else (hyphens, apostrophes, other combining marks) does not sort.
    # "0" after the letters sorts a word before any longer word that starts with it.
    return "".join(primary) + "0" + str(tone)


def _words_key(words: list[str]) -> str:
    # "01" between words of a part, "00" ends a part: fewer words sort first.
    return "01".join(_word_key(w) for w in words) + "00"


def name_sort_key(family: str, middle: str, given: str) -> str:
    """Vietnamese ordering of people: by given name, then family name, then middle names.

    This is the order of Vietnamese school lists (tên, họ, đệm), and the order the province's
    own sample files use. Within a word letters come first (a < ă < â < b ... d < đ ...),
    then the tone mark (none, huyền, hỏi, ngã, sắc, nặng).
    """
    parts = [given, family, middle]
    return "".join(_words_key(normalize_text(p).split(" ") if normalize_text(p) else []) for p in parts)
