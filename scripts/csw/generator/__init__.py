"""Building blocks of the synthetic data generator (see csw.generate)."""
