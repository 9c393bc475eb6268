"""The portal in the shopper's language: English, French, German. Every sentence goes through
a gettext catalogue (`locale/{lang}.po`, read with Babel once per process); the language comes
from `?lang=`, then the remembered cookie, then Accept-Language, then the store's own."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

from retour.domain.errors import DomainError

LANGUAGES = ("en", "fr", "de")
#: Each language named in itself, for the switcher.
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "de": "Deutsch"}
LANGUAGE_COOKIE = "retour_lang"
CATALOGUES = Path(__file__).parent / "locale"

Translate = Callable[[str], str]


@cache
def catalogue(language: str) -> Mapping[str, str]:
    """msgid → msgstr of a language's catalogue (English: none, the msgids are English)."""
    if language == "en":
        return {}
    with (CATALOGUES / f"{language}.po").open("rb") as file:
        read = read_po(file, locale=language)
    return {str(m.id): str(m.string) for m in read if m.id and m.string}


def translator(language: str) -> Translate:
    messages = catalogue(language)
    return lambda text: messages.get(text, text)


def say(error: DomainError, translate: Translate) -> str:
    """An error in the shopper's language: by its message id and parameters when it has them
    (sentences with numbers or names), else by its text."""
    msgid = error.extra.get("msgid")
    if isinstance(msgid, str):
        return translate(msgid).format(**error.extra.get("params", {}))
    return translate(error.detail)


def choose_language(
    asked: str | None, remembered: str | None, accept_language: str, store_locale: str
) -> str:
    for candidate in (asked, remembered):
        if candidate in LANGUAGES:
            return candidate
    for tag in _preferences(accept_language):
        if tag in LANGUAGES:
            return tag
    store = _language_of(store_locale)
    return store if store in LANGUAGES else "en"


def _preferences(header: str) -> list[str]:
    """Accept-Language's languages, most wanted first (q=0 left out)."""
    weighted = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, index, _language_of(tag)))
    return [language for *_, language in sorted(weighted)]


def _language_of(tag: str) -> str:
    try:
        return Locale.parse(tag.replace("-", "_")).language
    except (ValueError, UnknownLocaleError):
        return ""
