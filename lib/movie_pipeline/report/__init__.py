"""Report: what the walkthrough needs and creates, what landed where, what a run reconciled."""
