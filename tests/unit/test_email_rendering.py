"""E-mail templates, context and messages, without a database: every kind in every language,
money and dates per locale, the sandbox, syntax errors with their line, addresses."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from jinja2.exceptions import SecurityError

from retour.domain.email_addresses import address_problem, sendable_address
from retour.domain.notifications import EMAIL_KINDS, Audience
from retour.notifications.context import Links, StoreFacts, build_context
from retour.notifications.labels import LOCALES
from retour.notifications.message import build_message, message_id_domain
from retour.notifications.samples import sample_mail
from retour.notifications.templates import (
    EmailTemplates,
    TemplateProblem,
    TemplateSource,
    default_templates,
    recording_undefined,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
LINKS = Links("https://returns.example/")
PORTAL = "https://returns.example/s/maison/returns/R-100231"


def store(locale: str = "en", **changes: str) -> StoreFacts:
    facts = StoreFacts(1, "maison", "Maison Demo", locale, "EUR", "Europe/Paris")
    return replace(facts, **changes)


def context(kind: str, locale: str = "en", **store_changes: str) -> dict:
    return build_context(sample_mail(kind, store(locale, **store_changes), NOW), LINKS)


@pytest.fixture(scope="module")
def templates() -> EmailTemplates:
    return default_templates()


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", list(EMAIL_KINDS))
def test_every_kind_renders_in_every_language_without_unknown_names(templates, kind, locale):
    with recording_undefined() as undefined:
        rendered = templates.render(kind, locale, context(kind, locale))

    assert undefined == []
    assert rendered.subject and "\n" not in rendered.subject
    assert rendered.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{locale}">' in rendered.html
    assert "Maison Demo" in rendered.html and "Maison Demo" in rendered.text
    if kind not in ("staff_daily_digest", "staff_webhook_disabled", "staff_unexpected_parcel"):
        assert "R-100231" in rendered.subject
    if EMAIL_KINDS[kind] is Audience.SHOPPER:
        assert PORTAL in rendered.text
        assert f'href="{PORTAL}"' in rendered.html


@pytest.mark.parametrize("kind", list(EMAIL_KINDS))
def test_french_and_german_are_translations_not_copies(templates, kind):
    english = templates.render(kind, "en", context(kind, "en"))
    for locale in ("fr", "de"):
        translated = templates.render(kind, locale, context(kind, locale))
        assert translated.subject != english.subject
        assert translated.text != english.text


def sentences(text: str) -> set[str]:
    """The lines of a plain-text part that are words, not links or the signature rule."""
    return {
        line.strip()
        for line in text.splitlines()
        if re.search(r"[^\W\d_]{3}", line) and not line.strip().startswith("http")
    }


@pytest.mark.parametrize("kind", list(EMAIL_KINDS))
def test_no_english_sentence_is_left_in_french_or_german(templates, kind):
    english = sentences(templates.render(kind, "en", context(kind, "en")).text)
    for locale in ("fr", "de"):
        translated = sentences(templates.render(kind, locale, context(kind, locale)).text)
        assert sorted(english & translated) == []


@pytest.mark.parametrize(
    ("locale", "subject", "change", "send"),
    [("en", "The approved quantities of your return R-100231 have changed",
      "- 2 → 1 × Linen shirt M (LINEN-M)",
      "Please send back only these items, in these quantities."),
     ("fr", "Les quantités acceptées de votre retour R-100231 ont changé",
      "- 2 → 1 × Chemise en lin M (LINEN-M)",
      "Merci de ne renvoyer que ces articles, dans ces quantités."),
     ("de", "Die genehmigten Mengen Ihrer Rücksendung R-100231 wurden geändert",
      "- 2 → 1 × Leinenhemd M (LINEN-M)",
      "Bitte senden Sie nur diese Artikel in diesen Mengen zurück.")],
)  # fmt: skip
def test_changed_quantities_say_what_changed_but_not_the_staffs_reason(
    templates, locale, subject, change, send
):
    facts = sample_mail("return_quantities_changed", store(locale), NOW)
    reason = str(facts.payload["reason"])

    rendered = templates.render("return_quantities_changed", locale, build_context(facts, LINKS))

    assert rendered.subject == subject
    assert change in rendered.text.splitlines()
    assert send in rendered.text.splitlines()
    assert reason and reason not in rendered.text and reason not in rendered.html
    assert "reason" not in build_context(facts, LINKS)


@pytest.mark.parametrize(
    ("status", "method", "resolution", "lines"),
    [("in_transit", "ship_yourself", "store_credit",
      ["Your store credit will be for the items approved above."]),
     ("approved", "keep_item", "keep_item", []),
     ("received", "ship_yourself", "refund",
      ["Everything we are waiting for has now arrived. We will check the items and then "
       "process your refund."])],
)  # fmt: skip
def test_changed_quantities_say_what_comes_next_for_where_the_return_is(
    templates, status, method, resolution, lines
):
    facts = sample_mail("return_quantities_changed", store(), NOW)
    assert facts.ret is not None
    facts = replace(
        facts, ret=replace(facts.ret, status=status, method=method, resolution=resolution)
    )

    text = templates.render("return_quantities_changed", "en", build_context(facts, LINKS)).text

    after = text.splitlines()
    start = after.index("- 1 × Linen shirt L (LINEN-L)") + 1
    assert [line for line in after[start : after.index("Your return: " + PORTAL)] if line] == (
        lines
    )


@pytest.mark.parametrize(
    ("locale", "amount", "greeting", "subject"),
    [
        ("en", "€117.60", "Hello Sam Shopper,", "Your refund for return R-100231"),
        ("fr", "117,60\u00a0€", "Bonjour Sam Shopper,",
         "Votre remboursement pour le retour R-100231"),
        ("de", "117,60\u00a0€", "Guten Tag Sam Shopper,",
         "Ihre Erstattung für die Rücksendung R-100231"),
    ],
)  # fmt: skip
def test_money_is_written_the_way_each_language_writes_it(
    templates, locale, amount, greeting, subject
):
    rendered = templates.render("return_refunded", locale, context("return_refunded", locale))

    assert rendered.subject == subject
    assert rendered.text.startswith(greeting)
    assert amount in rendered.text
    assert f"<strong>{amount}</strong>" in rendered.html


def test_store_credit_says_so_and_gives_the_code(templates):
    facts = sample_mail("return_refunded", store("fr"), NOW)
    payload = {**facts.payload, "method": "store_credit", "provider_reference": "SC-7Q2X-9KLM"}
    rendered = templates.render(
        "return_refunded", "fr", build_context(replace(facts, payload=payload), LINKS)
    )

    assert rendered.subject == "Votre avoir pour le retour R-100231"
    assert "Votre code d'avoir\u00a0: SC-7Q2X-9KLM" in rendered.text


@pytest.mark.parametrize(
    ("timezone", "locale", "expected"),
    [("Europe/Paris", "en", "April 1, 2026"), ("America/New_York", "en", "March 31, 2026"),
     ("Europe/Paris", "fr", "1 avril 2026"), ("Europe/Berlin", "de", "1. April 2026")],
)  # fmt: skip
def test_dates_are_the_stores_day_in_its_language(templates, timezone, locale, expected):
    facts = sample_mail("return_approved", store(locale, timezone=timezone), NOW)
    assert facts.ret is not None
    late_evening_utc = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    facts = replace(facts, ret=replace(facts.ret, expires_at=late_evening_utc))

    rendered = templates.render("return_approved", locale, build_context(facts, LINKS))

    assert expected in rendered.text


@pytest.mark.parametrize(
    ("method", "words"),
    [("prepaid_label", "download your prepaid return label"),
     ("qr_drop_off", "show the QR code at a drop-off point"),
     ("ship_yourself", "send the parcel with the carrier of your choice"),
     ("in_store", "bring the items to this address:"),
     ("keep_item", "please keep the items")],
)  # fmt: skip
def test_approval_says_how_to_send_the_items_back(templates, method, words):
    facts = sample_mail("return_approved", store(), NOW)
    assert facts.ret is not None
    facts = replace(facts, ret=replace(facts.ret, method=method))

    rendered = templates.render("return_approved", "en", build_context(facts, LINKS))

    assert words in rendered.text and words in rendered.html
    assert ("Please send or bring the items by" in rendered.text) is (method != "keep_item")
    gives_address = method in ("ship_yourself", "in_store")
    assert ("1 Dock Road" in rendered.text.splitlines()) is gives_address
    assert ("Acme UK Returns<br>1 Dock Road<br>" in rendered.html) is gives_address


@pytest.mark.parametrize(
    ("method", "words"),
    [("ship_yourself", "pack the items with a note saying R-100231 and send the parcel"),
     ("in_store", "bring the items to one of our stores and give the return number R-100231")],
)  # fmt: skip
def test_approval_without_a_location_address_says_how_without_it(templates, method, words):
    facts = sample_mail("return_approved", store(), NOW)
    assert facts.ret is not None
    facts = replace(facts, ret=replace(facts.ret, method=method), return_address=())

    rendered = templates.render("return_approved", "en", build_context(facts, LINKS))

    assert words in rendered.text and words in rendered.html
    assert "this address" not in rendered.text + rendered.html


@pytest.mark.parametrize(
    ("locale", "method", "parcels", "subject", "steps", "use_by"),
    [("en", "prepaid_label", 1, "Your return label for R-100231 is ready",
      ["1. Download the label (PDF) from your return page and print it.",
       "2. Pack the items and stick the label on the parcel.",
       "3. Drop the parcel off with the carrier and keep the receipt until your return is "
       "complete."],
      "Please use it by April 1, 2026: after that date it can no longer be used."),
     ("en", "prepaid_label", 3, "Your return label for R-100231 is ready",
      ["1. Download the label (PDF) from your return page and print it.",
       "2. Pack the items and stick one page of the label on each of the 3 parcels.",
       "3. Drop the parcel off with the carrier and keep the receipt until your return is "
       "complete."],
      "Please use it by April 1, 2026: after that date it can no longer be used."),
     ("en", "qr_drop_off", 1, "Your drop-off code for return R-100231 is ready",
      ["1. Pack the items.",
       "2. Open your return page and show the QR code at a drop-off point.",
       "3. Keep the drop-off receipt until your return is complete."],
      "Please use it by April 1, 2026: after that date it can no longer be used."),
     ("de", "qr_drop_off", 1, "Ihr Abgabecode für die Rücksendung R-100231 ist bereit",
      ["1. Verpacken Sie die Artikel.",
       "2. Öffnen Sie die Seite Ihrer Rücksendung und zeigen Sie den QR-Code an einer "
       "Annahmestelle vor.",
       "3. Bewahren Sie den Einlieferungsbeleg auf, bis Ihre Rücksendung abgeschlossen ist."],
      "Gültig bis zum 1. April 2026: Bitte geben Sie das Paket bis dahin ab.")],
)  # fmt: skip
def test_a_label_ready_says_label_or_code_what_to_do_and_the_use_by_date(
    templates, locale, method, parcels, subject, steps, use_by
):
    facts = sample_mail("return_label_ready", store(locale), NOW)
    facts = replace(facts, payload={**facts.payload, "method": method, "parcels": parcels})

    rendered = templates.render("return_label_ready", locale, build_context(facts, LINKS))

    text = rendered.text.splitlines()
    start = text.index(steps[0])
    assert rendered.subject == subject
    assert text[start : start + 5] == [*steps, "", use_by]
    assert f'href="{PORTAL}"' in rendered.html
    assert "RT00000000075" in rendered.text


@pytest.mark.parametrize(
    ("locale", "subject", "address", "old"),
    [("en", "New return address for your return R-100231",
      ["Acme UK Returns", "1 Dock Road", "LONDON", "E16 2QD", "UNITED KINGDOM"],
      "The previous return address no longer applies to this return: please do not send the "
      "parcel there."),
     ("fr", "Nouvelle adresse pour votre retour R-100231",
      ["Acme Retours", "8 rue des Entrepôts", "69007 Lyon", "FRANCE"],
      "L'adresse de retour précédente ne s'applique plus à ce retour\u00a0: merci de ne pas y "
      "envoyer le colis."),
     ("de", "Neue Adresse für Ihre Rücksendung R-100231",
      ["Acme Retouren", "Hafenstraße 12", "20457 Hamburg", "GERMANY"],
      "Die bisherige Rücksendeadresse gilt für diese Rücksendung nicht mehr: Bitte senden Sie "
      "das Paket nicht dorthin.")],
)  # fmt: skip
def test_a_location_change_gives_the_new_address_but_not_the_staffs_reason(
    templates, locale, subject, address, old
):
    facts = sample_mail("return_location_changed", store(locale), NOW)
    reason = str(facts.payload["reason"])

    rendered = templates.render("return_location_changed", locale, build_context(facts, LINKS))

    text = rendered.text.splitlines()
    start = text.index(address[0])
    after = start + len(address)
    assert rendered.subject == subject
    assert text[start : after + 2] == [*address, "", old]
    assert "R-100231" in text[after + 2]
    assert f'href="{PORTAL}"' in rendered.html
    assert reason and reason not in rendered.text and reason not in rendered.html
    assert "reason" not in build_context(facts, LINKS)


def test_html_escapes_what_the_store_and_shopper_wrote_and_text_keeps_it(templates):
    rendered = templates.render(
        "return_requested", "en", context("return_requested", name="Bob & <b>Co</b>")
    )

    assert "Bob &amp; &lt;b&gt;Co&lt;/b&gt;" in rendered.html
    assert "<b>Co</b>" not in rendered.html
    assert "Bob & <b>Co</b>" in rendered.text


def test_a_syntax_error_is_refused_with_its_part_and_line(templates):
    source = TemplateSource(
        subject="Return {{ rma.number }}",
        html="<p>Hello</p>\n<p>{{ rma.number }</p>\n",
        text="ok",
    )

    with pytest.raises(TemplateProblem) as refused:
        templates.check(source, "en")

    assert (refused.value.field, refused.value.line) == ("html", 2)
    assert refused.value.detail.startswith("html, line 2: ")


def test_an_unknown_filter_is_refused_with_its_line(templates):
    source = TemplateSource(subject="ok", html="ok", text="a\nb\n{{ rma.number|shout }}")

    with pytest.raises(TemplateProblem) as refused:
        templates.check(source, "en")

    assert (refused.value.field, refused.value.line) == ("text", 3)
    assert "shout" in refused.value.detail


def test_the_sandbox_refuses_unsafe_attribute_access(templates):
    source = TemplateSource(
        subject="ok", html="<p>{{ rma.number }}</p>\n{{ ''.__class__.__mro__ }}", text="ok"
    )
    templates.check(source, "en")  # it compiles …

    with pytest.raises(SecurityError):
        templates.render("return_approved", "en", context("return_approved"), source)
    with pytest.raises(TemplateProblem) as refused:  # … but never renders
        templates.render_checked("return_approved", "en", context("return_approved"), source)
    assert (refused.value.field, refused.value.line) == ("html", 2)
    assert "unsafe" in refused.value.detail


def test_the_sandbox_refuses_changing_the_context(templates):
    source = TemplateSource(subject="ok", html="{{ rma.lines.append(1) }}", text="ok")

    with pytest.raises(TemplateProblem) as refused:
        templates.render_checked("return_approved", "en", context("return_approved"), source)

    assert refused.value.field == "html"


def test_unknown_names_render_as_nothing_and_a_preview_lists_them(templates):
    source = TemplateSource(
        subject="Return {{ rma.number }}{{ rma.nope }}",
        html="<p>{{ shopper.first_name }}</p>{% for x in missing %}{{ x }}{% endfor %}",
        text="{{ rma.number }} {{ tracking.url.deeper }}",
    )

    with recording_undefined() as undefined:
        rendered = templates.render("return_approved", "en", context("return_approved"), source)

    assert rendered.subject == "Return R-100231"
    assert rendered.html == "<p></p>"
    assert rendered.text == "R-100231\n"
    assert undefined == [
        "'dict object' has no attribute 'nope'",
        "'shopper' is undefined",
        "'missing' is undefined",
        "'tracking' is undefined",
    ]


def test_a_context_key_named_like_a_dict_method_is_the_key(templates):
    source = TemplateSource(subject="{{ box.items }}", html="{{ box.keys }}", text="x")

    rendered = templates.render(
        "return_approved", "en", {"box": {"items": "three", "keys": "two"}}, source
    )

    assert (rendered.subject, rendered.html) == ("three", "two")


def test_merchant_templates_may_use_the_layout_macros_and_filters(templates):
    source = TemplateSource(
        subject="{{ rma.number }} — {{ 1250|money }} — {{ rma.expires_at|date }}",
        html='{% extends "layout.html" %}{% import "macros.html" as ui with context %}'
        '{% block content %}{{ ui.button(rma.url, "Go") }}{% endblock %}',
        text="{{ 1250|money('USD') }}",
    )

    rendered = templates.render_checked(
        "return_approved", "fr", context("return_approved", "fr"), source
    )

    assert rendered.subject == "R-100231 — 12,50\u00a0€ — 31 mars 2026"
    assert f'href="{PORTAL}"' in rendered.html and "Maison Demo" in rendered.html
    assert rendered.text == "12,50\u00a0$US\n"


def test_the_digest_counts_and_lists(templates):
    rendered = templates.render("staff_daily_digest", "en", context("staff_daily_digest"), None)

    assert rendered.subject == "Returns digest for March 2, 2026: 3 to review"
    assert "- … and 1 more" in rendered.text
    assert "R-100198, €24.50 (The card was closed.)" in rendered.text
    assert "https://returns.example/backoffice/returns/R-100150" in rendered.text


LOCAL = "the part before the @ has characters or dots that are not allowed"
DOMAIN = "the domain is not a valid domain name"
DOT = "the domain needs a dot (e.g. example.com)"


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("sam@example.com", None),
        ("first.last+tag@mail.example.co.uk", None),
        ("o'brien@example.ie", None),
        ("jürgen@müller.de", LOCAL),
        ("sam@müller.de", None),
        ("sam@localhost", DOT),
        ("sam@example", DOT),
        ("sam.@example.com", LOCAL),
        ("sa..m@example.com", LOCAL),
        ("sam@-example.com", DOMAIN),
        ("sam@example..com", DOMAIN),
        ("sam@exa mple.com", DOMAIN),
        ("sam@1.2.3.4", DOMAIN),
        ("sam@example.com,eve@example.com", LOCAL),
        ("Sam <sam@example.com>", LOCAL),
        ("@example.com", "no local part before an @"),
        ("sam", "no local part before an @"),
        (" sam@example.com", "empty, or spaces around it"),
        ("", "empty, or spaces around it"),
        ("a" * 65 + "@example.com", "the part before the @ is longer than 64 characters"),
    ],
)  # fmt: skip
def test_addresses(address, problem):
    assert address_problem(address) == problem


def test_international_domains_are_sent_in_ascii():
    assert sendable_address("sam@müller.de") == "sam@xn--mller-kva.de"


def test_the_message_has_both_parts_and_the_headers_mail_needs(templates):
    facts = sample_mail("return_approved", store("de", name="Café Zürich"), NOW)
    rendered = templates.render("return_approved", "de", build_context(facts, LINKS))

    envelope = build_message(
        rendered=rendered, store=facts.store, recipient="sam@example.com",
        recipient_name="Sam Shopper", mail_from="Retour <returns@shop.example>",
        base_url="https://returns.example", delivery_id=42, kind="return_approved", now=NOW,
    )  # fmt: skip
    parsed = message_from_bytes(envelope.message.as_bytes(), policy=policy.default)

    assert parsed.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parsed.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert str(parsed["From"]) == "Café Zürich <returns@shop.example>"
    assert str(parsed["Reply-To"]) == "Café Zürich <returns@shop.example>"
    assert str(parsed["To"]) == "Sam Shopper <sam@example.com>"
    assert str(parsed["Subject"]) == "Ihre Rücksendung R-100231 wurde genehmigt"
    assert str(parsed["Date"]) == "Mon, 02 Mar 2026 09:30:00 +0000"
    assert str(parsed["Message-ID"]).endswith("retour-42@shop.example>")
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert (envelope.sender, envelope.recipient) == ("returns@shop.example", "sam@example.com")


def test_reply_to_is_the_stores_address_when_it_has_one(templates):
    facts = sample_mail("return_approved", store(reply_to="help@maison.example"), NOW)
    rendered = templates.render("return_approved", "en", build_context(facts, LINKS))

    envelope = build_message(
        rendered=rendered, store=facts.store, recipient="sam@example.com", recipient_name="",
        mail_from="returns@retour.example", base_url="", delivery_id=1, kind="return_approved",
        now=NOW,
    )  # fmt: skip

    assert str(envelope.message["Reply-To"]) == "Maison Demo <help@maison.example>"
    assert str(envelope.message["To"]) == "sam@example.com"


def test_message_ids_take_the_senders_domain_else_the_sites_host():
    assert message_id_domain("Shop <returns@shop.example>", "http://x") == "shop.example"
    assert message_id_domain("", "https://returns.example:8443/") == "returns.example"
