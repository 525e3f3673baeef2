"""Scoring, pooling, the k threshold and comparisons."""

from __future__ import annotations

import pytest

from relworkbook.errors import FriendlyError
from relworkbook.heatmap.model import check_ratings, compare, personal, split_by, summarise, temperature, unanswered


def everyone(pack, value):
    return {s.id: value for s in pack.statements}


def test_ratings_out_of_range_or_unknown_are_refused(pack):
    sid = pack.statements[0].id
    for bad in (0, 6, 2.5, "3", True):
        with pytest.raises(FriendlyError):
            check_ratings(pack, {sid: bad})
    with pytest.raises(FriendlyError, match="statement this workbook does not have"):
        check_ratings(pack, {"nope": 3})
    assert check_ratings(pack, {sid: 4.0, pack.statements[1].id: None}) == {sid: 4, pack.statements[1].id: None}


def test_pooled_means_spread_and_dont_know(pack):
    first = pack.statements[0].id
    answers = [{first: 1}, {first: 3}, {first: 5}, {first: None}]
    summary = summarise(pack, answers, min_group=3)
    cell = summary.statements[0]
    assert (cell.respondents, cell.dont_know, cell.mean) == (3, 1, 3.0)
    assert cell.spread == pytest.approx(1.63, abs=0.01)
    assert summary.respondents == 4


def test_cells_below_k_are_hidden_but_counted(pack):
    first, second = pack.statements[0].id, pack.statements[1].id
    answers = [{first: 4, second: 2}, {first: 4}, {first: 5}]
    summary = summarise(pack, answers, min_group=3)
    by_key = {c.key: c for c in summary.statements}
    assert by_key[first].mean == pytest.approx(4.33, abs=0.01)
    assert by_key[second].mean is None and by_key[second].respondents == 1
    assert by_key[pack.statements[2].id].respondents == 0  # nobody answered (shown as hidden too: see views)


def test_category_counts_each_person_once(pack):
    you = pack.categories[0]
    answers = [{s.id: 5 for s in you.statements}, {you.statements[0].id: 1}, {you.statements[1].id: 3}]
    cat = summarise(pack, answers, min_group=1).categories[0]
    assert cat.respondents == 3 and cat.mean == pytest.approx((5 + 1 + 3) / 3, abs=0.01)


def test_warmest_coolest_and_most_divided(pack):
    a, b, c = (s.id for s in pack.statements[:3])
    answers = [{a: 5, b: 1, c: 1}, {a: 5, b: 1, c: 5}, {a: 4, b: 2, c: 3}]
    summary = summarise(pack, answers, min_group=3)
    assert summary.warmest(1)[0].key == a
    assert summary.coolest(1)[0].key == b
    assert summary.most_divided(1)[0].key == c


def test_rounds_show_where_it_warmed_up(pack):
    a, b = pack.statements[0].id, pack.statements[1].id
    before = summarise(pack, [{a: 2, b: 4}] * 3, 3)
    after = summarise(pack, [{a: 4, b: 3}] * 3, 3)
    changes = compare(before, after)
    assert changes[0].cell.key == a and changes[0].delta == 2.0
    assert [c.delta for c in changes if c.cell.key == b] == [-1.0]


def test_split_by_group_applies_k_per_group(pack):
    a = pack.statements[0].id
    rows = [("staff", {a: 5})] * 3 + [("residents", {a: 1})] * 2
    groups = split_by(pack, rows, min_group=3)
    assert groups["staff"].statements[0].mean == 5.0
    assert groups["residents"].statements[0].mean is None


def test_a_hidden_group_cannot_be_worked_out_by_subtraction(pack):
    from relworkbook.heatmap.model import suppress_complements

    a = pack.statements[0].id
    rows = [("staff", {a: 3})] * 3 + [("manager", {a: 5})]
    groups = suppress_complements(split_by(pack, rows, min_group=3))
    assert groups["manager"].statements[0].mean is None
    assert groups["staff"].statements[0].mean is None  # else everyone - staff = the manager
    assert groups["staff"].statements[0].respondents == 3
    assert summarise(pack, [r for _, r in rows], 3).statements[0].mean == 3.5


def test_personal_heatmap_and_words(pack):
    mine = personal(pack, everyone(pack, 4))
    assert all(c.mean == 4 for c in mine.categories)
    assert temperature(pack.scale, 4.5) == "warm" and temperature(pack.scale, 1.5) == "cool"
    assert temperature(pack.scale, 3.0) == "mixed"
    assert unanswered(pack, {pack.statements[0].id: None}) == [s.id for s in pack.statements[1:]]


def test_a_thousand_participants_pool_correctly(pack):
    import random

    rng = random.Random(7)
    answers = [{s.id: rng.choice([1, 2, 3, 4, 5, None]) for s in pack.statements} for _ in range(1000)]
    summary = summarise(pack, answers, 3)
    first = pack.statements[0].id
    values = [a[first] for a in answers if a[first] is not None]
    assert summary.statements[0].mean == round(sum(values) / len(values), 2)
    assert summary.statements[0].respondents + summary.statements[0].dont_know == 1000
