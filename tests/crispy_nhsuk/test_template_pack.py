"""The NHS.UK crispy-forms pack and the base layout, as a user (and a screen reader) meets them."""

import datetime
from html.parser import HTMLParser

import pytest
from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template import Context, Template
from django.template.loader import get_template, render_to_string

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: "Node | None" = None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def raw_text(self) -> str:
        return "".join(child if isinstance(child, str) else child.raw_text for child in self.children)

    @property
    def text(self) -> str:
        return " ".join(self.raw_text.split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list["Node"]:
        return [
            node
            for node in self.iter()
            if (tag is None or node.tag == tag)
            and (cls is None or cls in node.classes)
            and all(node.attrs.get(name.replace("_", "-")) == value for name, value in attrs.items())
        ]

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> "Node":
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag or '*'} class={cls} {attrs}> in the page"
        return found[0]


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.root = self.current = Node("#document", {})

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node.parent is not None and node.tag != tag:
            node = node.parent
        if node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(str(html))
    return builder.root


class ReferralForm(forms.Form):
    name = forms.CharField(help_text="As it appears on the referral")
    priority = forms.ChoiceField(
        choices=[("routine", "Routine"), ("urgent", "Urgent")], widget=forms.RadioSelect
    )
    summary = forms.CharField(widget=forms.Textarea)
    starts_on = forms.DateField(label="Start date")
    ends_on = forms.DateField(label="End date", required=False)

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            raise forms.ValidationError("The end date must be on or after the start date")
        return cleaned


