"""A view, a Celery task and a logging call that fail while holding secrets everywhere.

Every secret below is planted in one place Sentry collects from; the tests assert
that none of them is left in what Sentry would send, and that the ordinary text
(``ORDINARY``) still is. Secrets are single-line ASCII without quotes, so that they
read the same in the serialised (JSON) envelope as here.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import sentry_sdk
from celery import Celery
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import include, path

from tests.fake_secrets import fake

logger = logging.getLogger("shop.payments")
logger.setLevel(logging.INFO)  # so that INFO records become breadcrumbs


PEM_BODY = "MIIEpAIBAAKCAQEAprodreadyTESTkeyBODY"
PEM = fake(
    "-----BEGIN RSA ", "PRIVATE KEY-----\n", PEM_BODY, "\n-----END RSA ", "PRIVATE KEY-----"
)

# (where it is planted, the secret)
VIEW_SECRETS: dict[str, str] = {
    "url in exception value": "pgpass-Zx81Kd",
    "url in chained cause": "redispass-Qm47",
    "url in log breadcrumb argument": "amqppass-Lw93",
    "url in extra": "httpspass-Tr55",
    "settings.DATABASES copy in frame": "dbpass-7Hq2xV9",
    "os.environ copy in frame": "wJalrXUtnFEMI/K7MDENG/prodreadyTESTsecret",
    "stripe key in frame": fake("sk_", "live_", "51HqAbCdEfGhIjKlMnOpQrSt"),
    "aws key id in frame": fake("AKIA", "IOSFODNN7PRODRDY"),
    "github token in frame": fake("ghp", "_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78"),
    "slack token in frame": fake("xox", "b-2048-4096-AbCdEfGhIjKlMnOp"),
    "jwt in frame": fake(
        "eyJhbGciOiJIUzI1NiJ9", ".eyJzdWIiOiJ0dXRvci00MiJ9", ".c2lnbmF0dXJlLXByb2RyZWFkeQ"
    ),
    "pem private key in frame": PEM_BODY,
    "api_token variable in frame": "tok-Vb62Nn",
    "json document in stdlib frame": "jsonsecret-Gg78",
    "password in form body": "hunter2-Xy",
    "client_secret in form body": "cs-Po09Ws",
    "card number in form body": "4111 1111 1111 1111",
    "query string parameter": "qs-token-Uu88",
    "header off the allowlist": "sigval-Ab12",
    "secret in allowlisted referer": "refsecret-Ty67",
    "cookie": "cookie-Kk21",
    "sql literal in query breadcrumb": "sqllit-Ee34",
    "tag": "tagval-Rr56",
    "card number in context": "5555 5555 5555 4444",
}
TASK_SECRETS: dict[str, str] = {
    "url in task argument": "taskpass-Hh12",
    "api_key task keyword argument": "taskkey-Jj34",
    "token shape in task argument": fake("ghp", "_Zz98Yy76Xx54Ww32Vv10Uu98Tt76Ss54Rr32"),
}
LOG_SECRETS: dict[str, str] = {
    "url in logging argument": "logpass-Nn56",
    "dict in logging argument": "logdict-Pp78",
    "client_secret in logging extra": "logextra-Qq90",
}

ORDINARY = ["ORD-1042", "could not be charged", "/orders/ORD-1042/pay/"]
ORDER_ERROR = "Order ORD-1042 could not be charged"


# --- a view ------------------------------------------------------------------------


def pay(request: HttpRequest, order: str) -> HttpResponse:
    # Secrets are read from the module's table, never held in one local variable,
    # so that each reaches Sentry only through the place it is planted in.
    settings_copy = {
        "default": {"USER": "shop", "PASSWORD": VIEW_SECRETS["settings.DATABASES copy in frame"]}
    }
    environ_copy = {
        "AWS_SECRET_ACCESS_KEY": VIEW_SECRETS["os.environ copy in frame"],
        "HOME": "/srv/shop",
    }
    posted = request.POST.copy()
    api_token = VIEW_SECRETS["api_token variable in frame"]
    seen = [
        f"charged with {VIEW_SECRETS['stripe key in frame']}",
        VIEW_SECRETS["aws key id in frame"],
        VIEW_SECRETS["github token in frame"],
        VIEW_SECRETS["slack token in frame"],
        VIEW_SECRETS["jwt in frame"],
        PEM,
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT '{VIEW_SECRETS['sql literal in query breadcrumb']}' AS reference")
    amqp_password = VIEW_SECRETS["url in log breadcrumb argument"]
    logger.info("connecting to %s", f"amqp://shop:{amqp_password}@mq:5672//")
    del amqp_password  # only the breadcrumb should carry it
    sentry_sdk.set_tag("deploy_token", VIEW_SECRETS["tag"])
    sentry_sdk.set_context("payment", {"note": f"card {VIEW_SECRETS['card number in context']}"})
    sentry_sdk.set_extra(
        "mirror", f"https://deploy:{VIEW_SECRETS['url in extra']}@git.example.com/"
    )
    try:
        _charge()
    except ConnectionError as exc:
        pg = f"postgresql://shop:{VIEW_SECRETS['url in exception value']}@db.internal:5432/shop"
        raise RuntimeError(f"{ORDER_ERROR} ({order}) via {pg}") from exc
    return HttpResponse(f"{settings_copy}{environ_copy}{posted}{api_token}{seen}")


def _charge() -> None:
    # The document is a local variable of json's own (not in-app) frames.
    document = json.dumps(
        {"client_secret": VIEW_SECRETS["json document in stdlib frame"], "order": "ORD-1042"}
    )
    json.loads(document, object_hook=_refuse)


def _refuse(obj: dict[str, Any]) -> Any:
    password = VIEW_SECRETS["url in chained cause"]
    raise ConnectionError(f"redis://:{password}@cache:6379/0 refused the connection")


def confirm_reset(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    logger.info("checking the reset link %s", request.path)
    raise RuntimeError(f"{ORDER_ERROR}: reset link {request.path} expired")


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def orders(request: HttpRequest) -> HttpResponse:
    return HttpResponse("orders")


urlpatterns = [
    path("orders/<str:order>/pay/", pay),
    path("orders/", orders),
    path("reset/<uidb64>/<token>/", confirm_reset),
    path("accounts/", include("django.contrib.auth.urls")),
    path("health/ready", health),
    path("metrics", health),
]


def call_site(request: WSGIRequest) -> int:
    """Serve ``request`` through Django's WSGI handler, as gunicorn would; the status."""
    statuses: list[str] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        statuses.append(status)
        return lambda data: None

    body = WSGIHandler()(request.environ, start_response)
    b"".join(body)
    getattr(body, "close", lambda: None)()
    return int(statuses[0].split()[0])


