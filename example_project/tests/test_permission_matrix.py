"""Who gets what from every view of the site, by GET and by POST: generated from the URLconf.

Every URL pattern of the example project (the school, each package's URLconf, the admin
with every registered model) must have a row in :data:`EXPECTED` (or, for the admin's
per-model pages, its model in :data:`ADMIN_MODELS`); a pattern without one fails
``test_every_url_pattern_has_a_row``, so a new view cannot be forgotten.

Each row holds the outcome for five roles, with 2FA enforced by the example's own
middleware stack:

- ``anonymous``;
- ``user``: signed in, not staff, holding the permission the action needs (staff status
  is required too, not the permission alone);
- ``staff``: signed in with a verified second factor, holding every permission but the
  ones the action needs, so a view checking the wrong permission fails as surely as one
  checking none;
- ``unverified``: staff holding the permission, signed in with a password, second factor
  enrolled but not yet entered;
- ``allowed``: staff holding the permission (through a group), verified with a code from
  a real TOTP device.

Everyone signs in through the real login page; ``staff`` and ``allowed`` then post a
code computed from their device's secret to the verify page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP

import prodready
from prodready_security.audit.models import AuditEvent
from prodready_security.headers.models import CSPReport
from prodready_security.otp import devices
from prodready_security.otp.models import BackupCodeDevice, EncryptedTOTPDevice
from prodready_security.sessions.models import UserSession
from school.models import Attendance, Invoice, Lesson, Level, Room, Student, Subject, Tutor
from tests.url_patterns import Pattern, every_pattern, registered_admin_models

ROLES = ("anonymous", "user", "staff", "unverified", "allowed")
PASSWORD = "Matrix-Password-1"
METRICS_TOKEN = "matrix-metrics-token"


# --- outcomes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Redirect:
    """A 302 to the page named ``to``; ``None``: anywhere but a login or 2FA page."""

    to: str | None

    def matches(self, response: Any) -> bool:
        if response.status_code != 302:
            return False
        path = urlsplit(response["Location"]).path
        if self.to is None:
            guards = ("login", "admin:login", "prodready_otp:verify", "prodready_otp:setup")
            return path not in {reverse(name) for name in guards}
        return path == reverse(self.to)

    def __str__(self) -> str:
        return f"302 to {self.to or 'a page past the guards'}"


@dataclass(frozen=True)
class Health:
    """A health report (200 or 503, by how the checks went), with or without details."""

    detail: bool

    def matches(self, response: Any) -> bool:
        if response.status_code not in (200, 503):
            return False
        return ("checks" in response.json()) == self.detail

    def __str__(self) -> str:
        return "the detailed health report" if self.detail else "the health summary"


Outcome = int | Redirect | Health

LOGIN = Redirect("login")
ADMIN_LOGIN = Redirect("admin:login")
VERIFY = Redirect("prodready_otp:verify")
SETUP = Redirect("prodready_otp:setup")
MANAGE = Redirect("prodready_otp:manage")
HOME = Redirect("home")
ADMIN_INDEX = Redirect("admin:index")
AWAY = Redirect(None)
SUMMARY = Health(detail=False)
DETAIL = Health(detail=True)


def matches(outcome: Outcome, response: Any) -> bool:
    if isinstance(outcome, int):
        return response.status_code == outcome
    return outcome.matches(response)


# --- the table ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cells:
    """One method's outcomes, one per role in ROLES order, and the permissions involved.

    ``user``, ``unverified`` and ``allowed`` hold ``perms``; ``staff`` holds every
    permission but ``denied`` (default: ``perms``; ``"app.*"`` means all of an app's).
    """

    outcomes: tuple[Outcome, Outcome, Outcome, Outcome, Outcome]
    perms: tuple[str, ...] = ()
    denied: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Access:
    get: Cells
    post: Cells
    # URL arguments: a value, or a function of the world (the objects the pages act on).
    kwargs: dict[str, Any] = field(default_factory=dict)
    query: str = ""
    data: dict[str, str] = field(default_factory=dict)  # what POST sends

    def with_perms(self, perms: tuple[str, ...], denied: tuple[str, ...] | None = None) -> Access:
        """The same outcomes, with ``perms`` held (and ``denied`` lacked) by both methods."""
        return replace(
            self,
            get=replace(self.get, perms=perms, denied=denied),
            post=replace(self.post, perms=perms, denied=denied),
        )


def staff_page(*perms: str, post: Outcome = 200, **more: Any) -> Access:
    """A staff page that takes GET and POST alike: log in, staff, the permission, 2FA."""
    return Access(
        get=Cells((LOGIN, 403, 403, VERIFY, 200), perms),
        post=Cells((LOGIN, 403, 403, VERIFY, post), perms),
        **more,
    )


def staff_action(*perms: str, **more: Any) -> Access:
    """A POST-only staff action (``require_POST`` answers GET before anything else)."""
    return Access(
        get=Cells((405, 405, 405, VERIFY, 405), perms),
        post=Cells((LOGIN, 403, 403, VERIFY, AWAY), perms),
        **more,
    )


def same(outcomes: tuple[Outcome, Outcome, Outcome, Outcome, Outcome], **more: Any) -> Access:
    return Access(get=Cells(outcomes), post=Cells(outcomes), **more)


def pk(name: str) -> Callable[[World], Any]:
    return lambda world: getattr(world, name).pk


EXPECTED: dict[str, Access] = {
    # The school.
    "home": same((200, 200, 200, VERIFY, 200)),
    "school:lesson-list": staff_page("school.view_lesson"),
    "school:lesson-attendance": staff_page(
        "school.view_lesson", "school.change_attendance", kwargs={"pk": pk("lesson")}
    ),
    "school:lesson-create": staff_page("school.add_lesson"),
    "school:lesson-edit": staff_page("school.change_lesson", kwargs={"pk": pk("lesson")}),
    "school:invoice-list": staff_page("school.view_invoice"),
    "school:invoice-create-month": staff_action("school.add_invoice"),
    "school:invoice-create": staff_page("school.add_invoice"),
    "school:invoice-edit": staff_page("school.change_invoice", kwargs={"pk": pk("invoice")}),
    "school:invoice-mark-paid": staff_action(
        "school.change_invoice", kwargs={"pk": pk("invoice")}
    ),
    "school:student-import": staff_page("school.add_student"),
    "school:reports": staff_page("school.view_attendance", "school.view_invoice"),
    "school:report-download": staff_page(
        "school.view_attendance", kwargs={"name": "attendance", "fmt": "csv"}
    ),
    # Signing in and out, and 2FA.
    "login": same((200, HOME, HOME, VERIFY, HOME)),
    "logout": Access(get=Cells((405,) * 5), post=Cells((HOME,) * 5)),
    # The language switcher (Django's set_language): anyone past 2FA, back to "next". GET
    # changes nothing and only sends the browser back.
    "set_language": same((HOME, HOME, HOME, VERIFY, HOME), data={"language": "pl", "next": "/"}),
    "prodready_otp:manage": same((LOGIN, 200, 200, VERIFY, 200)),
    "prodready_otp:setup": same((LOGIN, 200, MANAGE, VERIFY, MANAGE)),
    "prodready_otp:verify": same((LOGIN, SETUP, HOME, 200, HOME)),
    "prodready_otp:regenerate": same((LOGIN, MANAGE, 200, VERIFY, 200)),
    "prodready_otp:disable": same((LOGIN, MANAGE, 200, VERIFY, 200)),
    "prodready_otp:add_app": same((LOGIN, SETUP, 200, VERIFY, 200)),
    "prodready_otp:remove": same(  # the subject's device: no one else's to remove
        (LOGIN, 404, 404, VERIFY, 404), kwargs={"kind": "app", "pk": pk("device")}
    ),
    # Passkeys are on in this module (``site``): the add page is add_app's twin; the
    # verify endpoint is POST only and sends a refused (empty) answer back to verify.
    "prodready_otp:add_passkey": same((LOGIN, SETUP, 200, VERIFY, 200)),
    "prodready_otp:passkey_verify": Access(
        get=Cells((405,) * 5), post=Cells((LOGIN, VERIFY, HOME, VERIFY, HOME))
    ),
    "prodready_otp:passkey_sign_in": same((200, 200, 200, VERIFY, 200)),
    # The idle warning's "Stay signed in": 401 once signed out, reachable before 2FA.
    "prodready_sessions:keep_alive": Access(
        get=Cells((405,) * 5), post=Cells((401, 200, 200, 200, 200))
    ),
    "prodready_sessions:manage": Access(
        get=Cells((LOGIN, 200, 200, VERIFY, 200)), post=Cells((LOGIN, AWAY, AWAY, VERIFY, AWAY))
    ),
    "prodready_sessions:user": staff_page(
        "prodready_security.revoke_usersession", post=AWAY, kwargs={"user_id": pk("subject")}
    ),
    # Security, backups, health, operations, metrics.
    "prodready_security_audit:recent": staff_page("prodready_security.view_auditevent"),
    "prodready_security_csp:recent": staff_page("prodready_security.view_cspreport"),
    "prodready_security_csp:report": Access(get=Cells((405,) * 5), post=Cells((415,) * 5)),
    "prodready_lockouts:list": staff_page(
        "prodready_security.unlock_loginlockout", post=AWAY, data={"username": "nobody"}
    ),
    "prodready_backup:list": staff_page("prodready_backup.view_backuprecord"),
    "prodready_backup:back-up-now": staff_action(
        "prodready_backup.run_backup", data={"target": "no-such-target"}
    ),
    "prodready_backup:verify-now": staff_action(
        "prodready_backup.verify_backup", data={"target": "no-such-target"}
    ),
    "prodready:health-detail": Access(
        get=Cells((SUMMARY, SUMMARY, DETAIL, VERIFY, DETAIL)),
        post=Cells((405, 405, 405, VERIFY, 405)),
    ),
    "prodready:health-live": Access(get=Cells((200,) * 5), post=Cells((405,) * 5)),
    "prodready:health-ready": Access(get=Cells((SUMMARY,) * 5), post=Cells((405,) * 5)),
    "prodready:dashboard": same((LOGIN, 403, 200, VERIFY, 200)),  # every staff user; cards decide
    "prodready_history:slow-requests": same((LOGIN, 403, 200, VERIFY, 200)),  # as the dashboard
    "prodready_history:slow-queries": same((LOGIN, 403, 200, VERIFY, 200)),
    "prodready_history:exceptions": same((LOGIN, 403, 200, VERIFY, 200)),
    "prodready_observability:celery": same((LOGIN, 403, 200, VERIFY, 200)),  # every staff user
    "prodready_observability:metrics": Access(
        get=Cells((403, 403, 403, VERIFY, 403)), post=Cells((405, 405, 405, VERIFY, 405))
    ),
    # The admin site's own pages.
    "admin:index": same((ADMIN_LOGIN, ADMIN_LOGIN, 200, VERIFY, 200)),
    "admin:login": Access(
        get=Cells((200, 200, ADMIN_INDEX, VERIFY, ADMIN_INDEX)),
        post=Cells((200, 200, 200, VERIFY, 200)),
    ),
    "admin:logout": Access(
        get=Cells((ADMIN_INDEX, ADMIN_INDEX, 405, 405, 405)),
        post=Cells((ADMIN_INDEX, ADMIN_INDEX, HOME, HOME, HOME)),
    ),
    "admin:password_change": same((ADMIN_LOGIN, ADMIN_LOGIN, 200, VERIFY, 200)),
    "admin:password_change_done": Access(
        get=Cells((ADMIN_LOGIN, ADMIN_LOGIN, 200, VERIFY, 200)),
        post=Cells((ADMIN_LOGIN, ADMIN_LOGIN, 405, VERIFY, 405)),
    ),
    # Suggestions come from the related model's admin: viewing users is what it needs.
    "admin:autocomplete": Access(
        get=Cells(
            (ADMIN_LOGIN, ADMIN_LOGIN, 403, VERIFY, 200),
            ("auth.view_user",),
            ("auth.view_user", "auth.change_user"),
        ),
        post=Cells((ADMIN_LOGIN, ADMIN_LOGIN, 405, VERIFY, 405)),
        query="app_label=school&model_name=student&field_name=user",
    ),
    "admin:jsi18n": Access(
        get=Cells((ADMIN_LOGIN, ADMIN_LOGIN, 200, VERIFY, 200)),
        post=Cells((ADMIN_LOGIN, ADMIN_LOGIN, 405, VERIFY, 405)),
    ),
    # No school model has a public page, so "view on site" finds nothing to show.
    "admin:view_on_site": same(
        (ADMIN_LOGIN, ADMIN_LOGIN, 404, VERIFY, 404),
        kwargs={"content_type_id": lambda w: w.lesson_type.pk, "object_id": pk("lesson")},
    ),
    # An app's index lists what the user may see of it; without anything, there is none.
    "admin:app_list": same(
        (ADMIN_LOGIN, ADMIN_LOGIN, 404, VERIFY, 200), kwargs={"app_label": "school"}
    ).with_perms(("school.view_subject",), ("school.*",)),
    "admin/(?P<url>.*)": same(
        (ADMIN_LOGIN, ADMIN_LOGIN, 404, VERIFY, 404), kwargs={"url": "no-such-page/"}
    ),
    "admin:auth_user_password_change": same(
        (ADMIN_LOGIN, ADMIN_LOGIN, 403, VERIFY, 200), kwargs={"id": pk("subject")}
    ).with_perms(("auth.change_user",)),
    "admin:prodready_security_auditevent_export": same(
        (ADMIN_LOGIN, ADMIN_LOGIN, 403, VERIFY, 200)
    ).with_perms(
        ("prodready_security.view_auditevent",),
        ("prodready_security.view_auditevent", "prodready_security.change_auditevent"),
    ),
}


@dataclass(frozen=True)
class AdminModel:
    """A model registered in the admin: the object its pages act on, and what its
    ModelAdmin lets even a permitted user do."""

    instance: str  # the attribute of the world
    add: bool = True
    change: bool = True
    delete: bool = True
    add_needs: tuple[str, ...] = ()  # permissions add needs beyond "add" (UserAdmin: change)


ADMIN_MODELS: dict[str, AdminModel] = {
    "school.subject": AdminModel("subject_obj"),
    "school.level": AdminModel("level"),
    "school.room": AdminModel("room"),
    "school.tutor": AdminModel("tutor"),
    "school.student": AdminModel("student"),
    "school.lesson": AdminModel("lesson"),
    "school.invoice": AdminModel("invoice"),
    "auth.group": AdminModel("group"),
    "auth.user": AdminModel("subject", add_needs=("change",)),
    # Evidence, not data: read-only for everyone.
    "prodready_security.auditevent": AdminModel("event", add=False, change=False, delete=False),
    "prodready_security.cspreport": AdminModel("csp_report", add=False, change=False),
    # Devices are made by their owner's setup page; deleting one resets a user's 2FA.
    "prodready_security.encryptedtotpdevice": AdminModel("device", add=False, change=False),
    "prodready_security.backupcodedevice": AdminModel("codes", add=False, change=False),
    # Sessions end through the "sign out" action, never by deleting the row.
    "prodready_security.usersession": AdminModel(
        "user_session", add=False, change=False, delete=False
    ),
}


def admin_access(label: str, action: str) -> Access:
    """The outcomes Django's admin gives for one generated page of one model."""
    model = ADMIN_MODELS[label]
    app, name = label.split(".")
    view, change = f"{app}.view_{name}", f"{app}.change_{name}"
    obj = {"object_id": pk(model.instance)}
    guard = (ADMIN_LOGIN, ADMIN_LOGIN)
    if action == "redirect":  # "<id>/" to "<id>/change/", which checks
        return same((*guard, AWAY, VERIFY, AWAY), kwargs=obj)
    if action in ("changelist", "history"):
        cells = Cells((*guard, 403, VERIFY, 200), (view,), (view, change))
        return Access(get=cells, post=cells, kwargs={} if action == "changelist" else obj)
    if action == "change":
        return Access(
            get=Cells((*guard, 403, VERIFY, 200), (view,), (view, change)),
            post=Cells((*guard, 403, VERIFY, 200 if model.change else 403), (change,)),
            kwargs=obj,
        )
    allowed, needed = {
        "add": (model.add, (f"{app}.add_{name}", *(f"{app}.{p}_{name}" for p in model.add_needs))),
        "delete": (model.delete, (f"{app}.delete_{name}",)),
    }[action]
    cells = Cells((*guard, 403, VERIFY, 200 if allowed else 403), needed)
    return Access(get=cells, post=cells, kwargs=obj if action == "delete" else {})


def access_for(pattern: Pattern) -> Access | None:
    generated = pattern.admin_model
    if generated is not None:
        label, action = generated
        return admin_access(label, action) if label in ADMIN_MODELS else None
    return EXPECTED.get(pattern.key)


# --- the guard against forgotten views -------------------------------------------------


def test_every_url_pattern_has_a_row() -> None:
    patterns = every_pattern()
    missing = [p.key for p in patterns if p.admin_model is None and p.key not in EXPECTED]
    assert missing == [], (
        f"URL patterns without a row in EXPECTED ({__name__}): {missing}. Add one per "
        "pattern with the outcome each role must get by GET and by POST."
    )
    models = registered_admin_models()
    assert sorted(models - set(ADMIN_MODELS)) == [], (
        "Models registered in the admin without an entry in ADMIN_MODELS: add one, saying "
        "which object its pages act on and what its ModelAdmin refuses."
    )
    stale = sorted(set(EXPECTED) - {p.key for p in patterns}) + sorted(set(ADMIN_MODELS) - models)
    assert stale == [], f"Rows for URL patterns or admin models that no longer exist: {stale}"


# --- the world and the roles --------------------------------------------------------------


class World:
    """One of everything the pages act on."""

    def __init__(self) -> None:
        self.subject_obj = Subject.objects.create(name="Maths")
        self.level = Level.objects.create(name="GCSE", order=3)
        self.room = Room.objects.create(name="Room 1")
        tutor_user = User.objects.create_user("tutor", password=PASSWORD, first_name="Ada")
        self.tutor = Tutor.objects.create(user=tutor_user, hourly_rate=Decimal("30"))
        self.student = Student.objects.create(
            first_name="Ann", last_name="Pupil", level=self.level, joined_on=date(2026, 9, 1)
        )
        self.lesson = Lesson.objects.create(
            subject=self.subject_obj,
            level=self.level,
            tutor=self.tutor,
            room=self.room,
            starts_at=timezone.now(),
            price=Decimal("25.00"),
        )
        Attendance.objects.create(lesson=self.lesson, student=self.student)
        self.lesson_type = ContentType.objects.get_for_model(Lesson)
        self.invoice = Invoice.objects.create(
            student=self.student, month=date(2026, 10, 1), amount=Decimal("100.00")
        )
        self.group = Group.objects.create(name="tutors")
        # Someone else, whose devices, sessions and account the admin pages act on.
        self.subject = User.objects.create_user("subject", password=PASSWORD)
        self.device, _codes = enrolled(self.subject)
        self.codes = BackupCodeDevice.objects.get(user=self.subject)
        Client().force_login(self.subject)  # a session row
        self.user_session = UserSession.objects.get(user=self.subject)
        prodready.audit("matrix.world_built")
        self.event = AuditEvent.objects.order_by("sequence").first()
        self.csp_report = CSPReport.objects.create(directive="img-src")


def enrolled(user: User) -> tuple[EncryptedTOTPDevice, list[str]]:
    device = EncryptedTOTPDevice.create_pending(user)
    return device, devices.enable(device)


def current_code(device: EncryptedTOTPDevice) -> str:
    token = TOTP(device.secret, device.step, device.t0, device.digits, device.drift).token()
    return str(token).zfill(device.digits)


@dataclass
class Site:
    world: World
    sessions: dict[str, str]  # role -> session key (anonymous has none)
    groups: dict[str, Group]  # role -> the group its permissions come through
    every_permission: set[int]

    def client(self, role: str) -> Client:
        client = Client()
        if role in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def sign_in(username: str, *, staff: bool, group: Group, verify: bool) -> str:
    user = User.objects.create_user(username, password=PASSWORD, is_staff=staff)
    user.groups.add(group)
    device = enrolled(user)[0] if staff else None
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, f"{username} could not sign in"
    if verify:
        assert device is not None
        response = client.post(reverse("prodready_otp:verify"), {"code": current_code(device)})
        assert response.status_code == 302, f"{username} could not verify: {response.content!r}"
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="module")
def site(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """The world and the signed-in roles, built once for the module; each test's changes
    are undone by its own transaction, nested in this one, which is never committed."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PRODREADY_METRICS_TOKEN=METRICS_TOKEN,
            PRODREADY_OTP_WEBAUTHN_RP_ID="testserver",
            PRODREADY_OTP_PASSKEY_SIGN_IN=True,
            PRODREADY_BACKUP_DIRECTORY=str(tmp_path_factory.mktemp("backups")),
        ),
        transaction.atomic(),
    ):
        cache.clear()
        groups = {role: Group.objects.create(name=f"matrix-{role}") for role in ROLES[1:]}
        groups["unverified"] = groups["allowed"]  # the same permissions; only 2FA differs
        world = World()
        sessions = {
            "user": sign_in("user", staff=False, group=groups["user"], verify=False),
            "staff": sign_in("staff", staff=True, group=groups["staff"], verify=True),
            "unverified": sign_in("unverified", staff=True, group=groups["allowed"], verify=False),
            "allowed": sign_in("allowed", staff=True, group=groups["allowed"], verify=True),
        }
        every_permission = set(Permission.objects.values_list("pk", flat=True))
        groups["staff"].permissions.set(every_permission)  # each test takes a few away
        yield Site(world, sessions, groups, every_permission)
        transaction.set_rollback(True)
    cache.clear()


# --- the matrix ---------------------------------------------------------------------------


def permission_ids(names: tuple[str, ...]) -> set[int]:
    """The ids of the named permissions ("app.codename", or "app.*" for all of an app's)."""
    found: set[int] = set()
    for name in names:
        app, codename = name.split(".")
        rows = Permission.objects.filter(content_type__app_label=app)
        if codename != "*":
            rows = rows.filter(codename=codename)
            if not rows.exists():
                raise LookupError(f"No permission {name} exists")
        found.update(rows.values_list("pk", flat=True))
    return found


def grant(site: Site, cells: Cells) -> None:
    """Give each role's group what ``cells`` says it holds."""
    held = permission_ids(cells.perms)
    denied = permission_ids(cells.perms if cells.denied is None else cells.denied)
    site.groups["user"].permissions.set(held)
    site.groups["allowed"].permissions.set(held)
    site.groups["staff"].permissions.set(site.every_permission - denied)


CASES = [
    pytest.param(pattern, id=pattern.key)
    for pattern in every_pattern()
    if access_for(pattern) is not None
]


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", CASES)
def test_each_role_gets_what_the_table_says(site: Site, pattern: Pattern) -> None:
    access = access_for(pattern)
    assert access is not None
    kwargs = {k: v(site.world) if callable(v) else v for k, v in access.kwargs.items()}
    url = pattern.url(**kwargs) + (f"?{access.query}" if access.query else "")
    cache.clear()  # rate-limit counters: no earlier test's requests count against these
    wrong = []
    for method, cells in (("GET", access.get), ("POST", access.post)):
        grant(site, cells)
        for role, outcome in zip(ROLES, cells.outcomes, strict=True):
            client = site.client(role)
            response = client.get(url) if method == "GET" else client.post(url, access.data)
            if not matches(outcome, response):
                got = f"{response.status_code} {response.get('Location', '')}".strip()
                wrong.append(f"{method} {url} as {role}: expected {outcome}, got {got}")
    assert wrong == [], "\n".join(wrong)
