from django.urls import path

from . import views
from .contrib.simulator import views as simulator_views

app_name = "payments"
urlpatterns = [
    path("kasse/", views.cash_list, name="cash-list"),
    path("kasse/export.csv", views.cash_export, name="cash-export"),
    path("kasse/<uuid:payment_id>/", views.cash_detail, name="cash-detail"),
    path("kasse/<uuid:payment_id>/erstatten/", views.cash_refund, name="cash-refund"),
    path("kasse/erstattung/<uuid:refund_id>/wiederholen/", views.cash_retry_refund, name="cash-retry-refund"),
    path("webhook/<slug:provider>/", views.webhook, name="webhook"),
    path("simulator/<uuid:transaction_id>/", simulator_views.payment_page, name="simulator"),
    path("<uuid:payment_id>/", views.status, name="status"),
    path("<uuid:payment_id>/rueckkehr/", views.payment_return, name="return"),
]
