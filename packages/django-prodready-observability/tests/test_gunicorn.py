"""gunicorn's own logs, through ScrubbingLogger, write no secret a request carried.

A real gunicorn serves the test site with Django's logs configured as a deployment's
(``configure_logging()`` to a file); every byte gunicorn's access and error logs,
Django's log file and the process's output hold is searched for the secrets planted in
the requests. The control run uses gunicorn's own logger, to show they do reach the
access log when nothing scrubs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("gunicorn", reason="install gunicorn (the observability extra has it)")

from prodready_observability.gunicorn import scrub_atoms
from prodready_observability.scrub import FILTERED
from tests.fake_secrets import fake
from tests.gunicorn_process import gunicorn, request

SCRUBBING_LOGGER = "prodready_observability.gunicorn.ScrubbingLogger"
# Every atom that can carry what a client sent.
ACCESS_FORMAT = (
    '%(h)s "%(r)s" %(s)s U=%(U)s q=%(q)s f="%(f)s" a="%(a)s" '
    'auth="%({authorization}i)s" cookie="%({cookie}i)s" key="%({x-api-key}i)s" '
    'env_cookie="%({http_cookie}e)s" request_id=%({x-request-id}i)s'
)
SECRETS = {
    "query password": "qpass-Gu71",
    "query api_key": "qkey-Gu72",
    "authorization header": fake("Bearer ", "eyJhbGciOiJIUzI1NiJ9.gunicorn-Gu73"),
    "cookie header": "cookie-Gu74",
    "x-api-key header": "hkey-Gu75",
    "referer query": "refsecret-Gu76",
    "path kwarg": "pathkey-Gu77",
    "form body": "formpass-Gu78",
    "crash query": "crashtoken-Gu79",
}


@dataclass
class Written:
    """Everything the gunicorn process wrote, log files and output."""

    access: bytes
    error: bytes
    django: bytes
    output: bytes

    def everything(self) -> bytes:
        return self.access + self.error + self.django + self.output


def send_requests(port: int) -> None:
    s = SECRETS
    headers = {
        "Authorization": s["authorization header"],
        "Cookie": f"sessionid=abc; remember={s['cookie header']}",
        "X-Api-Key": s["x-api-key header"],
        "Referer": f"https://school.example.com/cb?client_secret={s['referer query']}",
        "X-Request-ID": "gunicorn-trace-1",
    }
    query = f"password={s['query password']}&api_key={s['query api_key']}&page=2"
    assert request(port, f"/files/{s['path kwarg']}/?{query}", headers)[0] == 404
    assert request(port, "/refused/?page=3", headers)[0] == 500
    body = f"password={s['form body']}&order=ORD-7".encode()
    form = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    assert request(port, f"/lessons/4/?{query}", form, method="POST", body=body)[0] == 200
    assert request(port, f"/crash/?access_token={s['crash query']}")[0] == 500


def serve_and_log(tmp_path: Path, logger_class: str | None) -> Written:
    access, error, django = (tmp_path / name for name in ("access.log", "error.log", "app.log"))
    arguments = ["--workers", "1", "--access-logfile", str(access), "--error-logfile", str(error)]
    arguments += ["--access-logformat", ACCESS_FORMAT, "--log-level", "info"]
    if logger_class:
        arguments += ["--logger-class", logger_class]
    env = {"DJANGO_SETTINGS_MODULE": "tests.gunicorn_site", "PRODREADY_TEST_LOG_FILE": str(django)}
    output_path = tmp_path / "output"
    with (
        output_path.open("wb") as output,
        gunicorn([*arguments, "tests.gunicorn_site:application"], env, stdout=output) as port,
    ):
        send_requests(port)
    return Written(
        access.read_bytes(),
        error.read_bytes(),
        django.read_bytes(),
        output_path.read_bytes(),
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Written:
    return serve_and_log(tmp_path_factory.mktemp("scrubbed"), SCRUBBING_LOGGER)


@pytest.mark.parametrize(("place", "secret"), SECRETS.items(), ids=list(SECRETS))
def test_no_secret_in_anything_gunicorn_wrote(written: Written, place: str, secret: str) -> None:
    assert secret.encode() not in written.everything()


def test_the_lines_are_there_and_keep_what_is_not_secret(written: Written) -> None:
    access = written.access.decode()
    assert access.count("\n") >= 5  # the readiness probe and the four requests
    assert f'"GET /files/{FILTERED}/?password={FILTERED}&api_key={FILTERED}&page=2' in access
    assert f'auth="{FILTERED}" cookie="{FILTERED}" key="{FILTERED}"' in access
    assert "request_id=gunicorn-trace-1" in access
    error = written.error.decode()
    assert f"Error handling request GET /crash/?access_token={FILTERED}" in error
    assert "RuntimeError: the app crashed serving" in error
    django = written.django.decode()
    assert '"name":"django.request"' in django
    assert '"request_id":"gunicorn-trace-1"' in django  # Django's 4xx/5xx lines too
    assert "upstream refused api_key=" in django


def test_control_gunicorns_own_logger_writes_the_secrets(tmp_path: Path) -> None:
    access = serve_and_log(tmp_path, None).access
    for place in ("query password", "cookie header", "x-api-key header", "path kwarg"):
        assert SECRETS[place].encode() in access, place


def test_atoms_the_format_does_not_use_are_left_as_they_are() -> None:
    atoms = {"r": "GET /?password=abc1234 HTTP/1.1", "q": "password=abc1234"}
    scrubbed = scrub_atoms(atoms, frozenset({"r"}))
    assert scrubbed == {"r": f"GET /?password={FILTERED} HTTP/1.1", "q": "password=abc1234"}
