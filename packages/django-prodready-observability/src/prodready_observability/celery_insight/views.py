"""The Celery page (staff only): workers, queues, every task's figures, periodic tasks."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from prodready_observability.celery_insight.overview import celery_overview


@never_cache
def celery_page(request: HttpRequest) -> HttpResponse:
    # Imported here: django.contrib.auth's views load its models, and this URLconf is
    # can be imported before the app registry is ready (as the gunicorn tests' site does).
    from django.contrib.auth.views import redirect_to_login

    # As the dashboard: anonymous users log in, signed-in users without staff get 403.
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied(gettext("The Celery page is for staff only."))
    return render(request, "prodready_observability/celery.html", {"overview": celery_overview()})
