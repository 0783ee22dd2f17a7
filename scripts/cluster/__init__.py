"""Several of each on one machine: Rasa servers, action servers and gateways behind
nginx, on PostgreSQL and Redis, kept running by a small supervisor of our own.

``python -m scripts.cluster`` (``make run-cluster``) is the operator's entry point;
the reliability tests (tests/reliability/) start the same plan with their own ports.
"""
