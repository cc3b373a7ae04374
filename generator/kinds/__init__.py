"""Report kinds: `registry` finds them by name, `base` says what one is, and each built-in
kind is a module beside them (`llm_usage`)."""
