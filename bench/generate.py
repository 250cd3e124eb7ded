"""Fill a database with N appeals of realistic shape, fast (``make bench``).

    python -m bench.generate --url DATABASE_URL --n 1000000 [--seed 1] [--fresh]

``--fresh`` recreates the database (PostgreSQL: DROP/CREATE through the
admin database; SQLite: the file is deleted), runs the app's migrations,
syncs the roles and loads the demo reference data and demo users (with no
demo appeals). Then applicants, reception sessions, protocols, appeals,
their history events, instructions and satisfaction calls are generated
with a seeded ``random.Random`` and written past the ORM: ``COPY`` on
PostgreSQL, chunked ``executemany`` on SQLite, in one transaction. The
secondary indexes of the bulk tables (and SQLite's FTS trigger) are dropped
for the load and recreated from their own stored definitions afterwards.

Rows are produced day by day in chronological order and written in chunks,
so memory stays bounded whatever N is. Every CHECK constraint of the schema
holds by construction (see ``_Life``).
"""
from __future__ import annotations

import argparse
import bisect
import os
import random
import sys
import time as _time
from datetime import date, time, timedelta
from pathlib import Path

from sqlalchemy.engine import make_url

from app.domain.vocabulary import ANSWER_ACTIONS

DEFAULT_PASSWORD = "bench-pass-123"
YEARS = 3

# --- distributions ------------------------------------------------------------
CHANNELS = [("egov_portal", 30), ("e_appeals", 20), ("by_hand", 15), ("oral", 14), ("phone", 8),
            ("post", 7), ("call_centre", 6)]
ELECTRONIC = {"egov_portal", "e_appeals"}
WEEKDAY_FACTOR = [1.30, 1.15, 1.10, 1.05, 0.95, 0.22, 0.10]  # Mon..Sun
PRIVILEGES = [("disabled", 34), ("labour_veteran", 22), ("pregnant", 10), ("combat_veteran", 8),
              ("altyn_kyran", 6), ("wwii_equal", 5), ("enbek_eri", 3), ("halyk_kaharmany", 1),
              ("wwii_veteran", 1)]
REFUSAL_GROUNDS = [("out_of_competence", 40), ("administrative_decision_exists", 20),
                   ("court_act_in_force", 15), ("returned_by_body", 10), ("withdrawn", 15)]

VILLAGES = [
    ("Карабулак", "Қарабұлақ"), ("Сарыозек", "Сарыөзек"), ("Балпык би", "Балпық би"),
    ("Жансугуров", "Жансүгіров"), ("Кабанбай", "Қабанбай"), ("Лепсы", "Лепсі"), ("Ушарал", "Үшарал"),
    ("Достык", "Достық"), ("Кызылагаш", "Қызылағаш"), ("Мукры", "Мұқыры"), ("Акешки", "Әкешкі"),
    ("Екпенды", "Екпінді"), ("Косагаш", "Қосағаш"), ("Коктал", "Көктал"), ("Чунджа", "Шонжы"),
    ("Айнабулак", "Айнабұлақ"), ("Кольбай", "Қөлбай"), ("Матай", "Матай"), ("Жылыбулак", "Жылыбұлақ"),
    ("Тополевка", "Тополевка"), ("Бирлик", "Бірлік"), ("Енбекши", "Еңбекші"), ("Коксу", "Көксу"),
]
RU_OPEN = ["Прошу решить вопрос", "Прошу принять по вопросу", "Обращаюсь по вопросу",
           "Прошу оказать содействие в решении вопроса", "Прошу разобраться в вопросе",
           "Прошу личного приема по вопросу"]
RU_DETAIL = ["Ранее обращался, ответа не получил.", "Вопрос не решается с {y} года.", "Прошу принять меры.",
             "Прошу личного приема у акима.", "Жители обращались коллективно.", "Прилагаю копии документов.",
             "Ответ районного акимата меня не устраивает.", "", ""]
KK_PLACE = ["{v} ауылындағы", "{c} қаласындағы", "Ауылдағы", "Біздің көшедегі", "Ауданымыздағы"]
KK_DETAIL = ["Бұрын жүгіндім, жауап алмадым.", "Мәселе {y} жылдан бері шешілмей келеді.",
             "Шара қолдануды сұраймын.", "Әкімнің жеке қабылдауына жазылуды сұраймын.",
             "Тұрғындар ұжымдық түрде жүгінді.", "Құжаттардың көшірмелерін қоса беремін.", "", ""]
FINAL_ANSWERS = ["Заявителю дан окончательный мотивированный ответ", "Вопрос решён положительно, заявитель уведомлён",
                 "Дано разъяснение по существу вопроса", "Өтініш беруші қорытынды дәлелді жауап алды"]
SURVEY_COMMENTS = ["", "", "Спасибо за помощь", "Вопрос решён частично", "Рақмет", "Долго ждал ответа",
                   "Көмектескендеріңізге рақмет"]

# --- columns ---------------------------------------------------------------------
APPLICANT_COLS = ("id", "kind", "full_name", "iin", "organization", "bin", "authority_document", "phone",
                  "email", "address", "district_id", "privilege", "foreigner", "registered_place_id")
SESSION_COLS = ("id", "official_id", "place_id", "day", "starts_at", "ends_at", "capacity", "kind", "status",
                "order_ref", "order_date", "approved_by_id", "approved_at", "cancel_reason", "staff_notified_at",
                "cancelled_for_illness", "notice_late")
