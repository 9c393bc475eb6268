"""Settings → return policy: the editor (save as a new version, simulate on history), the
versions, one version read-only and saved again."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from retour.domain.errors import DomainError
from retour.services.backoffice.policy_settings import (
    DEFAULT_PERIOD,
    MAX_NOTE,
    PERIODS,
    PolicyRefused,
    Simulation,
    policy_settings,
    policy_version,
    restore_policy_version,
    save_typed_policy,
    simulate_typed_policy,
)
from retour.services.policy.versions import SavedPolicy
from retour.web.backoffice import forms
from retour.web.backoffice.visit import BASE, BackOfficeRoute, StaffVisit, refusal_status

router = APIRouter(
    prefix=f"{BASE}/settings/policy", include_in_schema=False, route_class=BackOfficeRoute
)
PAGE = "/settings/policy"
DONE = {
    "saved": "The policy is saved as a new version. It is live: new returns are judged by it.",
    "restored": "The version is saved again as a new version. It is live: new returns are "
    "judged by it.",
}


@router.get("")
def policy_page(request: Request) -> Response:
    """`?load=N` fills the editor with version N; `?cursor=` pages the versions."""
    visit = StaffVisit(request)
    load = request.query_params.get("load", "")
    text = None
    if load.isdigit():
        text = pretty(policy_version(visit.new_uow(), visit.staff, int(load)).document)
    return _page(visit, text=text)


@router.post("")
async def save(request: Request) -> Response:
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        saved = save_typed_policy(
            visit.new_uow(), visit.staff, fields.get("document", ""), fields.get("note", ""),
            visit.now,
        )  # fmt: skip
    except DomainError as error:
        return _page(visit, error, refusal_status(error), fields=fields)
    return _saved(visit, saved, "saved")


@router.post("/simulate")
async def simulate(request: Request) -> Response:
    """The report on the same page, under the editor that keeps what was typed. The
    simulation runs in the thread pool: it may take seconds, and this process serves other
    requests meanwhile."""
    visit = StaffVisit(request)
    fields: dict[str, str] = {}
    try:
        fields = await visit.form()
        days = forms.whole_number(fields, "days", DEFAULT_PERIOD)
        simulation = await run_in_threadpool(
            simulate_typed_policy,
            visit.new_uow(), visit.staff, fields.get("document", ""), days, visit.now,
        )  # fmt: skip
    except DomainError as error:
        return _page(visit, error, refusal_status(error), fields=fields)
    return _page(visit, fields=fields, simulation=simulation)


@router.get("/versions/{version}")
def version_page(request: Request, version: int) -> Response:
    visit = StaffVisit(request)
    record = policy_version(visit.new_uow(), visit.staff, version)
    return visit.page("settings_policy_version.html", record=record, pretty=pretty)


@router.post("/versions/{version}/restore")
async def restore(request: Request, version: int) -> Response:
    visit = StaffVisit(request)
    try:
        await visit.form()
        saved = restore_policy_version(visit.new_uow(), visit.staff, version, visit.now)
    except DomainError as error:
        return _page(visit, error, refusal_status(error))
    return _saved(visit, saved, "restored")


def pretty(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def _saved(visit: StaffVisit, saved: SavedPolicy, done: str) -> Response:
    """Back to the page; with warnings, the page itself (a 200) so that they can be read."""
    if not saved.warnings:
        return visit.redirect(f"{PAGE}?done={done}")
    return _page(visit, done=done, warnings=saved.warnings)


def _page(
    visit: StaffVisit,
    error: DomainError | None = None,
    status_code: int = 200,
    fields: dict[str, str] | None = None,
    text: str | None = None,
    simulation: Simulation | None = None,
    done: str = "",
    warnings: list[tuple[str, str]] | None = None,
) -> Response:
    query = visit.request.query_params
    settings = policy_settings(visit.new_uow(), visit.staff, query.get("cursor") or None)
    fields = fields or {}
    live_text = pretty(settings.live.document)
    if text is None:
        text = fields.get("document", live_text)
    return visit.page(
        "settings_policy.html", status_code, live=settings.live, versions=settings.versions,
        live_text=live_text, text=text,
        note=fields.get("note", ""), max_note=MAX_NOTE, periods=PERIODS,
        days=fields.get("days", str(DEFAULT_PERIOD)), error=error,
        problems=error.problems if isinstance(error, PolicyRefused) else [],
        field=error.extra.get("field", "") if error else "",
        report=simulation.result.as_json() if simulation else None, simulation=simulation,
        done=DONE.get(done or query.get("done", ""), ""), warnings=warnings or [],
    )  # fmt: skip
