"""Tables for the import's normalisation layer (registrations/importing/normalize.py): no database."""

import datetime
import json
import unicodedata
from pathlib import Path

import pytest
import yaml

from registrations.importing import normalize as n

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "awards" / "data"
# The province's sample files: the project's copy, else the shared folder they came from.
SAMPLES = next((p for p in (ROOT / "tests" / "data" / "samples", Path("/work/shared/samples")) if p.is_dir()), ROOT)
TODAY = datetime.date(2026, 5, 1)  # fixed "today" for the two-digit-year rule

# The registrable titles as (code, name, short_name, kind): awards/data/titles.yaml + catalogue.yaml.
TITLES = [
    ("LDTT", "Lao động tiên tiến", "LĐTT", "individual"),
    ("CSTDCS", "Chiến sĩ thi đua cơ sở", "CSTĐCS", "individual"),
    ("CSTD_TINH", "Chiến sĩ thi đua cấp tỉnh", "CSTĐ tỉnh", "individual"),
    ("CSTDTQ", "Chiến sĩ thi đua toàn quốc", "CSTĐ toàn quốc", "individual"),
    ("TTLDTT", "Tập thể lao động tiên tiến", "TTLĐTT", "collective"),
    ("TTLDXS", "Tập thể lao động xuất sắc", "TTLĐXS", "collective"),
    ("CTD_TINH", "Cờ thi đua của UBND tỉnh", "Cờ thi đua tỉnh", "collective"),
]


def nfd(text):
    return unicodedata.normalize("NFD", text)


def catalogue_titles(registrable_only):
    entries = yaml.safe_load((DATA / "titles.yaml").read_text(encoding="utf-8"))["entries"]
    extra = yaml.safe_load((DATA / "catalogue.yaml").read_text(encoding="utf-8"))
    seen = {}
    for e in entries:
        if not registrable_only or e["code"] in extra["registrable"]:
            seen[e["code"]] = (e["code"], e["name_vi"], extra["short_names"].get(e["code"], ""), e["kind"])
    return list(seen.values())


# ------------------------------------------------------------------------------------------
# clean_text
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, ""),
        ("", ""),
        ("   ", ""),
        ("  Nguyễn   Văn  An ", "Nguyễn Văn An"),
        ("Nguyễn\u00a0Văn\u00a0An", "Nguyễn Văn An"),  # non-breaking spaces
        ("\u00a0\u00a0An\u00a0", "An"),
        ("Ng\u200buyễn Văn\u200b An", "Nguyễn Văn An"),  # zero-width space
        ("\ufeffLê Thị", "Lê Thị"),  # byte order mark
        ("Lê\u200dThị", "LêThị"),  # zero-width joiner is removed, not made a space
        ("Họ và\ntên", "Họ và tên"),
        ("Ngày\r\n sinh\t", "Ngày sinh"),
        ("A\x00B", "A B"),  # control characters
        (nfd("Nguyễn Văn An"), "Nguyễn Văn An"),
        ("Nguy\u00adễn", "Nguyễn"),  # a stray soft hyphen in Unicode text is dropped
        (3, "3"),
        (3.5, "3.5"),
    ],
)
def test_clean_text(value, expected):
    assert n.clean_text(value) == expected


def test_clean_text_gives_nfc_from_composite_unicode():
    # "Unicode tổ hợp" (UniKey's composite option, cp1258): base vowel precomposed, tone combining.
    composite = "T\u00f4\u0309 Khoa ho\u0323c xa\u0303 h\u00f4\u0323i"
    assert composite != "Tổ Khoa học xã hội"
    assert n.clean_text(composite) == "Tổ Khoa học xã hội"
    assert unicodedata.is_normalized("NFC", n.clean_text(composite))


def test_clean_text_keeps_the_tcvn3_soft_hyphen_so_fix_legacy_can_read_it():
    raw = "Tr\u00ad\u00eang THCS Ph\u00ad\u00eang 5"  # TCVN3 "Trường THCS Phường 5"; U+00AD is "ư"
    assert n.clean_text(raw) == raw
    assert n.fix_legacy(n.clean_text(raw)) == ("Trường THCS Phường 5", "tcvn3")


# ------------------------------------------------------------------------------------------
# Legacy encodings
# ------------------------------------------------------------------------------------------

