"""Accept liberally, store exactly: cell-level normalisation for the registration Excel import.

Pure functions, no Django, no I/O. Every value read from an uploaded sheet passes through here
before it is compared or stored:

- ``clean_text``: NFC, single spaces, no zero-width or non-breaking spaces.
- ``fix_legacy``: text typed with pre-Unicode fonts (TCVN3/ABC ".VnTime", VNI "VNI-Times")
  converted back to Unicode, but only when the text cannot be read any other way.
- ``TitleMatcher``: the many ways officers spell a title ("LĐTT", "CSTD CS", "Chiến sỹ thi đua
  tỉnh") to the title's code.
- ``parse_date`` / ``parse_int``: Excel serials, text dates (day first) and STT cells.
- ``normalize_header`` / ``match_header``: column headers to canonical keys.
- ``is_formula_like`` / ``neutralize_for_excel``: formula injection guard for text we write back.

Decisions another reader must know:

- Two-digit years: 00..(current year % 100) are 20xx, the rest 19xx ("5/9/80" is 1980; in 2026
  "5/9/26" is 2026 and "5/9/27" is 1927). Birth-date plausibility is the caller's check.
- A bare number 1900..2100 given as a date (cell or text) is refused as "looks like a year":
  as an Excel serial it would silently be a day in 1905.
- TCVN3 (ABC) has no codes for capital letters with a tone mark (capitals come from separate
  ".VnTimeH" fonts that draw the lower-case codes as capitals), so a toned code is decoded
  lower case and made upper case only when the context is unambiguous: the word's other letters
  are capitals (at least two of them, or the whole text is in capitals), or it starts a word in
  a text whose every other word starts with a capital ("§Æng ThÞ ¸nh" -> "Đặng Thị Ánh").
  Otherwise it stays lower case ("¸nh s¸ng" -> "ánh sáng"). VNI encodes case and needs no guess.
- U+00AD (soft hyphen) is the TCVN3 code of "ư", so ``clean_text`` keeps it when the text reads
  as TCVN3 (so that ``fix_legacy(clean_text(x))`` works) and drops it otherwise.
"""

from __future__ import annotations

import datetime
import itertools
import re
import unicodedata
from functools import lru_cache

from units.vntext import fold, normalize_text

# --------------------------------------------------------------------------------------------
# Text cleaning
# --------------------------------------------------------------------------------------------

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACE_LIKE = dict.fromkeys(map(ord, "\u00a0\u2007\u202f"), " ")
_SOFT_HYPHEN = "\u00ad"
# Unicode category Cc, exactly: C0 controls, DEL and C1 controls (one regex, not a loop per character).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _strip_invisible(text: str) -> str:
    """Zero-width characters removed, non-breaking and control characters turned into spaces."""
    text = text.translate(_ZERO_WIDTH).translate(_SPACE_LIKE)
    return _CONTROL.sub(" ", text)


def clean_text(value) -> str:
    """Any cell value as NFC text, trimmed, one space between words; None -> ""."""
    if value is None:
        return ""
    try:
        return _clean_text_cached(value)
    except TypeError:  # an unhashable value: worked out each time
        return _clean_text(value)


@lru_cache(maxsize=65536, typed=True)
def _clean_text_cached(value) -> str:
    # Pure, and a sheet repeats positions, teams and titles thousands of times; the reader asks
    # for the same cell more than once.
    return _clean_text(value)


def _clean_text(value) -> str:
    text = _strip_invisible(str(value))
    if _SOFT_HYPHEN in text and not _assess(normalize_text(text), "tcvn3")[1]:
        text = text.replace(_SOFT_HYPHEN, "")
    return normalize_text(text)


# --------------------------------------------------------------------------------------------
# Legacy encodings: TCVN3 (ABC) and VNI Windows, as seen when read as Unicode/cp1252
# --------------------------------------------------------------------------------------------

# Tone marks in the order of the tables below: ngang (none), huyền, hỏi, ngã, sắc, nặng.
_TONE_MARKS = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_TONE_SET = frozenset(_TONE_MARKS[1:])

