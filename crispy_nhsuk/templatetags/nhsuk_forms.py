"""Template helpers for the NHS.UK crispy-forms template pack.

The templates decide the markup; this module only works out the ids, classes
and `aria-describedby` values they share, so those rules live in one place.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django import forms, template
from django.forms.formsets import BaseFormSet
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

register = template.Library()


def _control_classes(widget: forms.Widget, has_error: bool) -> str:
    """NHS.UK classes for a widget's control, plus any the form declared on it."""
    if isinstance(widget, forms.CheckboxInput):
        base = "nhsuk-checkboxes__input"
    elif isinstance(widget, forms.Textarea):
        base = "nhsuk-textarea" + (" nhsuk-textarea--error" if has_error else "")
    elif isinstance(widget, forms.Select):
        base = "nhsuk-select" + (" nhsuk-select--error" if has_error else "")
    elif isinstance(widget, forms.FileInput):
        base = "nhsuk-file-upload__input"
    else:
        base = "nhsuk-input" + (" nhsuk-input--error" if has_error else "")
        if isinstance(widget, forms.DateInput):
            base += " nhsuk-input--width-10"
    declared = widget.attrs.get("class", "")
    return f"{base} {declared}".strip()


@dataclass
class NhsukField:
    """One bound field as the pack's templates draw it."""

    field: forms.BoundField
    show_errors: bool = True
    show_label: bool = True

    @cached_property
    def widget(self) -> forms.Widget:
        return self.field.field.widget

    @cached_property
    def id(self) -> str:
        return self.widget.attrs.get("id") or self.field.auto_id or self.field.html_name

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def has_hint(self) -> bool:
        return bool(self.field.help_text)

    @cached_property
    def errors(self) -> list[str]:
        return list(self.field.errors) if self.show_errors else []

    @property
    def has_error(self) -> bool:
        return bool(self.errors)

    @property
    def is_choice_group(self) -> bool:
        """Radios or checkboxes: a fieldset with one input per choice."""
        # CheckboxSelectMultiple is a RadioSelect subclass.
        return isinstance(self.widget, forms.RadioSelect)

    @property
    def is_multiwidget(self) -> bool:
        return isinstance(self.widget, forms.MultiWidget)

    @property
    def is_checkbox(self) -> bool:
        return isinstance(self.widget, forms.CheckboxInput)

    @property
    def is_optional(self) -> bool:
        return not self.field.field.required and not self.is_checkbox

    @property
    def choice_kind(self) -> str:
        """The NHS.UK component name: "radios" or "checkboxes"."""
        return "checkboxes" if isinstance(self.widget, forms.CheckboxSelectMultiple) else "radios"

    @property
    def anchor(self) -> str:
        """The id the error summary links to: the control, or the first of a group."""
        if self.is_choice_group and self.options:
            return self.options[0].id_for_label
        if self.is_multiwidget:
            return f"{self.id}_0"
        return self.id

    @property
    def described_by(self) -> str:
        ids = []
        if self.has_hint:
            ids.append(self.hint_id)
        if self.has_error:
            ids.append(self.error_id)
        return " ".join(ids)

    @cached_property
    def options(self) -> list[forms.boundfield.BoundWidget]:
        """The choices of a radios or checkboxes group, each input carrying its NHS.UK class."""
        options = list(self.field)
        if self.choice_kind == "radios":
            # A radio for "no answer" ("---------") is not an answer: leave all unticked.
            options = [option for option in options if option.data["value"] not in ("", None)]
        for option in options:
            option.data["attrs"]["class"] = f"nhsuk-{self.choice_kind}__input"
        return options

    def control(self) -> SafeString:
        """The widget's HTML with NHS.UK classes and `aria-describedby`."""
        widget = self.widget
        attrs = {"class": _control_classes(widget, self.has_error)}
        # A group's fieldset carries aria-describedby, not each input.
        if self.described_by and not self.is_multiwidget:
            attrs["aria-describedby"] = self.described_by
        if isinstance(widget, forms.DateInput):
            # The browser's own date picker. It shows and sends ISO dates whatever the
            # locale's format, and Django always accepts ISO input.
            widget = copy.copy(widget)
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"
        return self.field.as_widget(widget=widget, attrs=attrs)


@register.simple_tag(takes_context=True)
def nhsuk_field(context, field: forms.BoundField) -> NhsukField:
    """`{% nhsuk_field field as f %}`: what the templates need to draw `field`."""
    return NhsukField(
        field,
        show_errors=context.get("form_show_errors", True) is not False,
        show_label=context.get("form_show_labels", True) is not False,
    )


@dataclass(frozen=True)
class SummaryError:
    message: str
    anchor: str


def _first_anchor(form: forms.BaseForm | None) -> str:
    """Where errors about a whole form point: its first visible question."""
    visible = form.visible_fields() if form is not None else []
    return NhsukField(visible[0]).anchor if visible else ""


def _form_errors(form: forms.BaseForm) -> list[SummaryError]:
    first_anchor = _first_anchor(form)
    errors = [SummaryError(str(message), first_anchor) for message in form.non_field_errors()]
    for field in form.hidden_fields():
        errors += [SummaryError(str(message), first_anchor) for message in field.errors]
    for field in form.visible_fields():
        anchor = NhsukField(field).anchor
        errors += [SummaryError(str(message), anchor) for message in field.errors]
    return errors


@register.simple_tag
def nhsuk_error_list(form) -> list[SummaryError]:
    """Every error of a form or formset, in page order, each with the id to link to."""
    if isinstance(form, BaseFormSet):
        first_anchor = _first_anchor(form.forms[0] if form.forms else None)
        errors = [SummaryError(str(message), first_anchor) for message in form.non_form_errors()]
        for each in form.forms:
            errors += _form_errors(each)
        return errors
    if form is None or not getattr(form, "is_bound", False):
        return []
    return _form_errors(form)
