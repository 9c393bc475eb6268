"""The return policy engine: the policy document, and the one function that applies it.

Pure domain code. `parse_policy` turns the stored JSON into a `Policy` (or lists every problem
with its JSON pointer); `evaluate` decides a return request under it. The published JSON Schema
is `policy.schema.json` next to this file (package data; the domain never reads it). See
docs/policy.md.
"""

from retour.domain.policy.codes import FindingCode
from retour.domain.policy.document import BUILTIN_RULES, Outcome, Policy
from retour.domain.policy.evaluate import evaluate, evaluate_prepared, judge_eligibility
from retour.domain.policy.explain import explain
from retour.domain.policy.inputs import (
    CandidateLine,
    CustomerHistory,
    OrderContext,
    OrderedItem,
    PastReturn,
)
from retour.domain.policy.parsing import (
    Catalogue,
    InvalidPolicy,
    parse_policy,
    policy_problems,
    unknown_references,
)
from retour.domain.policy.request import PreparedRequest, prepare_request
from retour.domain.policy.results import (
    Decision,
    Evaluation,
    Finding,
    KeepItemOffer,
    LineEvaluation,
    ReturnFees,
    RiskAssessment,
    RiskSignal,
)

__all__ = [
    "BUILTIN_RULES",
    "CandidateLine",
    "Catalogue",
    "CustomerHistory",
    "Decision",
    "Evaluation",
    "Finding",
    "FindingCode",
    "InvalidPolicy",
    "KeepItemOffer",
    "LineEvaluation",
    "OrderContext",
    "OrderedItem",
    "Outcome",
    "PastReturn",
    "Policy",
    "PreparedRequest",
    "ReturnFees",
    "RiskAssessment",
    "RiskSignal",
    "evaluate",
    "evaluate_prepared",
    "explain",
    "judge_eligibility",
    "parse_policy",
    "policy_problems",
    "prepare_request",
    "unknown_references",
]
