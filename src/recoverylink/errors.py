"""The package's exception hierarchy.

Every error the package raises on purpose derives from :class:`RecoveryLinkError`,
so the CLI can show it as one readable line. Errors caused by bad input also
derive from :class:`ValueError`.
"""


class RecoveryLinkError(Exception):
    """Base class of every error RecoveryLink raises on purpose."""


class InputError(RecoveryLinkError, ValueError):
    """Bad input: a file, an argument or a setting that breaks a rule."""


class ConfigError(InputError):
    """A configuration file or environment setting is missing or invalid."""


class SynthArgumentError(InputError):
    """Nonsense arguments to the synthetic data generator."""
