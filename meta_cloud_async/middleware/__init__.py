"""Middleware: retry, rate limiting and logging, composed once per client."""

from .base import Handler, Middleware, build_chain
from .logging import LoggingMiddleware
from .rate_limit import BucketStore, MemoryBucketStore, RateLimitMiddleware, RateLimitPolicy
from .retry import RetryAttempt, RetryMiddleware, RetryPolicy

__all__ = [
    "BucketStore",
    "Handler",
    "LoggingMiddleware",
    "MemoryBucketStore",
    "Middleware",
    "RateLimitMiddleware",
    "RateLimitPolicy",
    "RetryAttempt",
    "RetryMiddleware",
    "RetryPolicy",
    "build_chain",
]
