"""Operations: `weekly run` (one week, step by step, resumable), `weekly schedule`, `weekly backfill`."""