# TCVN 5712:1993 VN3 ("ABC", fonts .VnTime/.VnArial), lower case, one code per letter and tone.
# Codes are the characters cp1252 shows for the bytes: "¸" is byte 0xB8 (á).
_TCVN3_ROWS = {
    "a": "aµ¶·¸¹",
    "ă": "¨»¼½¾Æ",
    "â": "©ÇÈÉÊË",
    "e": "eÌÎÏÐÑ",
    "ê": "ªÒÓÔÕÖ",
    "i": "i×ØÜÝÞ",
    "o": "oßáâãä",
    "ô": "«åæçèé",
    "ơ": "¬êëìíî",
    "u": "uïñòóô",
    "ư": "\u00adõö÷øù",  # ư itself is 0xAD, a soft hyphen (invisible) in cp1252
    "y": "yúûüýþ",
}
# The only capitals VN3 encodes: the toneless modified letters and Đ.
_TCVN3_OTHERS = {"đ": "®", "Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§"}

# VNI Windows (fonts VNI-Times ...): base letter + accent character(s) from the cp1252 upper half.
_VNI_ROWS = {
    "a": ("a", "aø", "aû", "aõ", "aù", "aï"),
    "ă": ("aê", "aè", "aú", "aü", "aé", "aë"),
    "â": ("aâ", "aà", "aå", "aã", "aá", "aä"),
    "e": ("e", "eø", "eû", "eõ", "eù", "eï"),
    "ê": ("eâ", "eà", "eå", "eã", "eá", "eä"),
    "i": ("i", "ì", "æ", "ó", "í", "ò"),
    "o": ("o", "oø", "oû", "oõ", "où", "oï"),
    "ô": ("oâ", "oà", "oå", "oã", "oá", "oä"),
    "ơ": ("ô", "ôø", "ôû", "ôõ", "ôù", "ôï"),
    "u": ("u", "uø", "uû", "uõ", "uù", "uï"),
    "ư": ("ö", "öø", "öû", "öõ", "öù", "öï"),
    "y": ("y", "yø", "yû", "yõ", "yù", "î"),
}
_VNI_OTHERS = {"đ": "ñ", "Đ": "Ñ"}

ENCODINGS = ("tcvn3", "vni")


def _letter(base: str, tone: int) -> str:
    """The precomposed letter for a base vowel and a tone index."""
    return unicodedata.normalize("NFC", base + _TONE_MARKS[tone])


def _build_tcvn3() -> tuple[dict[str, str], dict[str, str], frozenset[str]]:
    """(unicode -> code, code -> unicode, codes whose case is unknown)."""
    encode, decode, shared = {}, {}, set()
    for base, codes in _TCVN3_ROWS.items():
        for tone, code in enumerate(codes):
            lower = _letter(base, tone)
            encode[lower] = code
            if tone == 0 and base.isascii():
                continue  # plain a e i o u y
            decode[code] = lower
            if tone:
                encode[lower.upper()] = code  # capitals with a tone share the lower-case code
                shared.add(code)
    for letter, code in _TCVN3_OTHERS.items():
        encode[letter] = code
        decode[code] = letter
    return encode, decode, frozenset(shared)


def _build_vni() -> tuple[dict[str, str], dict[str, str]]:
    """(unicode -> code, code -> unicode) for lower and upper case."""
    encode, decode = {}, {}
    pairs = [(_letter(base, tone), code) for base, row in _VNI_ROWS.items() for tone, code in enumerate(row)]
    pairs += list(_VNI_OTHERS.items())
    for letter, code in pairs:
        for ltr, cde in ((letter, code), (letter.upper(), code.upper())):
            encode[ltr] = cde
            if not cde.isascii():
                decode[cde] = ltr
    return encode, decode


_TCVN3_ENCODE, _TCVN3_DECODE, _TCVN3_SHARED = _build_tcvn3()
_VNI_ENCODE, _VNI_DECODE = _build_vni()

# Vietnamese letters that are in Latin-1: these may appear in ordinary Unicode text.
_VIET_LATIN1 = frozenset("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")

# A Vietnamese syllable without its tone: onset, then an open nucleus or a nucleus with a coda.
_ONSETS = "ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
_OPEN_NUCLEI = "oai|oay|oao|oeo|uây|uôi|ươi|ươu|iêu|yêu|uya|uyu|ai|ao|au|ay|âu|ây|eo|êu|ia|iu|oi|ôi|ơi|ua|ui|ưa|ưi|ưu"
_CODA_NUCLEI = "uyê|iê|yê|uô|ươ|uâ|oă|oo|oa|oe|uê|uy|uơ|a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
_SYLLABLE = re.compile(rf"^(?:{_ONSETS})?(?:(?:{_OPEN_NUCLEI})|(?:{_CODA_NUCLEI})(?:ch|ng|nh|c|m|n|p|t)?)$")


