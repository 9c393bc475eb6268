"""Return use cases, split by who does them: shopper, reviewer, warehouse, scheduler."""

from retour.services.returns.expiry import expire_overdue_returns
from retour.services.returns.location import change_return_location
from retour.services.returns.policy_override import override_return_policy
from retour.services.returns.quantities import edit_return_quantities
from retour.services.returns.requesting import ReturnRequest, request_return
from retour.services.returns.review import (
    answer_return_info,
    approve_return,
    cancel_return,
    reject_return,
    request_return_info,
)
from retour.services.returns.warehouse import (
    complete_return,
    inspect_return,
    mark_return_in_transit,
    receive_return,
)

__all__ = [
    "ReturnRequest",
    "answer_return_info",
    "approve_return",
    "cancel_return",
    "change_return_location",
    "complete_return",
    "edit_return_quantities",
    "expire_overdue_returns",
    "inspect_return",
    "mark_return_in_transit",
    "override_return_policy",
    "receive_return",
    "reject_return",
    "request_return",
    "request_return_info",
]
