"""Payment links (C-9): iDEAL and card payments through a payment provider, booked to the ledger once paid."""
