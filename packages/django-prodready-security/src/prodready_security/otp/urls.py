"""The 2FA pages: ``path("account/2fa/", include("prodready_security.otp.urls"))``."""

from django.urls import path

from prodready_security.otp import device_views, passkey_views, views

app_name = "prodready_otp"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("setup/", views.setup, name="setup"),
    path("verify/", views.verify, name="verify"),
    path("backup-codes/", views.regenerate, name="regenerate"),
    path("disable/", views.disable, name="disable"),
    path("devices/add-app/", device_views.add_app, name="add_app"),
    path("devices/add-passkey/", passkey_views.add, name="add_passkey"),
    path("passkey/verify/", passkey_views.verify, name="passkey_verify"),
    path("passkey/sign-in/", passkey_views.sign_in, name="passkey_sign_in"),
    path("devices/<str:kind>/<int:pk>/remove/", device_views.remove, name="remove"),
]