NAMES = [
    "Nguyễn Văn An", "Lê Thị Thu Hương", "Đặng Thị Ánh", "Phạm Quốc Đạt", "Huỳnh Ngọc Yến",
    "Võ Minh Đức", "Nguyễn Thị Huệ", "Trương Văn Út", "Bùi Thị Ngọc Nhung", "Hồ Hữu Nghĩa",
    "Đỗ Thanh Tâm", "Ngô Thị Phượng", "Dương Hoài Sơn", "Trần Thị An", "Lâm Mỹ Uyên",
    "Phan Xuân Trường", "Hoàng Thị Thủy", "Vũ Đình Khánh", "Đinh Thị Kim Oanh", "Lý Quang Hiếu",
    "Tạ Thị Mẫn", "Ông Văn Dũng", "Ưng Hoàng Phúc", "Âu Thị Mỹ Duyên", "Ân Văn Sửu",
    "Đào Duy Tùng", "Khúc Thị Thừa", "Kiều Thị Nguyệt", "Mạc Đăng Dung", "Cù Huy Cận",
    "Quan Thị Ngoãn", "Giáp Văn Cương", "Lê Thị Ỷ Lan", "Nguyễn Thị Ý Nhi", "Phí Văn Chẵn",
    "Lã Thị Hường", "Vi Văn Định", "Đỗ Văn Khỏe", "Trịnh Thị Quỳnh", "Triệu Thị Thủy Tiên",
    "Hứa Văn Lĩnh", "Nguyễn Thị Mỵ", "Phùng Xuân Nhạ", "Doãn Quốc Sỹ", "Lục Văn Ổn",
    "Thân Thị Ngọc Hân", "Hầu Thị Hằng", "Cao Xuân Hữu", "Thạch Thị Ươm", "Lò Văn Uẩn",
]
TEAM_TEXTS = [
    "Tổ Khoa học tự nhiên", "Tổ Ngữ văn", "Ban Giám hiệu", "Phó Hiệu trưởng", "Nhân viên thiết bị",
    "Sáng kiến được công nhận cấp tỉnh năm học 2019-2020", "Tổ Toán - Tin", "Trường THCS Phường 5",
]
TONES = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
ALL_LETTERS = sorted(
    {unicodedata.normalize("NFC", base + tone) for base in "aăâeêioôơuưy" for tone in ("", *TONES)} | {"đ"}
)


def test_the_names_cover_every_tone_and_every_modified_vowel():
    letters = set(nfd("".join(NAMES).lower()))
    assert set(TONES) <= letters
    assert {"\u0306", "\u0302", "\u031b"} <= letters  # breve, circumflex, horn
    assert len(NAMES) == 50 and len(set(NAMES)) == 50


@pytest.mark.parametrize("name", NAMES + TEAM_TEXTS)
def test_ordinary_unicode_text_is_left_alone(name):
    for variant in (name, name.upper(), name.lower(), nfd(name), n.clean_text(name)):
        assert n.detect_legacy_encoding(variant) is None
        assert n.fix_legacy(variant) == (variant, None)


@pytest.mark.parametrize(
    "text",
    [
        "", "Nguyen Van An", "NGUYEN VAN AN", "John Smith", "STEM", "THCS-TANAN-PHUONG5", "2019-2020",
        "Tổng cộng: 20 người", "LĐTT", "CSTĐ cấp tỉnh", "Hoà An", "Võ Tú", "Tô Hà", "Bé Tí", "Hò",
        "Müller", "Peña", "José", "café", "Hélène", "Copyright © 2020", "Room ½", "£5", "«Hello»",
        "LÐTT",  # U+00D0 (cp1258 Đ seen as cp1252): the TCVN3 reading "LéTT" is no syllable
        "Apple®", "Windows® 10", "ASCII ¬ NOT", "5 × 3", "½ giờ",
    ],
)
def test_detection_does_not_fire_on_plain_or_foreign_text(text):
    assert n.detect_legacy_encoding(text) is None
    assert n.fix_legacy(text) == (text, None)


@pytest.mark.parametrize("name", NAMES + TEAM_TEXTS)
def test_tcvn3_text_converts_back_exactly(name):
    encoded = n.encode_legacy(name, "tcvn3")
    assert encoded != name
    assert n.fix_legacy(encoded) == (name, "tcvn3")


@pytest.mark.parametrize("name", NAMES)
def test_tcvn3_capitals_come_back_in_capitals(name):
    encoded = n.encode_legacy(name.upper(), "tcvn3")
    assert n.fix_legacy(encoded) == (name.upper(), "tcvn3")


@pytest.mark.parametrize("name", NAMES + TEAM_TEXTS)
def test_vni_text_converts_back_exactly(name):
    for variant in (name, name.upper(), name.lower()):
        encoded = n.encode_legacy(variant, "vni")
        assert encoded != variant and encoded.isascii() is False
        assert n.fix_legacy(encoded) == (variant, "vni")


