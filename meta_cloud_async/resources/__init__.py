"""Resource namespaces, one module each."""

from .analytics import Analytics
from .app import App
from .business import Business
from .payments import Payments
from .phone_numbers import PhoneNumbers
from .registration import Registration
from .solutions import Solutions
from .two_step_verification import TwoStepVerification
from .waba import Waba

__all__ = [
    "Analytics",
    "App",
    "Business",
    "Payments",
    "PhoneNumbers",
    "Registration",
    "Solutions",
    "TwoStepVerification",
    "Waba",
]
