"""Failures that belong to the application, not to a business rule."""

from __future__ import annotations

from retour.domain.errors import DomainError


class NotFound(DomainError):
    """No such object in this store (other stores' objects are not found either)."""

    code = "not_found"

    def __init__(self, resource: str, identifier: object) -> None:
        super().__init__(f"{resource} {identifier} not found", resource=resource)


class ConcurrentModification(DomainError):
    """Someone else changed the same object at the same time; reload and try again."""

    code = "concurrent_modification"

    def __init__(self) -> None:
        super().__init__("the object was changed by another request at the same time; retry")


class AlreadyDone(DomainError):
    """The object is past the state the action needs (a parcel closed already…): 409."""

    code = "already_done"

    def __init__(self, detail: str, current_status: str) -> None:
        super().__init__(detail, current_status=current_status)


class IdempotencyMismatch(DomainError):
    """An Idempotency-Key reused with a different request."""

    code = "idempotency_key_reused"

    def __init__(self) -> None:
        super().__init__(
            "this Idempotency-Key was already used with a different request",
            field="Idempotency-Key",
        )


class Unauthorized(DomainError):
    code = "unauthorized"


class AlreadyExists(DomainError):
    """A new object whose name another of the store's objects already has: 409."""

    code = "already_exists"

    def __init__(self, resource: str, identifier: object, field: str) -> None:
        super().__init__(f"{resource} {identifier} already exists", resource=resource, field=field)