@pytest.mark.parametrize(
    "legacy, unicode_text, encoding",
    [
        # TCVN3 (.VnTime) text as Excel shows it without the font.
        ("NguyÔn V¨n An", "Nguyễn Văn An", "tcvn3"),
        ("Lª ThÞ Thu H\u00ad¬ng", "Lê Thị Thu Hương", "tcvn3"),
        ("B¶o Th¾ng", "Bảo Thắng", "tcvn3"),
        ("B¸t X¸t", "Bát Xát", "tcvn3"),
        ("Ninh B×nh", "Ninh Bình", "tcvn3"),
        ("M\u00adêng Kh\u00ad¬ng", "Mường Khương", "tcvn3"),
        ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Cộng hoà xã hội chủ nghĩa Việt Nam", "tcvn3"),
        ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc", "tcvn3"),
        ("Tæ Ng÷ v¨n", "Tổ Ngữ văn", "tcvn3"),
        ("Lao ®éng tiªn tiÕn", "Lao động tiên tiến", "tcvn3"),
        ("L§TT", "LĐTT", "tcvn3"),
        ("CST§ cÊp tØnh", "CSTĐ cấp tỉnh", "tcvn3"),
        # VNI (VNI-Times) text.
        ("Nguyeãn Vaên An", "Nguyễn Văn An", "vni"),
        ("Xin chaøo caùc baïn", "Xin chào các bạn", "vni"),
        ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam", "vni"),
        ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc", "vni"),
        ("Tröôøng Ñaïi hoïc Sö phaïm", "Trường Đại học Sư phạm", "vni"),
        ("Thaønh phoá Hoà Chí Minh", "Thành phố Hồ Chí Minh", "vni"),
        ("Leâ Thò Thu Höông", "Lê Thị Thu Hương", "vni"),
        ("Chieán só thi ñua cô sôû", "Chiến sĩ thi đua cơ sở", "vni"),
    ],
)
def test_hand_written_legacy_fixtures(legacy, unicode_text, encoding):
    assert n.detect_legacy_encoding(legacy) == encoding
    assert n.fix_legacy(legacy) == (unicode_text, encoding)
    assert n.encode_legacy(unicode_text, encoding) == legacy


@pytest.mark.parametrize(
    "legacy, expected",
    [
        ("§Æng ThÞ ¸nh", "Đặng Thị Ánh"),  # title case: a toned first letter becomes a capital
        ("Lª ThÞ û Lan", "Lê Thị Ỷ Lan"),
        ("§¡NG", "ĐĂNG"),  # Ă has its own code
        ("TR\u00a6êNG", "TRƯỜNG"),  # ờ inside a word of capitals
        ("L£ THÞ HUÖ", "LÊ THỊ HUỆ"),
        ("¸nh s¸ng mÆt trêi", "ánh sáng mặt trời"),  # sentence: no guess, stays lower case
        ("Tæ tr\u00adëng", "Tổ trưởng"),
    ],
)
def test_tcvn3_case_is_restored_only_from_context(legacy, expected):
    assert n.fix_legacy(legacy) == (expected, "tcvn3")


@pytest.mark.parametrize("encoding", n.ENCODINGS)
def test_tables_are_complete_and_one_to_one(encoding):
    lower_codes = [n.encode_legacy(ch, encoding) for ch in ALL_LETTERS]
    assert len(ALL_LETTERS) == 12 * 6 + 1
    assert len(set(lower_codes)) == len(ALL_LETTERS)
    same = {letter for letter, code in zip(ALL_LETTERS, lower_codes, strict=True) if code == letter}
    # Only the plain vowels, and the few letters whose legacy byte is the Latin-1 letter itself.
    assert same == set("aeiouy") | ({"ý"} if encoding == "tcvn3" else {"ì", "í"})
    for letter, code in zip(ALL_LETTERS, lower_codes, strict=True):
        assert n.convert_legacy(code, encoding) == letter


@pytest.mark.parametrize("letter", [ch.upper() for ch in ALL_LETTERS])
def test_every_capital_letter_round_trips(letter):
    assert n.convert_legacy(n.encode_legacy(letter, "vni"), "vni") == letter
    # TCVN3 shares capital-with-tone codes with the lower case: capitals come back among capitals.
    word = f"TH{letter}NG"
    assert n.convert_legacy(n.encode_legacy(word, "tcvn3"), "tcvn3") == word


def test_tcvn3_capitals_with_tones_share_the_lower_case_code():
    assert n.encode_legacy("Ễ", "tcvn3") == n.encode_legacy("ễ", "tcvn3") == "Ô"
    assert n.encode_legacy("Đ", "tcvn3") == "§" and n.encode_legacy("đ", "tcvn3") == "®"
    assert n.encode_legacy("Ă", "tcvn3") == "¡" and n.encode_legacy("ă", "tcvn3") == "¨"


def test_known_code_points():
    assert n.encode_legacy("ư", "tcvn3") == "\u00ad"
    assert n.encode_legacy("á", "tcvn3") == "\u00b8"
    assert n.encode_legacy("ỵ", "tcvn3") == "\u00fe"
    assert n.encode_legacy("ơ", "vni") == "\u00f4"
    assert n.encode_legacy("ư", "vni") == "\u00f6"
    assert n.encode_legacy("đ", "vni") == "\u00f1"
    assert n.encode_legacy("ỵ", "vni") == "\u00ee"
    assert n.encode_legacy("Ặ", "vni") == "A\u00cb"


def test_convert_legacy_rejects_an_unknown_encoding():
    with pytest.raises(ValueError, match="không được hỗ trợ"):
        n.convert_legacy("abc", "viscii")
    with pytest.raises(ValueError):
        n.encode_legacy("abc", "utf-7")


