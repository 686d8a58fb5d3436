"""The form of the members page that puts a person in a lab."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Optional, Regexp

# A document's id, or nothing for "in no lab"; a larger number could not be an id
# (app/web/access.MAX_ID), and the view finds the document it names.
DOCUMENT_ID = r"^[1-9][0-9]{0,17}$"


class LabForm(FlaskForm):
    document = StringField(
        _l("Laboratorio"),
        validators=[
            Optional(),
            Regexp(DOCUMENT_ID, message=_l("Scegli un documento di questo tavolo.")),
        ],
    )
    leads = BooleanField(_l("conduce"))
