"""Benchmarks of meta-cloud-async against raw aiohttp, raw httpx and pywa."""
