"""R15: the only five grounds to refuse registration for reception, and what
each refusal must carry."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import WorkflowError
from .vocabulary import RefusalGround


@dataclass(frozen=True)
class GroundSpec:
    ground: RefusalGround
    clause: str
    needs_reference: bool


GROUNDS: dict[RefusalGround, GroundSpec] = {
    RefusalGround.out_of_competence: GroundSpec(RefusalGround.out_of_competence, "R15.1", False),
    RefusalGround.administrative_decision_exists: GroundSpec(
        RefusalGround.administrative_decision_exists, "R15.2", True
    ),
    RefusalGround.court_act_in_force: GroundSpec(RefusalGround.court_act_in_force, "R15.3", True),
    RefusalGround.returned_by_body: GroundSpec(RefusalGround.returned_by_body, "R15.4", False),
    RefusalGround.withdrawn: GroundSpec(RefusalGround.withdrawn, "R15.5", False),
}


def check_refusal(ground, motivation: str | None, reference: str | None) -> RefusalGround:
    """R15: exactly one of the five grounds, a motivation always, and for
    grounds 2 and 3 the reference of the decision or court act."""
    try:
        ground = RefusalGround(ground)
    except ValueError:
        raise WorkflowError("R15", "unknown_ground", ground=str(ground)) from None
    if not (motivation or "").strip():
        raise WorkflowError("R15", "motivation_required")
    if GROUNDS[ground].needs_reference and not (reference or "").strip():
        raise WorkflowError("R15", "reference_required", ground=ground.value)
    return ground