@pytest.mark.parametrize(
    "legacy",
    [
        "Khóc Thõa Dô",  # TCVN3 "Khúc Thừa Dụ", but also a valid Unicode Vietnamese text
        "Vâ Tó",  # TCVN3 "Võ Tú"
        "Thò Hoà",  # VNI "Thị Hồ"
    ],
)
def test_legacy_text_that_is_also_plain_vietnamese_is_left_alone(legacy):
    assert n.fix_legacy(legacy) == (legacy, None)


def test_capitals_break_the_tie_for_an_otherwise_ambiguous_text():
    # In capitals the TCVN3 form shows lower-case letters inside capital words: not Unicode.
    assert n.fix_legacy(n.encode_legacy("KHÚC THỪA DỤ", "tcvn3")) == ("KHÚC THỪA DỤ", "tcvn3")


def test_mixed_unicode_and_legacy_text_is_not_converted():
    # One word in Unicode (ễ is no TCVN3 code) makes the whole text ambiguous: leave it.
    assert n.fix_legacy("Nguyễn V¨n An") == ("Nguyễn V¨n An", None)


@pytest.mark.parametrize(
    "word, ok",
    [
        ("nguyễn", True), ("trường", True), ("khuya", True), ("quốc", True), ("gì", True),
        ("nghĩa", True), ("xoong", True), ("oanh", True), ("huỳnh", True), ("ươm", True),
        ("nguyôn", False), ("létt", False), ("mỹller", False), ("ldtt", False), ("ááa", False),
        ("vaờn", False), ("trửụứng", False),
    ],
)
def test_is_vietnamese_syllable(word, ok):
    assert n.is_vietnamese_syllable(word) is ok


# ------------------------------------------------------------------------------------------
# Titles
# ------------------------------------------------------------------------------------------

# Every spelling in title_spelling_variants.xlsx (exact cell text) with the oracle's code.
SAMPLE_TITLE_CELLS = [
    ("CSTĐ cấp tỉnh", "CSTD_TINH"), ("CSTĐ CS", "CSTDCS"), ("LĐTT", "LDTT"), ("CSTD CS", "CSTDCS"),
    ("Lao động tiên tiến", "LDTT"), ("lao dong tien tien", "LDTT"), ("LAO ĐỘNG TIÊN TIẾN", "LDTT"),
    ("  LĐTT ", "LDTT"), ("Lao Động Tiên Tiến", "LDTT"), ("LDTT", "LDTT"), ("lđtt", "LDTT"),
    ("L\u00d0TT", "LDTT"), ("Lao động tiên tiến (LĐTT)", "LDTT"), ("LĐ tiên tiến", "LDTT"),
    ("Lao  động   tiên tiến", "LDTT"), ("Lao dong tien tien", "LDTT"), ("lao động tiên tiến", "LDTT"),
]
# The official form's tick sub-columns and the full names of clean_reference.xlsx.
FORM_TITLE_CELLS = [
    ("LĐTT", "LDTT"), ("CSTĐCS", "CSTDCS"), ("CSTĐ cấp tỉnh", "CSTD_TINH"),
    ("Chiến sĩ thi đua cấp tỉnh", "CSTD_TINH"), ("Chiến sĩ thi đua cơ sở", "CSTDCS"),
]
OTHER_SPELLINGS = [
    # individual
    ("L.Đ.T.T", "LDTT"), ("L.Đ.T.T.", "LDTT"), ("L. Đ. T. T", "LDTT"), ("Lao động tiên tiến.", "LDTT"),
    ("Danh hiệu Lao động tiên tiến", "LDTT"), ("“LĐTT”", "LDTT"), ("ldtt", "LDTT"),
    ("CSTĐCS", "CSTDCS"), ("CSTDCS", "CSTDCS"), ("cstđcs", "CSTDCS"), ("CSTĐ-CS", "CSTDCS"),
    ("CSTĐ cơ sở", "CSTDCS"), ("CSTĐ cấp cơ sở", "CSTDCS"), ("Chiến sỹ thi đua cơ sở", "CSTDCS"),
    ("chien si thi dua co so", "CSTDCS"), ("CHIẾN SĨ THI ĐUA CƠ SỞ", "CSTDCS"), ("Chiến sĩ thi đua cấp cơ sở", "CSTDCS"),
    ("CSTĐ tỉnh", "CSTD_TINH"), ("CSTDT", "CSTD_TINH"), ("CSTĐT", "CSTD_TINH"), ("CSTĐ Tỉnh", "CSTD_TINH"),
    ("Chiến sỹ thi đua tỉnh", "CSTD_TINH"), ("Chiến sĩ thi đua cấp tỉnh", "CSTD_TINH"), ("CSTD_TINH", "CSTD_TINH"),
    ("CSTĐTQ", "CSTDTQ"), ("CSTDTQ", "CSTDTQ"), ("CSTĐ toàn quốc", "CSTDTQ"), ("CSTĐ TQ", "CSTDTQ"),
    ("Chiến sĩ thi đua toàn quốc", "CSTDTQ"), ("Chiến sỹ thi đua toàn quốc", "CSTDTQ"),
    # collective
    ("TTLĐTT", "TTLDTT"), ("TTLDTT", "TTLDTT"), ("Tập thể lao động tiên tiến", "TTLDTT"),
    ("Tập thể LĐTT", "TTLDTT"), ("tap the lao dong tien tien", "TTLDTT"),
    ("TTLĐXS", "TTLDXS"), ("Tập thể LĐXS", "TTLDXS"), ("Tập thể lao động xuất sắc", "TTLDXS"),
    ("TT LĐXS", "TTLDXS"), ("tap the ldxs", "TTLDXS"),
    ("Cờ thi đua UBND tỉnh", "CTD_TINH"), ("Cờ thi đua của UBND tỉnh", "CTD_TINH"),
    ("Cờ thi đua của Ủy ban nhân dân tỉnh", "CTD_TINH"), ("Cờ thi đua của Uỷ ban nhân dân tỉnh", "CTD_TINH"),
    ("Cờ thi đua tỉnh", "CTD_TINH"), ("Cờ thi đua cấp tỉnh", "CTD_TINH"), ("co thi dua ubnd tinh", "CTD_TINH"),
]
ACCEPTED = SAMPLE_TITLE_CELLS + FORM_TITLE_CELLS + OTHER_SPELLINGS
REJECTED = [
    "", "   ", None, "Giấy khen", "xuất sắc", "LĐ", "CSTĐ", "Chiến sĩ thi đua", "CS", "TT", "Lao động",
    "tiên tiến", "Bằng khen", "Cờ thi đua", "Hoàn thành xuất sắc nhiệm vụ", "HTXSNV", "LĐTT, CSTĐCS",
    "LĐTT/CSTĐCS", "Lao động tiên tiến (CSTĐCS)", "Lao động tiên tiến (không đăng ký)", "x",
    "CSTĐ Bộ", "Cờ thi đua của Chính phủ",
]


