"""Random sequences of everything money does, across two clients and four cases: nothing is created or lost.

After every step: the trial balance is zero, every transaction sums to zero, the bank holds exactly what was
received less what went back out (returns, refunds, payouts), which is what the ledger owes to clients, to the
agency, to debtors and to the suspense account; every payment's allocation adds up to its amount; and on
PostgreSQL the database's commit-time check accepts every transaction.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from incasso.domain.money import Money
from incasso.ledger.errors import NothingToPayOut
from incasso.ledger.models import REVENUE_KINDS, AccountKind, Entry, PaymentAllocation
from incasso.ledger.selectors import account_balances, balances_by_kind
from incasso.ledger.services import (
    AccountKey,
    PaymentToReceive,
    accounts_for,
    overpayment_refund,
    payment_receive,
    payment_reverse,
    payments_receive,
    payout_create,
    unmatched_assign,
    unmatched_receive,
)
from incasso.ledger.tests.conftest import make_case
from incasso.parties.factories import ClientFactory
from incasso.parties.models import CommissionTerms

amounts = st.integers(min_value=1, max_value=400_000).map(Money)
days = st.integers(min_value=0, max_value=20)


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # Each run works in a savepoint that teardown rolls back, inside the test's own transaction.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        with_terms, without = ClientFactory(), ClientFactory()
        CommissionTerms.objects.create(
            client=with_terms,
            valid_from=datetime.date(2023, 1, 1),
            commission_on_principal_bp=1_250,
            agency_share_of_interest_bp=3_333,
            agency_share_of_costs_bp=9_000,
        )
        self.clients = [with_terms, without]
        self.cases = [
            make_case(
                client,
                claims=[
                    (f"{client.pk}-{n}-{i}", f"{700 * (i + 1) + n}.00", datetime.date(2023, 3 + i, 1))
                    for i in range(n + 1)
                ],
                costs_due_from=datetime.date(2023, 5, 1) if n else None,
            )
            for client in self.clients
            for n in range(2)
        ]
        self.today = datetime.date(2023, 6, 1)
        self.counter = 0
        self.standing = {}  # key -> (amount, came from the bank directly)
        self.receipts = {}  # unmatched key -> amount, while unassigned
        self.bank = Money.zero()  # what the bank account must hold, kept apart from the ledger

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def key(self, prefix):
        self.counter += 1
        return f"{prefix}-{self.counter}"

    @rule(case=st.integers(0, 3), amount=amounts, later=days)
    def pay(self, case, amount, later):
        self.today += datetime.timedelta(days=later)
        key = self.key("pay")
        payment_receive(case_id=self.cases[case].pk, amount=amount, received_on=self.today, key=key, source="test")
        self.standing[key] = (amount, True)
        self.bank += amount

    @rule(batch=st.lists(st.tuples(st.integers(0, 3), amounts, days), min_size=1, max_size=6), later=days)
    def import_a_statement(self, batch, later):
        self.today += datetime.timedelta(days=later)
        payments = [
            PaymentToReceive(
                self.cases[case].pk, amount, self.today - datetime.timedelta(days=back), self.key("stmt"), "bank"
            )
            for case, amount, back in batch
        ]
        payments_receive(payments=payments)
        for payment in payments:
            self.standing[payment.key] = (payment.amount, True)
            self.bank += payment.amount

    @precondition(lambda self: self.standing)
    @rule(data=st.data())
    def replay_a_payment(self, data):
        key = data.draw(st.sampled_from(sorted(self.standing)))
        allocation = PaymentAllocation.objects.get(transaction__idempotency_key=key)
        again = payment_receive(
            case_id=allocation.case_id,
            amount=Money(allocation.amount_cents),
            received_on=allocation.received_on,
            key=key,
            source="test",
        )
        assert again.duplicate

    @precondition(lambda self: self.standing)
    @rule(data=st.data())
    def reverse(self, data):
        key = data.draw(st.sampled_from(sorted(self.standing)))
        amount, from_bank = self.standing.pop(key)
        payment_reverse(payment_key=key, key=self.key("rev"), booked_on=self.today, reason="MD06")
        if from_bank:
            self.bank -= amount
        else:  # an assignment undone: the money waits in suspense again
            receipt = PaymentAllocation.objects.get(transaction__idempotency_key=key).from_unmatched
            self.receipts[receipt.idempotency_key] = amount

    @rule(data=st.data())
    def refund(self, data):
        refunds = accounts_for([AccountKey(AccountKind.REFUNDS_PAYABLE, case_id=case.pk) for case in self.cases])
        balances = account_balances(account_ids=[account.pk for account in refunds.values()])
        owed = {
            key.case_id: -balances[account.pk] for key, account in refunds.items() if balances[account.pk].cents < 0
        }
        if not owed:
            return
        case_id = data.draw(st.sampled_from(sorted(owed)))
        amount = Money(data.draw(st.integers(1, owed[case_id].cents)))
        overpayment_refund(case_id=case_id, amount=amount, key=self.key("refund"), booked_on=self.today)
        self.bank -= amount

    @rule(amount=amounts)
    def receive_unmatched(self, amount):
        key = self.key("unmatched")
        unmatched_receive(amount=amount, received_on=self.today, key=key, reference="?")
        self.receipts[key] = amount
        self.bank += amount

    @precondition(lambda self: self.receipts)
    @rule(data=st.data(), case=st.integers(0, 3))
    def assign(self, data, case):
        receipt = data.draw(st.sampled_from(sorted(self.receipts)))
        key = self.key("assign")
        unmatched_assign(unmatched_key=receipt, case_id=self.cases[case].pk, key=key, booked_on=self.today)
        self.standing[key] = (self.receipts.pop(receipt), False)

    @rule(client=st.integers(0, 1))
    def payout(self, client):
        try:
            payout = payout_create(
                client_id=self.clients[client].pk,
                period_start=self.today - datetime.timedelta(days=30),
                period_end=self.today,
                key=self.key("payout"),
            )
        except NothingToPayOut:
            return
        self.bank -= Money(payout.net_cents)

    @invariant()
    def nothing_is_created_or_lost(self):
        assert Entry.objects.aggregate(total=Sum("amount_cents"))["total"] in (None, 0)
        unbalanced = Entry.objects.values("transaction_id").annotate(total=Sum("amount_cents")).filter(~Q(total=0))
        assert not unbalanced.exists()
        totals = balances_by_kind()
        owed = (
            totals[AccountKind.CLIENT_MONEY_PAYABLE]
            + sum((totals[kind] for kind in REVENUE_KINDS), Money.zero())
            + totals[AccountKind.REFUNDS_PAYABLE]
            + totals[AccountKind.UNMATCHED]
        )
        assert totals[AccountKind.BANK_CLIENT_MONEY] == self.bank == -owed
        assert totals[AccountKind.RECEIVABLE] == Money.zero()
        assert totals[AccountKind.UNMATCHED] == -sum(self.receipts.values(), Money.zero())

    @invariant()
    def every_allocation_adds_up(self):
        parts = F("to_costs_cents") + F("to_interest_cents") + F("to_principal_cents") + F("overpayment_cents")
        assert not PaymentAllocation.objects.exclude(amount_cents=parts).exists()
        for amount, overpayment, lines in PaymentAllocation.objects.values_list(
            "amount_cents", "overpayment_cents", "lines"
        ):
            assert sum(line["cents"] for line in lines) == amount - overpayment

    @invariant()
    def the_database_accepts_every_transaction(self):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.mark.django_db
def test_random_sequences_of_payments_reversals_refunds_assignments_and_payouts():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        ),
    )
