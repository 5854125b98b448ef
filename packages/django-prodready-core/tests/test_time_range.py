"""The dashboard's ``?range=`` parameter: four ranges, any other value the default."""

from datetime import UTC, datetime

import pytest
from django.test import RequestFactory

from prodready.time_range import DEFAULT_RANGE, RANGES, time_range_from


@pytest.mark.parametrize(
    ("query", "key", "seconds"),
    [("1h", "1h", 3600), ("6h", "6h", 21600), ("24h", "24h", 86400), ("7d", "7d", 604800)],
)
def test_each_range_is_parsed(rf: RequestFactory, query: str, key: str, seconds: int) -> None:
    chosen = time_range_from(rf.get("/ops/", {"range": query}))
    assert (chosen.key, chosen.seconds, chosen.minutes) == (key, seconds, seconds // 60)


@pytest.mark.parametrize(
    "query", [None, "", "2h", "7D ", "1h' OR 1=1", "\x00", "9" * 500, "<script>", "24 h"]
)
def test_a_missing_or_unknown_range_is_the_default(rf: RequestFactory, query: str | None) -> None:
    request = rf.get("/ops/", {} if query is None else {"range": query})
    expected = RANGES[3] if query == "7D " else DEFAULT_RANGE  # case and spaces are forgiven
    assert time_range_from(request) == expected


def test_start_is_that_long_before_now() -> None:
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert RANGES[1].start(now) == datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


def test_the_labels_name_each_range() -> None:
    assert [str(r.label) for r in RANGES] == ["1 hour", "6 hours", "24 hours", "7 days"]


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("operator", password="x", is_staff=True)
    client.force_login(user)
    return client


@pytest.mark.parametrize("broken_neighbour", [False, True])
def test_cards_receive_the_chosen_range(staff_client, prodready_plugin, broken_neighbour) -> None:
    from prodready import DashboardCard
    from prodready.plugins import hookimpl

    seen = []

    class Ranged:
        @hookimpl
        def prodready_dashboard_cards(self, request, time_range):
            seen.append(time_range.key)
            return [DashboardCard(title=f"Range {time_range.key}", template="prodready/base.html")]

    class Broken:
        @hookimpl
        def prodready_dashboard_cards(self, request):
            raise RuntimeError("down")

    prodready_plugin(Ranged())
    if broken_neighbour:  # the error path calls each plugin with the arguments it takes
        prodready_plugin(Broken())
    for query, key in [("6h", "6h"), ("7d", "7d"), ("bogus", "1h")]:
        response = staff_client.get("/ops/", {"range": query})
        assert response.status_code == 200
        html = response.content.decode()
        assert f'<a href="?range={key}" aria-current="true">' in html
        assert html.count('aria-current="true"') == 1
        assert f"Range {key}" in html
    assert seen[-3:] == ["6h", "7d", "1h"]