class ReferralFormWithHelper(ReferralForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


BAD_DATA = {"name": "", "summary": "", "starts_on": "2025-03-10", "ends_on": "2025-03-01"}
GOOD_DATA = {"name": "A. Patel", "priority": "urgent", "summary": "Knee", "starts_on": "2025-03-01"}

# A page template as the house style writes it, and the filter form.
RENDERINGS = {
    "crispy tag": (
        ReferralFormWithHelper,
        '{% load crispy_forms_tags %}<form method="post" novalidate>{% crispy form %}'
        '<button class="nhsuk-button" type="submit">Save</button></form>',
    ),
    "crispy filter": (ReferralForm, "{% load crispy_forms_tags %}{{ form|crispy }}"),
}


@pytest.fixture(params=RENDERINGS.values(), ids=RENDERINGS.keys())
def render(request):
    form_class, source = request.param

    def render(data=None):
        form = form_class(data=data)
        if data is not None:
            form.is_valid()
        return parse(Template(source).render(Context({"form": form})))

    return render


def error_summary(page: Node) -> Node:
    return page.find("div", cls="nhsuk-error-summary")


def test_error_summary_lists_every_error_as_a_link_to_its_field(render):
    page = render(BAD_DATA)

    links = [(link.text, link.attrs["href"]) for link in error_summary(page).find_all("a")]

    assert links == [
        # An error about the whole form points at its first question.
        ("The end date must be on or after the start date", "#id_name"),
        ("This field is required.", "#id_name"),
        ("This field is required.", "#id_priority_0"),  # a group: its first radio
        ("This field is required.", "#id_summary"),
    ]
    for _, href in links:
        assert page.find_all(id=href.removeprefix("#")), f"{href} points at nothing"


def test_error_summary_is_announced_and_can_take_focus(render):
    summary = error_summary(render(BAD_DATA))

    assert summary.attrs["tabindex"] == "-1"
    assert summary.attrs["data-module"] == "nhsuk-error-summary"  # NHS.UK script focuses it on load
    alert = summary.find(role="alert")
    title = alert.find(id=alert.attrs["aria-labelledby"])
    assert title.text == "There is a problem"


def test_invalid_text_field_is_marked_and_described_by_its_hint_and_error(render):
    page = render(BAD_DATA)

    control = page.find("input", id="id_name")
    group = control.parent
    assert "nhsuk-form-group--error" in group.classes
    assert "nhsuk-input--error" in control.classes
    assert control.attrs["aria-describedby"].split() == ["id_name-hint", "id_name-error"]
    assert page.find(id="id_name-hint").text == "As it appears on the referral"
    error = page.find("span", cls="nhsuk-error-message", id="id_name-error")
    assert error.text == "Error: This field is required."
    assert error.find("span", cls="nhsuk-u-visually-hidden").text == "Error:"


def test_invalid_radios_are_one_fieldset_described_by_the_error(render):
    page = render(BAD_DATA)

    fieldset = page.find("fieldset", cls="nhsuk-fieldset")
    assert "nhsuk-form-group--error" in fieldset.parent.classes
    assert fieldset.find("legend").text == "Priority"
    assert "id_priority-error" in fieldset.attrs["aria-describedby"].split()
    radios = fieldset.find_all("input", type="radio")
    assert [radio.attrs["id"] for radio in radios] == ["id_priority_0", "id_priority_1"]
    for radio in radios:
        assert fieldset.find("label", **{"for": radio.attrs["id"]})


def test_textarea_and_date_take_nhs_classes(render):
    page = render(BAD_DATA)

    textarea = page.find("textarea", id="id_summary")
    assert {"nhsuk-textarea", "nhsuk-textarea--error"} <= set(textarea.classes)
    assert "id_summary-error" in textarea.attrs["aria-describedby"].split()
    date = page.find("input", id="id_starts_on")
    assert date.attrs["type"] == "date"
    assert date.attrs["value"] == "2025-03-10"  # ISO, what a date input needs
    assert "nhsuk-input--error" not in date.classes


def test_valid_form_renders_no_error_summary_or_error_marks(render):
    page = render(GOOD_DATA)

    assert not page.find_all(cls="nhsuk-error-summary")
    assert not page.find_all(cls="nhsuk-form-group--error")
    assert not page.find_all(cls="nhsuk-error-message")
    assert "-error" not in page.find("input", id="id_name").attrs["aria-describedby"]


def test_unbound_form_renders_no_error_summary(render):
    page = render()

    assert not page.find_all(cls="nhsuk-error-summary")
    assert page.find("label", **{"for": "id_name"}).text == "Name"
    assert page.find("label", **{"for": "id_ends_on"}).text == "End date (optional)"


def test_page_template_can_place_the_error_summary_and_fields_itself():
    form = ReferralForm(data=BAD_DATA)
    form.is_valid()
    source = (
        "{% load crispy_forms_tags %}{{ form|as_crispy_errors }}<h1>Refer</h1>"
        "{{ form.name|as_crispy_field }}{{ form.priority|as_crispy_field }}"
    )

    page = parse(Template(source).render(Context({"form": form})))

    assert len(error_summary(page).find_all("a")) == 4
    assert page.find("input", id="id_name").attrs["aria-describedby"] == "id_name-hint id_name-error"


# The pages ------------------------------------------------------------------


def test_login_page_has_the_nhs_header_skip_link_and_one_h1(client, db):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    page = parse(response.content.decode())
    assert page.find("html").attrs["lang"] == "en-GB"
    skip_link = page.find("a", cls="nhsuk-skip-link")
    assert skip_link.attrs["href"] == "#maincontent"
    assert page.find("main", id="maincontent")
    header = page.find("header", cls="nhsuk-header")
    assert header.find("span", cls="nhsuk-header__service-name").text == "Hub Portal"
    assert [h1.text for h1 in page.find_all("h1")] == ["Sign in"]
    assert page.find("title").text == "Sign in – Hub Portal"
    assert page.find("a", href="/accounts/password_reset/").text == "Forgotten your password?"
    assert not page.find_all(cls="nhsuk-error-summary")


def test_wrong_password_shows_the_error_summary(client, db):
    get_user_model().objects.create_user(username="staff", password="right-password-123")

    response = client.post("/accounts/login/", {"username": "staff", "password": "wrong-password"})

    assert response.status_code == 200
    page = parse(response.content.decode())
    links = error_summary(page).find_all("a")
    assert "Please enter a correct username and password" in links[0].text
    assert links[0].attrs["href"] == "#id_username"
    assert page.find("title").text.startswith("Error: Sign in")


def test_signed_in_user_sees_their_name_and_can_log_out_by_post(client, db):
    user = get_user_model().objects.create_user(username="staff", first_name="Ada", last_name="Lovelace")
    client.force_login(user)

    page = parse(client.get("/accounts/password_change/").content.decode())

    account = page.find("nav", cls="nhsuk-header__account")
    assert "Ada Lovelace" in account.text
    assert account.find("a", href="/accounts/password_change/").text == "Change password"
    form = account.find("form", action="/accounts/logout/")
    assert form.attrs["method"] == "post"
    assert form.find("input", name="csrfmiddlewaretoken")
    assert form.find("button").text == "Log out"


def test_navigation_marks_the_current_page():
    page = parse(
        render_to_string(
            "base.html",
            {
                "nav_items": [
                    {"label": "Home", "url": "/", "active": False},
                    {"label": "Hubs", "url": "/hubs/", "active": True},
                ]
            },
        )
    )

    links = page.find("nav", cls="nhsuk-header__navigation").find_all("a")
    assert [(link.text, link.attrs.get("aria-current")) for link in links] == [
        ("Home", None),
        ("Hubs", "page"),
    ]


def test_messages_are_shown_as_a_status_at_the_top_of_main():
    messages = [Message(constants.SUCCESS, "Profile saved")]

    page = parse(render_to_string("base.html", {"messages": messages}))

    banner = page.find("main").find(role="status")
    assert "nhsuk-notification-banner--success" in banner.classes
    assert "Profile saved" in banner.text


def test_error_pages_render(client, db):
    user = get_user_model().objects.create_user(username="staff")
    client.force_login(user)

    not_found = client.get("/no-such-page/")
    assert not_found.status_code == 404
    assert [h1.text for h1 in parse(not_found.content.decode()).find_all("h1")] == ["Page not found"]
    forbidden = parse(render_to_string("403.html"))
    assert forbidden.find("h1").text == "You do not have permission to change this"
    # Django renders 500.html with no request context at all.
    server_error = parse(get_template("500.html").render())
    assert server_error.find("h1").text == "Sorry, there is a problem with the service"


def test_date_input_shows_initial_dates_in_iso_form():
    form = ReferralForm(initial={"starts_on": datetime.date(2025, 1, 31)})

    page = parse(Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form})))

    assert page.find("input", id="id_starts_on").attrs["value"] == "2025-01-31"


