"""`make bench`: each case timed against the bare minimum of the same work, in the same run.

    python -m bench.run [--quick] [--out bench/results.json]

Runs against DATABASE_URL (SQLite by default, PostgreSQL when given), in a database of its own
next to it (`…_bench` / `bench/bench*.sqlite3`) that is generated once and kept for later runs.
Every case: one warm-up, then the median, min and max of at least 5 runs, for the system and for
its baseline; the ratio is median / median. docs/performance.md explains each case.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
# QUICK must stay under a minute on two cores (measured: see docs/performance.md).
QUICK = {"size": 0.1, "scale": 0.1, "curve": [0.05, 0.1, 0.2], "runs": 5, "import_rows": 500,
         "users": 10, "requests": 150}
FULL = {"size": 1.0, "scale": 1.0, "curve": [1, 4, 16], "runs": 5, "import_rows": 5000,
        "users": 50, "requests": 2000}


# --- database of its own ----------------------------------------------------------------------

def bench_database_url(quick: bool, scale: float) -> str:
    """One database per (mode, scale), kept between runs: generated once, grown never."""
    # The user's DATABASE_URL, as given: setup_django replaces DATABASE_URL with the bench
    # database's, and the scale curve's subprocesses must not append a second suffix to it.
    url = os.environ.setdefault("BENCH_BASE_DATABASE_URL", os.environ.get("DATABASE_URL", ""))
    suffix = f"_bench_{'q' if quick else 's'}{scale:g}".replace(".", "_")
    if not url or url.startswith("sqlite"):
        return f"sqlite:///{ROOT / 'bench' / ('bench' + suffix[6:] + '.sqlite3')}"
    parts = urlparse(url)
    name = parts.path.lstrip("/") + suffix
    import psycopg2

    admin = psycopg2.connect(urlunparse(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return urlunparse(parts._replace(path="/" + name))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    # Production settings: DEBUG off (no query log), real password hasher, manifest static files.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- timing -----------------------------------------------------------------------------------

@dataclass
class Timing:
    median: float
    min: float
    max: float
    runs: int


def timed(fn, runs: int) -> Timing:
    fn()  # warm-up: imports, caches, the database's own cache
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return Timing(statistics.median(samples), min(samples), max(samples), runs)


@dataclass
class Case:
    name: str
    label: str
    system: Timing | None = None
    baseline: Timing | None = None
    target: float | None = None
    extra: dict = field(default_factory=dict)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.system and self.baseline and self.baseline.median > 0:
            return self.system.median / self.baseline.median
        return None

    @property
    def ok(self) -> bool | None:
        checks = []
        if self.target is not None and self.ratio is not None:
            checks.append(self.ratio <= self.target)
        for key, limit in self.extra.get("limits", {}).items():
            checks.append(self.extra.get(key) is not None and self.extra[key] <= limit)
        return all(checks) if checks else None

    def as_json(self) -> dict:
        out = asdict(self)
        out["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        out["meets_target"] = self.ok
        return out


# --- the cases --------------------------------------------------------------------------------

class Bench:
    def __init__(self, cfg: dict, log=print):
        from bench.generate import ROOT_CODE
        from registrations.models import SchoolYear
        from units.models import Unit, User

        self.cfg, self.log = cfg, log
        self.root = Unit.objects.get(code=ROOT_CODE)
        # The last closed year: every dossier is in, and eight years of history lie behind it.
        self.year = SchoolYear.objects.filter(status=SchoolYear.Status.CLOSED).order_by("-start_date").first()
        self.sgd_user = User.objects.get(username=f"bench_{ROOT_CODE.lower()}")

    def summary(self) -> Case:
        from django.db import connection

        from reports.selectors import summary

        sql = """
            SELECT d.unit_id, t.code, COUNT(*), SUM(CASE WHEN d.status = 'accepted' THEN 1 ELSE 0 END)
            FROM registrations_registration r
            JOIN registrations_registrationdossier d ON d.id = r.dossier_id
            JOIN awards_title t ON t.id = r.title_id
            WHERE r.school_year_id = %s
            GROUP BY d.unit_id, t.code
        """

        def raw():
            with connection.cursor() as cur:
                cur.execute(sql, [self.year.pk])
                return cur.fetchall()

        rows = len(raw())
        return Case("summary_selector", "Tổng hợp toàn tỉnh: selector vs một câu SQL GROUP BY",
                    timed(lambda: summary(self.root, self.year), self.cfg["runs"]),
                    timed(raw, self.cfg["runs"]), 1.5, {"groups": rows})

    def summary_page(self) -> Case:
        from django.test import Client

        from reports.selectors import summary

        client = Client()
        client.force_login(self.sgd_user)
        url = f"/bao-cao/?year={self.year.code}"

        def page():
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        page()  # the first request switches the session's school year
        with count_queries() as queries:
            page()
        return Case("summary_page", "Trang tổng hợp (yêu cầu → phản hồi) vs selector",
                    timed(page, self.cfg["runs"]), timed(lambda: summary(self.root, self.year), self.cfg["runs"]),
                    2.0, {"queries": queries.count, "limits": {"queries": 10}})

    def export(self) -> Case:
        from django.db import connection
        from openpyxl import Workbook

        from reports.exporters import RegistrationsExporter
        from reports.selectors import registrations_of

        def real():
            return RegistrationsExporter(scope=self.root, school_year=self.year).render("xlsx")

        sql = """
            SELECT u.short_name, COALESCE(s.full_name, c.name, u.name), t.name, r.created_at, d.submitted_at, d.status
            FROM registrations_registration r
            JOIN registrations_registrationdossier d ON d.id = r.dossier_id
            JOIN units_unit u ON u.id = d.unit_id
            JOIN awards_title t ON t.id = r.title_id
            LEFT JOIN units_staff s ON s.id = r.staff_id
            LEFT JOIN units_collective c ON c.id = r.collective_id
            WHERE r.school_year_id = %s
        """

        def bare():
            with connection.cursor() as cur:
                cur.execute(sql, [self.year.pk])
                rows = cur.fetchall()
            wb = Workbook(write_only=True)
            ws = wb.create_sheet()
            for i, row in enumerate(rows, start=1):
                # Excel has no time zones: PostgreSQL's aware datetimes are written as wall times.
                ws.append((i, *(v.replace(tzinfo=None) if isinstance(v, datetime.datetime) else v for v in row)))
            with tempfile.TemporaryFile() as f:
                wb.save(f)

        n = registrations_of(self.root, self.year).count()
        peak = peak_rss_mb(["export_report", "registrations", "--year", self.year.code, "--scope", self.root.code,
                            "--format", "xlsx", "-o", os.devnull])
        return Case("export_xlsx", f"Xuất Excel danh sách đăng ký toàn tỉnh ({n:,} dòng) vs openpyxl write-only",
                    timed(real, self.cfg["runs"]), timed(bare, self.cfg["runs"]), 1.5,
                    {"rows": n, "peak_rss_mb": peak, "limits": {"peak_rss_mb": 300}})

    def import_file(self) -> Case:
        from django.db import transaction
        from openpyxl import load_workbook

        from registrations.importing.plan import apply_import, plan_import
        from registrations.models import Registration, RegistrationDossier, SchoolYear
        from units.models import Staff, Unit

        rows = self.cfg["import_rows"]
        year = SchoolYear.objects.filter(status=SchoolYear.Status.REGISTRATION_OPEN).order_by("-start_date").first()
        unit = Unit.objects.filter(path__startswith=self.root.path, level="THPT").order_by("code").first()
        data = import_workbook(rows, year)
        titles = {t.name: t for t in self._titles(year)}

        def real():
            with transaction.atomic():
                plan = plan_import(data, unit=unit, school_year=year, user=None)
                assert plan.ok, plan.errors[:3]
                apply_import(plan, user=None, create_new_staff=True)
                transaction.set_rollback(True)

        def bare():
            with transaction.atomic():
                import io

                ws = load_workbook(io.BytesIO(data), read_only=True).active
                people, wanted = [], []
                for r in ws.iter_rows(min_row=2, values_only=True):
                    if not r[1]:
                        continue
                    people.append(Staff(unit=unit, full_name=r[1], family_name="", given_name="",
                                        date_of_birth=r[2], position=r[3] or ""))
                    wanted.append(titles[r[5]])
                Staff.objects.bulk_create(people, batch_size=2000)
                dossier = RegistrationDossier.objects.create(unit=unit, school_year=year, status="draft") \
                    if not RegistrationDossier.objects.filter(unit=unit, school_year=year).exists() else \
                    RegistrationDossier.objects.get(unit=unit, school_year=year)
                Registration.objects.filter(dossier=dossier).delete()
                Registration.objects.bulk_create([
                    Registration(dossier=dossier, school_year=year, subject="staff", staff=p, title=t)
                    for p, t in zip(people, wanted, strict=True)
                ], batch_size=2000)
                transaction.set_rollback(True)

        # The real import needs an editable dossier: reopen this unit's for the runs.
        before = RegistrationDossier.objects.filter(unit=unit, school_year=year).values_list("status", flat=True).first()
        RegistrationDossier.objects.filter(unit=unit, school_year=year).update(status="draft")
        try:
            return Case("import", f"Nhập tệp Excel {rows:,} dòng (người mới) vs đọc openpyxl + bulk_create",
                        timed(real, max(5, self.cfg["runs"])), timed(bare, max(5, self.cfg["runs"])), 3.0,
                        {"rows": rows})
        finally:
            if before:
                RegistrationDossier.objects.filter(unit=unit, school_year=year).update(status=before)

    def _titles(self, year):
        from awards.selectors import registrable_titles

        return list(registrable_titles(year))

    def eligibility(self) -> Case:
        from awards.verdicts import verdicts_for
        from registrations.models import Registration

        def load():
            return list(Registration.objects.filter(school_year=self.year, subject="staff").select_related("title"))

        def real():
            return verdicts_for(load(), self.year)

        with count_queries() as queries:
            verdicts = real()
        return Case("eligibility", f"Xét điều kiện mọi đăng ký cá nhân của năm ({len(verdicts):,}) vs chỉ nạp các dòng",
                    timed(real, self.cfg["runs"]), timed(load, self.cfg["runs"]), 5.0,
                    {"registrations": len(verdicts), "queries": queries.count, "limits": {"queries": 20}})


class count_queries:
    """Counts the queries a block runs (a request resets connection.queries, so not that)."""

    def __enter__(self):
        from django.db import connection

        self.count = 0
        self._cm = connection.execute_wrapper(self._wrap)
        self._cm.__enter__()
        return self

    def _wrap(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)


def import_workbook(rows: int, year) -> bytes:
    """A registration file as an officer sends it: one header row, `rows` new people."""
    import datetime
    import io
    import random

    from openpyxl import Workbook

    from units import vntext
    from units.demo import generate_name
    from units.models import Staff

    rng = random.Random(5000)
    # New people only: a name and birth date already in the province would (rightly) be refused
    # as someone of another unit, so such draws are drawn again.
    taken = set(Staff.objects.values_list("search_name", "date_of_birth"))
    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Họ và tên", "Ngày sinh", "Chức vụ", "Tổ chuyên môn", "Danh hiệu đăng ký", "Ghi chú"])
    for i in range(1, rows + 1):
        gender = "F" if rng.random() < 0.7 else "M"
        title = "Chiến sĩ thi đua cơ sở" if rng.random() < 0.15 else "Lao động tiên tiến"
        while True:
            name = generate_name(rng, gender)
            born = datetime.date(1970 + rng.randint(0, 30), rng.randint(1, 12), rng.randint(1, 28))
            if (vntext.search_index(name), born) not in taken:
                taken.add((vntext.search_index(name), born))
                break
        ws.append([i, name, born, "Giáo viên", "", title, ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def peak_rss_mb(command: list[str]) -> float:
    """Peak resident memory of a manage.py command in a process of its own (MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *command], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, env=os.environ.copy())
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(after, before) / 1024, 1)


