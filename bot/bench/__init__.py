"""``clientcoach bench``: speed, memory and scaling figures, measured the same way every run."""
