"""Errors in the Dataverse shape: {"error": {"code": "0x…", "message": "…"}} with the right status."""

from __future__ import annotations

# Dataverse error codes, by the kind of failure (what a D365 client keys on).
CODES = {
    400: "0x80048d19",  # error identified in the payload / a rule of the domain refused it
    401: "0x80072560",  # not authenticated
    403: "0x80040220",  # the role lacks the privilege
    404: "0x80040217",  # record / resource does not exist
    405: "0x80060888",  # method not supported on this resource
    409: "0x80060892",  # changed concurrently
    412: "0x80060882",  # If-Match failed: the version doesn't match
    415: "0x80060888",  # not JSON
    429: "0x80072322",  # service protection: too many requests (here: too many bad tokens)
}
RULE_CODE = "0x80040265"  # a business rule (state, pricing) refused the request


class ApiError(Exception):
    def __init__(
        self, status: int, message: str, *, code: str | None = None, headers: dict[str, str] | None = None
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or CODES.get(status, "0x80040216")
        self.headers = headers or {}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(message: str = "The requested record was not found.") -> ApiError:
    return ApiError(404, message)
