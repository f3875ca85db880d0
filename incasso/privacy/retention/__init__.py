"""Retention enforced by the system (SPEC P-2, issue 5 item 4): policies as data, legal holds, the sweep.

Public API:

- ``policies.retention_policies_ensure()``, ``policies.policy_period(policy)``, ``policies.latest_expired_trigger``
- ``holds.legal_hold_place(...)``, ``holds.legal_hold_release(...)``
- ``sweep.retention_sweep(as_of=..., dry_run=..., purposes=..., chunk_size=...)`` → ``SweepResult``
- ``anonymise.anonymise_debtors(ids)``: neutral values, the data keys destroyed, ``AnonymisedSubject`` with the region
- ``anonymise.debtor_neutral()`` / ``DEBTOR_STATISTICS``: what an anonymised debtor holds afterwards
- ``anonymise.CASE_ROW_UPDATES`` … ``ANONYMISED_MODELS``: what it blanks of the case file; ``dispute_files``: the
  debtor's uploaded files, deleted from storage once the anonymisation commits
"""
