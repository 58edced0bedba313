"""What a record is: record types from rules or a learned model, key fields, and human review."""
