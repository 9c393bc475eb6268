"""RFC 9457 problem+json for every error, each with a stable `code`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from retour.domain.errors import (
    DomainError,
    IllegalTransition,
    InvalidRequest,
    InvariantViolation,
)
from retour.domain.policy import InvalidPolicy
from retour.services.errors import (
    AlreadyDone,
    AlreadyExists,
    ConcurrentModification,
    IdempotencyMismatch,
    NotFound,
    Unauthorized,
)
from retour.services.shipments.errors import (
    AccountCredentialsUnreadable,
    CarrierDown,
    LabelAddressedElsewhere,
    LabelUnavailable,
    ShipmentExists,
)

PROBLEM_JSON = "application/problem+json"

_STATUS_BY_ERROR: list[tuple[type[DomainError], int, str]] = [
    (NotFound, 404, "Not found"),
    (IllegalTransition, 409, "Illegal transition"),
    (ConcurrentModification, 409, "Concurrent modification"),
    (AlreadyDone, 409, "Already done"),
    (AlreadyExists, 409, "Already exists"),
    (ShipmentExists, 409, "Shipment exists"),
    (LabelAddressedElsewhere, 409, "Label addressed elsewhere"),
    (LabelUnavailable, 409, "Label unavailable"),
    (AccountCredentialsUnreadable, 409, "Credentials unreadable"),
    (CarrierDown, 503, "Carrier unavailable"),
    (IdempotencyMismatch, 422, "Idempotency key reused"),
    (InvalidRequest, 422, "Invalid request"),
    (InvalidPolicy, 422, "Invalid policy"),
    (Unauthorized, 401, "Unauthorized"),
    (InvariantViolation, 500, "Internal invariant violated"),
]


def problem(status: int, code: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"urn:retour:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, error: DomainError) -> JSONResponse:
        for error_type, status, title in _STATUS_BY_ERROR:
            if isinstance(error, error_type):
                return problem(status, error.code, title, error.detail, **error.extra)
        return problem(422, error.code, "Refused", error.detail, **error.extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field_path(item["loc"]), "message": item["msg"], "type": item["type"]}
            for item in error.errors()
        ]
        fields = ", ".join(dict.fromkeys(entry["field"] for entry in errors))
        return problem(
            422, "validation_error", "Invalid request", f"invalid fields: {fields}", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(
            error.status_code, "http_error"
        )
        return problem(error.status_code, code, str(error.detail), str(error.detail))


def _field_path(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [part for part in location if part not in ("body", "query", "path", "header")]
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"
