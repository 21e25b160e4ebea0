"""The kiosk's number pad, without script: every key is a submit button, and what was typed
so far travels in hidden fields. First the mobile number (the pad moves on by itself at 11
digits that make a mobile number), then the 6-digit PIN (checked at the sixth digit)."""

from dataclasses import dataclass

from portal.phones import is_valid_mobile

MOBILE_DIGITS = 11
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "back", "0", "restart")


def digits(text, most):
    """Only the ASCII digits of ``text``, at most ``most`` of them."""
    return "".join(c for c in (text or "") if c in "0123456789")[:most]


def _is_digit(key):
    return len(key) == 1 and key in "0123456789"


@dataclass
class Pad:
    mobile: str = ""
    pin: str = ""
    step: str = "mobile"  # or "pin"

    @classmethod
    def read(cls, mobile, pin, step):
        mobile = digits(mobile, MOBILE_DIGITS)
        on_pin = step == "pin" and is_valid_mobile(mobile)
        return cls(mobile, digits(pin, 6) if on_pin else "", "pin" if on_pin else "mobile")

    @property
    def ready(self):
        """Whether a whole PIN was typed for a mobile number: time to check it."""
        return self.step == "pin" and len(self.pin) == 6

    def press(self, key):
        """Apply one key: a digit, "back" or "restart"."""
        if key == "restart":
            self.mobile, self.pin, self.step = "", "", "mobile"
        elif self.step == "mobile":
            if key == "back":
                self.mobile = self.mobile[:-1]
            elif _is_digit(key):
                self.mobile = (self.mobile + key)[:MOBILE_DIGITS]
            if len(self.mobile) == MOBILE_DIGITS and is_valid_mobile(self.mobile):
                self.step = "pin"
        elif key == "back":
            if self.pin:
                self.pin = self.pin[:-1]
            else:
                self.step = "mobile"
                self.mobile = self.mobile[:-1]
        elif _is_digit(key):
            self.pin = (self.pin + key)[:6]
        return self

    def wrong(self):
        """After a wrong PIN: the number stays, the PIN is typed again."""
        self.pin = ""
        return self

    @property
    def shown_mobile(self):
        """The number as typed, grouped 138 1234 5678 for reading."""
        m = self.mobile
        return " ".join(part for part in (m[:3], m[3:7], m[7:]) if part)
