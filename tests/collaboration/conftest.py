"""Project documents of the tests go to a scratch folder, never to the checkout's data folder."""

import pytest


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    settings.COLLABORATION_DOCUMENTS_ROOT = str(tmp_path / "documents")
