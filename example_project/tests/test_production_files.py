"""The deployment files: Dockerfile, compose, nginx, gunicorn, Kubernetes, Prometheus.

nginx and promtool check their own files, and nginx runs its config for real. What the
Dockerfile and docker-compose.prod.yml run (the install, the commands, the health checks)
tests/test_deployment.py runs; test_stack.py runs the compose topology as processes.
Without nginx or promtool these tests skip, saying so; with
``PRODREADY_TEST_SERVICES=required`` (CI) they fail instead, like the tests that need
PostgreSQL or Redis (``prodready.testing``).
"""

from __future__ import annotations

import ast
import gzip
import http.client
import http.server
import json
import multiprocessing
import re
import runpy
import shutil
import socket
import ssl
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from tests.stack_support import (
    EXAMPLE,
    fetch,
    make_nginx_site,
    nginx_command,
    require_tool,
    run,
)

ROOT = EXAMPLE.parent
COMPOSE = EXAMPLE / "docker-compose.prod.yml"
K8S = EXAMPLE / "k8s"
MONITORING = EXAMPLE / "monitoring"
SETTINGS = EXAMPLE / "school_site" / "settings"


@pytest.fixture
def nginx_site(tmp_path: Path) -> SimpleNamespace:
    """nginx.conf rewritten into tmp_path: certificate, files, logs, ports, upstream."""
    return make_nginx_site(tmp_path)


def test_nginx_accepts_the_config(nginx_site: SimpleNamespace) -> None:
    result = run(*nginx_command(nginx_site, "-t"))
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


