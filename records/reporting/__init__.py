"""What the ledger says, for people: progress, inventory figures, reports, the FoI survey, audit views.

The record path (records.pipeline) never imports this package; tests/test_layers.py checks it."""
