"""The pages stack_anchors.py measures, beside the example's own URLs.

- ``/ping/``: anonymous and trivial, the stacks' fixed cost;
- ``/bench/signed-in/``: a signed-in user's trivial page (the user is loaded);
- ``/bench/lessons/``: a signed-in page showing 20 lessons from one query (their subject,
  tutor and room joined in) through a template, as a real list page does.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from school.models import Lesson  # type: ignore[import-untyped, unused-ignore]

ROWS = 20


def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse("pong", content_type="text/plain")


@login_required
def signed_in(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"hello {request.user.get_username()}", content_type="text/plain")


@login_required
def lessons(request: HttpRequest) -> HttpResponse:
    rows = Lesson.objects.select_related("subject", "tutor__user", "room").order_by("-starts_at")
    return render(request, "bench/lessons.html", {"lessons": rows[:ROWS]})


urlpatterns = [
    path("ping/", ping),
    path("bench/signed-in/", signed_in),
    path("bench/lessons/", lessons),
    path("", include("school_site.urls")),
]
