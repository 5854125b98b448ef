"""The operations pages' shared navigation, composed through ``prodready_operations_pages``."""

import re

import pytest
from django.contrib.auth.models import Permission

from prodready import OperationsPage
from prodready.plugins import hookimpl

URL = "/ops/"


def nav_links(html: str) -> list[tuple[str, str]]:
    nav = re.search(r'<nav class="pr-nav".*?</nav>', html, re.S)
    assert nav, html
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav.group())


class SchoolPages:
    @hookimpl
    def prodready_operations_pages(self):
        return [
            OperationsPage("Invoices", "prodready:health-live", permission="auth.view_user"),
            OperationsPage("Not mounted", "school:nowhere", order=1),
            OperationsPage("First", "prodready:health-ready", order=-5),
        ]


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_user("operator", password="x", is_staff=True)
    client.force_login(user)
    return user


def test_staff_see_every_page_they_may_open_in_order(client, staff, prodready_plugin) -> None:
    prodready_plugin(SchoolPages())
    links = nav_links(client.get(URL).content.decode())
    # No "Invoices" without its permission; "Not mounted" does not reverse.
    assert links == [
        ("/health/ready", "First"),
        ("/ops/", "Dashboard"),
        ("/health/", "Health (JSON)"),
    ]
    staff.user_permissions.add(Permission.objects.get(codename="view_user"))
    links = nav_links(client.get(URL).content.decode())
    assert ("/health/live", "Invoices") in links


def test_the_current_page_is_marked(client, staff) -> None:
    html = client.get(URL).content.decode()
    assert '<a href="/ops/" aria-current="page">Dashboard</a>' in html
    assert '<a href="/health/">Health (JSON)</a>' in html


def test_the_layout_links_back_to_the_site(client, staff) -> None:
    assert (
        '<a class="pr-site-link" href="/">Back to the site</a>' in client.get(URL).content.decode()
    )


def test_a_plugin_returning_the_wrong_type_leaves_the_navigation_out(
    client, staff, prodready_plugin, caplog
) -> None:
    class Broken:
        @hookimpl
        def prodready_operations_pages(self):
            return ["/ops/"]

    prodready_plugin(Broken())
    response = client.get(URL)
    assert response.status_code == 200
    assert nav_links(response.content.decode()) == []
    assert "Listing the operations pages failed" in caplog.text


def test_no_navigation_for_anyone_but_active_staff(rf, django_user_model) -> None:
    from prodready.dashboard.navigation import navigation_for

    request = rf.get(URL)
    request.user = django_user_model.objects.create_user("student", password="x")
    assert navigation_for(request) == []
    assert navigation_for(None) == []


def test_the_navigation_costs_no_query_once_the_page_checked_a_permission(
    rf, django_user_model, django_assert_num_queries
) -> None:
    """Pages check a permission first, which loads the user's permissions once; the
    navigation's own checks then reuse Django's per-user permission cache."""
    from prodready.dashboard.navigation import navigation_for

    class Guarded:
        @hookimpl
        def prodready_operations_pages(self):
            return [
                OperationsPage(f"Page {n}", "prodready:health-live", f"auth.view_{kind}")
                for n, kind in enumerate(["user", "group", "permission"])
            ]

    from prodready.testing import register_temporarily

    request = rf.get(URL)
    request.user = django_user_model.objects.create_user("operator", is_staff=True)
    request.user.has_perm("auth.view_user")  # what the page itself does
    with register_temporarily(Guarded()), django_assert_num_queries(0):
        links = navigation_for(request)
    assert [link.label for link in links] == ["Dashboard", "Health (JSON)"]