@pytest.fixture(scope="module")
def matcher():
    return n.TitleMatcher(TITLES)


@pytest.mark.parametrize("text, code", ACCEPTED)
def test_title_spellings(matcher, text, code):
    assert matcher.match(text) == code


@pytest.mark.parametrize("text, code", SAMPLE_TITLE_CELLS + FORM_TITLE_CELLS)
def test_title_spellings_also_when_decomposed_or_typed_in_a_legacy_font(matcher, text, code):
    assert matcher.match(nfd(text)) == code
    for encoding in n.ENCODINGS:
        legacy = n.encode_legacy(text, encoding)
        if legacy == "l®tt" or legacy == "lñtt":
            continue  # a lower-case abbreviation with đ is left alone: see the test below
        assert matcher.match(n.fix_legacy(n.clean_text(legacy))[0]) == code


def test_lower_case_abbreviations_with_a_legacy_d_are_not_guessed():
    # Only an all-capital word may be a non-syllable with Đ ("L§TT"); otherwise "Apple®" would
    # become "Appleđ" and VNI "Peña" "Peđa". The officer sees "l®tt" reported as an unknown title.
    assert n.fix_legacy("l®tt") == ("l®tt", None)
    assert n.fix_legacy("LÑTT") == ("LĐTT", "vni")
    assert n.fix_legacy("L§TT") == ("LĐTT", "tcvn3")


@pytest.mark.parametrize("text", REJECTED)
def test_unknown_or_ambiguous_titles_give_none(matcher, text):
    assert matcher.match(text) is None


@pytest.mark.parametrize(
    "text, codes",
    [
        ("CSTĐ", ["CSTDCS", "CSTDTQ", "CSTD_TINH"]),
        ("Chiến sĩ thi đua", ["CSTDCS", "CSTDTQ", "CSTD_TINH"]),
        ("LĐTT", ["LDTT"]),
        ("Giấy khen", []),
        ("LĐ", []),
    ],
)
def test_candidates_explain_ambiguity(matcher, text, codes):
    assert matcher.candidates(text) == codes


def test_match_can_be_limited_to_a_kind(matcher):
    assert matcher.match("LĐTT", kind="individual") == "LDTT"
    assert matcher.match("LĐTT", kind="collective") is None
    assert matcher.match("TTLĐTT", kind="collective") == "TTLDTT"
    assert matcher.match("TTLĐTT", kind="individual") is None


def test_test_titles_agree_with_the_catalogue_files():
    assert sorted(catalogue_titles(registrable_only=True)) == sorted(TITLES)


def test_the_whole_catalogue_adds_no_ambiguity():
    full = n.TitleMatcher(catalogue_titles(registrable_only=False))
    for text, code in ACCEPTED:
        assert full.match(text) == code, text
    assert full.match("Giấy khen") == "GK"
    assert full.match("CSTĐ Bộ") == "CSTD_BO"
    assert full.match("Chiến sĩ thi đua cấp Bộ") == "CSTD_BO"
    assert full.match("CSTĐ") is None


