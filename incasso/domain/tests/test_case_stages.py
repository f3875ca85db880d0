from incasso.domain.case_stages import ClosedReason, Stage


def test_stages_are_listed_in_the_order_a_case_runs_through_them() -> None:
    assert [stage.value for stage in Stage] == [
        "reminder",
        "formal_demand",
        "amicable",
        "arrangement",
        "legal",
        "judgment",
        "enforcement",
        "closed",
    ]


def test_closed_reasons_cover_every_way_a_case_ends() -> None:
    assert {reason.value for reason in ClosedReason} == {
        "paid",
        "settled",
        "uncollectable",
        "withdrawn",
        "disputed",
        "transferred",
        "insolvency",
        "time_barred",
    }


def test_every_value_has_its_own_label() -> None:
    stage_labels = [stage.label for stage in Stage]
    reason_labels = [reason.label for reason in ClosedReason]
    assert all(stage_labels) and len(set(stage_labels)) == len(Stage)
    assert all(reason_labels) and len(set(reason_labels)) == len(ClosedReason)


def test_only_the_closed_stage_is_not_open() -> None:
    assert [stage for stage in Stage if not stage.is_open] == [Stage.CLOSED]


def test_members_compare_equal_to_their_stored_value() -> None:
    assert Stage("formal_demand") is Stage.FORMAL_DEMAND
    assert ClosedReason.TIME_BARRED == "time_barred"
