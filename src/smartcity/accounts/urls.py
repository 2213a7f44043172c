from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from . import twofactor_views, views
from .forms import ChangePasswordForm, NewPasswordForm, ResetForm
from .plugins import registry
from .plugins.contrib.local.views import login_view
from .ratelimit import limit_posts

app_name = "accounts"


def _provider_urls() -> list:
    """Each provider's callback routes under anmelden/<identifier>/, named accounts:<identifier>-<name>."""
    routes = []
    for provider in registry.all_providers():
        patterns = provider.urlpatterns()
        for pattern in patterns:
            pattern.name = f"{provider.identifier}-{pattern.name}"
        if patterns:
            routes.append(path(f"anmelden/{provider.identifier}/", include(patterns)))
    return routes


_reset = {"email_template_name": "accounts/email/password_reset.txt",
          "subject_template_name": "accounts/email/password_reset_subject.txt",
          "template_name": "accounts/password_reset_form.html", "form_class": ResetForm,
          "success_url": reverse_lazy("accounts:password_reset_done")}

urlpatterns = [
    path("anmelden/", login_view, name="login"),
    path("anmelden/zwei-faktor/", twofactor_views.two_factor, name="two_factor"),
    path("anmelden/zwei-faktor/einrichten/", twofactor_views.two_factor_enrol, name="two_factor_enrol"),
    path("anmelden/mit/<slug:identifier>/", views.provider_start, name="provider_start"),
    path("anmelden/vertrauensniveau/", views.step_up, name="step_up"),
    path("abmelden/", auth_views.LogoutView.as_view(next_page="core:home"), name="logout"),
    path("registrieren/", views.register, name="register"),
    path("registrieren/gesendet/", views.register_done, name="register_done"),
    path("registrieren/erneut-senden/", views.resend_verification, name="resend_verification"),
    path("registrieren/bestaetigen/<str:token>/", views.verify_email, name="verify_email"),
    path("passwort/vergessen/", limit_posts("password-reset", limit=5, window_seconds=3600)(
        auth_views.PasswordResetView.as_view(**_reset)), name="password_reset"),
    path("passwort/vergessen/gesendet/",
         auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
         name="password_reset_done"),
    path("passwort/neu/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html", form_class=NewPasswordForm,
        success_url=reverse_lazy("accounts:password_reset_complete")), name="password_reset_confirm"),
    path("passwort/neu/fertig/",
         auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
         name="password_reset_complete"),
    path("passwort/aendern/", auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html", form_class=ChangePasswordForm,
        success_url=reverse_lazy("accounts:profile")),
        name="password_change"),
    path("profil/", views.profile, name="profile"),
    path("profil/e-mail/", views.email_change, name="email_change"),
    path("profil/e-mail/bestaetigen/<str:token>/", views.email_change_confirm, name="email_change_confirm"),
    path("profil/meine-daten/", views.data_export, name="data_export"),
    path("profil/loeschen/", views.delete_account, name="delete"),
    path("geloescht/", views.account_deleted, name="deleted"),
    *_provider_urls(),
]
