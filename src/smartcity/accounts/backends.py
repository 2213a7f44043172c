from django.contrib.auth.backends import ModelBackend

from .models import User


class EmailOrUsernameBackend(ModelBackend):
    """Citizens log in with their e-mail address, demo and staff accounts with a user name."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            user = User.objects.filter(email__iexact=username.strip()).only("username").first()
            if user is None:
                User().set_password(password)  # same work as a real check, so timing reveals nothing
                return None
            username = user.username
        return super().authenticate(request, username=username, password=password, **kwargs)
