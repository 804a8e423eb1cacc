"""Customer-success warehouse: orchestration, synthetic data and checks."""

__version__ = "0.1.0"
