"""The printable handover document of a reservation (one A4 page)."""

from django.shortcuts import render

from .documents import handover_document_for


def handover_document(request, pk):
    document = handover_document_for(user=request.user, reservation_id=pk)
    reservation = document.reservation
    context = {
        "document": document,
        "reservation": reservation,
        "listing": reservation.listing,
    }
    return render(request, "reservations/handover_document.html", context)
