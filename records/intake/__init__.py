"""Where records come from: scan roots on disk or in object storage, new batch folders."""
