"""The engine's quota checks with a province's rule (own basis and source) and the collective
reasons worded for registrations. Pure Python."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from awards.rules import MemberFacts, check_quotas, evaluate_collective, load_rules

TITLES = Path(__file__).resolve().parents[2] / "awards" / "data" / "titles.yaml"
RULES = load_rules(yaml.safe_load(TITLES.read_text(encoding="utf-8")))
SOURCE = "Quyết định 12/2020/QĐ-UBND tỉnh Thử, Điều 7 khoản 2"


def quota(results, code):
    return next(r for r in results if r.code == code)


def test_national_cap_rounds_down_and_names_its_article():
    q = quota(check_quotas(RULES, {"LDTT": 90, "CSTDCS": 20}, "2017"), "CSTDCS")
    assert (q.used, q.allowed, q.basis_code, q.basis_count, q.status) == (20, 13, "LDTT", 90, "exceeded")
    assert not q.overridden and q.article == "NĐ 91/2017/NĐ-CP Điều 9 khoản 3"
    assert "làm tròn xuống" in q.message and "15%" in q.message


@pytest.mark.parametrize("fraction, allowed, overridden", [
    (0.10, 9, True),     # tighter: the province's rule applies
    (0.15, 13, False),   # equal: the national cap (and its article) stays
    (0.20, 13, False),   # looser: cannot widen the national cap
])
def test_province_rule_applies_only_when_stricter(fraction, allowed, overridden):
    overrides = {("2017", "CSTDCS"): {"fraction": fraction, "basis": "LDTT", "source": SOURCE}}
    q = quota(check_quotas(RULES, {"LDTT": 90, "CSTDCS": 12}, "2017", overrides=overrides), "CSTDCS")
    assert (q.allowed, q.overridden) == (allowed, overridden)
    assert (SOURCE in q.article) == overridden
    assert "hạn mức của tỉnh" in q.message
    if not overridden:
        assert "không chặt hơn nên không áp dụng" in q.message


def test_province_rule_on_another_basis_is_compared_by_the_number_it_allows():
    # The engine accepts any basis (the service only offers lower titles of the same ladder):
    # 30% of 20 allows 6, fewer than 15% of 90 LĐTT (13), so it applies; 30% of 60 (18) does not.
    overrides = {("2017", "CSTDCS"): {"fraction": "0.3", "basis": "TTLDTT", "source": SOURCE}}
    q = quota(check_quotas(RULES, {"LDTT": 90, "CSTDCS": 12, "TTLDTT": 20}, "2017", overrides=overrides), "CSTDCS")
    assert (q.allowed, q.basis_code, q.basis_count, q.overridden) == (6, "TTLDTT", 20, True)
    q = quota(check_quotas(RULES, {"LDTT": 90, "CSTDCS": 12, "TTLDTT": 60}, "2017", overrides=overrides), "CSTDCS")
    assert (q.allowed, q.basis_code, q.overridden) == (13, "LDTT", False)


def test_under_the_2023_regime_the_province_rule_is_the_only_cap():
    assert quota(check_quotas(RULES, {"LDTT": 90, "CSTDCS": 20}, "2023"), "CSTDCS").status == "no_limit"
    overrides = {("2023", "CSTDCS"): {"fraction": 0.2, "basis": "LDTT", "source": SOURCE}}
    q = quota(check_quotas(RULES, {"LDTT": 90, "CSTDCS": 20}, "2023", overrides=overrides), "CSTDCS")
    assert (q.allowed, q.status, q.overridden, q.unconfirmed) == (18, "exceeded", True, False)
    assert SOURCE in q.article


def _members(registered_ldtt: int, total: int, rating=None):
    return [MemberFacts(rating, frozenset({"LDTT"}) if i < registered_ldtt else frozenset()) for i in range(total)]


def test_collective_share_from_registrations_says_so_and_counts_the_unregistered_as_not_ldtt():
    rule = RULES[("2017", "TTLDTT")]
    verdict = evaluate_collective(rule, _members(5, 10), 2020, titles_from="registered")
    share = verdict.reason("members:ldtt_share")
    # 5/10 is not above 50%; members without a registration are not "unknown" while registering.
    assert share.status == "failed" and share.message.startswith("Theo đăng ký thi đua năm học 2020-2021")
    assert "đăng ký LĐTT trở lên" in share.message
    assert verdict.status == "ineligible"
    recognised = evaluate_collective(rule, _members(5, 10), 2020)
    assert recognised.reason("members:ldtt_share").status == "missing"  # unrated members may still be LĐTT
    passed = evaluate_collective(rule, _members(6, 10), 2020, titles_from="registered")
    assert passed.reason("members:ldtt_share").status == "passed"
    with pytest.raises(ValueError):
        evaluate_collective(rule, _members(6, 10), 2020, titles_from="guessed")


def test_ttldxs_needs_a_registered_cstdcs_member():
    rule = RULES[("2017", "TTLDXS")]
    group = _members(8, 10)
    verdict = evaluate_collective(rule, group, 2020, titles_from="registered")
    assert verdict.reason("members:cstdcs").status == "failed"
    group[0] = MemberFacts(None, frozenset({"LDTT", "CSTDCS"}))
    verdict = evaluate_collective(rule, group, 2020, titles_from="registered")
    assert verdict.reason("members:cstdcs").status == "passed"
    assert "Theo đăng ký" in verdict.reason("members:cstdcs").message


def test_member_discipline_is_unknown_while_the_year_is_not_recorded():
    rule = RULES[("2017", "TTLDTT")]
    unrated = evaluate_collective(rule, _members(8, 10), 2020, titles_from="registered")
    assert unrated.reason("members:discipline").status == "missing"
    assert "10/10 thành viên chưa có kết quả đánh giá" in unrated.reason("members:discipline").message
    rated = _members(8, 10, rating="HTTNV")
    assert evaluate_collective(rule, rated, 2020).reason("members:discipline").status == "passed"
    rated[0] = MemberFacts("HTTNV", frozenset({"LDTT"}), "canh_cao")
    assert evaluate_collective(rule, rated, 2020).reason("members:discipline").status == "failed"
    rated[0] = MemberFacts("HTTNV", frozenset({"LDTT"}), "khien_trach")  # khiển trách is allowed
    assert evaluate_collective(rule, rated, 2020).reason("members:discipline").status == "passed"
