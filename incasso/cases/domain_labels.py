"""The labels of the domain's case stages and closing reasons, listed here so ``makemessages`` in this app keeps them.

The domain (incasso/domain/case_stages.py) is Django-free and no app, so ``makemessages`` cannot see it; the cases
catalog carries its Dutch. ``test_every_domain_label_has_a_dutch_translation`` fails when a label is missing.
"""

from django.utils.translation import gettext_noop

DOMAIN_LABELS = (
    # Stage
    gettext_noop("Reminder"),
    gettext_noop("Formal demand"),
    gettext_noop("Amicable collection"),
    gettext_noop("Payment arrangement"),
    gettext_noop("Legal proceedings"),
    gettext_noop("Judgment"),
    gettext_noop("Enforcement"),
    gettext_noop("Closed"),
    # ClosedReason
    gettext_noop("Paid in full"),
    gettext_noop("Settled"),
    gettext_noop("Uncollectable"),
    gettext_noop("Withdrawn by client"),
    gettext_noop("Disputed and dropped"),
    gettext_noop("Transferred abroad"),
    gettext_noop("Insolvency"),
    gettext_noop("Time-barred"),
)
