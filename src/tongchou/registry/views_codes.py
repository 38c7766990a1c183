"""Personal codes on paper and on a resident's phone.

Kept apart from ``views.py`` so that the code pages (QR drawing, a page that
needs no sign-in) are read and reviewed on their own.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from tongchou.common.qr import qr_svg
from tongchou.core.privacy import PUBLIC_PAGE, PersonalKind, shown
from tongchou.core.views import ScopedDetailView
from tongchou.registry.codes import personal_code_payload
from tongchou.registry.models import Household, Person


class HouseholdCodesView(ScopedDetailView):
    """A printable sheet of the personal codes of one household's members."""

    model = Household
    template_name = "registry/household_codes.html"
    context_object_name = "household"

    def get_base_queryset(self):
        return Household.objects.select_related("area")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A member moved to a grid outside the user's grants is left off, like anywhere else.
        members = Person.objects.restrict(self.request.user).filter(household=self.object)
        context["cards"] = [
            {
                "person": person,
                "qr": qr_svg(personal_code_payload(person.code_token)),
                "phone_link": self.request.build_absolute_uri(
                    reverse("resident-code", args=[person.code_token])
                ),
            }
            for person in members.order_by("id")
        ]
        return context


@login_not_required
@never_cache
def resident_code(request, token: str):
    """A resident's own code on their phone, reached by the unguessable link they were sent.

    It shows the QR code and the masked name only: whoever sees the link sees
    no more than whoever sees the printed code.
    """
    person = Person.objects.unscoped_for_system_use().filter(code_token=token).only("name").first()
    if person is None:
        raise Http404
    response = render(
        request,
        "registry/resident_code.html",
        {
            "masked_name": shown(PUBLIC_PAGE, PersonalKind.NAME, person.name),
            "qr": qr_svg(personal_code_payload(token)),
        },
    )
    # The token is in the address: no search engine, no Referer header may carry it on.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
