"""Side-by-side measurements; run as scripts, never as timed tests."""
