"""``incasso demo --seed N [--if-empty] [--debtors 1200]``: load the demo data set into an empty database."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from incasso.demo.dataset import MIN_DEBTORS
from incasso.demo.services import DEFAULT_DEBTORS, DemoDataExistsError, demo_create
from incasso.demo.worklist import demo_work_create


class Command(BaseCommand):
    help = (
        "Load deterministic demo data (clients, debtors, cases, claims, demo log-ins) into an empty database, "
        "with work in every queue."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="The same seed always gives the same data.")
        parser.add_argument(
            "--debtors", type=int, default=DEFAULT_DEBTORS, help=f"Number of debtors (at least {MIN_DEBTORS})."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing, successfully, when the database holds clients."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["debtors"] < MIN_DEBTORS:
            raise CommandError(f"--debtors must be at least {MIN_DEBTORS}")
        started = time.monotonic()
        try:
            summary = demo_create(seed=options["seed"], debtors=options["debtors"])
        except DemoDataExistsError:
            if options["if_empty"]:
                self.stdout.write("The database already holds data; demo data not loaded.")
                return
            raise CommandError(
                "The database already holds data. Use --if-empty to skip, or start from an empty database."
            ) from None
        # Work in every queue, so each demo log-in has something to do (cases due, tasks, payments, requests).
        work = demo_work_create()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded (seed {options['seed']}) in {time.monotonic() - started:.1f}s: "
                f"{summary.clients} clients, {summary.debtors} debtors, {summary.cases} cases, "
                f"{summary.claims} claims, {summary.users} log-ins; work: {work.tasks} call tasks, "
                f"{work.stories.arrangements_proposed} plans to review, {work.stories.approvals} legal steps "
                f"awaiting approval, {work.stories.disputes} disputes, {work.stories.promises} promises, "
                f"{work.stories.decisions} decisions ({work.stories.reviews} contested), "
                f"{work.stories.letters_printed} letters printed, {work.stories.payouts} payout, "
                f"{work.unmatched_payments} unmatched payments, {work.complaints} complaint, "
                f"{work.rights_requests} data-subject requests, {work.breaches} breach, "
                f"{work.circumstances} financial situations."
            )
        )
