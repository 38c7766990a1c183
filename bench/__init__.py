"""Benchmarks run by ``tongchou bench NAME``; each prints its figures beside a baseline."""
