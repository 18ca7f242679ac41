"""The registration rules' refusals: each carries the message for the person (str(exc))."""

from __future__ import annotations


class RegistrationError(Exception):
    """A rule refused the change; str(exc) is the message for the person."""


class RegistrationClosed(RegistrationError):
    pass


class EventFull(RegistrationError):
    pass


class AlreadyRegistered(RegistrationError):
    pass


class EconomyLimitReached(RegistrationError):
    pass


class QuotaReached(RegistrationError):
    """A category's places (`Event.category_limits`) are all taken."""


class HeadOfDelegationTaken(RegistrationError):
    """The economy has a head of delegation at this event already."""


class AlreadyCancelled(RegistrationError):
    pass


class CapacityError(RegistrationError):
    pass


class InvalidDelegation(RegistrationError):
    pass


class NotPending(RegistrationError):
    """Approve, nominate or decline found the registration decided (or withdrawn) already."""


class NotAllowed(RegistrationError):
    """The person acting may not do this (another economy, or not their step)."""


class InvitationError(RegistrationError):
    """An invitation link that cannot register: unknown, used, expired, declined or for
    another address."""


class ParticipationFull(RegistrationError):
    """A switch to the other mode of a hybrid event found no free place there: the person
    keeps their mode and place."""
