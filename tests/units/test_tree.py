import pytest

from units import selectors, services
from units.models import Unit


def codes(qs):
    return sorted(u.code for u in qs)


def test_subtree_is_one_query(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = codes(selectors.unit_subtree(tree["pgd_a"]))
    assert found == ["PGD-A", "TH-A-1", "THCS-A-2"]


def test_subtree_of_the_root_is_everything(tree):
    assert selectors.unit_subtree(tree["sgd"]).count() == Unit.objects.count() == 7


def test_similar_prefixes_do_not_leak(tree):
    # Ids 1 and 12 must not be confused: paths end with "/".
    for unit in Unit.objects.all():
        assert unit.path.endswith(f"/{unit.pk}/")
    assert "TH-B-1" not in codes(selectors.unit_subtree(tree["pgd_a"]))


def test_rename_from_a_year_keeps_the_earlier_name(tree):
    services.unit_change(tree["a1"], from_year=2022, name="Trường Tiểu học An Phú A", reason="Đổi tên")
    assert selectors.unit_as_of(tree["a1"], 2020).name == "Trường Tiểu học An Phú"
    assert selectors.unit_as_of(tree["a1"], 2022).name == "Trường Tiểu học An Phú A"
    assert selectors.unit_as_of(tree["a1"], 2025).short_name == "Tiểu học An Phú A"
    tree["a1"].refresh_from_db()
    assert tree["a1"].name == "Trường Tiểu học An Phú A"


def test_reparenting_when_district_offices_are_abolished(tree):
    # From 2025-2026 the Phòng no longer exists and its schools answer to the Sở.
    for school in ("a1", "a2"):
        services.unit_change(tree[school], from_year=2025, parent=tree["sgd"], reason="Giải thể cấp huyện")
    services.unit_change(tree["pgd_a"], from_year=2025, is_active=False, reason="Giải thể")

    before = selectors.subtree_ids_as_of(tree["pgd_a"], 2020)
    after = selectors.subtree_ids_as_of(tree["pgd_a"], 2025)
    assert before == {tree["pgd_a"].pk, tree["a1"].pk, tree["a2"].pk}
    assert after == {tree["pgd_a"].pk}
    assert selectors.unit_as_of(tree["a1"], 2024).parent_id == tree["pgd_a"].pk
    assert selectors.unit_as_of(tree["a1"], 2025).parent_id == tree["sgd"].pk
    assert selectors.unit_as_of(tree["pgd_a"], 2025).is_active is False
    # The current tree (paths) follows the newest version.
    tree["a1"].refresh_from_db()
    assert tree["a1"].path == f"{tree['sgd'].path}{tree['a1'].pk}/"


def test_moving_a_unit_moves_its_descendants_paths(tree):
    services.unit_change(tree["pgd_a"], from_year=2021, parent=tree["pgd_b"])
    tree["a1"].refresh_from_db()
    assert tree["a1"].path.startswith(Unit.objects.get(code="PGD-B").path)
    assert "TH-A-1" in codes(selectors.unit_subtree(Unit.objects.get(code="PGD-B")))


def test_a_unit_cannot_move_under_itself(tree):
    with pytest.raises(services.UnitError):
        services.unit_change(tree["pgd_a"], from_year=2021, parent=tree["a1"])


def test_a_unit_founded_later_does_not_exist_in_earlier_years(tree):
    new = services.unit_create(
        code="TH-A-NEW", name="Trường Tiểu học Mới Lập", level="TH", parent=tree["pgd_a"], from_year=2021,
    )
    assert selectors.unit_as_of(new, 2020) is None
    assert selectors.unit_as_of(new, 2021).name == "Trường Tiểu học Mới Lập"
    assert new.pk not in selectors.subtree_ids_as_of(tree["pgd_a"], 2020)
    assert new.pk in selectors.subtree_ids_as_of(tree["pgd_a"], 2021)


def test_history_by_year_is_cached_until_the_tree_changes(tree, django_assert_num_queries):
    with django_assert_num_queries(3):  # stamp, versions, units
        states = selectors.unit_versions_as_of(2020)
    assert len(states) == 7
    with django_assert_num_queries(1):  # the stamp only
        assert selectors.unit_versions_as_of(2020) == states


@pytest.mark.parametrize("change", ["rename", "same_year_rename", "move", "close", "new_unit"])
def test_a_cached_tree_never_outlives_a_change(tree, change):
    """Reports and the board read the cached tree; every kind of change must show at once."""
    from units import services

    before = selectors.units_as_of(tree["sgd"], 2020)
    assert tree["a1"].pk in before and before[tree["a1"].pk].district_id == tree["pgd_a"].pk
    if change == "rename":
        services.unit_change(tree["a1"], from_year=2020, name="Trường Tiểu học Tên Mới")
    elif change == "same_year_rename":  # updates the version row in place
        services.unit_change(tree["a1"], from_year=2020, name="Trường Tiểu học Tên Một")
        selectors.units_as_of(tree["sgd"], 2020)
        services.unit_change(tree["a1"], from_year=2020, name="Trường Tiểu học Tên Hai")
    elif change == "move":
        services.unit_change(tree["a1"], from_year=2020, parent=tree["pgd_b"])
    elif change == "close":
        services.unit_change(tree["a1"], from_year=2020, is_active=False)
    else:
        services.unit_create(code="TH-A-9", name="Trường Tiểu học Mới Lập", level="TH", parent=tree["pgd_a"])
    after = selectors.units_as_of(tree["sgd"], 2020)
    if change == "rename":
        assert after[tree["a1"].pk].state.name == "Trường Tiểu học Tên Mới"
    elif change == "same_year_rename":
        assert after[tree["a1"].pk].state.name == "Trường Tiểu học Tên Hai"
    elif change == "move":
        assert after[tree["a1"].pk].district_id == tree["pgd_b"].pk
        assert tree["a1"].pk in selectors.subtree_ids_as_of(tree["pgd_b"], 2020)
    elif change == "close":
        assert tree["a1"].pk not in after
    else:
        assert {u.unit.code for u in after.values()} - {u.unit.code for u in before.values()} == {"TH-A-9"}


def test_the_admin_cannot_overwrite_a_units_parent_or_name(tree, admin_client):
    from django.urls import reverse

    url = reverse("admin:units_unit_change", args=[tree["a1"].pk])
    data = {"code": "TH-A-1", "name": "Tên Khác", "short_name": "Khác", "kind": "school", "level": "TH",
            "district": "", "source": "", "parent": tree["pgd_b"].pk, "is_active": "on",
            "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0", "_save": "Lưu"}
    response = admin_client.post(url, data)
    assert response.status_code == 302  # the save went through, for the editable fields
    tree["a1"].refresh_from_db()
    assert tree["a1"].parent == tree["pgd_a"] and tree["a1"].name == "Trường Tiểu học An Phú"
