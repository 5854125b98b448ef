"""No input from a client yields a 500 or a traceback, and nothing is half-saved.

Two generated lists, fed through the example's whole middleware stack:

- every public endpoint: what anyone reaches without signing in, or with a password
  before the second factor. The permission matrix says which those are
  (``test_every_public_endpoint_is_fed``), so a new public view fails until it is here;
- every form of the example's and the packages' views, posted by a user allowed to
  (``test_every_form_is_fed`` finds the form classes), and the other fields those views
  read.

Every field gets each boundary value of its kind (``hostile_values``: huge numbers, far
dates, NUL bytes, long and odd text, NaN, bytes that are not UTF-8) with the other fields
valid, so each one reaches the code behind the form's first checks; then Hypothesis
mixes hostile and valid values in one or two fields at a time. When a submission is
refused, the rows it would change are as they were. Each request runs in a transaction
of its own, rolled back after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from prodready_security.otp import devices
from prodready_security.otp.forms import (
    AddAppForm,
    AddPasskeyForm,
    DisableForm,
    PasskeyAnswerForm,
    TOTPCodeForm,
    TrustingVerifyForm,
    VerifyForm,
)
from prodready_security.otp.models import BackupCodeDevice, EncryptedTOTPDevice, PasskeyDevice
from prodready_security.sessions.models import UserSession
from prodready_security.testing import force_login_verified
from school.forms import (
    AttendanceForm,
    InvoiceFilterForm,
    InvoiceForm,
    LessonForm,
    MonthForm,
    StudentImportForm,
)
from school.imports import StudentRow
from school.models import Attendance, Invoice, Lesson, Level, Room, Student, Subject, Tutor
from tests import hostile_values as hv
from tests.test_permission_matrix import ADMIN_LOGIN, LOGIN, VERIFY, access_for
from tests.url_patterns import every_pattern

PASSWORD = "Fuzz-Password-1"
HEALTH_TOKEN = "fuzz-health-token"
METRICS_TOKEN = "fuzz-metrics-token"


# --- the world and who submits ----------------------------------------------------------


class World:
    def __init__(self) -> None:
        self.subject = Subject.objects.create(name="Maths")
        self.level = Level.objects.create(name="GCSE", order=3)
        self.room = Room.objects.create(name="Room 1")
        self.online = Room.objects.create(name="Online", is_virtual=True)
        tutor = User.objects.create_user("tutor", password=PASSWORD)
        self.tutor = Tutor.objects.create(user=tutor, hourly_rate=Decimal("30"))
        self.students = [
            Student.objects.create(
                first_name=name, last_name="Pupil", level=self.level, joined_on=date(2026, 9, 1)
            )
            for name in ("Ann", "Ben")
        ]
        self.lesson = Lesson.objects.create(
            subject=self.subject,
            level=self.level,
            tutor=self.tutor,
            room=self.room,
            starts_at=timezone.now(),
            price=Decimal("25.00"),
        )
        self.attendance = [
            Attendance.objects.create(lesson=self.lesson, student=student)
            for student in self.students
        ]
        self.invoice = Invoice.objects.create(
            student=self.students[0], month=date(2026, 10, 1), amount=Decimal("100.00")
        )
        self.sessions: dict[str, str] = {}
        # Staff holding every permission, verified: may submit every form.
        self.admin = admin = User.objects.create_superuser("admin", password=PASSWORD)
        self.sessions["admin"] = signed_in(admin, verified=True)
        # Staff with a password but not yet the code; and staff still to set 2FA up.
        unverified = User.objects.create_user("unverified", password=PASSWORD, is_staff=True)
        devices.enable(EncryptedTOTPDevice.create_pending(unverified))
        self.sessions["unverified"] = signed_in(unverified, verified=False)
        enrolling = User.objects.create_user("enrolling", password=PASSWORD, is_staff=True)
        self.sessions["enrolling"] = signed_in(enrolling, verified=False)
        self.admin_session = UserSession.objects.filter(user=admin).get()

    def client(self, who: str) -> Client:
        client = Client()
        if who in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[who]
        return client


def signed_in(user: User, *, verified: bool) -> str:
    client = Client()
    if verified:
        force_login_verified(client, user)
    else:
        client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once; each example's writes are rolled back with its own transaction."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PRODREADY_HEALTH_TOKEN=HEALTH_TOKEN,
            PRODREADY_METRICS_TOKEN=METRICS_TOKEN,
            # Passkeys on, as the permission matrix has them, so their endpoints are fed.
            PRODREADY_OTP_WEBAUTHN_RP_ID="testserver",
            PRODREADY_OTP_PASSKEY_SIGN_IN=True,
            # No backup targets: without a broker an accepted request runs its backup here,
            # and SQLite's online copy would wait forever for this test's transaction.
            PRODREADY_BACKUP_DATABASES=[],
            PRODREADY_BACKUP_MEDIA=False,
        ),
        transaction.atomic(),
    ):
        built = World()
        yield built
        transaction.set_rollback(True)
    cache.clear()


# --- what is submitted ------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A field (or, with ``header``, a request header) and values the view accepts."""

    kind: str  # its hostile values: a key of hostile_values.BOUNDARIES
    valid: tuple[Any, ...] = ()  # none: the field is left out unless it is the hostile one
    header: bool = False


