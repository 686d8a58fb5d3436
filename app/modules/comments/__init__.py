"""Comments on a section: threaded, optionally anchored to a quoted passage."""
