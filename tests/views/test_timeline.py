"""One readable history per record: labels and translated values, local
time, who and why — and the privacy boundary on every value."""
import re

from sqlalchemy import select

from app.extensions import db
from app.models import Appeal, Applicant, Category
from tests.conftest import login


def _appeal_and_other_category(app):
    with app.app_context():
        a = db.session.execute(select(Appeal).where(Appeal.status == "registered").order_by(Appeal.id)
                               .limit(1)).scalar_one()
        other = db.session.execute(select(Category).where(Category.id != a.category_id,
                                                          Category.parent_id.is_not(None)).limit(1)).scalar_one()
        return a, other.id, str(other.localized_name("ru")) if hasattr(other, "localized_name") else str(other)


def _edit_form(a, **over):
    data = {"applicant": a.applicant_id, "district": a.district_id, "category": a.category_id,
            "official": a.official_id, "substance": a.substance, "language": a.language.value
            if hasattr(a.language, "value") else a.language, "privilege": "", "expected_version": a.version}
    data.update(over)
    return data


def test_an_edit_reads_as_labels_and_values_in_one_history(client, app):
    a, other_id, other_name = _appeal_and_other_category(app)
    login(client, "manager")
    r = client.post(f"/appealview/edit/{a.id}", data=_edit_form(a, category=other_id, privilege="disabled"))
    assert r.status_code == 302, r.get_data(as_text=True)[:1500]
    body = client.get(f"/appealview/show/{a.id}?_l_=ru").get_data(as_text=True)
    panel = re.search(r'id="timeline".*?</table>', body, re.S).group(0)
    assert body.count('id="timeline"') == 1 and 'id="audit"' not in body  # one history, not three blocks
    assert "AppealEventView" not in body
    assert "Категория" in panel and other_name.split(" ", 1)[-1][:20] in panel
    assert "category_id" not in panel and "privilege" not in panel and "null" not in panel
    assert "Версия" not in body  # no technical version row
    assert "(местное время)" in panel or "local time" in panel


def test_a_role_without_the_audit_log_sees_the_events_but_not_the_changes(client, app):
    a, other_id, _ = _appeal_and_other_category(app)
    login(client, "head")
    body = client.get(f"/appealview/show/{a.id}").get_data(as_text=True)
    panel = re.search(r'id="timeline".*?</table>', body, re.S).group(0)
    assert "R25" in panel  # the registration event
    assert "q-changes" not in panel


def test_a_masked_field_stays_masked_in_the_history(client, app):
    with app.app_context():
        ap = db.session.execute(select(Applicant).where(Applicant.phone.is_not(None)).order_by(Applicant.id)
                                .limit(1)).scalar_one()
        pk, old_phone = ap.id, ap.phone
        form = {"kind": ap.kind.value, "full_name": ap.full_name, "iin": ap.iin or "", "organization": "",
                "bin": "", "authority_document": "", "phone": "+7 705 111 22 33", "email": ap.email or "",
                "address": ap.address or "", "district": ap.district_id or "", "privilege": ""}
    login(client, "manager")
    r = client.post(f"/applicantview/edit/{pk}", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:1500]
    try:
        body = client.get(f"/applicantview/show/{pk}").get_data(as_text=True)
        assert "+7 705 111 22 33" in re.search(r'id="timeline".*?</table>', body, re.S).group(0)
        login(client, "auditor")  # reads the audit log, never personal data
        for url in (f"/applicantview/show/{pk}", "/auditlogview/list/?_flt_0_table_name=applicant"):
            body = client.get(url).get_data(as_text=True)
            assert "+7 705 111 22 33" not in body and old_phone not in body, url
        assert "+7 7** *** ** 33" in client.get(f"/applicantview/show/{pk}").get_data(as_text=True)
    finally:
        with app.app_context():
            db.session.get(Applicant, pk).phone = old_phone
            db.session.commit()


def test_the_audit_log_names_registers_and_fields_not_tables_and_columns(client):
    login(client, "manager")
    body = client.get("/auditlogview/list/?_l_=en").get_data(as_text=True)
    assert "<code>" not in body
