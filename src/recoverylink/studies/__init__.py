"""Outcome studies on the linked mart (``recoverylink study NAME``)."""
