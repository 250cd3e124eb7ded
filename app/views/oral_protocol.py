"""R25 part 3: the daily protocol of oral and phone appeals, per place, printable."""
from __future__ import annotations

from datetime import date

from flask import request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from app.extensions import db
from app.models import ReceptionPlace
from app.security.scope import as_id, own_place_only
from app.services.clock import today
from app.services.oral_protocol import oral_protocol


def _day(raw: str | None) -> date:
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        return today()
    return day if 2000 <= day.year <= 2100 else today()


class OralProtocolView(BaseView):
    route_base = "/oral-protocol"
    default_view = "page"
    class_permission_name = "Appeal"
    method_permission_name = {"page": "read", "printable": "read"}

    def _args(self):
        own = own_place_only()
        places = db.session.execute(select(ReceptionPlace).order_by(ReceptionPlace.id)).scalars().all()
        if own is not None:  # a reception clerk: their own place only
            places = [p for p in places if p.id == own]
        wanted = as_id(request.args.get("place"))
        place = next((p for p in places if p.id == wanted), places[0] if places else None)
        day = _day(request.args.get("day"))
        rows = oral_protocol(place.id, day) if place is not None else []
        return {"places": places, "place": place, "day": day, "rows": rows}

    @expose("/")
    @has_access
    def page(self):
        return self.render_template("qabyldau/oral_protocol.html", **self._args())

    @expose("/print")
    @has_access
    def printable(self):
        return self.render_template("qabyldau/oral_protocol_print.html", **self._args())