@pytest.mark.skipif(not (SAMPLES / "title_spelling_variants.xlsx").exists(), reason="shared samples not present")
@pytest.mark.parametrize(
    "sample", ["clean_reference.xlsx", "title_spelling_variants.xlsx", "nfd_decomposed_text.xlsx"]
)
def test_sample_title_cells_match_the_oracle(matcher, sample):
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(SAMPLES / sample).active
    oracle = json.loads((SAMPLES / "expected" / f"{sample}.json").read_text(encoding="utf-8"))
    header = [n.match_header(c.value) for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(oracle["individual_rows"]) == 20
    for values, expected in zip(rows, oracle["individual_rows"], strict=True):
        cells = dict(zip(header, values, strict=True))
        assert n.parse_int(cells["stt"]) == expected["stt"]
        assert n.clean_text(cells["full_name"]) == expected["ho_ten"]
        assert n.parse_date(cells["date_of_birth"]).isoformat() == expected["ngay_sinh"]
        assert n.clean_text(cells["position"]) == expected["chuc_vu"]
        assert n.clean_text(cells["team"]) == expected["to_chuyen_mon"]
        assert matcher.match(n.clean_text(cells["title"])) == expected["danh_hieu"]
        assert n.clean_text(cells["note"]) == expected["ghi_chu"]


# ------------------------------------------------------------------------------------------
# Dates
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (datetime.date(1980, 9, 5), datetime.date(1980, 9, 5)),
        # openpyxl gives date cells as naive datetimes.
        (datetime.datetime(1980, 9, 5, 0, 0), datetime.date(1980, 9, 5)),  # noqa: DTZ001
        (datetime.datetime(1980, 9, 5, 13, 45), datetime.date(1980, 9, 5)),  # noqa: DTZ001
        # Excel serials, 1900 system (1 = 1900-01-01, 60 = the fictitious 1900-02-29).
        (1, datetime.date(1900, 1, 1)),
        (59, datetime.date(1900, 2, 28)),
        (61, datetime.date(1900, 3, 1)),
        (29469, datetime.date(1980, 9, 5)),
        (29469.0, datetime.date(1980, 9, 5)),
        (29469.75, datetime.date(1980, 9, 5)),  # a time of day is dropped
        (29845, datetime.date(1981, 9, 16)),
        (44197, datetime.date(2021, 1, 1)),
        (2958465, datetime.date(9999, 12, 31)),
        ("29845", datetime.date(1981, 9, 16)),  # number stored as text
        (" 29469 ", datetime.date(1980, 9, 5)),
        ("29469.0", datetime.date(1980, 9, 5)),
        # Day first, always.
        ("05/09/1980", datetime.date(1980, 9, 5)),
        ("5/9/1980", datetime.date(1980, 9, 5)),
        ("05-09-1980", datetime.date(1980, 9, 5)),
        ("05.09.1980", datetime.date(1980, 9, 5)),
        ("5 / 9 / 1980", datetime.date(1980, 9, 5)),
        ("12/01/1990", datetime.date(1990, 1, 12)),
        ("29/02/1996", datetime.date(1996, 2, 29)),
        (" 31/12/1999\u00a0", datetime.date(1999, 12, 31)),
        # Two-digit years (today is 2026-05-01 here): 00..26 -> 20xx, 27..99 -> 19xx.
        ("5/9/80", datetime.date(1980, 9, 5)),
        ("05/09/99", datetime.date(1999, 9, 5)),
        ("01/01/00", datetime.date(2000, 1, 1)),
        ("01/01/26", datetime.date(2026, 1, 1)),
        ("01/01/27", datetime.date(1927, 1, 1)),
        # Year first only when the year has four digits (ISO and friends).
        ("1980-09-05", datetime.date(1980, 9, 5)),
        ("1980-9-5", datetime.date(1980, 9, 5)),
        ("1980/09/05", datetime.date(1980, 9, 5)),
        ("1980-09-05 00:00:00", datetime.date(1980, 9, 5)),
        ("1980-09-05T00:00", datetime.date(1980, 9, 5)),
        ("ngày 5 tháng 9 năm 1980", datetime.date(1980, 9, 5)),
        ("Ngày 05 tháng 09 năm 1980", datetime.date(1980, 9, 5)),
    ],
)
def test_parse_date(value, expected):
    assert n.parse_date(value, today=TODAY) == expected


@pytest.mark.parametrize(
    "serial, expected",
    [
        (0, datetime.date(1904, 1, 1)),
        (1, datetime.date(1904, 1, 2)),
        (60, datetime.date(1904, 3, 1)),
        (28007, datetime.date(1980, 9, 5)),
        ("28007", datetime.date(1980, 9, 5)),
        (42735, datetime.date(2021, 1, 1)),
    ],
)
def test_parse_date_1904_system(serial, expected):
    assert n.parse_date(serial, epoch1904=True) == expected


