"""The "nhsuk" template pack for django-crispy-forms: NHS.UK frontend 10.6.1 form markup.

House style: the helper decides layout only; the page writes the <form> tag,
csrf_token and buttons::

    # forms.py
    self.helper = FormHelper()
    self.helper.form_tag = False

    {# page template #}
    {% load crispy_forms_tags %}
    <form method="post" novalidate>
      {% csrf_token %}
      {% crispy form %}
      <button class="nhsuk-button" data-module="nhsuk-button" type="submit">Save</button>
    </form>

``{{ form|crispy }}`` renders the same (error summary, then every field). To put
the error summary above the page's h1 and choose the fields yourself, use
``{{ form|as_crispy_errors }}`` and ``{{ form.<name>|as_crispy_field }}``
(``templates/includes/form_page.html`` does this for the sign-in pages).

Errors about the whole form (``clean()``) are listed first and link to the first
field. Give fields specific messages ("Enter the date of the move"), since the
summary shows only the message.
"""