PROTOCOL_COLS = ("id", "number", "session_id", "drawn_up_on", "summary", "created_by_id")
APPEAL_COLS = ("id", "reg_number", "external_id", "channel", "received_at", "registered_on", "applicant_id",
               "reception_place_id", "district_id", "category_id", "official_id", "substance", "language",
               "privilege", "foreigner", "interpreter_needed", "video_consent", "from_reception", "status",
               "answer_due_on", "due_on", "session_id", "assignee_id", "refusal_ground", "correction_fix_by",
               "correction_sent_on", "refusal_motivation", "refusal_reference", "draft_sent_on",
               "objection_due_on", "decision_earliest_on", "hearing_recorded_on", "hearing_position",
               "extension_notice_due_on", "final_answer", "closed_on", "created_at", "created_by_id", "version",
               "answered_on")
EVENT_COLS = ("id", "appeal_id", "at", "user_id", "action", "from_status", "to_status", "rule", "reason",
              "payload")
INSTRUCTION_COLS = ("id", "protocol_id", "appeal_id", "text", "due_on", "assignee_department_id",
                    "assignee_official_id", "status", "final_answer", "answered_on", "rework_count",
                    "from_reception")
CALL_COLS = ("id", "applicant_id", "appeal_id", "caller_id", "planned_on", "called_at", "outcome",
             "satisfaction", "resolved", "politeness", "clarity", "comment")
# Reception slots of half an hour (an official's busy day takes several).
SLOTS = [f"{h:02d}:{m:02d}" for h in range(9, 18) for m in (0, 30)]
BULK_TABLES = ("applicant", "reception_session", "protocol", "appeal", "appeal_event", "instruction",
               "survey_call")


def log(msg: str) -> None:
    print(msg, flush=True)


def _cum(weights):
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


# --- database preparation ------------------------------------------------------------
def _is_pg(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def recreate_database(url: str) -> None:
    """PostgreSQL: drop and create the database of ``url``; SQLite: delete the file."""
    u = make_url(url)
    if _is_pg(url):
        import psycopg

        name = u.database
        for admin_db in ("postgres", "test"):
            try:
                conn = psycopg.connect(_psycopg_dsn(u.set(database=admin_db)), autocommit=True)
                break
            except psycopg.OperationalError:
                conn = None
        if conn is None:
            raise RuntimeError("cannot reach an admin database (postgres or test)")
        with conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        path = u.database
        if path and path != ":memory:":
            for suffix in ("", "-wal", "-shm", "-journal"):
                p = Path(path + suffix)
                if p.exists():
                    p.unlink()
            Path(path).parent.mkdir(parents=True, exist_ok=True)


def _psycopg_dsn(u) -> str:
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def make_config(url: str):
    from config import TestingConfig

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        DEMO_APPEALS = 0
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    return BenchConfig


def build_schema(app, password: str) -> None:
    from flask_migrate import upgrade

    from app.demo.loader import load_demo
    from app.security.sync import sync_roles

    with app.app_context():
        upgrade()
        sync_roles()
        load_demo(password)


# --- the reference data and the calendar, read through the app ---------------------
class Reference:
    def __init__(self, app):
        from sqlalchemy import text

        from app.domain import deadlines
        from app.extensions import db
        from app.services.calendar import counting_rules, working_calendar
        from app.services.clock import now_local

        with app.app_context():
            q = lambda sql: db.session.execute(text(sql)).all()  # noqa: E731
            self.now = now_local().replace(tzinfo=None, microsecond=0)
            self.today = self.now.date()
            self.districts = q("SELECT id, population, name_ru, name_kk, centre_ru, centre_kk FROM district ORDER BY kato")
            self.places = q("SELECT id, district_id, kind FROM reception_place ORDER BY id")
            self.officials = q(
                "SELECT o.id, o.level, o.department_id, d.district_id, o.active FROM official o "
                "JOIN department d ON d.id = o.department_id ORDER BY o.id"
            )
            cats = q("SELECT id, code, name_ru, name_kk, parent_id, active FROM category ORDER BY code")
            parents = {c.parent_id for c in cats if c.parent_id is not None}
            self.leaves = [c for c in cats if c.id not in parents and c.active and c.parent_id is not None]
            users = dict(q("SELECT username, id FROM ab_user"))
            self.clerks = [users[u] for u in ("clerk", "clerk2", "manager", "responsible") if u in users]
            self.manager_id = users.get("manager")
            self.used_slots = {(r[0], r[1], str(r[2])[:5]) for r in q(
                "SELECT official_id, day, starts_at FROM reception_session")}
            self.used_slots = {(o, d if isinstance(d, date) else date.fromisoformat(d), s)
                               for o, d, s in self.used_slots}
            self.max_ids = {t: q(f"SELECT COALESCE(MAX(id), 0) FROM {t}")[0][0] for t in BULK_TABLES}
            self.reg_counters = dict(q("SELECT year, last FROM reg_counter"))

            cal, rules = working_calendar(), counting_rules()
            self.workday_end = rules.workday_end
            self.base = self.today - timedelta(days=365 * YEARS + 10)
            end = self.today + timedelta(days=400)
            span = (end - self.base).days + 1
            self.days = [self.base + timedelta(days=i) for i in range(span)]
            self.is_work = [cal.is_working_day(d) for d in self.days]
            # Index of the first working day on or after each day, and a list
            # of working-day indexes (add n working days = step n along it).
            self.work_list = [i for i, w in enumerate(self.is_work) if w]
            self.wpos, j = [0] * span, len(self.work_list)
            for i in range(span - 1, -1, -1):
                if self.is_work[i]:
                    j -= 1
                self.wpos[i] = min(j, len(self.work_list) - 1)
            self.answer_due = [0] * span
            limit = (self.today - self.base).days + 40
            for i in range(limit):
                if self.is_work[i]:
                    due = deadlines.answer_due(self.days[i], cal, rules).due
                    self.answer_due[i] = (due - self.base).days
        self.span = span

    def on_or_after(self, i: int) -> int:
        return self.work_list[self.wpos[i]]

    def next_working(self, i: int) -> int:
        j = self.wpos[i]
        return self.work_list[j + 1] if self.work_list[j] == i else self.work_list[j]

    def add_wd(self, i: int, n: int) -> int:
        """The n-th working day after day i (i itself on a non-working day counts as before it)."""
        j = self.wpos[i]
        if self.work_list[j] != i:
            j -= 1
        return self.work_list[min(j + n, len(self.work_list) - 1)]


# --- writers ---------------------------------------------------------------------------
class PgWriter:
    dt_suffix = ""

    def __init__(self, url: str, fk_checks: bool):
        import psycopg

        self.conn = psycopg.connect(_psycopg_dsn(make_url(url)))
        self.cur = self.conn.cursor()
        self.cur.execute("SET synchronous_commit = off")
        self.cur.execute("SET maintenance_work_mem = '1GB'")
        if not fk_checks:
            # Rows are consistent by construction; skip the per-row RI triggers.
            self.cur.execute("SET session_replication_role = replica")
        self.dropped: list[str] = []

    def drop_indexes(self, tables) -> None:
        rows = self.cur.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = current_schema() AND t.relname = ANY(%s) "
            "AND NOT x.indisunique AND NOT x.indisprimary ORDER BY i.relname",
            (list(tables),),
        ).fetchall()
        for name, definition in rows:
            self.cur.execute(f'DROP INDEX "{name}"')
            self.dropped.append(definition)

    def restore_indexes(self) -> None:
        for definition in self.dropped:
            t0 = _time.monotonic()
            self.cur.execute(definition)
            log(f"  index rebuilt in {_time.monotonic() - t0:5.1f}s: {definition.split(' ON ')[0].split()[-1]}")

    def write(self, table: str, cols, rows) -> None:
        if not rows:
            return
        with self.cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
            write_row = cp.write_row
            for r in rows:
                write_row(r)

    def finish(self, reg_counters: dict[int, int]) -> None:
        for table in BULK_TABLES:
            self.cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )
        self._counters(reg_counters)
        self.cur.execute("SET session_replication_role = origin")
        self.conn.commit()
        self.conn.autocommit = True
        t0 = _time.monotonic()
        # VACUUM too: a bulk load leaves the visibility map unset, so no
        # index-only scan would be chosen until autovacuum came by
        self.cur.execute("VACUUM ANALYZE")
        log(f"  VACUUM ANALYZE in {_time.monotonic() - t0:.1f}s")
        self.conn.close()

    def _counters(self, reg_counters):
        for year, last in sorted(reg_counters.items()):
            self.cur.execute(
                "INSERT INTO reg_counter (year, last) VALUES (%s, %s) "
                "ON CONFLICT (year) DO UPDATE SET last = GREATEST(reg_counter.last, EXCLUDED.last)",
                (year, last),
            )

    def count(self, table: str) -> int:
        return self.cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