# --- load test --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_test(cfg: dict, bench: Bench, log=print) -> Case:
    """gunicorn on loopback, locust (headless, its own process) as the users."""
    from units.models import User

    users = list(User.objects.filter(role="school_officer", unit__path__startswith=bench.root.path)
                 .order_by("username").values_list("username", "unit_id")[: cfg["users"]])
    port = free_port()
    env = os.environ.copy()
    # Plain http on loopback: production's Secure cookies would never come back (TLS ends at the proxy).
    env.update(SESSION_COOKIE_SECURE="0", CSRF_COOKIE_SECURE="0")
    workers = str(2 * (os.cpu_count() or 1) + 1)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", workers,
         "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as tmp:
            users_file = Path(tmp) / "users.json"
            users_file.write_text(json.dumps({"users": users, "year": bench.year.code, "password": "bench12345",
                                              "requests": cfg["requests"]}))
            env["BENCH_USERS"] = str(users_file)
            started = time.perf_counter()
            subprocess.run(
                [str(Path(sys.executable).parent / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"),
                 "--headless", "-u", str(cfg["users"]), "-r", str(cfg["users"]), "-t", "600s",
                 "--host", f"http://127.0.0.1:{port}", "--csv", str(Path(tmp) / "out"), "--only-summary",
                 "--loglevel", "WARNING", "--stop-timeout", "30"],
                cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elapsed = time.perf_counter() - started
            stats = _locust_totals(Path(tmp) / "out_stats.csv")
    finally:
        server.terminate()
        server.wait(timeout=30)
    stats["workers"] = int(workers)
    stats["users"] = cfg["users"]
    stats["wall_seconds"] = round(elapsed, 1)
    stats["limits"] = {"failures": 0}
    return Case("load_test", f"Tải: {cfg['users']} người dùng đồng thời (gunicorn {workers} worker, locust)",
                extra=stats)


def _locust_totals(path: Path) -> dict:
    import csv

    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    pages = {r["Name"]: {"requests": int(r["Request Count"]), "p50_ms": float(r["50%"]), "p95_ms": float(r["95%"])}
             for r in rows if r["Name"] != "Aggregated"}
    # Logging in is slow on purpose (PBKDF2); the pages browsed afterwards are reported apart.
    browse = [v["p95_ms"] for name, v in pages.items() if not name.startswith("đăng nhập")]
    return {"requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
            "rps": round(float(total["Requests/s"]), 1), "p50_ms": float(total["50%"]),
            "p95_ms": float(total["95%"]), "p99_ms": float(total["99%"]),
            "p95_browse_ms": max(browse) if browse else None, "pages": pages}


# --- scale curve ------------------------------------------------------------------------------

def curve_point(cfg: dict, scale: float) -> dict:
    """Run in a process of its own, on the database of that scale (see main)."""
    from bench.generate import ROOT_CODE
    from registrations.board import build_board
    from reports.selectors import summary
    from units.models import Staff, Unit

    root = Unit.objects.get(code=ROOT_CODE)
    year = Bench(cfg).year
    return {"scale": scale, "staff": Staff.objects.count(),
            "summary": asdict(timed(lambda: summary(root, year), cfg["runs"])),
            "board": asdict(timed(lambda: build_board(root, year), cfg["runs"]))}


def scale_curve(cfg: dict, quick: bool, log=print) -> list[Case]:
    points = []
    for scale in cfg["curve"]:
        args = [sys.executable, "-m", "bench.run", "--curve-point", str(scale)] + (["--quick"] if quick else [])
        out = subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True, env=os.environ.copy())
        point = json.loads(out.stdout.strip().splitlines()[-1])
        points.append(point)
        log(f"  quy mô {scale:g} ({point['staff']:,} người): tổng hợp {point['summary']['median'] * 1000:.0f} ms, "
            f"bảng tiến độ {point['board']['median'] * 1000:.0f} ms")
    out = []
    for name, label in (("summary", "tổng hợp"), ("board", "bảng tiến độ nộp hồ sơ")):
        xs = [math.log(p["staff"]) for p in points]
        ys = [math.log(p[name]["median"]) for p in points]
        mx, my = statistics.mean(xs), statistics.mean(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)
        out.append(Case(f"scale_{name}", f"Đường cong quy mô: {label} (số mũ tăng trưởng theo số người)",
                        extra={"exponent": round(slope, 2), "limits": {"exponent": 1.0},
                               "points": [{"scale": p["scale"], "staff": p["staff"], **p[name]} for p in points]}))
    return out


def prepare(cfg: dict, quick: bool, scale: float) -> None:
    """Django on the benchmark database of this scale, migrated and filled (kept for next time)."""
    setup_django(bench_database_url(quick, scale))
    from django.core.management import call_command

    from bench.generate import generate

    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_catalogue", verbosity=0)
    g = generate(scale, size=cfg["size"], log=lambda *_: None)
    if g.copies:
        print(f"   dữ liệu quy mô {scale:g}: {sum(g.rows.values()):,} dòng trong {g.seconds:.1f} s", file=sys.stderr)


def collect_static_if_needed() -> None:
    """collectstatic (9 s: it compresses every file) only when a static file is newer than the
    manifest the production storage reads."""
    from django.conf import settings
    from django.core.management import call_command

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    sources = [p for d in settings.STATICFILES_DIRS for p in Path(d).rglob("*") if p.is_file()]
    if manifest.exists() and all(p.stat().st_mtime <= manifest.stat().st_mtime for p in sources):
        return
    call_command("collectstatic", "--noinput", verbosity=0)


# --- report -----------------------------------------------------------------------------------

def _ms(t: Timing | None) -> str:
    return "" if t is None else f"{t.median * 1000:,.0f}"


def table(cases: list[Case]) -> str:
    lines = [f"{'case':<22} {'system ms':>10} {'baseline ms':>12} {'ratio':>7} {'target':>7}  ok   extra"]
    for c in cases:
        extra = {k: v for k, v in c.extra.items() if k not in ("limits", "pages", "points")}
        ratio = "" if c.ratio is None else f"{c.ratio:.2f}"
        target = "" if c.target is None else f"≤{c.target:g}"
        ok = {True: "yes", False: "NO", None: ""}[c.ok]
        lines.append(f"{c.name:<22} {_ms(c.system):>10} {_ms(c.baseline):>12} {ratio:>7} {target:>7}  {ok:<4} "
                     + ", ".join(f"{k}={v}" for k, v in extra.items()))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--curve-point", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    if args.curve_point:
        prepare(cfg, args.quick, args.curve_point)
        print(json.dumps(curve_point(cfg, args.curve_point)))
        return 0
    started = time.perf_counter()
    prepare(cfg, args.quick, cfg["scale"])
    from django.db import connection

    vendor = connection.vendor
    if vendor != "postgresql" and not args.quick:
        cfg = {**cfg, "curve": [1, 2, 4]}  # 16 provinces on SQLite is not the point: PostgreSQL is
    print(f"== make bench{' QUICK=1' if args.quick else ''}: {vendor}, quy mô {cfg['scale']:g}")
    collect_static_if_needed()  # production static files, as deployed
    bench = Bench(cfg)
    only = set(filter(None, args.only.split(",")))
    cases = []
    phases = {"setup": round(time.perf_counter() - started, 1)}
    for name in ("summary", "summary_page", "export", "import_file", "eligibility"):
        if only and name not in only:
            continue
        t0 = time.perf_counter()
        case = getattr(bench, name)()
        phases[case.name] = round(time.perf_counter() - t0, 1)
        print(table([case]).splitlines()[1])
        cases.append(case)
    if not only or "load_test" in only:
        t0 = time.perf_counter()
        cases.append(load_test(cfg, bench))
        phases["load_test"] = round(time.perf_counter() - t0, 1)
        print(table(cases[-1:]).splitlines()[1])
    if not only or "scale" in only:
        t0 = time.perf_counter()
        cases.extend(scale_curve(cfg, args.quick))
        phases["scale_curve"] = round(time.perf_counter() - t0, 1)
    print()
    print(table(cases))
    result = {
        "mode": "quick" if args.quick else "full", "database": vendor, "scale": cfg["scale"],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "seconds": round(time.perf_counter() - started, 1),
        "phase_seconds": phases,  # where the run's own time goes (QUICK=1 must stay under a minute)
        "cases": [c.as_json() for c in cases],
    }
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print("\n== " + ", ".join(f"{k} {v:g} s" for k, v in phases.items()))
    print(f"== {result['seconds']} s; kết quả ghi vào {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
