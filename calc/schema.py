"""The vocabulary of the model and the data contract of its input tables.

Everything that names a channel, an activity, a mode or an input column is defined here once,
so loaders, model, scenarios and the app agree on spelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Channel(StrEnum):
    """How a client contact happens."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    ONLINE = "online"


REMOTE_CHANNELS: tuple[Channel, ...] = (Channel.PHONE, Channel.VIDEO, Channel.ONLINE)


class Activity(StrEnum):
    """What a result row is about: a client channel or a staff activity."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"
    ONLINE = "online"
    COMMUTE = "commute"
    HOMEOFFICE = "homeoffice"
    BUSINESS_TRIP = "business_trip"


class Mode(StrEnum):
    """How a person travels. `pt` is public transport when bus or rail is not known."""

    WALK = "walk"
    BIKE = "bike"
    EBIKE = "ebike"
    CAR = "car"
    EV = "ev"
    MOTORBIKE = "motorbike"
    PT = "pt"
    BUS = "bus"
    RAIL = "rail"
    TRAM = "tram"
    PLANE = "plane"


# Spellings users write in their files, mapped to the canonical mode.
MODE_ALIASES: dict[str, Mode] = {
    "foot": Mode.WALK,
    "zu fuß": Mode.WALK,
    "zu fuss": Mode.WALK,
    "lopen": Mode.WALK,
    "bicycle": Mode.BIKE,
    "rad": Mode.BIKE,
    "fahrrad": Mode.BIKE,
    "fiets": Mode.BIKE,
    "e-bike": Mode.EBIKE,
    "pedelec": Mode.EBIKE,
    "auto": Mode.CAR,
    "pkw": Mode.CAR,
    "e-car": Mode.EV,
    "e-auto": Mode.EV,
    "bev": Mode.EV,
    "motorcycle": Mode.MOTORBIKE,
    "public_transport": Mode.PT,
    "public transport": Mode.PT,
    "öv": Mode.PT,
    "oev": Mode.PT,
    "öffis": Mode.PT,
    "ov": Mode.PT,
    "train": Mode.RAIL,
    "bahn": Mode.RAIL,
    "zug": Mode.RAIL,
    "trein": Mode.RAIL,
    "flight": Mode.PLANE,
    "flug": Mode.PLANE,
    "vliegtuig": Mode.PLANE,
}

DEFAULT_CLIENT_GROUP = "jobseeker"
STAFF_GROUP = "staff"


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    name: str
    kind: str  # "text", "int", "float", "year", "date", "country", "mode", "channel"
    required: bool = False
    default: str | None = None
    help: str = ""


@dataclass(frozen=True)
class TableSpec:
    """An input table of the data contract."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # columns that must be unique together
    help: str = ""

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


_LOCATION_COLUMNS: tuple[Column, ...] = (
    Column("lat", "float", help="Latitude in degrees (WGS-84), with lon"),
    Column("lon", "float", help="Longitude in degrees (WGS-84), with lat"),
    Column("postcode", "text", help="Postcode, resolved through the postcodes table"),
    Column("place", "text", help="Place name, resolved through the offline gazetteer"),
    Column("country", "country", help="ISO 3166-1 alpha-2; defaults to the office's country"),
)

OFFICES = TableSpec(
    "offices",
    (
        Column("office_id", "text", required=True, help="Your id of the office"),
        Column("name", "text", required=True, help="Display name"),
        Column("country", "country", required=True, help="ISO 3166-1 alpha-2, e.g. AT"),
        *(c for c in _LOCATION_COLUMNS if c.name != "country"),
    ),
    key=("office_id",),
    help="One row per office; its location is where clients and staff travel to.",
)

CLIENTS = TableSpec(
    "clients",
    (
        Column("year", "year", required=True),
        Column("client_id", "text", required=True, help="Pseudonymised on load"),
        Column("office_id", "text", required=True),
        *_LOCATION_COLUMNS,
        Column("group", "text", default=DEFAULT_CLIENT_GROUP, help="Client group"),
        Column("in_person", "int", required=True, help="Visits at the office that year"),
        Column("phone", "int", default="0", help="Phone contacts that year"),
        Column("video", "int", default="0", help="Video contacts that year"),
        Column("online", "int", default="0", help="Online self-service contacts that year"),
        Column("mode", "mode", help="How the client travels; empty = default split"),
        Column("distance_km", "float", help="One-way distance; empty = computed"),
    ),
    key=("year", "client_id", "office_id"),
    help="One row per client per year, with that year's contact counts per channel.",
)

CONTACTS = TableSpec(
    "contacts",
    (
        Column("date", "date", help="Date of the contact (or give year)"),
        Column("year", "year", help="Year of the contact (or give date)"),
        Column("client_id", "text", required=True, help="Pseudonymised on load"),
        Column("office_id", "text", required=True),
        Column("channel", "channel", required=True, help="in_person, phone, video or online"),
        *_LOCATION_COLUMNS,
        Column("group", "text", default=DEFAULT_CLIENT_GROUP),
        Column("mode", "mode"),
        Column("distance_km", "float"),
        Column("duration_min", "float", help="Length of the contact in minutes"),
    ),
    key=(),
    help="Alternative to clients: one row per contact; aggregated to client-years on load.",
)

STAFF = TableSpec(
    "staff",
    (
        Column("year", "year", required=True),
        Column("staff_id", "text", required=True, help="Pseudonymised on load"),
        Column("office_id", "text", required=True),
        *_LOCATION_COLUMNS,
        Column("mode", "mode", required=True, help="Usual commuting mode"),
        Column("office_days", "int", required=True, help="Days worked at the office"),
        Column("homeoffice_days", "int", default="0", help="Days worked from home"),
        Column("distance_km", "float", help="One-way commute; empty = computed"),
    ),
    key=("year", "staff_id"),
    help="One row per staff member per year.",
)

TRIPS = TableSpec(
    "trips",
    (
        Column("year", "year", required=True),
        Column("office_id", "text", required=True, help="Office the trip starts from"),
        Column("destination", "text", required=True, help="An office_id or a place name"),
        Column("country", "country", help="Country of a destination place"),
        Column("mode", "mode", required=True),
        Column("trips", "int", required=True, help="Number of round trips"),
        Column("distance_km", "float", help="One-way distance; empty = computed"),
    ),
    key=(),
    help="Business trips, aggregated: one row per origin, destination, mode and year.",
)

POSTCODES = TableSpec(
    "postcodes",
    (
        Column("country", "country", required=True),
        Column("postcode", "text", required=True),
        Column("lat", "float", required=True),
        Column("lon", "float", required=True),
        Column("place", "text"),
    ),
    key=("country", "postcode"),
    help="Optional: your own postcode centroids, used for client and staff postcodes.",
)

TABLES: dict[str, TableSpec] = {
    spec.name: spec for spec in (OFFICES, CLIENTS, CONTACTS, STAFF, TRIPS, POSTCODES)
}


def normalise_mode(text: str) -> Mode | None:
    """The canonical mode for a user's spelling, or None if it is unknown."""
    cleaned = text.strip().lower()
    try:
        return Mode(cleaned)
    except ValueError:
        return MODE_ALIASES.get(cleaned)
