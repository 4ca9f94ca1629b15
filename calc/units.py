"""Unit conversions, named once (codecarbon's habit: no bare `/ 1000` scattered through pages)."""

KG_PER_T = 1000.0


def tonnes(kg: float) -> float:
    """kg to t."""
    return kg / KG_PER_T


MINUS = "\N{MINUS SIGN}"  # one minus sign in every number shown, never the hyphen
