"""A progress report may carry a photo: re-encoded (a fresh JPEG without its location, at
most 200 KB), shown on the project's page within the phone's width, served by its own
address; a bad photo (not a picture, too big, a decompression bomb) refuses the whole
report with plain words, what was typed kept and nothing written."""

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal import photos
from portal.audit import AuditEntry
from portal.extensions import db
from portal.projects import calls, projects
from portal.projects.models import ProgressReport, Project
from portal.refusals import Refused
from tests.councils.test_photos import bomb_png, jpeg_with_gps
from tests.helpers import audit_page, text

MULTIPART = "multipart/form-data"


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _send(client, page, fields, photo, filename="shed.jpg"):
    """POST the progress form with a photo, the body built by hand: the test client would
    spool a large file part to a temporary file it never closes."""
    fields = {"csrf_token": client.csrf_token(page), **fields}
    body = b"".join(f'--x\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{value}\r\n".encode() for name, value in fields.items())
    body += (f'--x\r\nContent-Disposition: form-data; name="photo"; filename="{filename}"'
             f"\r\nContent-Type: image/jpeg\r\n\r\n".encode() + photo + b"\r\n--x--\r\n")
    return client.post(f"{page}/progress", data=body,
                       content_type="multipart/form-data; boundary=x")


@pytest.fixture
def staff(contracted):
    return calls.staff_of(contracted.organization)[0]


# --- the rule ------------------------------------------------------------------------------

def test_a_photo_is_kept_reencoded_without_its_location(contracted, staff, now):
    row = projects.report(staff, contracted, 40, "顶棚拆完了。", now,
                          photo=io.BytesIO(jpeg_with_gps((2400, 1800))))
    kept = Image.open(io.BytesIO(row.photo))
    assert kept.format == "JPEG" and len(row.photo) <= photos.MAX_OUTPUT
    assert max(kept.size) <= photos.LONG_SIDE
    assert not kept.getexif()  # no GPS, no camera
    assert kept.height > kept.width  # turned upright by its orientation tag, then dropped
    assert projects.photographed(contracted) == {row.id}


def test_a_report_without_a_photo_keeps_none(contracted, staff, now):
    row = projects.report(staff, contracted, 10, "开工。", now)
    assert row.photo is None and projects.photographed(contracted) == set()


@pytest.mark.parametrize(("data", "reason"), [
    (b"not a picture at all", "photo_not_image"),
    (b"", "photo_not_image"),
    (b"\0" * (photos.MAX_BYTES + 1), "photo_too_big"),
    (bomb_png(), "photo_too_many_pixels"),
])
def test_a_bad_photo_refuses_the_report_and_writes_nothing(contracted, staff, now, data,
                                                           reason):
    written = _count(AuditEntry)
    with pytest.raises(Refused) as refused:
        projects.report(staff, contracted, 40, "顶棚拆完了。", now, photo=io.BytesIO(data))
    assert refused.value.reason == reason and refused.value.field == "photo"
    assert contracted.stage == "contracted"
    assert _count(ProgressReport) == 0 and _count(AuditEntry) == written


# --- over HTTP -----------------------------------------------------------------------------

def test_a_photo_sent_with_the_progress_is_shown_on_the_page(client, login, contracted,
                                                              staff, zh):
    page = f"/projects/{contracted.id}"
    login(staff)
    form = text(client.get(page))
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form
    response = client.submit(f"{page}/progress", {
        "percent": "40", "text": "顶棚拆完了，开始装新棚。",
        "photo": (io.BytesIO(jpeg_with_gps((800, 600))), "shed.jpg")},
        token_from=page, content_type=MULTIPART)
    assert response.status_code == 303
    row = db.session.scalar(select(ProgressReport))
    assert row.photo is not None and len(row.photo) <= photos.MAX_OUTPUT
    client.get("/accounts/logout")
    shown = client.get(page)  # a visitor sees it as the residents do
    html = text(shown)
    address = f"/projects/progress/{row.id}/photo"
    assert f'src="{address}"' in html and 'class="progress-photo"' in html
    assert f'alt="{zh("Photo: %(text)s", text="顶棚拆完了，开始装新棚。")}"' in html
    audit_page(shown)
    photo = client.get(address)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    assert photo.get_data() == row.photo
    assert "immutable" in photo.headers["Cache-Control"]


def test_a_report_without_a_photo_shows_no_picture(client, login, contracted, staff):
    page = f"/projects/{contracted.id}"
    login(staff)
    assert client.submit(f"{page}/progress", {"percent": "10", "text": "开工。"},
                         token_from=page).status_code == 303
    row = db.session.scalar(select(ProgressReport))
    assert row.photo is None
    assert "<img" not in text(client.get(page)).split('class="reports"')[1].split("</ol>")[0]
    assert client.get(f"/projects/progress/{row.id}/photo").status_code == 404
    assert client.get("/projects/progress/999999/photo").status_code == 404


@pytest.mark.parametrize(("data", "msgid"), [
    (b"not a picture at all",
     "This is not a photo we can read. Send a JPEG or PNG picture."),
    (b"\xff\xd8\xff" + b"\0" * (photos.MAX_BYTES + 100), "The photo is too big: at most 5 MB."),
    (bomb_png(), "This picture is far too large to open. Send a normal photo from a phone."),
])
def test_a_bad_photo_is_422_with_the_text_kept_and_nothing_written(
        client, login, contracted, staff, zh, data, msgid):
    page = f"/projects/{contracted.id}"
    login(staff)
    written = _count(AuditEntry)
    response = _send(client, page, {"percent": "40", "text": "顶棚拆完了<b>乙</b>"}, data)
    assert response.status_code == 422
    html = text(response)
    assert "顶棚拆完了&lt;b&gt;乙&lt;/b&gt;" in html and 'value="40"' in html
    assert 'class="error-summary"' in html and 'href="#photo"' in html
    assert zh(msgid) in html
    project = db.session.get(Project, contracted.id)
    assert project.stage == "contracted"
    assert _count(ProgressReport) == 0 and _count(AuditEntry) == written


@pytest.mark.parametrize("who", ["resident", "worker"])
def test_only_the_contractors_staff_report_with_a_photo(client, login, contracted, worker,
                                                        make_user, world, who):
    page = f"/projects/{contracted.id}"
    login(worker if who == "worker" else make_user(name="居民", courtyard=world["courtyard"]))
    response = client.submit(f"{page}/progress", {
        "percent": "40", "text": "x", "photo": (io.BytesIO(jpeg_with_gps((80, 60))), "a.jpg")},
        token_from=page, content_type=MULTIPART)
    assert response.status_code == 403
    assert _count(ProgressReport) == 0


def test_the_photo_form_takes_a_phone_photo_over_two_megabytes(client, login, contracted,
                                                               staff):
    """Phones' photos are often 2–5 MB: other forms stop at 2 MB, this one does not."""
    login(staff)
    page = f"/projects/{contracted.id}"
    noise = Image.effect_noise((1400, 1400), 100).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert 2 * 1024 * 1024 < buffer.tell() < photos.MAX_BYTES
    response = _send(client, page, {"percent": "50", "text": "过半。"}, buffer.getvalue(),
                     filename="a.png")
    assert response.status_code == 303
    assert _count(ProgressReport) == 1


def test_the_page_shows_the_five_latest_reports_with_their_photos(contracted, staff, now):
    for day in range(7):
        projects.report(staff, contracted, day * 10, f"第{day}天", now - timedelta(days=7 - day),
                        photo=io.BytesIO(jpeg_with_gps((80, 60))) if day % 2 else None)
    shown = projects.reports(contracted, most=5)
    assert [r.text for r in shown] == [f"第{d}天" for d in (6, 5, 4, 3, 2)]
    assert len(projects.photographed(contracted)) == 3


# --- taking a photo down -------------------------------------------------------------------

@pytest.fixture
def photographed_report(contracted, staff, now):
    row = projects.report(staff, contracted, 40, "顶棚拆完了。", now,
                          photo=io.BytesIO(jpeg_with_gps((800, 600))))
    db.session.commit()
    return row


@pytest.mark.parametrize("role", ["reporter", "worker_here", "admin"])
def test_who_reported_it_or_keeps_the_project_takes_a_photo_down(
        client, login, sign_in, photographed_report, staff, role):
    report_id, project_id = photographed_report.id, photographed_report.project_id
    if role == "reporter":
        login(staff)
    else:
        sign_in(role)
    page = f"/projects/{project_id}"
    remove = f"/projects/progress/{report_id}/photo/remove"
    assert f'action="{remove}"' in text(client.get(page))
    response = client.submit(remove, {}, token_from=page)
    assert response.status_code == 303 and response.location.endswith(page)
    assert db.session.get(ProgressReport, report_id).photo is None
    assert db.session.get(ProgressReport, report_id).text == "顶棚拆完了。"  # the report stays
    assert client.get(f"/projects/progress/{report_id}/photo").status_code == 404
    assert "progress-photo" not in text(client.get(page))
    [entry] = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "projects.progress.photo_removed"))
    assert entry.details["report"] == report_id


@pytest.mark.parametrize("role", ["resident_here", "leader_here", "worker_elsewhere",
                                  "anonymous"])
def test_nobody_else_takes_a_photo_down(client, sign_in, photographed_report, role):
    report_id, project_id = photographed_report.id, photographed_report.project_id
    sign_in(role)
    remove = f"/projects/progress/{report_id}/photo/remove"
    assert remove not in text(client.get(f"/projects/{project_id}"))
    response = client.submit(remove, {})
    assert response.status_code == (302 if role == "anonymous" else 403)
    assert db.session.get(ProgressReport, report_id).photo is not None
    assert _count(AuditEntry) == db.session.scalar(select(func.count()).select_from(
        AuditEntry).where(AuditEntry.action != "projects.progress.photo_removed"))


def test_taking_it_down_twice_writes_once(photographed_report, staff, now):
    projects.remove_photo(staff, photographed_report, now)
    projects.remove_photo(staff, photographed_report, now)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "projects.progress.photo_removed")) == 1
