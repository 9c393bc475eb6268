"""Staff override a return's refund terms, with a reason (domain/policy_override.py): fees
waived, the order's original shipping refunded. The refund quote reads them from then on."""

from __future__ import annotations

from datetime import datetime

from retour.db.unit_of_work import UnitOfWork
from retour.domain.policy_override import TermsOverride
from retour.domain.returns import Return
from retour.services.context import Actor
from retour.services.returns.common import act_on_return


def override_return_policy(
    uow: UnitOfWork,
    store_id: int,
    return_id: int,
    actor: Actor,
    now: datetime,
    override: TermsOverride,
) -> Return:
    """`return.policy_overridden` (waived_fees, refund_original_shipping, reason); the
    return's status does not change."""
    return act_on_return(
        uow, store_id, return_id, actor, now, lambda ret: ret.override_policy(now, override)
    )
