"""The departments of a district 大事 are referred to: kept by its community workers."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.accounts.permissions import load, require_that
from portal.councils import bp, departments
from portal.councils.models import Department
from portal.councils.triage_forms import DepartmentForm
from portal.forms import EmptyForm
from portal.places.models import Place
from portal.refusals import Refused, show_on
from portal.rendering import render


def _kept_district(district_id):
    district = load(Place, district_id)
    if district.kind != "district":
        abort(404)
    require_that(departments.may_keep(current_user, district))
    return district


def _departments_page(district, form=None, status=200):
    return render("councils/departments.html", district=district,
                  rows=departments.of_district(district), status=status,
                  form=form or DepartmentForm(formdata=None), button=EmptyForm())


@bp.route("/districts/<int:district_id>/departments", methods=["GET", "POST"],
          endpoint="departments")
@login_required
def departments_page(district_id):
    district = _kept_district(district_id)
    if request.method == "GET":
        return _departments_page(district)
    form = DepartmentForm()
    if not form.validate_on_submit():
        return _departments_page(district, form, status=422)
    try:
        departments.add(current_user, district, form.name.data, form.phone.data)
    except Refused as refused:
        show_on(form, refused)
        return _departments_page(district, form, status=422)
    flash(_("The department is added."), "success")
    return redirect(url_for("councils.departments", district_id=district.id), 303)


@bp.post("/departments/<int:department_id>/active")
@login_required
def department_active(department_id):
    department = load(Department, department_id,
                      allowed=lambda user, row: departments.may_keep(user, row.district))
    EmptyForm().validate_on_submit() or abort(400)
    departments.set_active(current_user, department, not department.active)
    flash(_("The department is taken off the choices.") if not department.active
          else _("The department is back among the choices."), "success")
    return redirect(url_for("councils.departments", district_id=department.district_id), 303)
