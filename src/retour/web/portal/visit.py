"""What every portal page shares: the visit (store, clock, signer, the shopper's order), the
page rendering with its security headers, and the plain "not found" for anything not theirs."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile

from retour.db.models import Store
from retour.domain.errors import DomainError, InvalidRequest
from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.refund_quote import FeeCode
from retour.notifications.formatting import format_day, format_moment, format_money
from retour.services.errors import NotFound
from retour.services.portal.lookup import store_of_portal
from retour.services.portal.order_view import ItemView
from retour.web.portal.findings import finding_sentence, say_refused
from retour.web.portal.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGE_NAMES,
    choose_language,
    say,
    translator,
)
from retour.web.portal.session import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    PortalSigner,
    csrf_matches,
    new_csrf_token,
)

#: An RMA number as the portal's links carry it.
RMA = re.compile(r"R-\d{1,12}")
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


class PortalRoute(APIRoute):
    """Anything the shopper may not see (another order's return, a guessed URL, an unknown
    store) is the same plain "not found" page, in the shopper's language."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except NotFound:
                return not_found_page(request)

        return handle


def not_found_page(request: Request) -> Response:
    """The plain 404, chosen the visit's way (the store's language last, when it is known)."""
    visit: Visit | None = getattr(request.state, "portal_visit", None)
    language = visit.language if visit is not None else language_of(request, "")
    context = {"_": translator(language), "language": language}
    response = templates.TemplateResponse(request, "not_found.html", context, 404)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Content-Language"] = language
    return response


def language_of(request: Request, store_locale: str) -> str:
    """`?lang=`, the remembered one, Accept-Language, then the store's (i18n.choose_language)."""
    return choose_language(
        request.query_params.get("lang"),
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language", ""),
        store_locale,
    )


#: No inline scripts or styles anywhere; logos may come from the store's own https host.
CSP = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
LABELS = {
    Resolution.REFUND: "Refund to my original payment",
    Resolution.STORE_CREDIT: "Store credit",
    Resolution.EXCHANGE: "Exchange for another size or colour",
    ReturnMethod.PREPAID_LABEL: "Prepaid return label (print at home)",
    ReturnMethod.QR_DROP_OFF: "QR code for drop-off (no printer needed)",
    ReturnMethod.SHIP_YOURSELF: "I will ship it myself",
    ReturnMethod.IN_STORE: "Bring it to a store",
}


FEE_LABELS = {
    FeeCode.RESTOCKING: "Restocking fee",
    FeeCode.RESTOCKING_FIXED: "Restocking fee",
    FeeCode.RETURN_SHIPPING: "Return shipping",
    FeeCode.LABEL: "Return label",
}


class Visit:
    """One request to the portal: its store, clock, signer and the shopper's order if any."""

    def __init__(self, request: Request, slug: str) -> None:
        self.request = request
        self.state = request.app.state
        self.store: Store = store_of_portal(self.state.new_uow(), slug)
        self.now = self.state.clock.now()
        self.signer = PortalSigner(self.state.settings.secret_key.get_secret_value())
        self.csrf = request.cookies.get(CSRF_COOKIE) or new_csrf_token()
        self.access = self.signer.access(
            request.cookies.get(SESSION_COOKIE), self.store.id, self.now
        )
        self.base = f"/s/{self.store.slug}/returns"
        self.asked_language = request.query_params.get("lang")
        self.language = language_of(request, self.store.locale)
        self.translate = translator(self.language)
        # A "not found" raised later in the request is shown in this language.
        request.state.portal_visit = self

    def page(self, template: str, status_code: int = 200, **context: Any) -> Response:
        context |= {
            "store": self.store,
            "base": self.base,
            "csrf": self.csrf,
            "labels": LABELS,
            "_": self.translate,
            "say": self.say,
            "refusal_of": self.refusal_of,
            "language": self.language,
            "languages": LANGUAGE_NAMES,
            "money": lambda amount, currency: format_money(amount, currency, self.locale),
            "day": lambda value: format_day(value, self.locale, self.store.timezone),
            "moment": lambda value: format_moment(value, self.locale, self.store.timezone),
        }
        response = templates.TemplateResponse(self.request, template, context, status_code)
        # The page's language, which static/portal.js gives <html lang> after an htmx swap.
        response.headers["Content-Language"] = self.language
        return self.secured(response)

    def say(self, error: DomainError) -> str:
        """An error in the shopper's language; the policy's refusals by their codes."""
        refused = say_refused(error, self.language, self.locale, self.translate)
        return refused if refused is not None else say(error, self.translate)

    def refusal_of(self, item: ItemView) -> str:
        """Why the item cannot go back, in the shopper's language."""
        if item.finding is not None:
            return finding_sentence(item.finding, self.language, self.locale, self.translate)
        return self.translate(item.refusal or "")

    @property
    def locale(self) -> str:
        """Babel's locale for money and dates: the shopper's language, in the store's country
        when the store's locale has one (fr with a store in fr_CH: fr_CH)."""
        store = self.store.locale or "en"
        return store if store.split("_")[0].split("-")[0] == self.language else self.language

    def secured(self, response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.set_cookie(
            CSRF_COOKIE, self.csrf, path=self.base, httponly=True, samesite="lax",
            secure=self.is_https,
        )  # fmt: skip
        if self.asked_language in LANGUAGE_NAMES:  # the switcher's choice is remembered
            response.set_cookie(
                LANGUAGE_COOKIE, self.language, path=self.base, max_age=365 * 24 * 3600,
                samesite="lax", secure=self.is_https,
            )  # fmt: skip
        return response

    @property
    def is_https(self) -> bool:
        return str(self.state.settings.base_url).startswith("https://")

    def redirect(self, path: str) -> Response:
        return self.secured(RedirectResponse(self.base + path, status_code=303))

    async def form(self) -> dict[str, str]:
        """The posted fields; a missing or wrong CSRF token is refused before anything."""
        fields, _ = await self.form_with_files()
        return fields

    async def form_with_files(self) -> tuple[dict[str, str], dict[str, list[UploadFile]]]:
        form = await self.request.form(max_files=20, max_fields=200)
        fields: dict[str, str] = {}
        files: dict[str, list[UploadFile]] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):
                fields[key] = value
            else:
                files.setdefault(key, []).append(value)
        if not csrf_matches(self.request.cookies.get(CSRF_COOKIE), fields.get("csrf")):
            raise InvalidRequest("This form has expired. Please try again.", field="csrf")
        return fields, files
