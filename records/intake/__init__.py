"""Where records come from: scan roots on disk or in object storage, new batch folders,
which inputs a batch or shard run takes, and how a scanned stack splits into records
(separation)."""