class SqliteWriter:
    dt_suffix = ".000000"

    def __init__(self, url: str, fk_checks: bool):
        import sqlite3

        self.conn = sqlite3.connect(make_url(url).database, isolation_level=None)
        self.cur = self.conn.cursor()
        self.cur.execute("PRAGMA journal_mode=WAL")
        self.cur.execute("PRAGMA synchronous=OFF")
        self.cur.execute("PRAGMA cache_size=-400000")
        self.cur.execute("PRAGMA temp_store=MEMORY")
        self.cur.execute(f"PRAGMA foreign_keys={'ON' if fk_checks else 'OFF'}")
        self.cur.execute("BEGIN")
        self.dropped: list[str] = []
        self.fts = False

    def drop_indexes(self, tables) -> None:
        marks = ",".join("?" * len(tables))
        rows = self.cur.execute(
            f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            f"AND tbl_name IN ({marks}) AND sql IS NOT NULL ORDER BY type, name",
            tuple(tables),
        ).fetchall()
        for kind, name, sql in rows:
            if kind == "index" and "UNIQUE" in sql.upper().split("INDEX")[0]:
                continue
            if kind == "trigger" and not name.startswith("appeal_fts"):
                continue
            self.cur.execute(f'DROP {kind.upper()} "{name}"')
            self.dropped.append(sql)
            self.fts |= name.startswith("appeal_fts")

    def restore_indexes(self) -> None:
        for sql in self.dropped:
            t0 = _time.monotonic()
            self.cur.execute(sql)
            log(f"  rebuilt in {_time.monotonic() - t0:5.1f}s: {sql[:60]}")
        if self.fts:
            t0 = _time.monotonic()
            self.cur.execute("INSERT INTO appeal_fts(appeal_fts) VALUES ('rebuild')")
            log(f"  FTS rebuilt in {_time.monotonic() - t0:5.1f}s")

    def write(self, table: str, cols, rows) -> None:
        if rows:
            self.cur.executemany(
                f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows
            )

    def finish(self, reg_counters: dict[int, int]) -> None:
        for year, last in sorted(reg_counters.items()):
            self.cur.execute(
                "INSERT INTO reg_counter (year, last) VALUES (?, ?) "
                "ON CONFLICT (year) DO UPDATE SET last = MAX(reg_counter.last, excluded.last)",
                (year, last),
            )
        self.cur.execute("COMMIT")
        t0 = _time.monotonic()
        self.cur.execute("ANALYZE")
        self.cur.execute("PRAGMA synchronous=NORMAL")
        self.cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        log(f"  ANALYZE in {_time.monotonic() - t0:.1f}s")
        self.conn.close()

    def count(self, table: str) -> int:
        return self.cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# --- the generator ------------------------------------------------------------------------
