"""Storages for failure tests."""

from __future__ import annotations

import errno
import os
from typing import Any

from django.core.files.storage import FileSystemStorage


class QuotaStorage(FileSystemStorage):
    """A file system that is full after ``quota`` bytes, like a small disk."""

    def __init__(self, quota: int = 4096, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.quota = quota

    def _save(self, name: str, content: Any) -> str:
        written = 0
        for chunk in content.chunks():
            written += len(chunk)
            if written > self.quota:
                # What a real full disk raises from write(); the partial file is left behind.
                os.makedirs(os.path.dirname(self.path(name)), exist_ok=True)
                with open(self.path(name), "wb") as partial:
                    partial.write(b"\0" * self.quota)
                raise OSError(errno.ENOSPC, "No space left on device")
        return super()._save(name, content)
