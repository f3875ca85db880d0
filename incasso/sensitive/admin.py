# Deliberately no admin: special-category data is read only through selectors.special_categories_for_debtor, which
# checks the legal-officer role and audits every view.
