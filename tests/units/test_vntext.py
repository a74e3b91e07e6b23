import random
import unicodedata

import pytest

from units import vntext

# The order the province's sample file gives (shared/samples/README.md, clean_reference.xlsx).
SAMPLE_ORDER = (
    "Nguyễn Văn An, Trần Thị An, Đặng Thị Ánh, Phạm Quốc Đạt, Võ Minh Đức, Lý Quang Hiếu, "
    "Nguyễn Thị Huệ, Lê Thị Thu Hương, Vũ Đình Khánh, Hồ Hữu Nghĩa, Bùi Thị Ngọc Nhung, "
    "Đinh Thị Kim Oanh, Ngô Thị Phượng, Dương Hoài Sơn, Đỗ Thanh Tâm, Hoàng Thị Thủy, "
    "Phan Xuân Trường, Trương Văn Út, Lâm Mỹ Uyên, Huỳnh Ngọc Yến"
).split(", ")


def key(name):
    return vntext.name_sort_key(*vntext.split_name(name))


@pytest.mark.parametrize(
    "raw, folded",
    [
        ("Nguyễn Văn A", "nguyen van a"),
        ("NGUYỄN VĂN A", "nguyen van a"),
        ("Đặng  Thị   Ánh ", "dang thi anh"),
        (unicodedata.normalize("NFD", "Phượng"), "phuong"),
        ("Đỗ Đức Đạt", "do duc dat"),
    ],
)
def test_fold_removes_case_diacritics_and_folds_d(raw, folded):
    assert vntext.fold(raw) == folded


def test_normalize_text_gives_nfc_and_single_spaces():
    decomposed = unicodedata.normalize("NFD", "  Lê   Thị Thu Hương ")
    assert vntext.normalize_text(decomposed) == "Lê Thị Thu Hương"
    assert unicodedata.is_normalized("NFC", vntext.normalize_text(decomposed))


def test_split_name_family_middle_given():
    assert vntext.split_name("Lê Thị Thu Hương") == ("Lê", "Thị Thu", "Hương")
    assert vntext.split_name("Trần An") == ("Trần", "", "An")


def test_sort_matches_the_sample_file_order():
    shuffled = SAMPLE_ORDER[:]
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=key) == SAMPLE_ORDER


def test_letters_with_marks_sort_after_their_base_letter():
    words = ["Đông", "Ân", "Dũng", "Ăn", "An", "Duy", "Anh", "Ơn", "Ôn", "On", "Ưu", "Uy"]
    assert sorted(words, key=lambda w: vntext.name_sort_key("", "", w)) == [
        "An", "Anh", "Ăn", "Ân", "Dũng", "Duy", "Đông", "On", "Ôn", "Ơn", "Uy", "Ưu",
    ]


def test_tones_order_after_the_letters_none_grave_hook_tilde_acute_dot():
    words = ["mạ", "má", "mã", "mả", "mà", "ma"]
    assert sorted(words, key=lambda w: vntext.name_sort_key("", "", w)) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_tone_is_secondary_to_letters():
    # "Ánh" differs from "An" by a letter first (h), so the tone does not decide.
    assert sorted(["Ánh", "Anh", "An"], key=lambda w: vntext.name_sort_key("", "", w)) == ["An", "Anh", "Ánh"]


def test_decomposed_names_sort_like_composed_ones():
    nfd = unicodedata.normalize("NFD", "Đặng Thị Ánh")
    assert key(nfd) == key("Đặng Thị Ánh")


def test_sort_key_is_digits_only_so_every_collation_agrees():
    assert key("Lê Thị Thu Hương").isdigit()


def test_search_terms_match_whole_words_only():
    index = vntext.search_index("Đặng Thị Ánh")
    assert all(term in index for term in vntext.search_terms("dang thi anh"))
    assert not any(term in vntext.search_index("Đặng Thị Ánh") for term in vntext.search_terms("an"))
    assert all(term in vntext.search_index("Nguyễn Văn An") for term in vntext.search_terms("AN"))


def test_name_case_fixes_typing_in_lower_or_upper_case():
    assert vntext.name_case("  huỳnh   thị MỸ duyên ") == "Huỳnh Thị Mỹ Duyên"
    assert vntext.name_case("ĐỖ ĐỨC ĐẠT") == "Đỗ Đức Đạt"