def is_vietnamese_syllable(word: str) -> bool:
    """True when the word has the shape of one Vietnamese syllable (at most one tone mark)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(ch in _TONE_SET for ch in decomposed) > 1:
        return False
    toneless = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_SET))
    return bool(_SYLLABLE.match(toneless))


def encode_legacy(text: str, encoding: str) -> str:
    """Unicode text as a legacy font would store it (TCVN3 loses capital-with-tone case)."""
    table = {"tcvn3": _TCVN3_ENCODE, "vni": _VNI_ENCODE}.get(encoding)
    if table is None:
        raise ValueError(f"Bảng mã “{encoding}” không được hỗ trợ.")
    return "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFC", text))


def _table(encoding: str) -> dict[str, str]:
    """The code -> Unicode table of an encoding (codes that are not plain ASCII)."""
    return _VNI_DECODE if encoding == "vni" else _TCVN3_DECODE


def _decode_pieces(text: str, encoding: str) -> list[tuple[str, str]]:
    """The text as (unicode letter, source code) pieces; unknown characters map to themselves."""
    table = _table(encoding)
    pieces = []
    i = 0
    while i < len(text):
        if encoding == "vni" and text[i:i + 2] in table:
            pieces.append((table[text[i:i + 2]], text[i:i + 2]))
            i += 2
            continue
        pieces.append((table.get(text[i], text[i]), text[i]))
        i += 1
    return pieces


def _words(pieces: list[tuple[str, str]]) -> list[list[int]]:
    """Indexes of the pieces forming each word (a run of letters after decoding)."""
    words, current = [], []
    for i, (out, _src) in enumerate(pieces):
        if out.isalpha():
            current.append(i)
        elif current:
            words.append(current)
            current = []
    if current:
        words.append(current)
    return words


def _restore_tcvn3_case(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Capitalise toned TCVN3 letters where the surrounding letters make the case certain."""
    words = _words(pieces)
    known = [pieces[i][0] for w in words for i in w if pieces[i][1] not in _TCVN3_SHARED and pieces[i][0].isalpha()]
    all_caps = len(known) >= 2 and all(ch.isupper() for ch in known)
    firsts = [pieces[w[0]][0] for w in words if pieces[w[0]][1] not in _TCVN3_SHARED]
    title_case = len(words) >= 2 and bool(firsts) and all(ch.isupper() for ch in firsts)
    result = list(pieces)
    for w in words:
        own = [pieces[i][0] for i in w if pieces[i][1] not in _TCVN3_SHARED]
        word_caps = bool(own) and all(ch.isupper() for ch in own) and (len(own) >= 2 or all_caps)
        for position, i in enumerate(w):
            out, src = pieces[i]
            if src not in _TCVN3_SHARED:
                continue
            if word_caps or (not own and all_caps) or (position == 0 and title_case):
                result[i] = (out.upper(), src)
    return result


def _is_plain_vietnamese(word: str) -> bool:
    """True when a word read as ordinary Unicode is a Vietnamese syllable in a normal case."""
    if not all(ch.isascii() or ch in _VIET_LATIN1 for ch in word):
        return False
    if word not in (word.lower(), word.upper(), word[:1].upper() + word[1:].lower()):
        return False  # "HiÕu", "KHóC": no one writes a word like that in Unicode
    return is_vietnamese_syllable(word)


def _assess(text: str, encoding: str) -> tuple[str, bool]:
    """(text decoded from the encoding, whether the text is evidently in that encoding)."""
    pieces = _decode_pieces(text, encoding)
    if encoding == "tcvn3":
        pieces = _restore_tcvn3_case(pieces)
    converted = "".join(out for out, _src in pieces)
    table = _table(encoding)
    for _out, src in pieces:
        if src not in table and not src.isascii() and unicodedata.category(src[0])[0] in "LM":
            return converted, False  # a letter (or combining mark) the encoding does not have
    evidence = False
    for w in _words(pieces):
        changed = [pieces[i] for i in w if pieces[i][1] in table]  # "ý" is its own TCVN3 code
        if not changed:
            continue
        word = "".join(pieces[i][0] for i in w)
        source = "".join(pieces[i][1] for i in w)
        vowels_changed = any(out not in "đĐ" for out, _src in changed)
        if not is_vietnamese_syllable(word) and (vowels_changed or not word.isupper()):
            return converted, False  # only an all-capital abbreviation may hold a lone Đ (LĐTT)
        if len(word) >= 2 and not _is_plain_vietnamese(source):
            # Vietnamese in the encoding and not as Unicode: "NguyÔn", "Lª", "Nguyeãn" are
            # evidence; "Hoà" (VNI "Hồ"), "Võ" or "Tú" read either way and prove nothing.
            evidence = True
    return converted, evidence


