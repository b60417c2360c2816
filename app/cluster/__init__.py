"""Cluster mode: many workers share Redis for who owns each run and for its durable snapshot.

`STEPWISE_REDIS_URL` turns it on (main.py); without it none of this is imported and one process
holds every run in memory, as it always has.
"""
