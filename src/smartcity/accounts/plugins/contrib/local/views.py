from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from .... import services
from ....forms import LoginForm
from ....navigation import next_url_from
from ... import registry


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = next_url_from(request)
    user = request.user
    if user.is_authenticated and (not user.needs_two_factor or user.is_verified()):
        return redirect(next_url)
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        return services.begin_login(request, form.get_user(), provider="local", next_url=next_url)
    others = [p for p in registry.enabled() if p.identifier != "local"]
    return render(request, "accounts/login.html", {"form": form, "next": next_url, "providers": others})
