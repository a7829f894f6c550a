"""What can go wrong opening or reading the device's store, in words a person can act on.

    StoreError
     ├── KeyMissing       the key for this device's data is gone (keyring cleared, app moved)
     ├── WrongKey         the key there does not open the data (or the passphrase is wrong)
     ├── StoreCorrupted   the data failed its integrity check: changed, truncated or damaged
     └── StoreTooNew      the data was written by a newer version of the app

Each is met with the same way out: "Reset this device" deletes what is on it, and signing in
again brings everything back from the server. Nothing is ever guessed or shown half-read.
"""

from __future__ import annotations

RESET_ADVICE = (
    "You can reset this device: that deletes what the app keeps on it, and after you sign in "
    "again everything comes back from the police."
)


class StoreError(Exception):
    message = "The app cannot open what it keeps on this device."

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"{self.message} {RESET_ADVICE}")
        self.detail = detail  # for developers; never shown, never logged with data


class KeyMissing(StoreError):
    message = "The key that unlocks this app's data on this device is missing."


class WrongKey(StoreError):
    message = "The key on this device does not unlock this app's data."


class StoreCorrupted(StoreError):
    message = "This app's data on this device has been changed or damaged."


class StoreTooNew(StoreError):
    message = "This app's data was saved by a newer version of the app. Update the app to open it."
