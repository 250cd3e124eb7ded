"""The deterministic demo data set for Zhetysu region.

``load_demo(password)`` fills every register once (it does nothing to the
data when districts already exist) and (re)creates one demo user per role.
The random generator is seeded, so the same day gives the same data.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app.domain import deadlines
from app.domain.identifiers import with_control_digit
from app.domain.vocabulary import (
    AppealStatus,
    ApplicantKind,
    CallOutcome,
    Channel,
    ConsultationOutcome,
    DepartmentKind,
    HigherIssuer,
    InstructionStatus,
    Language,
    OfficialLevel,
    PlaceKind,
    Privilege,
    RefusalGround,
    Resolved,
    SessionKind,
    SessionStatus,
)
from app.domain.workflow import DECIDERS
from app.extensions import db
from app.models import (
    Appeal,
    AppealEvent,
    Applicant,
    Consultation,
    District,
    HigherInstruction,
    Instruction,
    MaterialsRequest,
    Official,
    ParticipationRequest,
    Protocol,
    ProtocolEntry,
    ReceptionPlace,
    ReceptionSession,
    RegCounter,
    RestrictionPeriod,
    SurveyCall,
    UserPlace,
)
from app.services import region_pack
from app.services.appeals import reg_number
from app.services.calendar import counting_rules, working_calendar
from app.services.clock import local_to_utc, now_local

from . import data

SEED = 20261122
N_APPEALS = 2000  # overridden by the DEMO_APPEALS setting
ZHETYSU_PACK = Path(__file__).resolve().parents[2] / "packs" / "zhetysu"

DEMO_USERS = [
    # username, role, first, last
    ("admin", "Admin", "Айдос", "Админов"),
    ("manager", "Manager", "Гульнара", "Бекова"),
    ("clerk", "Clerk", "Аружан", "Серікқызы"),
    ("clerk2", "Clerk", "Дина", "Ахметова"),
    ("responsible", "Responsible", "Ерлан", "Жумабаев"),
    ("head", "Head", "Нурлан", "Касымов"),
    ("auditor", "Auditor", "Айгерім", "Сапарова"),
    ("official", "Official", "", ""),
]

CHANNEL_WEIGHTS = {
    Channel.egov_portal: 30, Channel.e_appeals: 20, Channel.post: 8, Channel.by_hand: 15,
    Channel.oral: 15, Channel.phone: 7, Channel.call_centre: 5,
}


def load_demo(password: str) -> dict:
    """Load the data set if the database has none; always sync the demo users."""
    created = False
    if not db.session.execute(select(func.count()).select_from(District)).scalar_one():
        _Builder(random.Random(SEED)).build()
        created = True
    users = ensure_demo_users(password)
    if created:
        _assign_to_responsible()
    if created and int(current_app.config.get("DEMO_APPEALS", N_APPEALS)) > 0:  # not the bench's empty shell
        _systemic_spike(random.Random(SEED + 17))
        from app.services.alerts import scan

        scan()  # M7.1: the weekly scan of the last full week finds the spike
        from app.services.topic_suggest import train

        if current_app.config.get("DEMO_TRAIN_TOPICS", True):
            train(system=True)  # issue 17.3: the form suggests topics from the start (about 2 s on 2000 appeals)
        from app.services.compliance import take_snapshot

        take_snapshot()  # issue 17.1: the compliance board's daily record starts with the demo's first day
    return {"created": created, "users": users}


SPIKE_DISTRICT, SPIKE_TOPIC, SPIKE_APPEALS = "334200000", "01.01", 9
"""The demo's one systemic problem (M7.1): water supply in Koksu district,
nine appeals in the last full week — one alert on the dashboard."""


def _systemic_spike(rnd: random.Random) -> None:
    """Appeals of one district on one topic (most under its first question)
    in the last full ISO week, registered through the service like any
    other; its own random stream, so the rest of the demo stays the same."""
    from app.domain.signals import last_full_week
    from app.models import Category
    from app.services.appeals import prepare_registration

    district = db.session.execute(select(District).where(District.kato == SPIKE_DISTRICT)).scalar_one_or_none()
    topic = db.session.execute(select(Category).where(Category.code == SPIKE_TOPIC)).scalar_one_or_none()
    if district is None or topic is None:
        return
    questions = db.session.execute(select(Category).where(Category.parent_id == topic.id)
                                   .order_by(Category.code)).scalars().all() or [topic]
    place = db.session.execute(select(ReceptionPlace).where(ReceptionPlace.district_id == district.id,
                                                            ReceptionPlace.kind == PlaceKind.reception_centre)
                               .order_by(ReceptionPlace.id)).scalars().first()
    applicants = db.session.execute(select(Applicant).where(Applicant.district_id == district.id)
                                    .order_by(Applicant.id)).scalars().all()
    officials = db.session.execute(select(Official).where(Official.active.is_(True)).order_by(Official.id)).scalars().all()
    cal, monday = working_calendar(), last_full_week(now_local().date())
    days = [monday + timedelta(days=i) for i in range(5) if cal.is_working_day(monday + timedelta(days=i))]
    if place is None or not applicants or not officials or not days:
        return
    texts = data.SUBSTANCES.get(questions[0].code) or [(questions[0].name_ru, questions[0].name_kk)]
    for n in range(SPIKE_APPEALS):
        language = Language.kk if rnd.random() < 0.45 else Language.ru
        text_ru, text_kk = rnd.choice(texts)
        applicant = rnd.choice(applicants)
        appeal = Appeal(
            channel=rnd.choice([Channel.egov_portal, Channel.e_appeals, Channel.by_hand, Channel.phone]),
            received_at=datetime.combine(days[n % len(days)], time(rnd.randint(9, 16), rnd.randint(0, 59))),
            applicant=applicant, reception_place=place, district=district,
            category=questions[0] if n % 3 else rnd.choice(questions), official=rnd.choice(officials),
            substance=text_kk if language == Language.kk else text_ru, language=language,
            privilege=applicant.privilege, foreigner=False, interpreter_needed=False, video_consent=False,
            from_reception=False,
        )
        prepare_registration(appeal, None)
        appeal.created_at = local_to_utc(appeal.received_at)  # history columns hold UTC, as the demo's others
        for event in [o for o in db.session.new if isinstance(o, AppealEvent) and o.appeal is appeal]:
            event.at = appeal.created_at
        db.session.add(appeal)
    db.session.commit()


def _assign_to_responsible() -> None:
    """The demo responsible worker has a work list: every third appeal under
    review at their place is assigned to them, with its history event."""
    sm = current_app.appbuilder.sm
    user = sm.find_user(username="responsible")
    place = db.session.get(UserPlace, user.id) if user is not None else None
    if place is None:
        return
    appeals = db.session.execute(
        select(Appeal).where(Appeal.reception_place_id == place.place_id,
                             Appeal.status.in_([AppealStatus.registered, AppealStatus.refusal_proposed]),
                             Appeal.assignee_id.is_(None), Appeal.from_reception.is_(False))
        .order_by(Appeal.id)
    ).scalars().all()
    for appeal in appeals[::3]:
        appeal.assignee_id = user.id
        db.session.add(AppealEvent(appeal=appeal, at=datetime.utcnow(), user_id=None, action="assign",
                                   from_status=appeal.status, to_status=appeal.status, rule=None, reason="",
                                   payload={"assignee": user.id}))
    db.session.commit()


def ensure_demo_users(password: str) -> list[tuple[str, str]]:
    sm = current_app.appbuilder.sm
    public = db.session.execute(
        select(ReceptionPlace).where(ReceptionPlace.kind == PlaceKind.public_reception).order_by(ReceptionPlace.id)
    ).scalars().first()
    centre = db.session.execute(
        select(ReceptionPlace)
        .join(District, ReceptionPlace.district_id == District.id)
        .where(ReceptionPlace.kind == PlaceKind.reception_centre, District.kato != "331000000")
        .order_by(District.kato)
    ).scalars().first()
    official = db.session.execute(
        select(Official).where(Official.level == OfficialLevel.deputy_akim).order_by(Official.id)
    ).scalars().first()
    out = []
    for username, role_name, first, last in DEMO_USERS:
        role = sm.find_role(role_name)
        if username == "official" and official is not None:
            parts = official.full_name.split()
            last, first = parts[0], " ".join(parts[1:]) or parts[0]
        user = sm.find_user(username=username)
        if user is None:
            user = sm.add_user(username, first, last, f"{username}@qabyldau.local", role, password)
        else:
            user.roles = [role]
            sm.reset_password(user.id, password)
        if username in ("clerk", "responsible") and public is not None:
            _bind_place(user.id, public.id)
        if username == "clerk2" and centre is not None:
            _bind_place(user.id, centre.id)
        if username == "official" and official is not None:
            official.user_id = user.id
        out.append((username, role_name))
    db.session.commit()
    return out


def _bind_place(user_id: int, place_id: int) -> None:
    row = db.session.get(UserPlace, user_id)
    if row is None:
        db.session.add(UserPlace(user_id=user_id, place_id=place_id))
    else:
        row.place_id = place_id


class _Builder:
    def __init__(self, rnd: random.Random):
        self.rnd = rnd
        self.cal = working_calendar()
        self.rules = counting_rules()
        self.now = now_local()
        self.today = self.now.date()

    # -- reference books ------------------------------------------------
    def build(self) -> None:
        self._reference_books()
        self.regional_bodies = [d for d in self.departments.values() if d.kind == DepartmentKind.regional_body]
        # R14: the state of emergency of 2020, when reception went video-only (a past period)
        db.session.add(RestrictionPeriod(
            starts_on=date(2020, 3, 16), ends_on=date(2020, 5, 11),
            reason="Чрезвычайное положение: Указ Президента РК от 15.03.2020 № 285 / "
                   "Төтенше жағдай: ҚР Президентінің 15.03.2020 № 285 Жарлығы",
        ))
        db.session.flush()
        self.applicants = self._applicants()
        self.sessions = self._sessions()
        db.session.flush()
        self._appeals()
        db.session.flush()
        self._materials_requests()
        self._consultations()
        self._higher_instructions()
        self._video_and_same_day()
        db.session.commit()

    def _reference_books(self) -> None:
        """The Zhetysu pack, loaded as ``flask region load packs/zhetysu`` does (in the demo's transaction)."""
        books = region_pack.load_pack(ZHETYSU_PACK, commit=False)
        self.districts = books.districts
        self.departments = books.departments
        self.officials = list(books.officials.values())
        self.places = list(books.places.values())
        self.categories = list(books.topics.values())
        self.topics = [c for c in self.categories if c.code.count(".") == 1]
        # The centres' addresses were drawn once (two draws per district) before they
        # were written into the pack; the same draws keep the later data the same.
        for _ in range(len(self.districts)):
            self.rnd.choice(data.STREETS)
            self.rnd.randint(1, 120)

    # -- people ----------------------------------------------------------
    def _iin(self, born: date, female: bool) -> str:
        century = ("4" if female else "3") if born.year < 2000 else ("6" if female else "5")
        while True:
            first11 = f"{born:%y%m%d}{century}{self.rnd.randint(0, 9999):04d}"
            full = with_control_digit(first11)
            if full:
                return full

    def _bin(self) -> str:
        while True:
            first11 = f"{self.rnd.randint(0, 23):02d}{self.rnd.randint(1, 12):02d}4{self.rnd.randint(0, 999999):06d}"
            full = with_control_digit(first11)
            if full:
                return full

    def _person_name(self, female: bool) -> str:
        i = self.rnd.randrange(len(data.SURNAMES_MALE))
        surname = data.SURNAMES_FEMALE[i] if female else data.SURNAMES_MALE[i]
        first = self.rnd.choice(data.FIRST_NAMES_FEMALE if female else data.FIRST_NAMES_MALE)
        root = self.rnd.choice(data.PATRONYMIC_ROOTS)
        if root.endswith(("ий", "ей")):
            root = root[:-1]
            patronymic = root + ("евна" if female else "евич")
        else:
            patronymic = root + ("овна" if female else "ович")
        return f"{surname} {first} {patronymic}"

    def _applicants(self) -> list[Applicant]:
        out = []
        districts = list(self.districts.values())
        weights = [d.population for d in districts]
        privileges = list(Privilege)
        for _n in range(1600):
            female = self.rnd.random() < 0.55
            district = self.rnd.choices(districts, weights)[0]
            legal = self.rnd.random() < 0.06
            born = date(1940, 1, 1) + timedelta(days=self.rnd.randint(0, 365 * 65))
            a = Applicant(
                kind=ApplicantKind.legal_entity if legal else ApplicantKind.individual,
                full_name=self._person_name(female),
                iin=self._iin(born, female) if self.rnd.random() < 0.97 else None,
                organization=self.rnd.choice(data.LEGAL_ENTITIES) if legal else None,
                bin=self._bin() if legal else None,
                authority_document="Доверенность № " + str(self.rnd.randint(1, 300)) if legal else None,
                phone=f"+7 7{self.rnd.choice(['01', '02', '05', '07', '47', '71', '77'])} {self.rnd.randint(100, 999)} {self.rnd.randint(10, 99)} {self.rnd.randint(10, 99)}",
                email=None,
                address=f"{district.centre_ru}, {self.rnd.choice(data.STREETS)}, {self.rnd.randint(1, 150)}",
                district=district,
                privilege=self.rnd.choice(privileges) if self.rnd.random() < 0.08 else None,
            )
            if born.year < 1946 and self.rnd.random() < 0.5:
                a.privilege = Privilege.wwii_equal
            db.session.add(a)
            out.append(a)
        return out

    # -- rosters -----------------------------------------------------------
    def _sessions(self) -> list[ReceptionSession]:
        receivers = [o for o in self.officials if o.active and o.level != OfficialLevel.authorised_employee]
        out = []
        first_month = (self.today.replace(day=1) - timedelta(days=365)).replace(day=1)
        month = first_month
        end_month = (self.today.replace(day=1) + timedelta(days=40)).replace(day=1)
        centres = self.places[1:]
        while month <= end_month:
            days = [month + timedelta(days=i) for i in range(31) if (month + timedelta(days=i)).month == month.month]
            work = [d for d in days if self.cal.is_working_day(d)]
            for o in receivers:
                own_district = o.department.district
                places = [self.places[0]]
                centre = next((p for p in centres if own_district is not None and p.district is own_district), None)
                places.append(centre or self.rnd.choice(centres))
                for place, day in zip(places, self.rnd.sample(work, len(places))):
                    start = time(self.rnd.choice([9, 10, 11, 14, 15]), 0)
                    s = ReceptionSession(
                        official=o, place=place, day=day, starts_at=start,
                        ends_at=time(start.hour + 2, 0), capacity=self.rnd.choice([6, 8, 10]),
                        kind=SessionKind.regular,
                        status=SessionStatus.held if day < self.today else SessionStatus.approved,
                        approved_at=datetime.combine(month - timedelta(days=10), time(10, 0)),
                    )
                    if self.rnd.random() < 0.03 and day < self.today:
                        s.status = SessionStatus.cancelled
                        s.cancel_reason = "Болезнь / ауырып қалды"
                        s.staff_notified_at = datetime.combine(day, time(8, 30))
                    db.session.add(s)
                    out.append(s)
            month = (month + timedelta(days=32)).replace(day=1)
        # One off-roster reception by the akim's order (R9).
        deputy = next(o for o in receivers if o.level == OfficialLevel.deputy_akim)
        out.append(
            ReceptionSession(
                official=deputy, place=self.places[0], day=self.cal.on_or_after(self.today - timedelta(days=20)),
                starts_at=time(16, 0), ends_at=time(17, 30), capacity=5, kind=SessionKind.off_roster,
                status=SessionStatus.held, order_ref="№ 112-р", order_date=self.today - timedelta(days=25),
            )
        )
        db.session.add(out[-1])
        return out

    # -- appeals -------------------------------------------------------------
    def _materials_requests(self) -> None:
        """R31: requests for materials on some appeals under review, to the
        official's unit; most answered, some overdue."""
        appeals = db.session.execute(
            select(Appeal).where(Appeal.status.in_([AppealStatus.registered, AppealStatus.scheduled]))
            .order_by(Appeal.id)
        ).scalars().all()
        for appeal in appeals[::12]:
            asked = max(appeal.registered_on, self.today - timedelta(days=20))
            due = self.cal.add_working_days(asked, 5)
            answered = due <= self.today and self.rnd.random() < 0.6
            db.session.add(MaterialsRequest(
                appeal=appeal, department=appeal.official.department, requested_on=asked, due_on=due,
                subject="Справка и копии документов по вопросу заявителя / Өтініш берушінің мәселесі бойынша анықтама",
                answered_on=min(due, self.today) if answered else None,
                answer="Материалы представлены / Материалдар ұсынылды" if answered else None,
            ))

    def _video_and_same_day(self) -> None:
        """R13: a deputy akim's video-conference reception next week, with an
        applicant who agreed to it booked; R3: a reception the same day by a
        head of a structural unit, with the applicant's consent."""
        def book(appeal, session, rule, payload, at):
            appeal.session, appeal.status = session, AppealStatus.scheduled
            db.session.add(AppealEvent(appeal=appeal, at=local_to_utc(at), action="schedule",
                                       from_status=AppealStatus.registered,
                                       to_status=AppealStatus.scheduled, rule=rule, reason="", payload=payload))

        waiting = db.session.execute(
            select(Appeal).where(Appeal.status == AppealStatus.registered, Appeal.from_reception.is_(False),
                                 Appeal.registered_on <= self.today)
            .order_by(Appeal.registered_on.desc(), Appeal.id.desc())
        ).scalars().all()
        if len(waiting) < 2:
            return
        deputy = next(o for o in self.officials if o.active and o.level == OfficialLevel.deputy_akim)
        day = self.cal.add_working_days(self.cal.on_or_after(self.today), 6)
        video = ReceptionSession(
            official=deputy, place=self.places[0], day=day, starts_at=time(11, 0), ends_at=time(12, 0), capacity=4,
            kind=SessionKind.video, status=SessionStatus.approved,
            approved_at=datetime.combine(self.today - timedelta(days=3), time(10, 0)),
        )
        db.session.add(video)
        consenting = waiting[-1]  # the one waiting longest
        consenting.video_consent, consenting.official = True, deputy
        book(consenting, video, "R13", {"day": day.isoformat(), "video": True},
             datetime.combine(self.today, time(9, 0)) - timedelta(hours=5))
        # R3: registered, and received the same day by a unit head, with the applicant's consent
        head = next((o for o in self.officials if o.active and o.level == OfficialLevel.unit_head), None)
        same = waiting[0]
        if head is None:
            return
        held = same.registered_on < self.today
        session = ReceptionSession(
            official=head, place=same.reception_place, day=same.registered_on, starts_at=time(17, 0),
            ends_at=time(18, 0), capacity=2, kind=SessionKind.regular,
            status=SessionStatus.held if held else SessionStatus.approved,
            approved_at=datetime.combine(same.registered_on, time(9, 0)),
        )
        db.session.add(session)
        same.official = head
        book(same, session, "R3", {"day": same.registered_on.isoformat(), "same_day_consent": True},
             datetime.combine(same.registered_on, time(12, 0)) - timedelta(hours=5))
        if held:
            same.status = AppealStatus.received
            db.session.add(AppealEvent(appeal=same, at=local_to_utc(datetime.combine(same.registered_on, time(12, 0))),
                                       action="receive", from_status=AppealStatus.scheduled,
                                       to_status=AppealStatus.received, rule="R23", reason="", payload={}))

    def _higher_instructions(self) -> None:
        """M9: instructions of the President, the Presidential Administration
        and the President's assistant on appeals over the last 14 months —
        most executed (a few late), some on control, two overdue."""
        rnd = self.rnd
        appeals = db.session.execute(select(Appeal).order_by(Appeal.id)).scalars().all()
        executors = self.regional_bodies or list(self.departments.values())
        subjects = [
            "Рассмотреть обращение о предоставлении жилья и принять меры / "
            "Тұрғын үй беру туралы өтінішті қарап, шара қолдану",
            "Проверить доводы заявителя о нарушении сроков ремонта дороги / "
            "Жолды жөндеу мерзімінің бұзылуы туралы дәлелдерді тексеру",
            "Оказать содействие в трудоустройстве заявителя / Өтініш берушіні жұмысқа орналастыруға жәрдемдесу",
            "Рассмотреть коллективное обращение жителей по водоснабжению / "
            "Тұрғындардың сумен жабдықтау жөніндегі ұжымдық өтінішін қарау",
        ]
        issuers = [HigherIssuer.administration, HigherIssuer.administration, HigherIssuer.presidents_assistant,
                   HigherIssuer.president]
        for n in range(14):
            issued = self.today - timedelta(days=400 - n * 30 + rnd.randint(0, 5))
            received = self.cal.on_or_after(issued + timedelta(days=rnd.randint(1, 4)))
            if received > self.today:
                received = self.today
            due = self.cal.add_working_days(received, rnd.choice([10, 15, 20]))
            overdue = n in (9, 11)  # two are past their term without an execution
            executed = None
            if not overdue and due < self.today:
                executed = min(self.today, due + timedelta(days=rnd.choice([-5, -3, -1, 0, 2, 6])))
                executed = max(executed, received)
            issuer = issuers[n % len(issuers)]
            appeal = appeals[(n * 97) % len(appeals)] if appeals and n % 3 else None
            db.session.add(HigherInstruction(
                issuer=issuer, document_ref=f"{'17-' if issuer == HigherIssuer.president else '21-'}{1200 + n * 7}",
                issued_on=issued, received_on=received, subject=subjects[n % len(subjects)], appeal=appeal,
                department=executors[n % len(executors)], due_on=due, executed_on=executed,
                report="Заявителю дан ответ, приняты меры; информация направлена в Администрацию Президента / "
                       "Өтініш берушіге жауап берілді, шаралар қабылданды" if executed else None,
            ))

    def _consultations(self) -> None:
        """M5.8: consultations over the year; some people then registered an
        appeal, many declined (R38 phones a sample of them: some called,
        some on today's work list), the latest ones are still undecided."""
        rnd = self.rnd
        by_applicant: dict[int, list[Appeal]] = {}
        for appeal in db.session.execute(select(Appeal).order_by(Appeal.id)).scalars():
            by_applicant.setdefault(appeal.applicant_id, []).append(appeal)
        questions = [
            ("Как записаться на личный приём к акиму", "Әкімнің жеке қабылдауына қалай жазылуға болады"),
            ("Какие документы нужны для обращения", "Өтінішке қандай құжаттар қажет"),
            ("Куда обратиться по вопросу жилья", "Тұрғын үй мәселесі бойынша қайда жүгіну керек"),
            ("Разъяснение порядка рассмотрения обращений", "Өтініштерді қарау тәртібін түсіндіру"),
        ]
        channels = [Channel.oral, Channel.phone, Channel.call_centre, Channel.by_hand]
        for _ in range(max(40, len(self.applicants) // 3)):
            applicant = rnd.choice(self.applicants)
            place = self.places[0] if rnd.random() < 0.5 else rnd.choice(self.places)
            given = self.now - timedelta(days=rnd.randint(0, 360), hours=rnd.randint(0, 6))
            given = given.replace(hour=rnd.randint(9, 17), minute=rnd.randint(0, 59), second=0, microsecond=0)
            if given > self.now:
                given -= timedelta(days=1)
            later = [a for a in by_applicant.get(applicant.id, []) if a.received_at > given]
            roll = rnd.random()
            if later and roll < 0.35:
                outcome, appeal = ConsultationOutcome.registered, later[0]
            elif (self.now - given).days < 3 and roll < 0.6:
                outcome, appeal = ConsultationOutcome.undecided, None
            else:
                outcome, appeal = ConsultationOutcome.declined, None
            ru, kk = rnd.choice(questions)
            c = Consultation(
                given_at=given, reception_place=place, district=applicant.district or place.district,
                channel=rnd.choice(channels), category=rnd.choice(self.topics), applicant=applicant,
                question=kk if rnd.random() < 0.45 else ru, outcome=outcome, appeal=appeal, note="",
            )
            db.session.add(c)
            age = (self.now - given).days
            if outcome is ConsultationOutcome.declined and age > 10 and rnd.random() < 0.3:
                self._call(applicant, consultation=c, day=given.date() + timedelta(days=rnd.randint(3, 9)))
            elif outcome is ConsultationOutcome.declined and 3 < age <= 10 and rnd.random() < 0.4:
                db.session.add(SurveyCall(applicant=applicant, consultation=c, planned_on=self.today,
                                          outcome=CallOutcome.planned, comment=""))

    def _appeals(self) -> None:
        rnd = self.rnd
        sessions_by_official: dict[int, list[ReceptionSession]] = {}
        for s in sorted(self.sessions, key=lambda s: (s.day, s.starts_at)):
            if s.status != SessionStatus.cancelled:
                sessions_by_official.setdefault(id(s.official), []).append(s)
        receivers = [o for o in self.officials if id(o) in sessions_by_official]
        channels, cweights = zip(*CHANNEL_WEIGHTS.items())
        start = self.now - timedelta(days=365)
        n = int(current_app.config.get("DEMO_APPEALS", N_APPEALS))
        stamps = sorted(start + timedelta(seconds=rnd.randint(0, 365 * 86400)) for _ in range(n))
        counters: dict[int, int] = {}
        booked: dict[int, int] = {}
        protocols: dict[int, Protocol] = {}
        officials_by_district: dict[int, list[Official]] = {}
        for o in receivers:
            if o.department.district is not None:
                officials_by_district.setdefault(id(o.department.district), []).append(o)
        regional = [o for o in receivers if o.department.district is None]
        for received in stamps:
            received = received.replace(microsecond=0)
            if received.hour < 8 or received.hour > 20:
                received = received.replace(hour=rnd.randint(9, 17))
            applicant = rnd.choice(self.applicants)
            district = applicant.district
            topic = rnd.choice(self.topics)
            official = rnd.choice(officials_by_district.get(id(district), []) + regional)
            place = self.places[0] if rnd.random() < 0.45 else next(p for p in self.places[1:] if p.district is district)
            registered_on = deadlines.registration_date(received, self.cal, self.rules)
            if registered_on > self.today:
                continue
            year = registered_on.year
            counters[year] = counters.get(year, 0) + 1
            due = deadlines.answer_due(registered_on, self.cal, self.rules).due
            texts = data.SUBSTANCES.get(topic.code) or [(topic.name_ru, topic.name_kk)]
            text_ru, text_kk = rnd.choice(texts)
            language = Language.kk if rnd.random() < 0.45 else Language.ru
            appeal = Appeal(
                reg_number=reg_number(year, counters[year]),  # the pack's prefix, ЖТ
                channel=rnd.choices(channels, cweights)[0], received_at=received,
                registered_on=registered_on, applicant=applicant, reception_place=place,
                district=district, category=topic, official=official,
                substance=text_kk if language == Language.kk else text_ru, language=language,
                privilege=applicant.privilege, foreigner=False, interpreter_needed=False,
                video_consent=rnd.random() < 0.1, from_reception=rnd.random() < 0.05,
                status=AppealStatus.registered, answer_due_on=due, due_on=due,
                created_at=local_to_utc(received),  # history columns hold UTC; the demo's times are local
            )
            db.session.add(appeal)
            events = [("register", None, AppealStatus.registered, "R25", "", received)]
            self._life(appeal, events, sessions_by_official, booked, protocols)
            for action, frm, to, rule, reason, at in events:
                db.session.add(
                    AppealEvent(appeal=appeal, at=local_to_utc(at), action=action, from_status=frm, to_status=to,
                                rule=rule, reason=reason, payload={})
                )
        for year, last in counters.items():
            db.session.add(RegCounter(year=year, last=last))

    def _life(self, appeal: Appeal, events: list, sessions_by_official, booked, protocols) -> None:
        """Walk an appeal through a plausible part of its life."""
        rnd = self.rnd
        age = (self.today - appeal.registered_on).days
        step_at = datetime.combine(appeal.registered_on, time(11, 0))

        def move(action, to, rule, reason="", days=1) -> date:
            nonlocal step_at
            step_at = step_at + timedelta(days=days, hours=rnd.randint(0, 5))
            step_at = min(step_at, self.now)
            events.append((action, appeal.status, to, rule, reason, step_at))
            appeal.status = to
            return step_at.date()

        roll = rnd.random()
        if age < 3:
            return
        if roll < 0.05:
            move("leave-without-consideration", AppealStatus.left_without_consideration, "R5",
                 "Не указана суть вопроса / мәні көрсетілмеген")
            return
        if roll < 0.10:
            sent = move("request-correction", AppealStatus.correction_requested, "R6", "Не указан почтовый адрес")
            appeal.correction_sent_on = sent
            appeal.correction_fix_by = sent + timedelta(days=10)
            if age > 20:
                if rnd.random() < 0.5:
                    move("return", AppealStatus.returned, "R6", "Недостатки не устранены в срок", days=10)
                else:
                    move("mark-corrected", AppealStatus.registered, "R6", "Адрес представлен", days=4)
                    appeal.correction_fix_by = None
            return
        if roll < 0.20:
            ground = rnd.choice(list(RefusalGround))
            sent = move("propose-refusal", AppealStatus.refusal_proposed, "R32", "Проект решения направлен заявителю", days=3)
            appeal.refusal_ground = ground
            appeal.refusal_motivation = "Вопрос рассмотрен, основание указано в проекте решения"
            if ground in (RefusalGround.administrative_decision_exists, RefusalGround.court_act_in_force):
                appeal.refusal_reference = f"№ {rnd.randint(10, 999)} от {sent - timedelta(days=rnd.randint(30, 300)):%d.%m.%Y}"
            appeal.draft_sent_on = appeal.draft_delivered_on = sent  # by hand or electronically
            appeal.objection_due_on = deadlines.objection_due(sent, self.cal, self.rules).due
            appeal.decision_earliest_on = deadlines.refusal_decision_earliest(sent, self.cal).due
            if age > 15:
                heard = move("record-hearing", AppealStatus.refusal_proposed, "R33", "Возражений не поступило", days=3)
                appeal.hearing_recorded_on = heard
                appeal.hearing_position = ""
                deciders = [o for o in self.officials if o.active and o.level in DECIDERS]
                appeal.refusal_decided_by = rnd.choice(deciders)  # R27: on whose behalf the office decided
                move("refuse", AppealStatus.refused, "R15", "", days=7)
            return
        if roll < 0.23:
            move("withdraw", AppealStatus.withdrawn, "R15.5", "Заявитель отозвал обращение", days=2)
            return
        if age < 6:
            return
        session = self._free_session(appeal, sessions_by_official, booked)
        if session is None:
            return
        appeal.session = session
        move("schedule", AppealStatus.scheduled, "R29", "", days=4)
        if session.day >= self.today or session.status != SessionStatus.held:
            return
        step_at = datetime.combine(session.day, session.starts_at)
        if rnd.random() < 0.06:  # another body asked to take part (R18-R20)
            asked = session.day - timedelta(days=8)
            refused = asked + timedelta(days=3) if rnd.random() < 0.25 else None
            db.session.add(ParticipationRequest(
                appeal=appeal, department=rnd.choice(self.regional_bodies), requested_on=asked,
                applicant_told_on=self.cal.add_working_days(asked, rnd.choice([0, 1, 3])),
                refused_on=refused, reported_on=self.cal.add_working_days(refused, 1) if refused else None,
            ))
        move("receive", AppealStatus.received, "R23", "", days=0)
        protocol = protocols.get(id(session))
        if protocol is None:
            protocol = Protocol(
                number=f"П-{session.day:%Y%m%d}-{len(protocols) + 1:04d}", session=session,
                drawn_up_on=session.day, summary="Протокол личного приема / Жеке қабылдау хаттамасы",
            )
            protocols[id(session)] = protocol
            db.session.add(protocol)
        db.session.add(ProtocolEntry(  # R23: the decision taken on this appeal
            protocol=protocol, appeal=appeal,
            decision="Даны поручения с конкретными сроками исполнения / Нақты орындау мерзімдері бар тапсырмалар берілді",
        ))
        answered_all = True
        for _ in range(rnd.choice([1, 1, 2])):
            due = self.cal.add_working_days(session.day, rnd.choice([10, 15, 20]))
            answered = due < self.today - timedelta(days=3) and rnd.random() < 0.9
            answered_all &= answered
            dept = appeal.official.department
            db.session.add(
                Instruction(
                    protocol=protocol, appeal=appeal,
                    text=f"Рассмотреть обращение и дать ответ заявителю: {appeal.category.name_ru.lower()}",
                    due_on=due, assignee_department=dept,
                    status=InstructionStatus.answered if answered else InstructionStatus.open,
                    final_answer="Дан мотивированный ответ, вопрос решён" if answered else None,
                    answered_on=min(due, self.today) if answered else None,
                    rework_count=1 if rnd.random() < 0.05 else 0,
                )
            )
        if answered_all and (self.today - session.day).days > 25:
            appeal.final_answer = "Заявителю дан окончательный мотивированный ответ"
            appeal.closed_on = move("close", AppealStatus.closed, "R35", appeal.final_answer, days=25)
        if (self.today - session.day).days > 10 and rnd.random() < 0.2:
            self._survey(appeal, session)


    def _free_session(self, appeal, sessions_by_official, booked):
        for s in sessions_by_official.get(id(appeal.official), []):
            if s.day <= appeal.registered_on + timedelta(days=5):
                continue
            if booked.get(id(s), 0) < s.capacity:
                booked[id(s)] = booked.get(id(s), 0) + 1
                return s
        return None

    def _survey(self, appeal: Appeal, session: ReceptionSession) -> None:
        self._call(appeal.applicant, appeal=appeal, day=session.day + timedelta(days=self.rnd.randint(7, 20)))

    def _call(self, applicant, day: date, appeal=None, consultation=None) -> None:
        """A satisfaction call made on ``day`` (never later than today)."""
        rnd = self.rnd
        day = min(day, self.today - timedelta(days=1))
        outcome = rnd.choices([CallOutcome.reached, CallOutcome.no_answer, CallOutcome.declined], [75, 18, 7])[0]
        reached = outcome == CallOutcome.reached
        db.session.add(
            SurveyCall(
                applicant=applicant, appeal=appeal, consultation=consultation,
                called_at=datetime.combine(day, time(rnd.randint(9, 17), rnd.randint(0, 59))),
                outcome=outcome,
                satisfaction=rnd.choices([1, 2, 3, 4, 5], [5, 8, 17, 35, 35])[0] if reached else None,
                resolved=rnd.choices(list(Resolved), [55, 30, 15])[0] if reached else None,
                politeness=rnd.choice([1, 2, 2, 2]) if reached else None,
                clarity=rnd.choice([1, 2, 2]) if reached else None,
                comment="" if not reached else rnd.choice(["", "Спасибо за помощь", "Вопрос решён частично", "Рақмет"]),
            )
        )
