"""Reference books: districts, departments, officials, places, categories,
periods of restrictions (the calendar is in ``calendar``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.fab.interface import QInterface
from app.models import Category, Department, District, Official, ReceptionPlace, RestrictionPeriod

from .appeals import AppealView
from .base import COMMON_LABELS, QModelView
from .receptions import ReceptionSessionView


class DistrictView(QModelView):
    list_title = _l("Districts")
    show_title = _l("District")
    add_title = _l("Add a district")
    edit_title = _l("Edit district")
    datamodel = QInterface(District)
    class_permission_name = "District"
    base_order = ("kato", "asc")
    list_columns = ["kato", "name", "kind", "centre_name", "population", "population_year"]
    show_columns = [
        "kato", "kind", "name_kk", "name_ru", "centre_kk", "centre_ru", "lat", "lon",
        "population", "population_year",
    ]
    add_columns = edit_columns = show_columns
    search_columns = ["kato", "name_kk", "name_ru", "kind"]
    label_columns = {
        **COMMON_LABELS,
        "kato": _l("KATO code"),
        "centre_kk": _l("Administrative centre (Kazakh)"),
        "centre_ru": _l("Administrative centre (Russian)"),
        "centre_name": _l("Administrative centre"),
        "lat": _l("Latitude"),
        "lon": _l("Longitude"),
        "population": _l("Population"),
        "population_year": _l("Population year"),
    }
    related_views = [AppealView]


class DepartmentView(QModelView):
    list_title = _l("Departments")
    show_title = _l("Department")
    add_title = _l("Add a department")
    edit_title = _l("Edit department")
    datamodel = QInterface(Department, eager=("parent", "district"))
    class_permission_name = "Department"
    base_order = ("name_ru", "asc")
    list_columns = ["name", "kind", "parent", "district"]
    add_columns = edit_columns = show_columns = ["name_kk", "name_ru", "kind", "parent", "district"]
    search_columns = ["name_kk", "name_ru", "kind", "district"]
    label_columns = {**COMMON_LABELS, "parent": _l("Parent unit")}


class OfficialView(QModelView):
    list_title = _l("Officials")
    show_title = _l("Official")
    add_title = _l("Add an official")
    edit_title = _l("Edit official")
    datamodel = QInterface(Official, eager=("department",))
    class_permission_name = "Official"
    base_order = ("full_name", "asc")
    list_columns = ["full_name", "position_name", "level", "department", "active"]
    add_columns = edit_columns = show_columns = [
        "full_name", "position_kk", "position_ru", "level", "department", "languages", "active", "user",
    ]
    search_columns = ["full_name", "position_ru", "position_kk", "level", "department", "active"]
    label_columns = {
        **COMMON_LABELS,
        "full_name": _l("Full name"),
        "position_kk": _l("Position (Kazakh)"),
        "position_ru": _l("Position (Russian)"),
        "position_name": _l("Position"),
        "level": _l("Level (R2)"),
        "department": _l("Department"),
        "languages": _l("Languages of reception"),
        "user": _l("User account"),
    }
    related_views = [ReceptionSessionView]


class ReceptionPlaceView(QModelView):
    list_title = _l("Reception places")
    show_title = _l("Reception place")
    add_title = _l("Add a reception place")
    edit_title = _l("Edit reception place")
    datamodel = QInterface(ReceptionPlace, eager=("district",))
    class_permission_name = "ReceptionPlace"
    base_order = ("name_ru", "asc")
    list_columns = ["id", "name", "kind", "district", "address"]
    add_columns = edit_columns = show_columns = ["name_kk", "name_ru", "kind", "district", "address"]
    search_columns = ["name_kk", "name_ru", "kind", "district", "address"]
    label_columns = {**COMMON_LABELS, "id": _l("ID")}


class CategoryView(QModelView):
    list_title = _l("Categories")
    show_title = _l("Category")
    add_title = _l("Add a category")
    edit_title = _l("Edit category")
    datamodel = QInterface(Category, eager=("parent",))
    class_permission_name = "Category"
    base_order = ("code", "asc")
    list_columns = ["code", "name", "parent", "active"]
    add_columns = edit_columns = show_columns = ["code", "name_kk", "name_ru", "parent", "active"]
    search_columns = ["code", "name_kk", "name_ru", "active"]
    label_columns = {**COMMON_LABELS, "parent": _l("Parent section or topic")}


class RestrictionPeriodView(QModelView):
    """R14: the periods of restrictions, kept by the Admin with the calendar."""

    list_title = _l("Restrictions: video-only reception (R14)")
    show_title = _l("Period of restrictions")
    add_title = _l("Add a period of restrictions")
    edit_title = _l("Edit the period of restrictions")
    datamodel = QInterface(RestrictionPeriod)
    class_permission_name = "CalendarDay"
    base_order = ("starts_on", "desc")
    list_columns = add_columns = edit_columns = show_columns = ["starts_on", "ends_on", "reason"]
    search_columns = ["starts_on", "ends_on", "reason"]
    label_columns = {"starts_on": _l("From"), "ends_on": _l("To"), "reason": _l("Reason (the act)")}
    description_columns = {"starts_on": _l("While restrictions are in force, reception is by video-conference only.")}
