"""Indicators: definitions, the counts behind them and their statistics."""
