"""Middleware: retry, rate limiting and logging, composed once per client."""

from .base import Handler, Middleware, build_chain
from .logging import LoggingMiddleware
from .rate_limit import RateLimitMiddleware, RateLimitPolicy
from .retry import RetryAttempt, RetryMiddleware, RetryPolicy

__all__ = [
    "Handler",
    "LoggingMiddleware",
    "Middleware",
    "RateLimitMiddleware",
    "RateLimitPolicy",
    "RetryAttempt",
    "RetryMiddleware",
    "RetryPolicy",
    "build_chain",
]
