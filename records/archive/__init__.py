"""Where records go: the local or object-storage archive, written atomically, and its fixity checks."""
