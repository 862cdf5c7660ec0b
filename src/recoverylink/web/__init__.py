"""The RecoveryLink website (``recoverylink serve``): the publication database as pages.

See docs/website.md. :func:`recoverylink.web.app.create_app` builds the application.
"""
