"""The admin's sign-in form (``WAGTAILADMIN_USER_LOGIN_FORM``)."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm


class AdminLoginForm(LoginForm):
    """What editors sign in to the admin with: Wagtail's sign-in form, its password field labelled in their
    language. Wagtail declares that field without a label, so Django shows its name, "Password", in English
    whatever the language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")