Body = tuple[str, bytes]  # (content type, bytes)


@dataclass(frozen=True)
class Submission:
    key: str  # the URL name
    who: str  # "anonymous", or a signed-in user of the world
    method: str
    fields: Callable[[World], dict[str, Field]]
    kwargs: Callable[[World], dict[str, Any]] = lambda world: {}
    forms: tuple[type[forms.BaseForm], ...] = ()
    # A raw body instead of the fields: boundary bodies, and a strategy for more.
    bodies: Callable[[World], list[Body]] | None = None
    body_strategy: st.SearchStrategy[Body] | None = None
    # Rows the submission changes only when it succeeds (a redirect, as every form here
    # answers success); refused, they must be as they were. ``check`` judges instead.
    rows: Callable[[World], list[dict[str, Any]]] | None = None
    check: Callable[[World, Any, list[Any], list[Any]], None] | None = None
    sweep: bool = True  # False where another submission sweeps the same form's fields

    @property
    def id(self) -> str:
        return f"{self.method} {self.key} as {self.who}"


HEADERS = {
    "HTTP_USER_AGENT": Field("header", ("Firefox/140",), header=True),
    "HTTP_X_REQUEST_ID": Field("header", header=True),
}
PROBE_HEADERS = {
    **HEADERS,
    "HTTP_AUTHORIZATION": Field(
        "header", (f"Bearer {HEALTH_TOKEN}", f"Bearer {METRICS_TOKEN}"), header=True
    ),
    "HTTP_ACCEPT": Field("header", ("application/openmetrics-text",), header=True),
}


def query(world: World) -> dict[str, Field]:
    return {"q": Field("text"), "page": Field("number"), "next": Field("text"), **HEADERS}


def lesson_fields(world: World) -> dict[str, Field]:
    start = timezone.localtime(world.lesson.starts_at).replace(hour=20, minute=0)
    return {
        "subject": Field("number", (world.subject.pk,)),
        "level": Field("number", (world.level.pk,)),
        "tutor": Field("number", (world.tutor.pk,)),
        "room": Field("number", (world.room.pk, world.online.pk)),
        "starts_at": Field("datetime", (f"{start:%Y-%m-%dT%H:%M}",)),
        "minutes": Field("number", ("60", "720")),
        "price": Field("number", ("25.00", "0")),
        "makeup_for": Field("number", ("",)),
        "makeup_expires_on": Field("date", ("", "2030-01-01")),
    }


def invoice_fields(world: World) -> dict[str, Field]:
    return {
        "student": Field("number", tuple(student.pk for student in world.students)),
        "month": Field("month", ("2026-11", "2027-01-01")),
        "amount": Field("number", ("100.00", "0")),
        "status": Field("text", tuple(Invoice.Status.values)),
    }


def rows_of(model: type[Any]) -> Callable[[World], list[dict[str, Any]]]:
    return lambda world: list(model.objects.order_by("pk").values())


def lesson_pk(world: World) -> dict[str, Any]:
    return {"pk": world.lesson.pk}


def attendance_saved_whole(world: World, response: Any, before: list[Any], after: list[Any]):
    """Every mark is saved and the lesson taught, or nothing changed at all."""
    status = Lesson.objects.get(pk=world.lesson.pk).status
    if response.status_code == 302:
        assert status == Lesson.Status.TAUGHT
        assert all(row["status"] != Attendance.Status.EXPECTED for row in after)
    else:
        assert (status, after) == (world.lesson.status, before)


def imported_whole(world: World, response: Any, before: list[Any], after: list[Any]) -> None:
    """Every student of the file, or none of them."""
    result = (response.context or {}).get("result")
    added = len(after) - len(before)
    if result is not None and not result.errors:
        assert added == len(result.students)
    else:
        assert added == 0


