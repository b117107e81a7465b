"""dlt sources: one module per public source."""
