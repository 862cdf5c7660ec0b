"""The analysts' mart: linked records as persons, journeys and events (``recoverylink build``)."""