def upload(content: bytes) -> Body:
    return hv.multipart_file("file", content)


SUBMISSIONS = [
    # Public: no sign-in, or a password before the second factor.
    Submission("home", "anonymous", "GET", query),
    Submission("home", "anonymous", "POST", query),
    Submission(
        "login",
        "anonymous",
        "POST",
        lambda w: {
            "username": Field("text", ("admin", "tutor")),
            "password": Field("text", (PASSWORD,)),
            "next": Field("text"),
            **HEADERS,
        },
    ),
    Submission(
        "admin:login",
        "anonymous",
        "POST",
        lambda w: {"username": Field("text", ("admin",)), "password": Field("text"), **HEADERS},
    ),
    Submission("logout", "anonymous", "POST", lambda w: {"next": Field("text"), **HEADERS}),
    Submission("admin:logout", "anonymous", "POST", lambda w: {"next": Field("text"), **HEADERS}),
    # The language switcher: any language code and any "next" (Django's set_language).
    Submission(
        "set_language",
        "anonymous",
        "POST",
        lambda w: {"language": Field("text", ("pl",)), "next": Field("text", ("/",)), **HEADERS},
    ),
    Submission(
        "prodready_otp:verify",
        "unverified",
        "POST",
        lambda w: {
            "code": Field("text", ("123456",)),
            "trust": Field("text", ("on",)),
            "next": Field("text"),
            **HEADERS,
        },
        forms=(TrustingVerifyForm,),
    ),
    Submission(
        "prodready_otp:setup",
        "enrolling",
        "POST",
        lambda w: {"code": Field("number", ("123456",)), "next": Field("text"), **HEADERS},
        forms=(TOTPCodeForm,),
        rows=lambda w: list(
            EncryptedTOTPDevice.objects.filter(confirmed=True).order_by("pk").values("pk")
        ),
    ),
    Submission(
        "prodready_security_csp:report",
        "anonymous",
        "POST",
        lambda w: HEADERS,
        bodies=lambda w: [
            (kind, body)
            for body in hv.CSP_BODIES
            for kind in ("application/csp-report", "application/reports+json", "text/plain")
        ],
        body_strategy=st.tuples(
            st.sampled_from(["application/csp-report", "application/reports+json"]),
            hv.CSP_REPORTS,
        ),
    ),
    *(
        Submission(key, "anonymous", "GET", lambda w: {**query(w), **PROBE_HEADERS})
        for key in (
            "prodready:health-detail",
            "prodready:health-live",
            "prodready:health-ready",
            "prodready_observability:metrics",
        )
    ),
    # The school's forms, by an admin allowed everything.
    Submission(
        "school:lesson-create",
        "admin",
        "POST",
        lesson_fields,
        forms=(LessonForm,),
        rows=rows_of(Lesson),
    ),
    Submission(
        "school:lesson-edit",
        "admin",
        "POST",
        lesson_fields,
        kwargs=lesson_pk,
        forms=(LessonForm,),
        rows=rows_of(Lesson),
        sweep=False,
    ),
    Submission(
        "school:lesson-attendance",
        "admin",
        "POST",
        lambda w: {
            AttendanceForm.field_name(a): Field("text", ("present", "absent", "excused"))
            for a in w.attendance
        },
        kwargs=lesson_pk,
        forms=(AttendanceForm,),
        rows=rows_of(Attendance),
        check=attendance_saved_whole,
    ),
    Submission(
        "school:invoice-create",
        "admin",
        "POST",
        invoice_fields,
        forms=(InvoiceForm,),
        rows=rows_of(Invoice),
    ),
    Submission(
        "school:invoice-edit",
        "admin",
        "POST",
        invoice_fields,
        kwargs=lambda w: {"pk": w.invoice.pk},
        forms=(InvoiceForm,),
        rows=rows_of(Invoice),
        sweep=False,
    ),
    Submission(
        "school:invoice-create-month",
        "admin",
        "POST",
        lambda w: {"month": Field("month", ("2026-10",))},
        forms=(MonthForm,),
    ),
    Submission(
        "school:invoice-mark-paid",
        "admin",
        "POST",
        lambda w: {"query": Field("text", ("month=2026-10",))},
        kwargs=lambda w: {"pk": w.invoice.pk},
    ),
    Submission(
        "school:invoice-list",
        "admin",
        "GET",
        lambda w: {
            "month": Field("month", ("2026-10",)),
            "status": Field("text", ("paid",)),
            "page": Field("number"),
        },
        forms=(InvoiceFilterForm,),
    ),
    Submission(
        "school:reports",
        "admin",
        "GET",
        lambda w: {"month": Field("month", ("2026-10",))},
        forms=(MonthForm,),
    ),
    Submission(
        "school:report-download",
        "admin",
        "GET",
        lambda w: {"month": Field("month", ("2026-10",))},
        kwargs=lambda w: {"name": "invoices", "fmt": "xlsx"},
    ),
    Submission(
        "school:student-import",
        "admin",
        "POST",
        lambda w: {},
        forms=(StudentImportForm, StudentRow),
        bodies=lambda w: [upload(content) for content in hv.csv_rows(w.level.name)],
        body_strategy=hv.CSV_FILES.map(upload),
        rows=rows_of(Student),
        check=imported_whole,
    ),
    # The packages' forms, and the fields their views read.
    Submission(
        "prodready_otp:regenerate",
        "admin",
        "POST",
        lambda w: {"code": Field("number", ("123456",))},
        forms=(TOTPCodeForm,),
    ),
    Submission(
        "prodready_otp:disable",
        "admin",
        "POST",
        lambda w: {"password": Field("text", (PASSWORD,)), "code": Field("text", ("123456",))},
        forms=(DisableForm,),
        # A wrong code counts towards django-otp's throttle; the devices stay as they are.
        rows=lambda w: list(EncryptedTOTPDevice.objects.order_by("pk").values("pk", "confirmed")),
    ),
    Submission(
        "prodready_otp:add_app",
        "admin",
        "POST",
        lambda w: {"name": Field("text", ("Work phone",)), "code": Field("number", ("123456",))},
        forms=(AddAppForm,),
        # The app being added is made unconfirmed at the first request; confirmed, it counts.
        rows=lambda w: list(
            EncryptedTOTPDevice.objects.filter(confirmed=True).order_by("pk").values("pk")
        ),
    ),
    *(
        Submission("prodready_sessions:keep_alive", who, "POST", lambda w: HEADERS)
        for who in ("anonymous", "unverified")
    ),
    Submission(
        "prodready_otp:add_passkey",
        "admin",
        "POST",
        lambda w: {"name": Field("text", ("Laptop",)), "credential": Field("text")},
        forms=(AddPasskeyForm,),
        # No browser answered a ceremony: whatever is posted, no passkey may be added.
        rows=lambda w: list(PasskeyDevice.objects.order_by("pk").values("pk")),
    ),
    Submission(
        "prodready_otp:passkey_verify",
        "unverified",
        "POST",
        lambda w: {"credential": Field("text"), "next": Field("text")},
        forms=(PasskeyAnswerForm,),
    ),
    Submission(
        "prodready_otp:passkey_sign_in",
        "anonymous",
        "POST",
        lambda w: {"credential": Field("text"), "next": Field("text")},
        forms=(PasskeyAnswerForm,),
        sweep=False,  # the verify page's submission sweeps the same form's fields
    ),
    Submission(
        "prodready_otp:remove",
        "admin",
        "POST",
        lambda w: {"code": Field("text", ("123456",))},
        kwargs=lambda w: {"kind": "backup", "pk": BackupCodeDevice.objects.get(user=w.admin).pk},
        forms=(VerifyForm,),
        rows=lambda w: list(BackupCodeDevice.objects.order_by("pk").values("pk")),
    ),
    Submission(
        "prodready_sessions:manage",
        "admin",
        "POST",
        lambda w: {
            "session": Field("number", (w.admin_session.pk,)),
            "trusted_browser": Field("number"),
        },
    ),
    Submission(
        "prodready_sessions:user",
        "admin",
        "POST",
        lambda w: {"session": Field("number", (w.admin_session.pk,))},
        kwargs=lambda w: {"user_id": w.tutor.user.pk},
    ),
    Submission(
        "prodready_security_audit:recent",
        "admin",
        "GET",
        lambda w: {"action": Field("text"), "actor": Field("text"), "page": Field("number")},
    ),
    Submission(
        "prodready_backup:list",
        "admin",
        "GET",
        lambda w: {"target": Field("text"), "page": Field("number")},
    ),
    *(
        Submission(
            key,
            "admin",
            "POST",
            lambda w: {"target": Field("text"), "next": Field("text")},
        )
        for key in ("prodready_backup:back-up-now", "prodready_backup:verify-now")
    ),
]


