from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .models import Notification
from .services import mark_read


@login_required
def mailbox(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.filter(user=request.user).only(
        "pk", "subject", "created_at", "read_at")
    page = Paginator(notifications, 25).get_page(request.GET.get("seite"))
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return render(request, "notifications/mailbox.html", {"page": page, "unread": unread})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    mark_read(notification)
    return render(request, "notifications/detail.html", {"notification": notification})


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notifications:mailbox")
