"""What a council needs before and after it destroys paper: retention and disposal dates
(retention), people's quality sign-off of batches and the destruction register (destruction),
the evidence pack of a batch (evidence). Nothing here deletes a record or a file."""
