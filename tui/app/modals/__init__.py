"""Dialogs. Each asks for a few values and dismisses with a result (None = cancelled); none
of them writes: the tab that opened it hands the result to a service in a worker."""
