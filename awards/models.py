# Catalogue, rules, ratings and decisions arrive with the rules issue.
