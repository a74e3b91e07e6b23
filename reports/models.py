# Report selectors and exporters arrive with the reports issue.
