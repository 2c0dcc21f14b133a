"""Web API fixtures: a Bearer-token client speaking JSON with exact decimals."""

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from salesapp.api.models import ApiToken

BASE = "/api/data/v9.2/"


@dataclass
class Reply:
    status: int
    headers: Any
    body: Any

    @property
    def error(self) -> str:
        return self.body["error"]["message"] if isinstance(self.body, dict) and "error" in self.body else ""


class Api:
    """What an integrator's HTTP client does: JSON bodies, Bearer token, D365 headers."""

    def __init__(self, token: str | None):
        self.client = Client(enforce_csrf_checks=True)
        self.token = token

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        raw: bytes | None = None,
        content_type: str = "application/json",
        **headers: str,
    ) -> Reply:
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        if self.token is not None:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        data = raw if raw is not None else (b"" if body is None else dumps(body).encode())
        url = path if path.startswith("http") or path.startswith("/") else BASE + path
        response = self.client.generic(method, url, data=data, content_type=content_type, **extra)
        is_json = "json" in response.get("Content-Type", "") and response.content
        parsed = json.loads(response.content.decode(), parse_float=Decimal) if is_json else response.content
        return Reply(response.status_code, response, parsed)

    def get(self, path: str, **headers: str) -> Reply:
        return self.call("GET", path, **headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Reply:
        return self.call("POST", path, body, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Reply:
        return self.call("PATCH", path, body, **headers)

    def delete(self, path: str, **headers: str) -> Reply:
        return self.call("DELETE", path, **headers)

    def create(self, set_name: str, body: Any) -> str:
        """POST and return the new record's GUID from OData-EntityId."""
        reply = self.post(set_name, body)
        assert reply.status == 204, (reply.status, reply.body)
        entity_id = reply.headers["OData-EntityId"]
        assert entity_id.startswith("http://testserver/api/data/v9.2/")
        assert reply.headers["Location"] == entity_id
        return entity_id.rsplit("(", 1)[1].rstrip(")")


def dumps(value: Any) -> str:
    from salesapp.api.jsonio import dumps as exact

    return exact(value)


def token_for(user) -> str:
    return ApiToken.issue(user=user, name="test")[1]


@pytest.fixture
def rep_api(rep) -> Api:
    return Api(token_for(rep))


@pytest.fixture
def boss_api(boss) -> Api:
    return Api(token_for(boss))
