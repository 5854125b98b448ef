"""Who may do what: the three roles of the site, checked on the server for every page.

ADMIN is an active staff user, and each admin page and action also needs its Django
permission (``school.add_invoice`` to create invoices, ...; superusers have them all), so
a staff account made for one job cannot do every other. TUTOR is a user with a ``tutor``
profile; STUDENT a user with a ``student`` profile. Anonymous visitors are sent to log
in; a signed-in user without the role or the permission gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import HttpRequest, HttpResponse

from school.models import Lesson, Tutor

View = Callable[..., HttpResponse]

SEE_ALL_LESSONS = "school.view_lesson"
TAKE_ANY_ATTENDANCE = "school.change_attendance"


def is_admin(user: Any, *permissions: str) -> bool:
    """An active staff user holding every one of ``permissions``."""
    active_staff = user.is_authenticated and user.is_active and user.is_staff
    return bool(active_staff and user.has_perms(permissions))


def tutor_of(user: Any) -> Tutor | None:
    """The user's tutor profile, or ``None`` for anyone else."""
    if not (user.is_authenticated and user.is_active):
        return None
    try:
        return user.tutor
    except ObjectDoesNotExist:
        return None


def is_tutor(user: Any) -> bool:
    return tutor_of(user) is not None


def sees_all_lessons(user: Any) -> bool:
    return is_admin(user, SEE_ALL_LESSONS)


def can_take_attendance(user: Any, lesson: Lesson) -> bool:
    """Admins allowed to change attendance for every lesson, a tutor for their own."""
    tutor = tutor_of(user)
    return is_admin(user, TAKE_ANY_ATTENDANCE) or (
        tutor is not None and lesson.tutor_id == tutor.pk
    )


def role_required(test: Callable[[Any], bool], message: str) -> Callable[[View], View]:
    """A view decorator: log in first, then 403 unless ``test(user)`` holds."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not test(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def admin_required(*permissions: str) -> Callable[[View], View]:
    """For admin pages and actions: staff holding ``permissions``."""
    needed = f" allowed to: {', '.join(permissions)}" if permissions else ""
    return role_required(
        lambda user: is_admin(user, *permissions), f"This is for the school's admins{needed}."
    )


tutor_or_admin_required = role_required(
    lambda user: sees_all_lessons(user) or is_tutor(user), "This page is for tutors and admins."
)