# --- the guards against forgotten endpoints and forms ----------------------------------------


def reachable_before_sign_in(key: str) -> bool:
    """Whether the matrix lets an anonymous visitor, or staff before 2FA, past the guards."""
    pattern = next(p for p in every_pattern() if p.key == key)
    access = access_for(pattern)
    assert access is not None, f"{key} has no row in the permission matrix"
    guards = (LOGIN, ADMIN_LOGIN, VERIFY)
    return any(
        cells.outcomes[0] not in guards or cells.outcomes[3] not in guards
        for cells in (access.get, access.post)
    )


def test_every_public_endpoint_is_fed() -> None:
    fed = {submission.key for submission in SUBMISSIONS}
    public = {
        p.key for p in every_pattern() if p.admin_model is None and reachable_before_sign_in(p.key)
    }
    assert sorted(public - fed) == [], (
        "Public endpoints (reachable without signing in, or before 2FA) that no Submission "
        f"in {__name__} feeds: add one each, with its fields."
    )


OUR_PACKAGES = {
    "school",
    "prodready",
    "prodready_security",
    "prodready_backup",
    "prodready_observability",
}


def our_form_classes() -> set[type[forms.BaseForm]]:
    found: set[type[forms.BaseForm]] = set()
    pending = [forms.BaseForm]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in OUR_PACKAGES:
            found.add(cls)
    return found