def _leftovers(text: str, encoding: str) -> int:
    """Unconverted non-ASCII symbols touching a letter: "Ng÷" read as VNI leaves "÷" behind."""
    pieces = _decode_pieces(text, encoding)
    table = _table(encoding)
    count = 0
    for i, (_out, src) in enumerate(pieces):
        if src not in table and not src.isascii() and not src.isspace():
            neighbours = [pieces[j][0] for j in (i - 1, i + 1) if 0 <= j < len(pieces)]
            count += any(ch.isalpha() for ch in neighbours)
    return count


def detect_legacy_encoding(text: str) -> str | None:
    """"tcvn3" or "vni" when the text reads as exactly one legacy encoding, else None."""
    if text.isascii():
        return None  # both encodings write every Vietnamese letter with a byte above 127
    found = [enc for enc in ENCODINGS if _assess(text, enc)[1]]
    if len(found) > 1:  # both read as Vietnamese: keep the one that leaves no stray symbols
        found = [enc for enc in found if _leftovers(text, enc) == 0]
    return found[0] if len(found) == 1 else None


def convert_legacy(text: str, encoding: str) -> str:
    """The text decoded from the given legacy encoding, whatever it looks like."""
    if encoding not in ENCODINGS:
        raise ValueError(f"Bảng mã “{encoding}” không được hỗ trợ.")
    return _assess(text, encoding)[0]


def fix_legacy(text: str) -> tuple[str, str | None]:
    """(converted text, encoding) when the encoding is unambiguous, else (text, None)."""
    encoding = detect_legacy_encoding(text)
    if encoding is None:
        return text, None
    return normalize_text(convert_legacy(text, encoding)), encoding


# --------------------------------------------------------------------------------------------
# Titles
# --------------------------------------------------------------------------------------------

_PARENS = re.compile(r"\(([^()]*)\)")
_FILLER_WORDS = frozenset({"cap", "cua"})  # "CSTĐ cấp tỉnh" = "CSTĐ tỉnh"; "Cờ thi đua (của) UBND tỉnh"
_PREFIX = ("danh", "hieu")  # "Danh hiệu Lao động tiên tiến"
_VOWEL_LETTERS = frozenset("aeiouy")


def _i_for_y(word: str) -> str:
    """A folded word with a final y after a consonant spelled i: sĩ/sỹ, kí/ký, lí/lý."""
    if len(word) >= 2 and word[-1] == "y" and word[-2] not in _VOWEL_LETTERS:
        return word[:-1] + "i"
    return word


def _title_words(text: str) -> list[tuple[str, bool]]:
    """Folded words of a title text, each with whether it was written as an abbreviation."""
    text = clean_text(text).replace("Ð", "Đ").replace("ð", "đ").replace(".", "")
    words = []
    for raw in re.split(r"[^\w]+|_", text):
        if not raw:
            continue
        words.append((_i_for_y(fold(raw)), len(raw) >= 2 and raw.isupper()))
    for i in range(len(words) - 3, -1, -1):  # "Ủy ban nhân dân" is written "UBND"
        if [w for w, _ in words[i:i + 4]] == ["uy", "ban", "nhan", "dan"]:
            words[i:i + 4] = [("ubnd", True)]
    words = [(w, abbr) for w, abbr in words if w not in _FILLER_WORDS]
    if tuple(w for w, _ in words[:2]) == _PREFIX and len(words) > 2:
        words = words[2:]
    return words


def _compact(text: str) -> str:
    """A title text as one folded string without spaces: the key titles are looked up by."""
    return "".join(w for w, _ in _title_words(text))


def _spellings(text: str) -> set[str]:
    """Every compact spelling of a name where each ordinary word may be cut to its initial."""
    options = [[w] if abbr else [w, w[0]] for w, abbr in _title_words(_PARENS.sub(" ", text))]
    return {"".join(combo) for combo in itertools.product(*options)} if options else set()


