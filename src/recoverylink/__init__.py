"""RecoveryLink: a drugs data warehouse for England."""

__version__ = "0.1.0"
