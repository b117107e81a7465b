"""Insight layer: the Streamlit app that reads the `marts` schema only."""