def get(path: str) -> int:
    return call_site(RequestFactory().get(path))


def post_payment() -> int:
    """Send the request that makes :func:`pay` fail, carrying secrets in every part."""
    secrets = VIEW_SECRETS
    factory = RequestFactory()
    factory.cookies["remember"] = secrets["cookie"]
    request = factory.post(
        f"/orders/ORD-1042/pay/?signature={secrets['query string parameter']}&page=2",
        {
            "password": secrets["password in form body"],
            "client_secret": secrets["client_secret in form body"],
            "card": secrets["card number in form body"],
            "order": "ORD-1042",
        },
        headers={
            "X-Acme-Signature": secrets["header off the allowlist"],
            "Referer": "https://shop.example.com/cb?client_secret="
            + secrets["secret in allowlisted referer"],
        },
    )
    return call_site(request)


# --- a Celery task -----------------------------------------------------------------


def charge(order: str, gateway: str, note: str, api_key: str) -> None:
    raise RuntimeError(f"{ORDER_ERROR} ({order})")


eager_app = Celery("prodready_observability_tests", broker="memory://", set_as_current=False)
eager_app.conf.update(task_always_eager=True, task_store_eager_result=False)
eager_charge = eager_app.task(name="shop.charge")(charge)


def run_charge_eagerly() -> None:
    args, kwargs = task_arguments()
    eager_charge.delay(*args, **kwargs)


def task_arguments() -> tuple[tuple[str, str, str], dict[str, str]]:
    secrets = TASK_SECRETS
    gateway = f"https://shop:{secrets['url in task argument']}@pay.example.com/v1"
    note = f"pushed by {secrets['token shape in task argument']}"
    return ("ORD-1042", gateway, note), {"api_key": secrets["api_key task keyword argument"]}


# --- a logging call ----------------------------------------------------------------


def log_failure() -> None:
    secrets = LOG_SECRETS
    logger.error(
        "%s: sync of %s failed with %r",
        ORDER_ERROR,
        f"https://deploy:{secrets['url in logging argument']}@git.example.com/shop.git",
        {"password": secrets["dict in logging argument"], "order": "ORD-1042"},
        extra={"client_secret": secrets["client_secret in logging extra"], "order": "ORD-1042"},
    )
