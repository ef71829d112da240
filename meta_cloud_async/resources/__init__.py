"""Resource namespaces, one module each."""

from .phone_numbers import PhoneNumbers
from .registration import Registration
from .two_step_verification import TwoStepVerification

__all__ = ["PhoneNumbers", "Registration", "TwoStepVerification"]
