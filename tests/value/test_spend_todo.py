"""The to-do list: a quarter waiting for approval for evaluators, a returned one for the hub's lead."""

from hubportal.todo import todo_for
from value.services import spend_quarter_review

from .spend_helpers import nth_quarter, submitted_quarter


def _titles(user) -> list[str]:
    return [item.title for item in todo_for(user) if "spend for" in item.title]


def test_a_submitted_quarter_waits_for_evaluators_and_a_returned_one_for_the_lead(
    hub, lead, owner, reader, evaluator_user, admin_user_ahsn
):
    quarter = submitted_quarter(hub, nth_quarter(hub, 1), lead=lead, amounts=["10"])
    title = f"{hub.name}: spend for {quarter.label}"
    assert _titles(evaluator_user) == [title]
    assert _titles(lead) == _titles(owner) == _titles(reader) == _titles(admin_user_ahsn) == []
    spend_quarter_review(
        quarter=quarter, version=quarter.version, by=evaluator_user, approve=False, note="Check staff"
    )
    assert _titles(evaluator_user) == []
    (item,) = [item for item in todo_for(lead) if item.title == title]
    assert item.tag == "Returned" and item.note == "Check staff"
    assert _titles(owner) == []