def test_the_two_systems_differ_by_1462_days():
    assert n.parse_date(30000) - n.parse_date(30000, epoch1904=True) == datetime.timedelta(days=-1462)


def test_two_digit_years_follow_the_current_year_by_default():
    pivot = datetime.datetime.now(datetime.UTC).year % 100
    assert n.parse_date(f"1/1/{pivot - 1:02d}").year == 2000 + pivot - 1
    assert n.parse_date(f"1/1/{(pivot + 2) % 100:02d}").year in (1900 + pivot + 2, 2000 + (pivot + 2) % 100)
    assert n.parse_date("1/1/80").year == 1980


@pytest.mark.parametrize(
    "value, message",
    [
        ("31/02/1990", "Ngày “31/02/1990” không hợp lệ (dùng dạng dd/mm/yyyy)."),
        ("29/02/1990", "Ngày “29/02/1990” không hợp lệ (dùng dạng dd/mm/yyyy)."),
        ("32/01/1990", "Ngày “32/01/1990” không hợp lệ (dùng dạng dd/mm/yyyy)."),
        ("05/13/1980", "Ngày “05/13/1980” không hợp lệ (dùng dạng dd/mm/yyyy)."),  # no month-first
        ("00/01/1990", "Ngày “00/01/1990” không hợp lệ (dùng dạng dd/mm/yyyy)."),
        ("5/9/980", "Ngày “5/9/980” không hợp lệ (dùng dạng dd/mm/yyyy)."),
        ("1980-13-01", "Ngày “1980-13-01” không hợp lệ (dùng dạng dd/mm/yyyy)."),
        ("05.09", "Ngày “05.09” không hợp lệ (dùng dạng dd/mm/yyyy)."),
        ("hôm qua", "Ngày “hôm qua” không hợp lệ (dùng dạng dd/mm/yyyy)."),
        ("5/9/1980 abc", "Ngày “5/9/1980 abc” không hợp lệ (dùng dạng dd/mm/yyyy)."),
        (-5, "Ngày “-5” không hợp lệ (dùng dạng dd/mm/yyyy)."),
        (0, "Ngày “0” không hợp lệ (dùng dạng dd/mm/yyyy)."),
        (3000000, "Ngày “3000000” không hợp lệ (dùng dạng dd/mm/yyyy)."),
        (float("nan"), "Ngày “nan” không hợp lệ (dùng dạng dd/mm/yyyy)."),
        (True, "Ngày “True” không hợp lệ (dùng dạng dd/mm/yyyy)."),
        ("", "Chưa có ngày (dùng dạng dd/mm/yyyy)."),
        (None, "Chưa có ngày (dùng dạng dd/mm/yyyy)."),
    ],
)
def test_parse_date_errors_are_vietnamese(value, message):
    with pytest.raises(ValueError) as error:
        n.parse_date(value, today=TODAY)
    assert str(error.value) == message


def test_serial_60_is_the_fictitious_29_february_1900():
    with pytest.raises(ValueError, match="29/02/1900"):
        n.parse_date(60)
    with pytest.raises(ValueError, match="29/02/1900"):
        n.parse_date("60")


@pytest.mark.parametrize("value", [1980, "1980", 1900, "2021", 2100.0])
def test_a_bare_year_is_not_taken_for_a_serial(value):
    with pytest.raises(ValueError, match="giống một năm"):
        n.parse_date(value)


# ------------------------------------------------------------------------------------------
# Numbers
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (3, 3), (3.0, 3), ("3", 3), (" 3 ", 3), ("03", 3), ("3.", 3), ("\u00a03\u00a0", 3),
        (0, 0), ("120", 120), (None, None), ("", None), ("   ", None),
    ],
)
def test_parse_int(value, expected):
    assert n.parse_int(value) == expected


@pytest.mark.parametrize("value", ["3a", "a3", "3.5", 3.5, "-3", "III", "3 4", "1,000", True, "x"])
def test_parse_int_rejects_non_integers_in_vietnamese(value):
    with pytest.raises(ValueError, match="không phải là số nguyên"):
        n.parse_int(value)


def test_parse_int_message_quotes_the_cell():
    with pytest.raises(ValueError) as error:
        n.parse_int(" 3a ")
    assert str(error.value) == "“3a” không phải là số nguyên."


# ------------------------------------------------------------------------------------------
# Headers
# ------------------------------------------------------------------------------------------

