# Deliberately no admin: the debtor's circumstances are read only through selectors.case_circumstances, which
# checks the role and audits every view (C-7: visible only to roles that need it).
