"""One module per role: its prompt constants, its output schema and its function over the run context."""
