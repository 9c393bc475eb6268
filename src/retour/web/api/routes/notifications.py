"""E-mail notifications: the store's templates and switches, previews, and the e-mails sent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import FileResponse, JSONResponse

from retour.notifications import editing, listing
from retour.notifications.preview import preview_email
from retour.notifications.templates import TemplateSource, default_templates
from retour.web.api.deps import Api
from retour.web.api.notification_schemas import (
    AttemptPublic,
    EmailDetail,
    EmailPage,
    EmailPublic,
    EmailTemplateList,
    EmailTemplatePublic,
    EmailTemplateSummaryPublic,
    EmailTemplateUpdate,
    NotificationSwitchList,
    NotificationSwitchPublic,
    NotificationSwitchUpdate,
    PreviewPublic,
    PreviewRequest,
)

router = APIRouter(prefix="/notifications", tags=["notifications"])
_TEMPLATE_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "Unknown e-mail kind or language"},
    422: {"description": "The template does not compile or render; `field` and `line` say where"},
}


@router.get("/templates", response_model=EmailTemplateList)
def list_templates_route(api: Api) -> EmailTemplateList:
    """Every e-mail kind in every language, and whether the store has its own template."""
    summaries = editing.list_templates(api.uow(), api.store_id)
    return EmailTemplateList(items=[EmailTemplateSummaryPublic.from_summary(s) for s in summaries])


@router.get(
    "/templates/{kind}/{locale}", response_model=EmailTemplatePublic, responses=_TEMPLATE_RESPONSES
)
def get_template_route(kind: str, locale: str, api: Api) -> EmailTemplatePublic:
    """The store's template, or the built-in one (`is_custom: false`) to start from."""
    view = editing.get_template(api.uow(), api.store_id, kind, locale, default_templates())
    return EmailTemplatePublic.from_view(view)


@router.put(
    "/templates/{kind}/{locale}", response_model=EmailTemplatePublic, responses=_TEMPLATE_RESPONSES
)
def put_template_route(
    kind: str, locale: str, body: EmailTemplateUpdate, api: Api
) -> EmailTemplatePublic:
    """Save the store's own template; refused with the part and line if it does not work."""
    view = editing.save_template(
        api.uow(), api.store_id, kind, locale,
        TemplateSource(subject=body.subject, html=body.html, text=body.text),
        default_templates(), api.request.app.state.settings.base_url, api.clock.now(),
    )  # fmt: skip
    return EmailTemplatePublic.from_view(view)


@router.delete("/templates/{kind}/{locale}", status_code=204, responses=_TEMPLATE_RESPONSES)
def delete_template_route(kind: str, locale: str, api: Api) -> Response:
    """Go back to the built-in template."""
    editing.delete_template(api.uow(), api.store_id, kind, locale)
    return Response(status_code=204)


@router.post(
    "/templates/{kind}/{locale}/preview",
    response_model=PreviewPublic,
    responses=_TEMPLATE_RESPONSES,
)
def preview_route(
    kind: str, locale: str, api: Api, body: PreviewRequest | None = None
) -> PreviewPublic:
    """Render the e-mail with a sample context, or a real return's (`return_id`); parts sent
    in the body are a draft that replaces the stored template's for this preview only."""
    request = body or PreviewRequest()
    draft = request.model_dump(include={"subject", "html", "text"}, exclude_none=True)
    preview = preview_email(
        api.uow(), api.store_id, kind, locale, default_templates(),
        api.request.app.state.settings.base_url, api.clock.now(),
        draft=draft, return_id=request.return_id,
    )  # fmt: skip
    return PreviewPublic.from_preview(preview)


@router.get("/settings", response_model=NotificationSwitchList)
def list_switches_route(api: Api) -> NotificationSwitchList:
    """Which e-mails the store sends (every kind is on until switched off)."""
    switches = editing.list_switches(api.uow(), api.store_id)
    return NotificationSwitchList(items=[NotificationSwitchPublic.from_switch(s) for s in switches])


@router.put(
    "/settings/{kind}",
    response_model=NotificationSwitchPublic,
    responses={404: _TEMPLATE_RESPONSES[404]},
)
def put_switch_route(
    kind: str, body: NotificationSwitchUpdate, api: Api
) -> NotificationSwitchPublic:
    """Switch one e-mail kind on or off; off also cancels those of its kind still waiting."""
    switch = editing.set_switch(api.uow(), api.store_id, kind, body.enabled, api.clock.now())
    return NotificationSwitchPublic.from_switch(switch)


@router.get("", response_model=EmailPage)
def list_emails_route(
    api: Api,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|dead|cancelled)$")] = None,
    kind: str | None = None,
    return_id: int | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> EmailPage:
    """E-mails sent and waiting, newest first; follow `next_cursor` for the next page."""
    if kind is not None:
        editing.ensure_kind(kind)
    where = listing.EmailFilter(status=status, kind=kind, return_id=return_id)
    page = listing.list_emails(api.uow(), api.store_id, where, cursor, limit)
    return EmailPage(
        items=[EmailPublic.from_record(record) for record in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/{email_id}", response_model=EmailDetail, responses={404: {"description": "None"}})
def get_email_route(email_id: int, api: Api) -> EmailDetail:
    """One e-mail with every attempt to send it."""
    record, attempts = listing.get_email(api.uow(), api.store_id, email_id)
    return EmailDetail(
        **EmailPublic.from_record(record).model_dump(),
        attempt_log=[AttemptPublic.from_record(attempt) for attempt in attempts],
    )


@router.get(
    "/{email_id}/eml",
    response_class=FileResponse,
    responses={
        200: {"content": {"message/rfc822": {}}, "description": "The e-mail as written"},
        404: {"description": "No such e-mail, or it was sent by SMTP (no file)"},
    },
)
def get_eml_route(email_id: int, api: Api) -> FileResponse:
    """The `.eml` file of an e-mail written under the data dir (no SMTP server set)."""
    path = listing.eml_file(
        api.uow(), api.store_id, email_id, api.request.app.state.settings.data_dir
    )
    return FileResponse(path, media_type="message/rfc822", filename=path.name)


@router.post(
    "/{email_id}/resend",
    response_model=EmailPublic,
    status_code=202,
    responses={404: {"description": "No such e-mail"}},
)
def resend_email_route(email_id: int, api: Api) -> JSONResponse:
    """Send the e-mail again soon: one that died, was cancelled, or even one delivered."""
    return api.mutate(
        None,
        lambda uow: listing.resend_email(uow, api.store_id, email_id, api.clock.now()),
        EmailPublic.from_record,
        status_code=202,
    )
