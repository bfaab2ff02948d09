"""A keyring backend backed by a JSON file, so subprocess tests exercise our real keyring calls."""

from __future__ import annotations

import json
import os

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def _path(self) -> str:
        return os.environ["FILE_KEYRING_PATH"]

    def _load(self) -> dict:
        try:
            with open(self._path) as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return {}

    def get_password(self, service, username):  # noqa: ANN001, ANN201
        return self._load().get("%s/%s" % (service, username))

    def set_password(self, service, username, password):  # noqa: ANN001, ANN201
        data = self._load()
        data["%s/%s" % (service, username)] = password
        with open(self._path, "w") as handle:
            json.dump(data, handle)

    def delete_password(self, service, username):  # noqa: ANN001, ANN201
        data = self._load()
        if data.pop("%s/%s" % (service, username), None) is None:
            raise PasswordDeleteError("not found")
        with open(self._path, "w") as handle:
            json.dump(data, handle)