class TitleMatcher:
    """Recognises the ways officers write a title: full name, abbreviations, no diacritics."""

    def __init__(self, titles: list[tuple[str, str, str, str]]):
        """Index each title (code, name, short_name, kind) by all its accepted spellings."""
        self.kinds: dict[str, str] = {}
        self._keys: dict[str, set[str]] = {}
        self._matched: dict[tuple[str | None, str | None], str | None] = {}
        for code, name, short_name, kind in titles:
            self.kinds[code] = kind
            for source in (name, short_name or "", code.replace("_", " ")):
                for key in _spellings(source):
                    if len(key) >= 2:
                        self._keys.setdefault(key, set()).add(code)

    def _codes(self, text: str, kind: str | None) -> set[str]:
        """Codes whose spellings include the text exactly."""
        codes = self._keys.get(_compact(text), set())
        return {c for c in codes if kind is None or self.kinds[c] == kind}

    def match(self, text: str | None, kind: str | None = None) -> str | None:
        """The one code the text names, or None when it names none or several."""
        # A file repeats a handful of spellings thousands of times: each is worked out once.
        key = (text, kind)
        if key not in self._matched:
            self._matched[key] = self._match(text, kind)
        return self._matched[key]

    def _match(self, text: str | None, kind: str | None) -> str | None:
        # A bracketed part must name the same title ("Lao động tiên tiến (LĐTT)"); any other
        # bracketed note makes the text unrecognised rather than silently ignored.
        text = clean_text(text)
        parts = [_PARENS.sub(" ", text), *_PARENS.findall(text)]
        parts = [p for p in parts if _compact(p)]
        found: set[str] = set()
        for part in parts:
            codes = self._codes(part, kind)
            if len(codes) != 1:
                return None
            found |= codes
        return found.pop() if len(found) == 1 else None

    def candidates(self, text: str | None, kind: str | None = None) -> list[str]:
        """Codes the text could mean, for error messages ("CSTĐ" -> three titles)."""
        text = clean_text(text)
        codes: set[str] = set()
        for part in [_PARENS.sub(" ", text), *_PARENS.findall(text)]:
            key = _compact(part)
            found = self._codes(part, kind)
            if not found and len(key) >= 4:
                found = {c for k, cs in self._keys.items() if k.startswith(key) for c in cs}
            codes |= {c for c in found if kind is None or self.kinds[c] == kind}
        return sorted(codes)


# --------------------------------------------------------------------------------------------
# Dates and numbers
# --------------------------------------------------------------------------------------------

_VIETNAM = datetime.timezone(datetime.timedelta(hours=7))
_EXCEL_1900 = datetime.date(1899, 12, 30)  # serial 61 = 1900-03-01 once the fictitious 29/02 is skipped
_EXCEL_1904 = datetime.date(1904, 1, 1)
_DMY = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})$")
_YMD = re.compile(r"^(\d{4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_LONG = re.compile(r"^ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})$")
_SERIAL_TEXT = re.compile(r"^\d+(?:\.0+)?$")
_FORMAT_HINT = "(dùng dạng dd/mm/yyyy)"


def _bad_date(shown: str) -> ValueError:
    """The standard error for a date that cannot be read."""
    return ValueError(f"Ngày “{shown}” không hợp lệ {_FORMAT_HINT}.")


def _today() -> datetime.date:
    """Today in Vietnam (UTC+7, no daylight saving)."""
    return datetime.datetime.now(_VIETNAM).date()


def _full_year(year: int, digits: int, today: datetime.date) -> int:
    """A two-digit year up to this year's two digits is 20xx, any other 19xx."""
    if digits == 4:
        return year
    return 2000 + year if year <= today.year % 100 else 1900 + year


def _from_serial(serial: float, shown: str, epoch1904: bool) -> datetime.date:
    """The date of an Excel serial number in the 1900 (Lotus bug included) or 1904 system."""
    whole = int(serial)
    if serial < 0 or (not epoch1904 and whole == 0):
        raise _bad_date(shown)
    if 1900 <= whole <= 2100:
        raise ValueError(f"“{shown}” giống một năm, không phải một ngày; cần ghi đủ ngày, tháng, năm {_FORMAT_HINT}.")
    if not epoch1904 and whole == 60:
        raise ValueError(f"Ngày “{shown}” là ngày 29/02/1900, một ngày không có thật (lỗi lịch của Excel) {_FORMAT_HINT}.")
    try:
        if epoch1904:
            return _EXCEL_1904 + datetime.timedelta(days=whole)
        # Excel counts 1900-02-29, so serials before it are one day later than the plain offset.
        return _EXCEL_1900 + datetime.timedelta(days=whole + (1 if whole < 60 else 0))
    except OverflowError:
        raise _bad_date(shown) from None


