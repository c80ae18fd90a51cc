"""The distribution, embargo and derestriction fields: on the upload form and
on the coordinator's form of a document page. Dates and times are typed in
the user's own time zone and become UTC instants here."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, TimeField
from wtforms.validators import Optional

from konsey import timefmt
from konsey.errors import ValidationError
from konsey.models import Distribution
from konsey.validation import local_instant

DISTRIBUTION_LABELS = {
    Distribution.GENERAL: _l("General"),
    Distribution.LIMITED: _l("Limited"),
    Distribution.RESTRICTED: _l("Restricted"),
}


class DistributionFields:
    """Mixed into a FlaskForm: the date field carries the service's error."""

    distribution = SelectField(
        _l("Distribution"),
        choices=[(k.value, v) for k, v in DISTRIBUTION_LABELS.items()],
        default=Distribution.GENERAL.value,
    )
    embargo_until = DateField(_l("Under embargo until: date"), validators=[Optional()])
    embargo_until_time = TimeField(_l("Under embargo until: time"), validators=[Optional()])
    derestrict_at = DateField(_l("Derestricted on: date"), validators=[Optional()])
    derestrict_at_time = TimeField(_l("Derestricted on: time"), validators=[Optional()])


class DistributionForm(DistributionFields, FlaskForm):
    pass


def _instant(form, name: str, zone_name: str) -> datetime | None:
    day, clock = getattr(form, name).data, getattr(form, f"{name}_time").data
    if day is None and clock is None:
        return None
    if day is None or clock is None:
        raise ValidationError(_("Give both the date and the time (or neither)."), name)
    return local_instant(day, clock, zone_name, name)


def values(form, zone_name: str) -> dict:
    """The form's values for ``embargo.check_marking`` / ``embargo.update``."""
    return {
        "distribution": form.distribution.data,
        "embargo_until": _instant(form, "embargo_until", zone_name),
        "derestrict_at": _instant(form, "derestrict_at", zone_name),
    }


def fill(form, document, zone_name: str) -> None:
    """Show a document's current values, in the user's zone."""
    form.distribution.data = document.distribution.value
    for name in ("embargo_until", "derestrict_at"):
        instant = getattr(document, name)
        if name == "derestrict_at" and document.derestricted_at is not None:
            instant = None
        if instant is not None:
            local = timefmt.local(instant, zone_name)
            getattr(form, name).data = local.date()
            getattr(form, f"{name}_time").data = local.time().replace(second=0, microsecond=0)
