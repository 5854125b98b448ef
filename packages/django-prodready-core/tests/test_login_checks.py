"""prodready.W020: the login page that staff pages send people to exists."""

import pytest
from django.core import checks
from django.http import HttpResponse
from django.test import override_settings
from django.urls import include, path

from prodready.login_checks import check_login_url


def login(request):
    return HttpResponse("log in")


class WithAdminLogin:
    """A project as startproject makes it: an admin (with its login page) and prodready."""

    urlpatterns = [
        path("admin/", include(([path("login/", login, name="login")], "admin"))),
        path("", include("prodready.urls")),
    ]


class WithoutAdmin:
    urlpatterns = [path("", include("prodready.urls"))]


class WithoutProdreadyPages:
    urlpatterns = [path("health/", include("prodready.health.urls"))]


def test_the_default_login_url_of_a_new_project_is_a_warning_naming_the_admin_login():
    with override_settings(ROOT_URLCONF=WithAdminLogin):
        (warning,) = check_login_url()
    assert warning.id == "prodready.W020"
    assert warning.level == checks.WARNING
    assert warning.msg == (
        "LOGIN_URL is '/accounts/login/', which matches no URL of this site, so staff sent "
        "to sign in from /ops/ get a 404."
    )
    assert warning.hint.startswith("Set LOGIN_URL = 'admin:login' to use the admin's login page")


def test_without_an_admin_the_hint_names_another_fix():
    with override_settings(ROOT_URLCONF=WithoutAdmin):
        (warning,) = check_login_url()
    assert warning.hint.startswith("Mount a login view at LOGIN_URL, or set LOGIN_URL")


@pytest.mark.parametrize(
    "login_url",
    [
        "admin:login",  # the fix the hint names
        "/admin/login/",
        "/admin/login",  # CommonMiddleware appends the slash
        "https://sso.example.com/login",  # another site's: not ours to look up
    ],
)
def test_a_login_url_that_exists_passes(login_url):
    with override_settings(ROOT_URLCONF=WithAdminLogin, LOGIN_URL=login_url):
        assert check_login_url() == []


@pytest.mark.parametrize("login_url", ["accounts:login", "/admin/login/extra/"])
def test_a_name_or_path_that_names_nothing_is_a_warning(login_url):
    with override_settings(ROOT_URLCONF=WithAdminLogin, LOGIN_URL=login_url):
        assert [m.id for m in check_login_url()] == ["prodready.W020"]


def test_no_warning_when_prodready_pages_are_not_mounted():
    with override_settings(ROOT_URLCONF=WithoutProdreadyPages):
        assert check_login_url() == []


def test_no_warning_for_settings_without_urls(settings):
    del settings.ROOT_URLCONF
    assert check_login_url() == []


def test_the_check_is_registered_with_the_url_checks():
    with override_settings(ROOT_URLCONF=WithAdminLogin):
        assert "prodready.W020" in [m.id for m in checks.run_checks(tags=[checks.Tags.urls])]
