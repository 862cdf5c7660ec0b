"""The publication database, disclosure control and the downloads (``recoverylink publish``).

``build.py`` reads what ``recoverylink indicators`` and ``recoverylink study``
wrote, applies the disclosure policy (``disclosure.py``, audited by the
attacker's linear programme in ``audit.py``) and writes the read-only
publication database and the downloads (``spreadsheets.py``). See
docs/publication.md.
"""
