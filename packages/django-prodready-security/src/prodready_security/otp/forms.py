"""Forms of the 2FA pages. Plain HTML forms: every page works without JavaScript."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy, ngettext

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise


def _code_field(
    label: _StrOrPromise, help_text: _StrOrPromise, *, numeric: bool
) -> forms.CharField:
    attrs = {
        "autocomplete": "one-time-code",
        "autofocus": True,
        "spellcheck": "false",
        "autocapitalize": "off",
        "class": "pr-otp-input pr-otp-code",
    }
    if numeric:
        attrs["inputmode"] = "numeric"
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=32,
        widget=forms.TextInput(attrs=attrs),
    )


class TOTPCodeForm(forms.Form):
    """A code from the authenticator app only (setting up, renewing backup codes)."""

    code = _code_field(
        gettext_lazy("Code from your authenticator app"),
        gettext_lazy("The 6-digit code your app shows now."),
        numeric=True,
    )


class AddAppForm(TOTPCodeForm):
    """Another authenticator app: a name to tell it apart, and the code it shows."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        help_text=gettext_lazy("To tell your apps apart, such as “Work phone”."),
        max_length=64,  # django-otp's Device.name
        widget=forms.TextInput(attrs={"class": "pr-otp-input", "autocomplete": "off"}),
    )
    field_order = ["name", "code"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.pop("autofocus", None)
        self.fields["name"].widget.attrs["autofocus"] = True


class VerifyForm(forms.Form):
    """A code from the app or, when the phone is not at hand, a backup code."""

    code = _code_field(
        gettext_lazy("Authentication code"),
        gettext_lazy("The 6-digit code from your app, or one of your backup codes."),
        numeric=False,
    )


class TrustingVerifyForm(VerifyForm):
    """The verify page's form, with "trust this browser" where the settings offer it."""

    trust = forms.BooleanField(required=False, label=gettext_lazy("Trust this browser"))

    def __init__(self, *args: Any, days: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if days > 0:
            self.fields["trust"].label = ngettext(
                "Trust this browser for %(days)d day", "Trust this browser for %(days)d days", days
            ) % {"days": days}
            self.fields["trust"].help_text = gettext_lazy(
                "Only on a computer that no one else uses."
            )
        else:
            del self.fields["trust"]


class DisableForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "pr-otp-input"}
        ),
    )
    code = _code_field(
        gettext_lazy("Authentication code"),
        gettext_lazy("A code from your app, or one of your backup codes."),
        numeric=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The password comes first on the page, so it takes the focus, not the code.
        self.fields["code"].widget.attrs.pop("autofocus", None)
        self.fields["password"].widget.attrs["autofocus"] = True


class PasskeyAnswerForm(forms.Form):
    """What ``navigator.credentials`` answered, as JSON, filled in by ``passkeys.js``."""

    credential = forms.CharField(
        widget=forms.HiddenInput,
        max_length=20_000,  # attestation objects with certificates are a few kilobytes
        error_messages={
            "required": gettext_lazy(
                "Your browser sent no passkey. Passkeys need JavaScript and a browser that "
                "supports them."
            )
        },
    )


class AddPasskeyForm(PasskeyAnswerForm):
    """A new passkey: a name to tell it apart, then the browser's answer."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        help_text=gettext_lazy("To tell your passkeys apart, such as “Laptop” or “Phone”."),
        max_length=64,  # django-otp's Device.name
        widget=forms.TextInput(
            attrs={"class": "pr-otp-input", "autocomplete": "off", "autofocus": True}
        ),
    )
    field_order = ["name", "credential"]
