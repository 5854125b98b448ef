"""The default file storage: a small file is written, read back and deleted."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import storages

from prodready.health.base import HealthCheck, HealthCheckError

DIRECTORY = "prodready-health"


class StorageCheck(HealthCheck):
    """Not critical: uploads and media fail without it, the rest of the site does not,
    and an object store outage should not take every instance out of service."""

    critical = False

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self.name = f"storage:{alias}"

    def check(self) -> str | None:
        storage = storages[self.alias]
        content = uuid.uuid4().hex.encode()
        try:
            name = storage.save(f"{DIRECTORY}/{uuid.uuid4().hex}.txt", ContentFile(content))
            try:
                with storage.open(name, "rb") as file:
                    read_back = file.read()
            finally:
                storage.delete(name)
        except Exception as exc:
            # Storage errors may name buckets, paths or endpoints: those go to the log.
            raise HealthCheckError(
                f"the storage failed ({type(exc).__name__}); see the server log"
            ) from exc
        if isinstance(read_back, str):
            read_back = read_back.encode()
        if read_back != content:
            raise HealthCheckError("a file written to the storage could not be read back")
        return None