class EchoHandler(http.server.BaseHTTPRequestHandler):
    """The upstream: answers with the headers it received, as JSON."""

    def do_GET(self) -> None:
        body = json.dumps({"path": self.path, "headers": dict(self.headers)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def running_nginx(nginx_site: SimpleNamespace) -> Iterator[SimpleNamespace]:
    """nginx in the foreground on nginx_site's ports, in front of an EchoHandler upstream."""
    (nginx_site.prefix / "static" / "site.css").write_text("body { color: black; }\n")
    command = nginx_command(nginx_site, directives="daemon off;")
    address = ("127.0.0.1", nginx_site.upstream_port)
    upstream = http.server.ThreadingHTTPServer(address, EchoHandler)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    try:
        with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as process:
            try:
                wait_for_port(nginx_site.https_port, process)
                yield nginx_site
            finally:
                process.terminate()
                process.communicate(timeout=10)
    finally:
        upstream.shutdown()
        upstream.server_close()


def wait_for_port(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not start: {process.communicate()[1]}")
            time.sleep(0.05)
        else:
            return


def test_nginx_redirects_http_to_https(running_nginx: SimpleNamespace) -> None:
    response = fetch(running_nginx, "/accounts/login/?next=/", tls=False)
    assert response.status == 301
    assert response.getheader("Location") == "https://school.example.com/accounts/login/?next=/"


def test_nginx_proxies_with_forwarded_headers(running_nginx: SimpleNamespace) -> None:
    response = fetch(running_nginx, "/accounts/login/")
    assert response.status == 200
    assert response.tls_version in {"TLSv1.2", "TLSv1.3"}
    received = {
        name.lower(): value for name, value in json.loads(response.text)["headers"].items()
    }
    # The client's own X-Forwarded-Proto is replaced, never passed on.
    assert received["x-forwarded-proto"] == "https"
    assert received["x-forwarded-for"] == "127.0.0.1"
    assert received["host"] == "school.example.com"
    assert received["x-request-id"]
    assert response.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Referrer-Policy") == "same-origin"
    assert response.getheader("X-Frame-Options") == "DENY"


def test_nginx_refuses_old_tls(running_nginx: SimpleNamespace) -> None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.1 is, that is the point
        context.minimum_version = ssl.TLSVersion.TLSv1_1
        context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("ALL:@SECLEVEL=0")
    with (
        socket.create_connection(("127.0.0.1", running_nginx.https_port), timeout=5) as sock,
        pytest.raises(ssl.SSLError) as refused,
    ):
        context.wrap_socket(sock).close()
    if "NO_PROTOCOLS_AVAILABLE" in str(refused.value):
        pytest.skip("this OpenSSL cannot offer TLS 1.1, so cannot check nginx refuses it")
    # nginx's "protocol version" alert, or its closing the connection at the hello.
    assert re.search(
        r"PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL|EOF|WRONG_VERSION", str(refused.value)
    )


def test_nginx_serves_static_files_cached_for_a_year(running_nginx: SimpleNamespace) -> None:
    response = fetch(running_nginx, "/static/site.css")
    assert response.status == 200
    assert response.text == "body { color: black; }\n"
    assert "immutable" in response.getheader("Cache-Control")
    assert "max-age=31536000" in response.getheader("Cache-Control")
    # A location's add_header replaces the server's: they must be repeated there.
    assert response.getheader("Strict-Transport-Security")
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert "/static/site.css" not in (running_nginx.prefix / "access.log").read_text()


def test_nginx_does_not_log_health_probes(running_nginx: SimpleNamespace) -> None:
    assert fetch(running_nginx, "/health/live").status == 200
    assert fetch(running_nginx, "/accounts/login/").status == 200
    log = (running_nginx.prefix / "access.log").read_text()
    assert "/accounts/login/" in log
    assert "/health/" not in log


def https_connection(
    site: SimpleNamespace, source: str = "127.0.0.1"
) -> http.client.HTTPSConnection:
    """A TLS connection to nginx from ``source`` (any 127.x address reaches it)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return http.client.HTTPSConnection(
        "127.0.0.1", site.https_port, context=context, timeout=10, source_address=(source, 0)
    )


def test_nginx_lets_only_the_internal_network_read_metrics(running_nginx: SimpleNamespace) -> None:
    assert fetch(running_nginx, "/metrics").status == 200  # 127.0.0.1: the scraper's network
    connection = https_connection(running_nginx, source="127.0.0.2")  # outside those networks
    try:
        for path, status in (("/metrics", 403), ("/accounts/login/", 200)):  # only /metrics
            connection.request("GET", path, headers={"Host": "school.example.com"})
            response = connection.getresponse()
            response.read()
            assert response.status == status, path
    finally:
        connection.close()


def test_nginx_refuses_uploads_over_its_limit(running_nginx: SimpleNamespace) -> None:
    connection = https_connection(running_nginx)
    try:
        # The length alone decides: nginx answers before reading a body this large.
        headers = {"Host": "school.example.com", "Content-Length": str(21 * 1024 * 1024)}
        connection.putrequest("POST", "/homework/upload/", skip_host=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        assert connection.getresponse().status == 413
    finally:
        connection.close()


def test_nginx_compresses_json_answers(running_nginx: SimpleNamespace) -> None:
    connection = https_connection(running_nginx)
    try:
        path = "/lessons/?" + "padding=x&" * 200  # EchoHandler's answer: over gzip_min_length
        headers = {"Host": "school.example.com", "Accept-Encoding": "gzip"}
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert json.loads(gzip.decompress(body))["path"] == path


# --- Prometheus --------------------------------------------------------------------------


def test_promtool_accepts_the_rules() -> None:
    result = run(require_tool("promtool"), "check", "rules", str(MONITORING / "alerts.yml"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_accepts_the_scrape_config(tmp_path: Path) -> None:
    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
    assert config["rule_files"] == ["alerts.yml"]
    (job,) = (job for job in config["scrape_configs"] if job["job_name"] == "school-site")
    assert job["metrics_path"] == "/metrics"
    assert job["authorization"]["type"] == "Bearer"
    assert job["static_configs"] == [{"targets": ["web:8000"]}]
    # promtool wants the token file to exist: point it at a throwaway one.
    token = tmp_path / "metrics-token"
    token.write_text("a-throwaway-token-for-promtool-check-config\n")
    job["authorization"]["credentials_file"] = str(token)
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    shutil.copy(MONITORING / "alerts.yml", tmp_path / "alerts.yml")
    result = run(require_tool("promtool"), "check", "config", str(tmp_path / "prometheus.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout + result.stderr


def test_amtool_accepts_the_alertmanager_config() -> None:
    result = run(require_tool("amtool"), "check-config", str(MONITORING / "alertmanager.yml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout, result.stdout + result.stderr


def test_alertmanager_routes_alerts_to_email_and_critical_ones_to_a_webhook() -> None:
    config = yaml.safe_load((MONITORING / "alertmanager.yml").read_text())
    receivers = {receiver["name"]: receiver for receiver in config["receivers"]}
    assert "email_configs" in receivers[config["route"]["receiver"]]
    (critical,) = config["route"]["routes"]
    assert critical["matchers"] == ['severity = "critical"']
    assert {"email_configs", "webhook_configs"} <= set(receivers[critical["receiver"]])


def test_grafana_provisioning_finds_the_dashboard_and_its_data_source() -> None:
    grafana = MONITORING / "grafana"
    sources = yaml.safe_load((grafana / "provisioning/datasources/prometheus.yml").read_text())
    uids = {source["uid"] for source in sources["datasources"]}
    providers = yaml.safe_load((grafana / "provisioning/dashboards/prodready.yml").read_text())
    assert [provider["type"] for provider in providers["providers"]] == ["file"]
    dashboards = sorted((grafana / "dashboards").glob("*.json"))
    assert dashboards
    for path in dashboards:
        dashboard = json.loads(path.read_text())
        assert dashboard["uid"]
        assert dashboard["title"]
        for panel in dashboard["panels"]:
            assert panel["datasource"]["uid"] in uids, panel["title"]
            assert panel["targets"], panel["title"]
            # Every panel says its unit, so its axis is labelled.
            assert panel["fieldConfig"]["defaults"]["unit"], panel["title"]


def defined_metric_names() -> set[str]:
    """Every prodready_* metric name a package defines (as a string literal)."""
    names = set()
    for source in (ROOT / "packages").glob("django-prodready-*/src/**/*.py"):
        names.update(re.findall(r"[\"'](prodready_[a-z0-9_]+)[\"']", source.read_text()))
    return names


def test_alerts_use_metrics_the_packages_define() -> None:
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())
    expressions = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    used = {name for expr in expressions for name in re.findall(r"\bprodready_[a-z0-9_]+", expr)}
    defined = defined_metric_names()
    # prometheus-client appends _total to counters and _bucket, _sum, _count to histograms.
    unknown = {
        name
        for name in used
        if re.sub(r"_(total|bucket|sum|count)$", "", name) not in defined and name not in defined
    }
    assert used, "alerts.yml uses no prodready metric"
    assert unknown == set()
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    for required in (
        "HighErrorRate",
        "SlowRequests",
        "HealthFailing",
        "BackupTooOld",
        "QueueGrowing",
    ):
        assert any(required in alert for alert in alerts), required


# --- docker compose ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def test_every_compose_service_has_a_healthcheck(compose: dict[str, Any]) -> None:
    """tests/test_deployment.py runs the web, worker and beat commands and health checks."""
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis", "nginx"} <= set(services)
    # A one-off job (a profile's, run with `dc run --rm`: migrate) runs and exits.
    assert [name for name, service in services.items() if service.get("profiles")] == ["migrate"]
    missing = [
        name
        for name, service in services.items()
        if not service.get("profiles") and not service.get("healthcheck", {}).get("test")
    ]
    assert missing == []
    # A service starts once what it needs is healthy, not merely started.
    waits = {
        (name, needed): condition["condition"]
        for name, service in services.items()
        for needed, condition in (service.get("depends_on") or {}).items()
    }
    assert waits
    assert set(waits.values()) == {"service_healthy"}, waits


# --- Kubernetes --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def manifests() -> list[dict[str, Any]]:
    documents = []
    for path in sorted(K8S.glob("*.yaml")):
        documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
    return documents


def deployment(manifests: list[dict[str, Any]], component: str) -> dict[str, Any]:
    (found,) = (
        doc
        for doc in manifests
        if doc["kind"] == "Deployment"
        and doc["metadata"]["labels"]["app.kubernetes.io/component"] == component
    )
    return found


def test_no_cronjobs(manifests: list[dict[str, Any]]) -> None:
    kinds = {doc["kind"] for doc in manifests}
    assert {"Deployment", "Service", "ConfigMap", "Secret"} <= kinds
    assert "CronJob" not in kinds


def test_web_deployment_probes(manifests: list[dict[str, Any]]) -> None:
    (container,) = deployment(manifests, "web")["spec"]["template"]["spec"]["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert "gunicorn" in container["args"]
    references = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
    assert references == {"school-site-config", "school-site-secrets"}


def test_beat_is_a_single_replica(manifests: list[dict[str, Any]]) -> None:
    beat = deployment(manifests, "beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"
    (container,) = beat["spec"]["template"]["spec"]["containers"]
    assert container["args"][:4] == ["celery", "-A", "school_site", "beat"]
    (worker,) = deployment(manifests, "worker")["spec"]["template"]["spec"]["containers"]
    assert worker["args"][:4] == ["celery", "-A", "school_site", "worker"]


def test_pods_run_as_non_root(manifests: list[dict[str, Any]]) -> None:
    deployments = [doc for doc in manifests if doc["kind"] == "Deployment"]
    assert len(deployments) == 3
    for doc in deployments:
        pod = doc["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, doc["metadata"]["name"]
        for container in pod["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False


# --- Dockerfile and gunicorn -------------------------------------------------------------


def test_the_image_runs_as_an_unprivileged_user() -> None:
    """What the image runs (its CMD, HEALTHCHECK, one install) tests/test_deployment.py runs;
    the user it runs as only a container runtime could show."""
    text = (EXAMPLE / "Dockerfile").read_text()
    users = re.findall(r"^USER (\S+)$", text, flags=re.MULTILINE)
    assert users, "the image runs as root"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_the_browser_tests_run_on_the_images_python() -> None:
    """nox -s e2e checks pages under production's Python and Django (CSP included)."""
    image = re.search(r"^ARG PYTHON_VERSION=(\S+)$", (EXAMPLE / "Dockerfile").read_text(), re.M)
    nox = re.search(r'^PRODUCTION_PYTHON = "(\S+)"$', (ROOT / "noxfile.py").read_text(), re.M)
    assert image, "no ARG PYTHON_VERSION in the Dockerfile"
    assert nox, "no PRODUCTION_PYTHON in noxfile.py"
    assert nox[1] == image[1]


@pytest.fixture
def gunicorn_config(monkeypatch: pytest.MonkeyPatch) -> Any:
    def load(**environ: str) -> dict[str, Any]:
        for name in ("GUNICORN_BIND", "GUNICORN_WORKERS", "PROMETHEUS_MULTIPROC_DIR"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(EXAMPLE / "gunicorn.conf.py"))

    return load


def test_gunicorn_config_from_the_environment(gunicorn_config: Any) -> None:
    defaults = gunicorn_config()
    assert defaults["bind"] == "0.0.0.0:8000"
    assert defaults["workers"] == 2 * multiprocessing.cpu_count() + 1
    assert defaults["accesslog"] == "-"
    assert defaults["timeout"] > 0
    configured = gunicorn_config(GUNICORN_BIND="127.0.0.1:9000", GUNICORN_WORKERS="3")
    assert configured["bind"] == "127.0.0.1:9000"
    assert configured["workers"] == 3


def test_gunicorn_hooks_keep_the_metrics_directory(gunicorn_config: Any, tmp_path: Path) -> None:
    directory = tmp_path / "metrics"
    config = gunicorn_config(PROMETHEUS_MULTIPROC_DIR=str(directory))
    config["on_starting"](None)
    assert directory.is_dir()
    (directory / "counter_4242.db").write_bytes(b"stale")
    (directory / "gauge_livesum_4242.db").write_bytes(b"live")
    config["on_starting"](None)
    assert list(directory.iterdir()) == []
    # A dead worker's live gauges are removed by prometheus-client's mark_process_dead.
    (directory / "gauge_livesum_4242.db").write_bytes(b"live")
    (directory / "counter_4242.db").write_bytes(b"kept")
    config["child_exit"](None, SimpleNamespace(pid=4242))
    assert sorted(path.name for path in directory.iterdir()) == ["counter_4242.db"]


def test_gunicorn_hooks_without_multiprocess_directory(gunicorn_config: Any) -> None:
    config = gunicorn_config()
    # mark_process_dead() would raise without a directory: the hooks must not call it.
    assert config["on_starting"](None) is None
    assert config["child_exit"](None, SimpleNamespace(pid=4242)) is None


# --- .env.production.example -------------------------------------------------------------


def settings_modules_of(module: str) -> list[Path]:
    """The settings module and those of school_site.settings it imports, transitively."""
    seen: list[Path] = []
    pending = [module]
    while pending:
        path = SETTINGS / f"{pending.pop()}.py"
        if path in seen:
            continue
        seen.append(path)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "school_site.settings."
            ):
                pending.append(node.module.rsplit(".", 1)[1])
    return seen


def variables_read(path: Path) -> set[str]:
    """Names read by env(...), env.<cast>(...), require([...]) and os.environ in a module."""
    tree = ast.parse(path.read_text())
    lists = {
        target.id: node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List | ast.Tuple)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func, first = node.func, node.args[0]
            reads_env = (isinstance(func, ast.Name) and func.id in {"env", "getenv"}) or (
                isinstance(func, ast.Attribute)
                and (
                    (isinstance(func.value, ast.Name) and func.value.id == "env")
                    or func.attr == "getenv"
                    or (isinstance(func.value, ast.Attribute) and func.value.attr == "environ")
                )
            )
            if reads_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
            if isinstance(func, ast.Name) and func.id == "require":
                elements = lists.get(first.id) if isinstance(first, ast.Name) else first
                names.update(
                    element.value
                    for element in getattr(elements, "elts", [])
                    if isinstance(element, ast.Constant)
                )
        if (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "environ"
            and isinstance(node.slice, ast.Constant)
        ):
            names.add(node.slice.value)
    return names


def documented_variables() -> dict[str, str]:
    """Each NAME= of the example, with the comment lines just above it."""
    documented: dict[str, str] = {}
    comment: list[str] = []
    for line in (EXAMPLE / ".env.production.example").read_text().splitlines():
        if line.startswith("#"):
            comment.append(line)
        elif match := re.match(r"([A-Z][A-Z0-9_]*)=", line):
            documented[match.group(1)] = "\n".join(comment)
            comment = []
        else:
            comment = []
    return documented


def test_env_example_documents_every_production_variable() -> None:
    modules = settings_modules_of("production")
    assert {path.name for path in modules} >= {"production.py", "base.py"}
    read = set().union(*(variables_read(path) for path in modules))
    # The parser must find what production.py requires, or this test would pass vacuously.
    assert read >= {
        "SECRET_KEY",
        "DATABASE_URL",
        "OTP_ENCRYPTION_KEYS",
        "TIME_ZONE",
        "CONN_MAX_AGE",
    }
    documented = documented_variables()
    assert sorted(read - set(documented)) == []
    uncommented = [name for name, comment in documented.items() if not comment]
    assert uncommented == []
    assert "otp generate-key" in documented["OTP_ENCRYPTION_KEYS"]
    assert "django-prodready-backup" in documented["BACKUP_ENCRYPTION_KEYS"]
