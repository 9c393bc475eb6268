"""A policy's rules arranged for evaluation: built once per policy, read for every line.

The per-item rules (overrides, final-sale rules) are indexed by the SKU, tag and collection
they name, so an item finds its rules with a few dictionary look-ups instead of testing every
rule; the reason rules are indexed by code. The decisions' sentences and the instants at which
a day ends in the store's timezone are remembered as they are first needed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from retour.domain.lines import Resolution, ReturnMethod
from retour.domain.policy.document import (
    PRODUCT_FINAL_SALE_RULE,
    AutomationRule,
    LineMatch,
    Override,
    ReasonRule,
    Restocking,
)
from retour.domain.policy.explain import decision_text
from retour.domain.policy.window import end_of_day

if TYPE_CHECKING:
    from retour.domain.policy.document import Policy
    from retour.domain.policy.inputs import OrderedItem

#: More distinct last days than a policy remembers closing instants for (a simulation over
#: years of history needs about one per day).
_MAX_REMEMBERED_DAYS = 20_000


@dataclass(frozen=True)
class ItemTerms:
    """An item's settings, each with the id of the rule that set it."""

    window_days: int
    window_rule: str
    resolutions: frozenset[Resolution]
    resolutions_rule: str
    return_methods: frozenset[ReturnMethod]
    return_methods_rule: str
    restocking: Restocking
    restocking_rule: str


def _overlay(terms: ItemTerms, overrides: Iterable[Override]) -> ItemTerms:
    """`terms` with each override's settings laid over them in turn (the last one wins)."""
    window = (terms.window_days, terms.window_rule)
    resolutions = (terms.resolutions, terms.resolutions_rule)
    methods = (terms.return_methods, terms.return_methods_rule)
    restocking = (terms.restocking, terms.restocking_rule)
    for override in overrides:
        settings = override.settings
        if settings.window_days is not None:
            window = (settings.window_days, override.id)
        if settings.resolutions is not None:
            resolutions = (settings.resolutions, override.id)
        if settings.return_methods is not None:
            methods = (settings.return_methods, override.id)
        if settings.restocking is not None:
            restocking = (settings.restocking, override.id)
    return ItemTerms(*window, *resolutions, *methods, *restocking)


class _MatchIndex:
    """Positions of rules by each SKU, tag and collection their match names."""

    def __init__(self, matches: Iterable[LineMatch]) -> None:
        self.skus: dict[str, list[int]] = {}
        self.tags: dict[str, list[int]] = {}
        self.collections: dict[str, list[int]] = {}
        for position, match in enumerate(matches):
            for names, index in (
                (match.skus, self.skus),
                (match.tags, self.tags),
                (match.collections, self.collections),
            ):
                for name in names:
                    index.setdefault(name, []).append(position)

    def matching(self, sku: str, tags: frozenset[str], collections: frozenset[str]) -> set[int]:
        """The positions of the rules that match an item (as `LineMatch.matches` says)."""
        found: set[int] = set(self.skus.get(sku, ()))
        if self.tags:
            for tag in tags:
                if tag in self.tags:
                    found.update(self.tags[tag])
        if self.collections:
            for collection in collections:
                if collection in self.collections:
                    found.update(self.collections[collection])
        return found


class RuleIndex:
    """What `evaluate` reads of a policy, arranged for look-ups (see the module's docstring)."""

    def __init__(self, policy: Policy) -> None:
        defaults = policy.defaults
        self.default_terms = ItemTerms(
            defaults.window_days,
            defaults.id,
            defaults.resolutions,
            defaults.id,
            defaults.return_methods,
            defaults.id,
            defaults.restocking,
            defaults.id,
        )
        self._overrides = policy.overrides
        self._override_index = _MatchIndex(override.match for override in policy.overrides)
        # The terms of an item that exactly one override matches (the usual case).
        self._terms_by_override = tuple(
            _overlay(self.default_terms, (override,)) for override in policy.overrides
        )
        self._final_sale_ids = tuple(rule.id for rule in policy.final_sale)
        self._final_sale_index = _MatchIndex(rule.match for rule in policy.final_sale)
        reasons: dict[str, list[ReasonRule]] = {}
        for reason in policy.reasons:
            for code in reason.codes:
                reasons.setdefault(code, []).append(reason)
        self._reasons: Mapping[str, tuple[ReasonRule, ...]] = {
            code: tuple(rules) for code, rules in reasons.items()
        }
        #: The resolutions whose fees are waived, in the enum's order.
        self.waived_for = tuple(
            resolution for resolution in Resolution if resolution in policy.fees.waived_for
        )
        self._timezone = policy.timezone
        self._currency = policy.currency
        self._ends: dict[date, datetime] = {}
        self._messages: dict[str, str] = {}
        automation = policy.automation
        self.default_message = decision_text(automation.default, None, policy.currency)

    def item_terms(self, sku: str, tags: frozenset[str], collections: frozenset[str]) -> ItemTerms:
        """Each setting from the most specific matching rule that sets it; among overrides
        of the same kind, the first listed."""
        positions = self._override_index.matching(sku, tags, collections)
        if not positions:
            return self.default_terms
        if len(positions) == 1:
            return self._terms_by_override[positions.pop()]
        overrides = self._overrides
        # Least specific first, so a more specific rule overwrites; among equals the first
        # listed last, so that it wins.
        ordered = sorted(
            positions, key=lambda position: (overrides[position].specificity, -position)
        )
        return _overlay(self.default_terms, (overrides[position] for position in ordered))

    def final_sale_rule(self, item: OrderedItem) -> str | None:
        """The rule that makes the item final sale: the catalogue's mark, else the first
        listed final-sale rule that matches it."""
        if item.is_final_sale:
            return PRODUCT_FINAL_SALE_RULE
        if not self._final_sale_ids:
            return None
        positions = self._final_sale_index.matching(item.sku, item.tags, item.collections)
        return self._final_sale_ids[min(positions)] if positions else None

    def reason_rules(self, reason_code: str) -> tuple[ReasonRule, ...]:
        """The reason rules that list `reason_code`, in the policy's order."""
        return self._reasons.get(reason_code, ())

    def end_of_day(self, day: date) -> datetime:
        """`window.end_of_day` in the store's timezone, remembered per day."""
        found = self._ends.get(day)
        if found is None:
            if len(self._ends) >= _MAX_REMEMBERED_DAYS:
                self._ends.clear()
            found = self._ends[day] = end_of_day(day, self._timezone)
        return found

    def decision_message(self, rule: AutomationRule) -> str:
        """The rule's own message, else the sentence its conditions make."""
        found = self._messages.get(rule.id)
        if found is None:
            found = rule.message or decision_text(rule.outcome, rule.when, self._currency)
            self._messages[rule.id] = found
        return found
