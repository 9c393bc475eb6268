"""Store credit: a ledger per customer, spendable at the shop with a code."""
