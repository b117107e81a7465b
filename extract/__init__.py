"""Ingestion layer: dlt pipelines that land and load the two public sources into `raw`."""
