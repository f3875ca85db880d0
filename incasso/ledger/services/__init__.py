"""The ledger's writes. Callers import from here; the modules behind it keep each concern small."""

from incasso.ledger.services.allocation import PaymentRecord
from incasso.ledger.services.payments import (
    PaymentToReceive,
    UnmatchedToReceive,
    overpayment_refund,
    payment_receive,
    payment_reverse,
    payments_receive,
    unmatched_assign,
    unmatched_receive,
    unmatched_receive_bulk,
)
from incasso.ledger.services.payouts import payout_create, payout_credit_transfer_download, payout_statement_download
from incasso.ledger.services.postings import (
    AccountKey,
    Posting,
    account_for,
    accounts_for,
    transaction_post,
    transaction_reverse,
    transactions_post,
)

__all__ = [
    "AccountKey",
    "PaymentRecord",
    "PaymentToReceive",
    "Posting",
    "UnmatchedToReceive",
    "account_for",
    "accounts_for",
    "overpayment_refund",
    "payment_receive",
    "payment_reverse",
    "payments_receive",
    "payout_create",
    "payout_credit_transfer_download",
    "payout_statement_download",
    "transaction_post",
    "transaction_reverse",
    "transactions_post",
    "unmatched_assign",
    "unmatched_receive",
    "unmatched_receive_bulk",
]
