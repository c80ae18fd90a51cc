from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length

from konsey import place_names
from konsey.documents.distribution_forms import DistributionFields
from konsey.models import DocumentKind, Visibility

KIND_LABELS = {
    DocumentKind.WORKING_PAPER: _l("Working paper"),
    DocumentKind.PRESENTATION: _l("Presentation"),
    DocumentKind.REPORT: _l("Report"),
    DocumentKind.MINUTES: _l("Minutes"),
    DocumentKind.DECISION: _l("Decision"),
    DocumentKind.OTHER: _l("Other"),
}
VISIBILITY_LABELS = {
    Visibility.GROUP: _l("This group (not its observers)"),
    Visibility.COUNCIL: _l("All delegates of the council"),
    Visibility.OBSERVERS: _l("All delegates, and this group's observers"),
}


def language_name(code: str) -> str:
    """A document's language, in the reader's language (the one rule), with its code."""
    name = place_names.language_name(code)
    return f"{name} ({code.upper()})" if name != code else code.upper()


def language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in current_app.config["DOCUMENT_LANGUAGES"]]


class UploadForm(DistributionFields, FlaskForm):
    # The files are read from request.files by the route, in chunks.
    file = MultipleFileField(_l("Files"))
    title = StringField(_l("Title"), validators=[Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    kind = SelectField(_l("Kind"), choices=[(k.value, v) for k, v in KIND_LABELS.items()])
    language = SelectField(_l("Language"))
    visibility = SelectField(
        _l("Who may read it"), choices=[(k.value, v) for k, v in VISIBILITY_LABELS.items()]
    )
    # Checked by the service (an item of this group's meetings), with a message.
    agenda_item = SelectField(_l("Agenda item"), validate_choice=False)

    def setup(self, agenda_items) -> "UploadForm":
        self.language.choices = language_choices()
        self.agenda_item.choices = [("", _l("None"))] + [
            (str(item.id), f"{item.meeting.title} — {item.position}. {item.title}")
            for item in agenda_items
        ]
        return self


class VersionForm(FlaskForm):
    file = FileField(_l("File"))
    language = SelectField(_l("Language"))

    def setup(self) -> "VersionForm":
        self.language.choices = language_choices()
        return self


class ConfirmForm(FlaskForm):
    pass
