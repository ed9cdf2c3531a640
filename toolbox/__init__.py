"""Toolbox (Coffre à outils): a live, shared toolbox board for cultural digital accelerators."""