class Generator:
    def __init__(self, ref: Reference, writer, n: int, seed: int, chunk: int):
        from app.demo import data
        from app.domain.identifiers import control_digit

        self.ref, self.w, self.n, self.chunk = ref, writer, n, chunk
        self.rnd = random.Random(seed)
        self.data = data
        self.control_digit = control_digit
        self.sfx = writer.dt_suffix
        self.counts = dict.fromkeys(BULK_TABLES, 0)
        self.next_id = {t: ref.max_ids[t] + 1 for t in BULK_TABLES}
        self.reg_counters = dict(ref.reg_counters)
        self.ds = [d.isoformat() for d in ref.days]  # date strings by day index
        self.today_i = (ref.today - ref.base).days

    # -- helpers --
    def identifier(self, first11) -> str:
        """An ИИН/БИН: ``first11()`` drawn until its control digit exists."""
        while True:
            head = first11()
            c = self.control_digit(head)
            if c is not None:
                return head + str(c)

    def dt(self, i: int, h: int, m: int, s: int = 0) -> str:
        return f"{self.ds[i]} {h:02d}:{m:02d}:{s:02d}{self.sfx}"

    def _id(self, table: str) -> int:
        v = self.next_id[table]
        self.next_id[table] = v + 1
        return v

    # -- applicants --
    def applicants(self) -> None:
        ref, rnd, data = self.ref, self.rnd, self.data
        n_app = max(50, self.n // 3)
        dcum = _cum([d.population or 1 for d in ref.districts])
        self.dcum = dcum
        place_of_district = {}
        for p in ref.places:
            if p.kind == "reception_centre":
                place_of_district.setdefault(p.district_id, p.id)
        self.public_place = next((p.id for p in ref.places if p.kind == "public_reception"), ref.places[0].id)
        self.place_of_district = place_of_district
        pcodes, pcum = zip(*PRIVILEGES)
        pcum = _cum(pcum)
        streets = data.STREETS
        self.app_by_district: list[list[int]] = [[] for _ in ref.districts]
        self.app_priv: dict[int, str] = {}
        rows = []
        t0 = _time.monotonic()
        for _ in range(n_app):
            aid = self._id("applicant")
            di = bisect.bisect(dcum, rnd.random() * dcum[-1])
            d = ref.districts[di]
            female = rnd.random() < 0.55
            k = rnd.randrange(len(data.SURNAMES_MALE))
            surname = data.SURNAMES_FEMALE[k] if female else data.SURNAMES_MALE[k]
            first = rnd.choice(data.FIRST_NAMES_FEMALE if female else data.FIRST_NAMES_MALE)
            root = rnd.choice(data.PATRONYMIC_ROOTS)
            if rnd.random() < 0.25:
                patronymic = root + ("қызы" if female else "ұлы")
            elif root.endswith(("ий", "ей")):
                patronymic = root[:-1] + ("евна" if female else "евич")
            else:
                patronymic = root + ("овна" if female else "ович")
            born = 1935 + rnd.randrange(70)
            bm, bd = rnd.randint(1, 12), rnd.randint(1, 28)
            iin = None
            if rnd.random() < 0.97:
                century = ("4" if female else "3") if born < 2000 else ("6" if female else "5")
                iin = self.identifier(lambda: f"{born % 100:02d}{bm:02d}{bd:02d}{century}{rnd.randrange(10000):04d}")  # noqa: B023
            legal = rnd.random() < 0.05
            org = bin_ = auth = None
            if legal:
                org = rnd.choice(data.LEGAL_ENTITIES)
                bin_ = self.identifier(
                    lambda: f"{rnd.randrange(24):02d}{rnd.randint(1, 12):02d}4{rnd.randrange(1000000):06d}")
                auth = f"Доверенность № {rnd.randint(1, 300)}"
            priv = None
            if born < 1946 and rnd.random() < 0.5:
                priv = "wwii_equal"
            elif rnd.random() < 0.08:
                priv = pcodes[bisect.bisect(pcum, rnd.random() * pcum[-1])]
            if priv:
                self.app_priv[aid] = priv
            foreigner = rnd.random() < 0.005
            phone = f"+7 7{rnd.choice(('01', '02', '05', '07', '47', '71', '77'))} {rnd.randint(100, 999)} {rnd.randint(10, 99)} {rnd.randint(10, 99)}"
            email = f"user{aid}@mail.kz" if rnd.random() < 0.2 else None
            address = f"{d.centre_ru}, {rnd.choice(streets)}, {rnd.randint(1, 150)}"
            place = place_of_district.get(d.id) if rnd.random() < 0.6 else self.public_place
            rows.append((aid, "legal_entity" if legal else "individual", f"{surname} {first} {patronymic}", iin,
                         org, bin_, auth, phone, email, address, d.id, priv, foreigner, place))
            self.app_by_district[di].append(aid)
            if len(rows) >= self.chunk:
                self._flush("applicant", APPLICANT_COLS, rows)
        self._flush("applicant", APPLICANT_COLS, rows)
        # Frequent appellants: within a district, the first applicants are picked more often.
        log(f"  applicants: {self.counts['applicant']:,} in {_time.monotonic() - t0:.1f}s")

    def _flush(self, table, cols, rows) -> None:
        self.w.write(table, cols, rows)
        self.counts[table] += len(rows)
        rows.clear()

    # -- appeals (and sessions, protocols, events, instructions, calls) --
    def appeals(self) -> None:
        ref, rnd = self.ref, self.rnd
        today_i = self.today_i
        start_i = today_i - 365 * YEARS
        # Day weights: weekday, season (winter heating peak, a summer low), growth, holidays.
        import math

        weights = []
        for i in range(start_i, today_i):
            d = ref.days[i]
            doy = d.timetuple().tm_yday
            w = WEEKDAY_FACTOR[d.weekday()]
            w *= 1 + 0.22 * math.cos(2 * math.pi * (doy - 20) / 365.25) + 0.08 * math.cos(4 * math.pi * (doy - 60) / 365.25)
            w *= 0.8 + 0.4 * (i - start_i) / (today_i - start_i)
            if d.weekday() < 5 and not ref.is_work[i]:
                w *= 0.25
            weights.append(w)
        total = sum(weights)
        per_day, acc, prev = [], 0.0, 0
        for w in weights:
            acc += w
            cur = round(self.n * acc / total)
            per_day.append(cur - prev)
            prev = cur

        # Officials: the receivers (active, not authorised employees), by district.
        receivers = [o for o in ref.officials if o.active and o.level != "authorised_employee"]
        self.off_dept = {o.id: o.department_id for o in ref.officials}
        regional = [o.id for o in receivers if o.district_id is None] or [o.id for o in receivers]
        by_district: dict[int, list[int]] = {}
        for o in receivers:
            if o.district_id is not None:
                by_district.setdefault(o.district_id, []).append(o.id)
        self.off_place = {o.id: self.place_of_district.get(o.district_id, self.public_place) for o in receivers}
        # Categories: Zipf over the active leaves in a seeded random rank order.
        leaves = list(ref.leaves)
        rnd.shuffle(leaves)
        ccum = _cum([1.0 / (r + 1) ** 0.9 for r in range(len(leaves))])
        texts = self._texts(leaves)
        ch_codes, ch_cum = zip(*CHANNELS)
        ch_cum = _cum(ch_cum)
        dcum, districts = self.dcum, ref.districts
        app_by_district = self.app_by_district

        self.sessions_by_off: dict[int, list] = {}
        self.booked_out = 0
        self.rows = {t: [] for t in ("reception_session", "protocol", "appeal", "appeal_event", "instruction",
                                     "survey_call")}
        A = self.rows["appeal"]
        life = _Life(self)
        t0, done, next_report = _time.monotonic(), 0, max(1, self.n // 10)
        for k, count in enumerate(per_day):
            day_i = start_i + k
            if not count:
                continue
            stamps = sorted(self._time_of_day() for _ in range(count))
            for sec in stamps:
                h, rem = divmod(sec, 3600)
                m, s = divmod(rem, 60)
                received_at = self.dt(day_i, h, m, s)
                if ref.is_work[day_i] and time(h, m, s) < ref.workday_end:
                    reg_i = day_i
                else:
                    reg_i = ref.next_working(day_i)
                year = ref.days[reg_i].year
                num = self.reg_counters.get(year, 0) + 1
                self.reg_counters[year] = num
                aid = self._id("appeal")
                di = bisect.bisect(dcum, rnd.random() * dcum[-1])
                district = districts[di]
                pool = app_by_district[di] or app_by_district[0]
                applicant = pool[int(len(pool) * rnd.random() ** 1.6)]
                leaf = leaves[bisect.bisect(ccum, rnd.random() * ccum[-1])]
                local = by_district.get(district.id)
                official = rnd.choice(local) if local and rnd.random() < 0.55 else rnd.choice(regional)
                place = self.public_place if rnd.random() < 0.4 else self.place_of_district.get(district.id, self.public_place)
                channel = ch_codes[bisect.bisect(ch_cum, rnd.random() * ch_cum[-1])]
                kk = rnd.random() < 0.45
                substance = texts(leaf, district, kk, year)
                foreigner = rnd.random() < 0.004
                created_by = None if channel in ELECTRONIC else rnd.choice(ref.clerks)
                if reg_i == day_i or reg_i > self.today_i:
                    cmin = min(h * 60 + m + rnd.randint(2, 90), 1439)
                    created_at = self.dt(day_i, cmin // 60, cmin % 60, s)
                else:
                    created_at = self.dt(reg_i, 9, rnd.randrange(60), s)
                row = [aid, f"ЖТ-{year}-{num:06d}", f"EO-{aid:010d}" if channel in ELECTRONIC else None, channel,
                       received_at, self.ds[reg_i], applicant, place, district.id, leaf.id, official, substance,
                       "kk" if kk else "ru", self.app_priv.get(applicant), foreigner,
                       foreigner and rnd.random() < 0.5, rnd.random() < 0.1, rnd.random() < 0.05,
                       "registered", None, None, None, None, None, None, None, None, None, None, None, None, None,
                       None, None, None, None, created_at, created_by, 1, None]
                life.run(row, reg_i, created_at, created_by, leaf)
                A.append(row)
            done += count
            if len(A) >= self.chunk:
                self._flush_appeals()
            if done >= next_report:
                log(f"  appeals: {done:,}/{self.n:,} ({_time.monotonic() - t0:.1f}s)")
                next_report += max(1, self.n // 10)
        self._flush_appeals()
        log(f"  appeals: {self.counts['appeal']:,} in {_time.monotonic() - t0:.1f}s"
            + (f" ({self.booked_out:,} found no free reception)" if self.booked_out else ""))

    def _flush_appeals(self) -> None:
        R = self.rows
        self._flush("reception_session", SESSION_COLS, R["reception_session"])
        self._flush("protocol", PROTOCOL_COLS, R["protocol"])
        self._flush("appeal", APPEAL_COLS, R["appeal"])
        self._flush("appeal_event", EVENT_COLS, R["appeal_event"])
        self._flush("instruction", INSTRUCTION_COLS, R["instruction"])
        self._flush("survey_call", CALL_COLS, R["survey_call"])

    def _time_of_day(self) -> int:
        """Seconds after midnight: office hours mostly, portals around the clock."""
        r = self.rnd.random()
        if r < 0.86:
            return int(self.rnd.triangular(9 * 3600, 18 * 3600 + 1799, 11 * 3600))
        if r < 0.95:
            return self.rnd.randrange(18 * 3600 + 1800, 86400)
        return self.rnd.randrange(7 * 3600, 9 * 3600)

    def _texts(self, leaves):
        """A function composing the substance of an appeal about a category."""
        rnd, data = self.rnd, self.data
        lower = lambda s: s[:1].lower() + s[1:]  # noqa: E731
        info = {}
        for leaf in leaves:
            info[leaf.id] = (lower(leaf.name_ru), lower(leaf.name_kk), data.SUBSTANCES.get(leaf.code[:5], []))

        def compose(leaf, district, kk: bool, year: int) -> str:
            name_ru, name_kk, canned = info[leaf.id]
            r = rnd.random()
            if canned and r < 0.35:
                text = rnd.choice(canned)[1 if kk else 0]
            elif kk:
                v_ru, v_kk = rnd.choice(VILLAGES)
                place = rnd.choice(KK_PLACE).format(v=v_kk, c=district.centre_kk.replace(" қаласы", ""))
                text = f"{place[:1].upper()}{place[1:]} {name_kk} мәселесі бойынша қабылдауыңызды сұраймын."
            else:
                v_ru, v_kk = rnd.choice(VILLAGES)
                where = rnd.choice((f"в селе {v_ru}", f"в {district.centre_ru}", f"в селе {v_ru}, {district.name_ru}",
                                    f"по адресу: {district.centre_ru}, {rnd.choice(data.STREETS)}, {rnd.randint(1, 150)}"))
                text = f"{rnd.choice(RU_OPEN)}: {name_ru} {where}."
            detail = rnd.choice(KK_DETAIL if kk else RU_DETAIL)
            if detail:
                text += " " + detail.format(y=year - rnd.randint(1, 8))
            return text

        return compose

    # -- sessions --
    def session_for(self, official: int, target_i: int):
        """A reception session of ``official`` on or after day ``target_i`` with a free seat."""
        ref, rnd = self.ref, self.rnd
        lst = self.sessions_by_off.setdefault(official, [])
        while lst and lst[0][1] < target_i - 30:
            lst.pop(0)
        for rec in lst:
            if target_i <= rec[1] <= target_i + 10 and rec[2] < rec[3]:
                rec[2] += 1
                return rec
        day_i = ref.on_or_after(target_i + rnd.randint(0, 3))
        while True:
            free = [h for h in SLOTS if (official, ref.days[day_i], h) not in ref.used_slots]
            if free:
                break
            day_i = ref.next_working(day_i)
            if day_i > target_i + 60:  # the official is booked out: no reception for this appeal
                self.booked_out += 1
                if self.booked_out == 1:
                    log(f"  note: official {official} booked out around {ref.days[target_i]} "
                        f"({len(lst)} sessions in view)")
                return None
        slot = free[0] if len(free) < len(SLOTS) else rnd.choice(free)
        ref.used_slots.add((official, ref.days[day_i], slot))
        end = SLOTS[SLOTS.index(slot) + 1] if slot != SLOTS[-1] else "18:00"
        sid = self._id("reception_session")
        cap = rnd.choice((8, 10, 12, 15))
        rec = [sid, day_i, 1, cap, None]  # id, day, booked, capacity, protocol id
        held = day_i < self.today_i
        kind, order_ref, order_date = "regular", None, None
        r = rnd.random()
        if r < 0.03:
            kind = "video"
        elif r < 0.04:
            kind, order_ref, order_date = "off_roster", f"№ {rnd.randint(10, 400)}-р", self.ds[max(0, day_i - 5)]
        approved = self.dt(max(0, day_i - 12), 10, 0)
        self.rows["reception_session"].append((
            sid, official, self.off_place.get(official, self.public_place), self.ds[day_i],
            f"{slot}:00{self.sfx}", f"{end}:00{self.sfx}", cap, kind,
            "held" if held else "approved", order_ref, order_date, self.ref.manager_id, approved, None, None,
            False, False))
        lst.append(rec)
        lst.sort(key=lambda x: x[1])
        return rec

    def protocol_for(self, rec) -> int:
        if rec[4] is None:
            pid = self._id("protocol")
            rec[4] = pid
            self.rows["protocol"].append((pid, f"П-{self.ds[rec[1]].replace('-', '')}-{rec[0]:06d}", rec[0],
                                          self.ds[rec[1]], "Протокол личного приема / Жеке қабылдау хаттамасы",
                                          self.ref.manager_id))
        return rec[4]


# Column positions in an appeal row.
(C_ID, C_REG, C_EXT, C_CHANNEL, C_RECEIVED, C_REGON, C_APPLICANT, C_PLACE, C_DISTRICT, C_CATEGORY, C_OFFICIAL,
 C_SUBSTANCE, C_LANG, C_PRIV, C_FOREIGN, C_INTERP, C_VIDEO, C_FROMREC, C_STATUS, C_ANSDUE, C_DUE, C_SESSION,
 C_ASSIGNEE, C_GROUND, C_FIXBY, C_CORRSENT, C_MOTIV, C_REFREF, C_DRAFT, C_OBJDUE, C_DECEARLY, C_HEARING,
 C_HEARPOS, C_EXTNOTICE, C_FINAL, C_CLOSED, C_CREATED, C_CREATEDBY, C_VERSION, C_ANSWERED) = range(40)


class _Life:
    """What happened to an appeal by today: its status, the workflow fields
    each status requires (the CHECK constraints) and its history events."""

    def __init__(self, g: Generator):
        self.g = g
        self.ref = g.ref
        self.rnd = g.rnd
        self.gcodes, gw = zip(*REFUSAL_GROUNDS)
        self.gcum = _cum(gw)

    def run(self, row, reg_i, created_at, user, leaf) -> None:
        g, ref, rnd = self.g, self.ref, self.rnd
        ds, today = g.ds, g.today_i
        ans_i = ref.answer_due[reg_i]
        row[C_ANSDUE] = row[C_DUE] = ds[ans_i]
        aid = row[C_ID]
        ev = g.rows["appeal_event"]
        ev.append((g._id("appeal_event"), aid, created_at, user, "register", None, "registered", "R25", "",
                   f'{{"registered_on": "{ds[reg_i]}", "answer_due_on": "{ds[ans_i]}"}}'))
        status = "registered"

        def event(day_i, action, to, rule, reason=""):
            nonlocal status
            at = g.dt(day_i, rnd.randint(9, 17), rnd.randrange(60))
            ev.append((g._id("appeal_event"), aid, at, user, action, status, to, rule, reason, "{}"))
            status = row[C_STATUS] = to
            if action in ANSWER_ACTIONS and row[C_ANSWERED] is None:
                row[C_ANSWERED] = g.ds[day_i]  # as the app's listener keeps it

        age = today - reg_i
        if age < 2:
            return
        roll = rnd.random()
        if roll < 0.05:  # R5: left without consideration
            event(min(today, reg_i + rnd.randint(1, 4)), "leave-without-consideration", "left_without_consideration",
                  "R5", "Не указана суть вопроса / мәні көрсетілмеген")
        elif roll < 0.10:  # R6: a correction asked for; returned when not made in time
            sent = min(today, ref.add_wd(reg_i, rnd.randint(1, 3)))
            event(sent, "request-correction", "correction_requested", "R6", "Не указан почтовый адрес")
            row[C_CORRSENT], row[C_FIXBY] = ds[sent], ds[sent + 10]
            if sent + 12 < today:
                event(sent + 11, "return", "returned", "R6", "Недостатки не устранены в срок")
        elif roll < 0.20:  # R32, R15: refusal proposed, then refused
            sent = min(today, ref.add_wd(reg_i, rnd.randint(2, 9)))
            ground = self.gcodes[bisect.bisect(self.gcum, rnd.random() * self.gcum[-1])]
            event(sent, "propose-refusal", "refusal_proposed", "R32", "Проект решения направлен заявителю")
            row[C_GROUND], row[C_DRAFT] = ground, ds[sent]
            row[C_MOTIV] = "Вопрос рассмотрен, основание указано в проекте решения"
            if ground in ("administrative_decision_exists", "court_act_in_force"):
                row[C_REFREF] = f"№ {rnd.randint(10, 999)} от {ref.days[max(0, sent - rnd.randint(30, 300))]:%d.%m.%Y}"
            obj = ref.add_wd(sent, 2)
            row[C_OBJDUE], row[C_DECEARLY] = ds[obj], ds[ref.add_wd(sent, 3)]
            if obj + 3 < today and rnd.random() < 0.97:
                heard = obj + 1
                event(heard, "record-hearing", "refusal_proposed", "R33", "Возражений не поступило")
                row[C_HEARING], row[C_HEARPOS] = ds[heard], ""
                event(min(today, ref.add_wd(heard, rnd.randint(1, 4))), "refuse", "refused", "R15")
        elif roll < 0.23:  # withdrawn by the applicant
            event(min(today, reg_i + rnd.randint(1, 10)), "withdraw", "withdrawn", "R15.5",
                  "Заявитель отозвал обращение")
        else:  # the answer with the date of a reception, the reception, the close
            due_i = ans_i
            if age > 10 and rnd.random() < 0.05:  # R30: the term extended
                at = min(today, reg_i + rnd.randint(3, 8))
                if rnd.random() < 0.7:
                    due_i, rule = max(ans_i, ref.on_or_after(reg_i + 29)), "R30a"
                else:
                    due_i, rule = max(ans_i, ref.on_or_after(reg_i + 60)), "R30b"
                    row[C_EXTNOTICE] = ds[ref.add_wd(at, 3)]
                row[C_DUE] = ds[due_i]
                event(at, "extend", "registered", rule, "Требуется дополнительное изучение вопроса")
            r = rnd.random()
            if r < 0.84:
                sched = reg_i + rnd.randint(1, 12)
            elif r < 0.93:
                sched = reg_i + rnd.randint(12, max(13, due_i - reg_i))
            else:  # answered late
                sched = due_i + rnd.randint(1, 15)
            if sched >= today or (age > 20 and rnd.random() < 0.01):
                return  # still waiting for the answer (overdue when past due_on)
            rec = g.session_for(row[C_OFFICIAL], sched + rnd.randint(2, 12))
            if rec is None:
                return
            row[C_SESSION] = rec[0]
            event(sched, "schedule", "scheduled", "R29")
            day = rec[1]
            if day >= today:
                return
            rnd_ = rnd.random()
            event(day, "receive", "received", "R23")
            pid = g.protocol_for(rec)
            close_i = day + rnd.randint(12, 45)
            dep = g.off_dept[row[C_OFFICIAL]]
            due_ins = ref.add_wd(day, rnd.choice((10, 15, 20)))
            text = f"Рассмотреть обращение и дать ответ заявителю: {leaf.name_ru[:1].lower()}{leaf.name_ru[1:]}"
            if close_i < today and rnd_ < 0.94:
                answered = min(close_i - 1, due_ins if rnd.random() < 0.85 else due_ins + rnd.randint(1, 10))
                answered = max(answered, day)
                final = rnd.choice(FINAL_ANSWERS)
                g.rows["instruction"].append((g._id("instruction"), pid, aid, text, ds[due_ins], dep, None,
                                              "answered", final, ds[answered], int(rnd.random() < 0.05), True))
                row[C_FINAL], row[C_CLOSED] = final, ds[close_i]
                event(close_i, "close", "closed", "R35", final)
                if rnd.random() < 0.03:
                    self.survey(row, close_i)
            else:
                done = due_ins < today - 3 and rnd.random() < 0.5
                g.rows["instruction"].append((g._id("instruction"), pid, aid, text, ds[due_ins], dep, None,
                                              "answered" if done else "open",
                                              "Дан промежуточный ответ" if done else None,
                                              ds[due_ins] if done else None, 0, True))

    def survey(self, row, close_i) -> None:
        g, rnd = self.g, self.rnd
        call_i = min(g.today_i - 1, close_i + rnd.randint(2, 20))
        r = rnd.random()
        outcome = "reached" if r < 0.75 else ("no_answer" if r < 0.93 else "declined")
        reached = outcome == "reached"
        g.rows["survey_call"].append((
            g._id("survey_call"), row[C_APPLICANT], row[C_ID], rnd.choice(g.ref.clerks), None,
            g.dt(call_i, rnd.randint(9, 17), rnd.randrange(60)), outcome,
            rnd.choices((1, 2, 3, 4, 5), (5, 8, 17, 35, 35))[0] if reached else None,
            rnd.choices(("yes", "partly", "no"), (55, 30, 15))[0] if reached else None,
            rnd.choice((1, 2, 2, 2)) if reached else None, rnd.choice((1, 2, 2)) if reached else None,
            rnd.choice(SURVEY_COMMENTS) if reached else ""))


# --- the entry points -------------------------------------------------------------------------
def generate(url: str, n: int = 1_000_000, seed: int = 1, fresh: bool = True,
             password: str = DEFAULT_PASSWORD, fk_checks: bool = False, drop_indexes: bool = True,
             chunk: int | None = None) -> dict:
    """Fill the database at ``url`` with ``n`` generated appeals; returns a
    summary: seconds per phase and rows per table."""
    from app import create_app

    t_start = _time.monotonic()
    pg = _is_pg(url)
    timings = {}
    if fresh:
        recreate_database(url)
    app = create_app(make_config(url))
    t0 = _time.monotonic()
    build_schema(app, password)
    timings["schema"] = round(_time.monotonic() - t0, 1)
    log(f"schema, roles and reference data: {timings['schema']}s")
    ref = Reference(app)
    with app.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()

    writer = PgWriter(url, fk_checks) if pg else SqliteWriter(url, fk_checks)
    gen = Generator(ref, writer, n, seed, chunk or (20000 if pg else 50000))
    t0 = _time.monotonic()
    if drop_indexes:
        writer.drop_indexes(BULK_TABLES)
    gen.applicants()
    gen.appeals()
    timings["rows"] = round(_time.monotonic() - t0, 1)
    t0 = _time.monotonic()
    writer.restore_indexes()
    timings["indexes"] = round(_time.monotonic() - t0, 1)
    t0 = _time.monotonic()
    writer.finish(gen.reg_counters)
    timings["finish"] = round(_time.monotonic() - t0, 1)
    timings["total"] = round(_time.monotonic() - t_start, 1)
    summary = {"url": make_url(url).render_as_string(hide_password=True), "n": n, "seed": seed,
               "rows": dict(gen.counts), "seconds": timings}
    log("rows: " + ", ".join(f"{t}={c:,}" for t, c in gen.counts.items()))
    log("seconds: " + ", ".join(f"{k}={v}" for k, v in timings.items()))
    return summary


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default=os.environ.get("DATABASE_URL"), required=not os.environ.get("DATABASE_URL"))
    p.add_argument("--n", type=int, default=1_000_000, help="appeals to generate (default 1,000,000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--fresh", action="store_true", help="recreate the database and its schema first")
    p.add_argument("--password", default=DEFAULT_PASSWORD, help="password of the demo users")
    p.add_argument("--fk-checks", action="store_true", help="keep foreign-key checks on during the load (slower)")
    p.add_argument("--keep-indexes", action="store_true", help="load with the secondary indexes in place")
    a = p.parse_args(argv)
    generate(a.url, a.n, a.seed, a.fresh, a.password, fk_checks=a.fk_checks, drop_indexes=not a.keep_indexes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