HEADERS = [
    ("STT", "stt"), ("stt", "stt"), ("TT", "stt"), ("Số TT", "stt"), ("Số thứ tự", "stt"), ("So thu tu", "stt"),
    ("S.T.T", None), ("Họ và tên", "full_name"), ("HỌ VÀ TÊN", "full_name"), ("Ho va ten", "full_name"),
    ("Họ  và   tên", "full_name"), ("Họ và\ntên", "full_name"), ("Họ tên", "full_name"), ("Họ, tên", "full_name"),
    ("Họ và tên (*)", "full_name"), ("Họ và tên:", "full_name"), ("Họ và tên *", "full_name"),
    (nfd("Họ và tên"), "full_name"), ("Ngày sinh", "date_of_birth"), ("Ngày\nsinh", "date_of_birth"),
    ("NGAY SINH", "date_of_birth"), ("Ngày sinh (dd/mm/yyyy)", "date_of_birth"), ("Ngày tháng năm sinh", "date_of_birth"),
    ("Ngày, tháng, năm sinh", "date_of_birth"), ("Ngày/tháng/năm sinh", "date_of_birth"), ("NS", "date_of_birth"),
    ("Ngày sinh (ghi rõ ngày", "date_of_birth"), ("Chức vụ", "position"), ("Chức vụ/chức danh", "position"),
    ("Chức vụ / Chức danh", "position"), ("chuc vu", "position"), ("Chức danh", "position"),
    ("Tổ chuyên môn", "team"), ("Tổ", "team"), ("Tổ CM", "team"), ("to cm", "team"), ("Bộ phận", "team"),
    ("Tổ/Bộ phận", "team"), ("Danh hiệu đăng ký", "title"), ("Danh hiệu thi đua", "title"), ("Danh hiệu", "title"),
    ("Đăng ký danh hiệu", "title"), ("DANH HIỆU\nĐĂNG KÝ", "title"), ("Danh hieu dang ky", "title"),
    ("Danh hiệu đăng kí", "title"), ("Đăng kí danh hiệu", "title"), ("Ghi chú", "note"), ("Ghi chú (nếu có)", "note"), ("GHI CHU", "note"),
    ("Mã cán bộ", "staff_id"), ("Mã CB", "staff_id"), ("Mã định danh", "staff_id"), ("ID", "staff_id"), ("id", "staff_id"),
    ("Họ", None), ("Tên", None), ("Năm sinh", None), ("", None), (None, None), ("(1)", None), ("Giới tính", None),
    ("Tập thể", None), ("Danh hiệu đăng ký › LĐTT", None),
]


@pytest.mark.parametrize("text, key", HEADERS)
def test_match_header(text, key):
    assert n.match_header(text) == key


@pytest.mark.parametrize(
    "text, normalized",
    [
        ("Họ và tên:", "ho va ten"),
        ("  Ngày\nsinh (dd/mm/yyyy) * ", "ngay sinh"),
        ("Chức vụ/chức danh", "chuc vu chuc danh"),
        ("Tổ chuyên môn/Đơn vị", "to chuyen mon don vi"),
        ("ĐĂNG KÝ", "dang ky"),
        ("Số\u00a0TT", "so tt"),
        ("", ""),
    ],
)
def test_normalize_header(text, normalized):
    assert n.normalize_header(text) == normalized


def test_every_alias_is_recognised_and_belongs_to_one_key():
    owners = {}
    for key, aliases in n.HEADER_ALIASES.items():
        for alias in aliases:
            owners.setdefault(n.normalize_header(alias), set()).add(key)
            assert n.match_header(alias) == key
            assert n.match_header(alias.upper()) == key
            assert n.match_header(n.fold(alias)) == key
    assert all(len(keys) == 1 for keys in owners.values())
    assert set(n.HEADER_ALIASES) == {"stt", "full_name", "date_of_birth", "position", "team", "title", "note", "staff_id"}


def test_sample_header_rows():
    reference = ["STT", "Họ và tên", "Ngày sinh", "Chức vụ", "Tổ chuyên môn", "Danh hiệu đăng ký", "Ghi chú"]
    assert [n.match_header(h) for h in reference] == [
        "stt", "full_name", "date_of_birth", "position", "team", "title", "note",
    ]
    missing = ["STT", "Họ và tên", "Ngày sinh", "Chức vụ", "Tổ chuyên môn", "Ghi chú"]
    assert "title" not in {n.match_header(h) for h in missing}


# ------------------------------------------------------------------------------------------
# Formula-looking text
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, formula_like",
    [
        ("=1+1", True), ("+84 912 345 678", True), ("-5", True), ("@SUM(A1)", True),
        ("  =HYPERLINK(\"http://x\")", True), ("\t=cmd|' /C calc'!A0", True), (" \t -2", True),
        ("Nguyễn Văn An", False), ("a=b", False), ("1+1", False), ("", False), ("   ", False),
        ("Tổ Toán - Tin", False), ("'=1+1", False), (None, False), (3, False),
    ],
)
def test_is_formula_like(text, formula_like):
    assert n.is_formula_like(text) is formula_like


@pytest.mark.parametrize(
    "text, neutral",
    [
        ("=1+1", "'=1+1"), ("  =1+1", "'  =1+1"), ("@x", "'@x"), ("-5", "'-5"), ("+5", "'+5"),
        ("Nguyễn Văn An", "Nguyễn Văn An"), ("", ""), ("Tổ Toán - Tin", "Tổ Toán - Tin"),
    ],
)
def test_neutralize_for_excel(text, neutral):
    assert n.neutralize_for_excel(text) == neutral
    assert not n.is_formula_like(n.neutralize_for_excel(text))
