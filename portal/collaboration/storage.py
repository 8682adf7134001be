"""Private storage of project documents: one folder for the whole alliance, never served by URL."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def documents_root() -> str:
    """`COLLABORATION_DOCUMENTS_ROOT` when set, else `<MEDIA_ROOT>/private/collaboration`; read on every use."""
    root = getattr(settings, "COLLABORATION_DOCUMENTS_ROOT", None)
    return str(root or os.path.join(settings.MEDIA_ROOT, "private", "collaboration"))


class PrivateFileSystemStorage(FileSystemStorage):
    """Files on disk with no URL at all; asking for one is a programming error.

    Not TenantFileSystemStorage: projects are shared, so a file must not depend on the uploader's schema.
    """

    @property
    def base_location(self):
        return documents_root()

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private project documents have no URL; serve them through the document view.")


private_storage = PrivateFileSystemStorage()


def private_storage_callable():
    return private_storage
