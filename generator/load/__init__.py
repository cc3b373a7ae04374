"""Engine-level input reading: tables in every format, cell checks, size limits."""