def _make_date(year: int, month: int, day: int, shown: str) -> datetime.date:
    """A date, or the standard Vietnamese error when it does not exist."""
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _bad_date(shown) from None


def parse_date(value, *, epoch1904: bool = False, today: datetime.date | None = None) -> datetime.date:
    """A date from a cell: date objects, Excel serials (also as text) or day-first text."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise _bad_date(str(value))
    if isinstance(value, int | float):
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        if value != value or value in (float("inf"), float("-inf")):
            raise _bad_date(shown)
        return _from_serial(value, shown, epoch1904)
    text = clean_text(value)
    if not text:
        raise ValueError(f"Chưa có ngày {_FORMAT_HINT}.")
    if _SERIAL_TEXT.match(text):
        return _from_serial(float(text), text, epoch1904)
    today = today or _today()
    if m := _DMY.match(text):
        day, month, year = m.groups()
        return _make_date(_full_year(int(year), len(year), today), int(month), int(day), text)
    if m := _YMD.match(text):
        year, month, day = m.groups()
        return _make_date(int(year), int(month), int(day), text)
    if m := _LONG.match(fold(text)):
        day, month, year = m.groups()
        return _make_date(int(year), int(month), int(day), text)
    raise _bad_date(text)


def parse_int(value) -> int | None:
    """A whole number from an STT-like cell (3, 3.0, " 03 ", "3."); blank -> None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"“{value}” không phải là số nguyên.")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(f"“{value:g}” không phải là số nguyên.")
    text = clean_text(value)
    if not text:
        return None
    if re.fullmatch(r"\d+\.?", text):
        return int(text.rstrip("."))
    raise ValueError(f"“{text}” không phải là số nguyên.")


# --------------------------------------------------------------------------------------------
# Headers
# --------------------------------------------------------------------------------------------

# Canonical column key -> header spellings accepted (compared after normalize_header). A lone
# "Họ" or "Tên" is deliberately absent: it means the name is split over two columns.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "stt": ("STT", "TT", "Số TT", "Số thứ tự"),
    "full_name": ("Họ và tên", "Họ tên", "Họ, tên", "Họ và tên cán bộ"),
    "date_of_birth": ("Ngày sinh", "Ngày tháng năm sinh", "Ngày, tháng, năm sinh", "NS"),
    "position": ("Chức vụ", "Chức vụ/chức danh", "Chức danh"),
    "team": ("Tổ chuyên môn", "Tổ", "Tổ CM", "Bộ phận", "Tổ/Bộ phận"),
    "title": ("Danh hiệu đăng ký", "Danh hiệu thi đua", "Danh hiệu", "Đăng ký danh hiệu",
              "Danh hiệu thi đua đăng ký", "Đăng ký danh hiệu thi đua"),
    "note": ("Ghi chú",),
    "staff_id": ("Mã cán bộ", "Mã CB", "Mã định danh", "ID"),
}


def normalize_header(text) -> str:
    """A header folded: no diacritics, lower case, no punctuation or bracketed notes."""
    text = clean_text(text)
    text = _PARENS.sub(" ", text)
    text = text.split("(", 1)[0]  # an unclosed "(ghi rõ ..." note
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def _header_key(text) -> str:
    """The normalised header with the i/y spelling variants merged ("đăng kí" = "đăng ký")."""
    return " ".join(_i_for_y(word) for word in normalize_header(text).split())


_HEADER_LOOKUP = {_header_key(alias): key for key, aliases in HEADER_ALIASES.items() for alias in aliases}


def match_header(text) -> str | None:
    """The canonical key of a header cell, or None."""
    return _HEADER_LOOKUP.get(_header_key(text))


# --------------------------------------------------------------------------------------------
# Formula injection
# --------------------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@")


def is_formula_like(text) -> bool:
    """True when a spreadsheet could read the text as a formula (= + - @ after spaces/tabs)."""
    return isinstance(text, str) and text.lstrip(" \t\r\n").startswith(_FORMULA_STARTS)


def neutralize_for_excel(text: str) -> str:
    """The text prefixed with an apostrophe when it looks like a formula, else unchanged.

    openpyxl writes any string starting with "=" as a formula, and CSV readers evaluate = + - @;
    the apostrophe (OWASP's advice) makes every reader keep it as text. In an .xlsx it stays
    visible in the cell, since the file format has no escape in the content itself.
    """
    return "'" + text if is_formula_like(text) else text
