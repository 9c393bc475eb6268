"""Typed dependencies: the caller's store and identity, the unit of work, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from retour.db.unit_of_work import UnitOfWork
from retour.services.context import Actor, Clock
from retour.services.errors import Unauthorized
from retour.services.idempotency import fingerprint, run_idempotently
from retour.services.stores import authenticate_api_key

T = TypeVar("T")


@dataclass
class ApiContext:
    """One authenticated API request: who, in which store, and how to run a use case."""

    store_id: int
    actor: Actor
    clock: Clock
    new_uow: Callable[[], UnitOfWork]
    request: Request
    idempotency_key: str | None

    def uow(self) -> UnitOfWork:
        return self.new_uow()

    def _fingerprint(self, body: BaseModel | None) -> str:
        body_bytes = body.model_dump_json().encode() if body is not None else b""
        return fingerprint(self.request.method, self.request.url.path, body_bytes)

    def mutate(
        self,
        body: BaseModel | None,
        run: Callable[[UnitOfWork], T],
        serialize: Callable[[T], BaseModel],
        status_code: int | Callable[[T], int] = 200,
    ) -> JSONResponse:
        """Run a state-changing use case, once per Idempotency-Key."""
        uow = self.new_uow()

        def action() -> tuple[int, dict[str, Any]]:
            result = run(uow)
            status = status_code(result) if callable(status_code) else status_code
            return status, serialize(result).model_dump(mode="json")

        (status, content), replayed = run_idempotently(
            uow,
            store_id=self.store_id,
            key=self.idempotency_key,
            request_fingerprint=self._fingerprint(body) if self.idempotency_key else "",
            now=self.clock.now(),
            action=action,
        )
        headers = {"Idempotent-Replayed": "true"} if replayed else None
        return JSONResponse(content, status_code=status, headers=headers)


async def api_context(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    idempotency_key: Annotated[
        str | None, Header(max_length=255, description="repeat a POST safely")
    ] = None,
) -> ApiContext:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("send an API key as `Authorization: Bearer <key>`")
    state = request.app.state
    principal = state.api_keys.get(token.strip())
    if principal is None:
        principal = await run_in_threadpool(authenticate_api_key, state.new_uow(), token.strip())
        state.api_keys.put(token.strip(), principal)
    return ApiContext(
        store_id=principal.store_id,
        actor=Actor("api_key", principal.key_name),
        clock=state.clock,
        new_uow=state.new_uow,
        request=request,
        idempotency_key=idempotency_key,
    )


Api = Annotated[ApiContext, Depends(api_context)]
