"""Where records come from: scan roots on disk or in object storage, new batch folders, and
which inputs a batch or shard run takes."""