def test_every_form_is_fed() -> None:
    fed = {form for submission in SUBMISSIONS for form in submission.forms}
    missing = sorted(cls.__qualname__ for cls in our_form_classes() - fed)
    assert missing == [], (
        f"Forms that no Submission in {__name__} posts: {missing}. Add the view that uses "
        "each, with a Field per form field."
    )


# --- feeding them ------------------------------------------------------------------------


def send(world: World, submission: Submission, values: dict[str, Any], body: Body | None):
    """Submit, check that nothing answered 500 and that a refusal changed no row."""
    headers = {name: value for name, value in values.items() if name.startswith("HTTP_")}
    fields = {name: value for name, value in values.items() if name not in headers}
    url = reverse(submission.key, kwargs=submission.kwargs(world))
    client = world.client(submission.who)
    cache.clear()  # rate limits and lockouts: each request is a first one
    with transaction.atomic():
        before = submission.rows(world) if submission.rows else []
        if submission.method == "GET":
            response = client.get(f"{url}?{hv.form_body(fields).decode()}", **headers)
        else:
            kind, data = body or ("application/x-www-form-urlencoded", hv.form_body(fields))
            response = client.post(url, data, content_type=kind, **headers)
        assert response.status_code < 500, response.content[:300]
        if submission.rows:
            after = submission.rows(world)
            if submission.check is not None:
                submission.check(world, response, before, after)
            elif response.status_code != 302:
                assert after == before, "a refused submission changed rows"
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("submission", [s for s in SUBMISSIONS if s.sweep], ids=lambda s: s.id)
def test_every_field_takes_every_boundary_value(world: World, submission: Submission) -> None:
    fields = submission.fields(world)
    valid = {name: str(spec.valid[0]) for name, spec in fields.items() if spec.valid}
    cases = [
        (f"{name}={value[:40]!r}", {**valid, name: value}, None)
        for name, spec in fields.items()
        for value in hv.BOUNDARIES[spec.kind]
        if not (spec.header and value and not value.isprintable())  # WSGI never passes those
    ]
    bodies = submission.bodies(world) if submission.bodies else []
    cases += [(f"body {body[:40]!r}", valid, (kind, body)) for kind, body in bodies]
    for label, values, body in cases:
        try:
            send(world, submission, values, body)
        except Exception as failure:
            failure.add_note(f"With {label}, the other fields valid.")
            raise


@pytest.mark.django_db
@pytest.mark.parametrize("submission", SUBMISSIONS, ids=lambda s: s.id)
@given(data=st.data())
def test_any_mix_of_values(world: World, submission: Submission, data: st.DataObject) -> None:
    fields = submission.fields(world)
    names = sorted(fields)
    chosen = data.draw(st.sets(st.sampled_from(names), max_size=2) if names else st.just(set()))
    values = {}
    for name in names:
        spec = fields[name]
        if name in chosen:
            strategy = st.one_of(hv.hostile(spec.kind), st.none())
        elif spec.valid:
            strategy = st.sampled_from(spec.valid).map(str)
        else:
            continue
        value = data.draw(strategy, label=name)
        if value is not None:
            values[name] = value
    body = None
    if submission.body_strategy is not None:
        body = data.draw(submission.body_strategy, label="body")
    send(world, submission, values, body)
