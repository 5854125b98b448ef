"""Free disk space where the project writes files."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.conf import settings

from prodready.conf import conf
from prodready.health.base import HealthCheck, HealthCheckError

MB = 1024 * 1024


def disk_paths() -> list[str]:
    """``PRODREADY_HEALTH_DISK_PATHS``, or MEDIA_ROOT (when set) and the temp dir."""
    paths = list(conf.HEALTH_DISK_PATHS)
    if not paths:
        if settings.MEDIA_ROOT:
            paths.append(str(settings.MEDIA_ROOT))
        paths.append(tempfile.gettempdir())
    return list(dict.fromkeys(paths))


class DiskSpaceCheck(HealthCheck):
    """Free space at a path is above ``PRODREADY_HEALTH_DISK_MIN_FREE_MB``.

    Not critical: a filling disk is a warning to act on, and taking the instance
    out of service would not free any space.
    """

    critical = False

    def __init__(self, path: str) -> None:
        self.path = path
        self.name = f"disk:{path}"

    def check(self) -> str | None:
        usage = shutil.disk_usage(_nearest_existing(Path(self.path)))
        minimum_mb = conf.HEALTH_DISK_MIN_FREE_MB
        detail = f"{_size(usage.free)} free of {_size(usage.total)}"
        if usage.free < minimum_mb * MB:
            raise HealthCheckError(
                f"{detail}, below the minimum of {minimum_mb} MB "
                "(PRODREADY_HEALTH_DISK_MIN_FREE_MB)"
            )
        return detail


def _nearest_existing(path: Path) -> Path:
    # MEDIA_ROOT often does not exist before the first upload; its disk is the parent's.
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return path


def _size(size: int) -> str:
    if size >= 1024 * MB:
        return f"{size / (1024 * MB):.1f} GB"
    return f"{size / MB:.0f} MB"
