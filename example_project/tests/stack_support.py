"""Helpers shared by the tests that run the production files for real.

``test_production_files.py`` runs nginx with its config in front of a stand-in upstream;
``stack_fixture.py`` runs the whole compose topology (nginx, gunicorn, a Celery worker and
beat) as local processes. Both rewrite nginx.conf the same way, with these helpers. The
browser tests' settings (``browser/settings.py``) clear the production environment too.
"""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import os
import re
import shutil
import socket
import ssl
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent
NGINX_CONF = EXAMPLE / "nginx" / "nginx.conf"

# The paths nginx.conf expects inside its container, and the upstream.
CERT_DIR = "/etc/nginx/certs/"
CACHE_DIR = "/var/cache/nginx/"
STATIC_DIR = "/srv/static/"
MEDIA_DIR = "/srv/media/"
UPSTREAM = "server web:8000;"


def require_tool(name: str) -> str:
    """The tool's path; skip without it, or fail with PRODREADY_TEST_SERVICES=required."""
    # nginx is in /usr/sbin, which an unprivileged user's PATH may lack.
    path = shutil.which(name) or shutil.which(name, path=f"/usr/sbin{os.pathsep}/sbin")
    if path is None:
        problem = (
            f"{name} is not installed (apt-get install nginx prometheus prometheus-alertmanager)"
        )
        if os.environ.get("PRODREADY_TEST_SERVICES") == "required":
            pytest.fail(
                f"{problem}. PRODREADY_TEST_SERVICES=required: a missing tool fails the run."
            )
        pytest.skip(problem)
    return path


def production_variables() -> set[str]:
    """Every variable .env.production.example names: none may leak in from outside."""
    text = (EXAMPLE / ".env.production.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- nginx -------------------------------------------------------------------------------


def write_certificate(directory: Path) -> None:
    """A throwaway self-signed certificate for localhost and 127.0.0.1."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    directory.mkdir()
    (directory / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def has_ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


def make_nginx_site(tmp_path: Path) -> SimpleNamespace:
    """nginx.conf rewritten into tmp_path: certificate, files, logs, ports, upstream."""
    require_tool("nginx")
    text = NGINX_CONF.read_text()
    for expected in (
        CERT_DIR,
        CACHE_DIR,
        STATIC_DIR,
        MEDIA_DIR,
        UPSTREAM,
        "listen 80 ",
        "listen 443 ",
    ):
        assert expected in text, f"nginx.conf no longer contains {expected!r}"
    write_certificate(tmp_path / "certs")
    for directory in ("cache", "static", "media"):
        (tmp_path / directory).mkdir()
    site = SimpleNamespace(
        prefix=tmp_path,
        conf=tmp_path / "nginx.conf",
        http_port=free_port(),
        https_port=free_port(),
        upstream_port=free_port(),
    )
    text = (
        text.replace(CERT_DIR, f"{tmp_path}/certs/")
        .replace(CACHE_DIR, f"{tmp_path}/cache/")
        .replace(STATIC_DIR, f"{tmp_path}/static/")
        .replace(MEDIA_DIR, f"{tmp_path}/media/")
        .replace(UPSTREAM, f"server 127.0.0.1:{site.upstream_port};")
        .replace("/dev/stdout", f"{tmp_path}/access.log")
        .replace("/dev/stderr", f"{tmp_path}/error.log")
    )
    # Unprivileged ports (nginx -t binds them too), and no IPv6 where there is none.
    text = re.sub(r"listen (\[::\]:)?80 ", rf"listen \g<1>{site.http_port} ", text)
    text = re.sub(r"listen (\[::\]:)?443 ", rf"listen \g<1>{site.https_port} ", text)
    if not has_ipv6():
        text = re.sub(r"^\s*listen \[::\]:.*$", "", text, flags=re.MULTILINE)
    site.conf.write_text(text)
    return site


def nginx_command(site: SimpleNamespace, *args: str, directives: str = "") -> list[str]:
    # As root, the workers would switch to `nobody`, who cannot read pytest's tmp_path.
    user = "user root;" if os.geteuid() == 0 else ""
    return [
        require_tool("nginx"),
        *("-p", f"{site.prefix}/", "-c", str(site.conf), "-e", f"{site.prefix}/error.log"),
        *("-g", f"pid {site.prefix}/nginx.pid; {user} {directives}"),
        *args,
    ]


def fetch(
    site: SimpleNamespace, path: str, *, tls: bool = True, host: str = "school.example.com"
) -> Any:
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            "127.0.0.1", site.https_port, context=context, timeout=10
        )
    else:
        connection = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host, "X-Forwarded-Proto": "http"})
        response = connection.getresponse()
        response.text = response.read().decode()
        if tls:
            response.tls_version = connection.sock.version()
        return response
    finally:
        connection.close()