def test_radios_leave_out_the_blank_choice_and_the_summary_links_to_the_first_real_one():
    class StageForm(forms.Form):
        stage = forms.ChoiceField(
            choices=[("", "---------"), ("assessing", "Assessing"), ("sustained", "Sustained")],
            widget=forms.RadioSelect,
        )

    form = StageForm(data={})
    form.is_valid()

    page = parse(Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form})))

    radios = page.find_all("input", type="radio")
    assert [radio.attrs["value"] for radio in radios] == ["assessing", "sustained"]
    href = error_summary(page).find("a").attrs["href"]
    assert href == "#" + radios[0].attrs["id"]


def test_password_reset_email_links_to_the_reset_page(client, db, mailoutbox):
    get_user_model().objects.create_user(
        username="staff", email="staff@example.nhs.uk", password="old-password-123"
    )

    response = client.post("/accounts/password_reset/", {"email": "staff@example.nhs.uk"})

    assert response.status_code == 302
    [email] = mailoutbox
    assert email.subject == "Reset your Hub Portal password"
    assert "Hello staff," in email.body
    assert "http://testserver/accounts/reset/" in email.body
    assert "&amp;" not in email.body


def test_a_spent_reset_link_says_so(client, db):
    page = parse(client.get("/accounts/reset/MQ/set-password/").content.decode())

    assert page.find("h1").text == "This link does not work"
    assert page.find("a", href="/accounts/password_reset/").text == "Ask for a new link"
