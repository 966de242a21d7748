"""Benchmark: POST /api/v1/purchases against two references in hand-written SQL.

The minimal app (bench/minimal_app.py) does the bare transaction: one UPDATE and one INSERT.
The same-rows app (bench/same_rows_app.py) writes, in one transaction, the very rows our
purchase writes (bench/purchase_statements.py lists them): the gap to it is our code's cost,
the gap between the two references is the cost of the rows. All three are served by gunicorn
with the same number of workers on PostgreSQL, loaded from a separate process (wrk) with the
same connections and duration, in one run; the results are ratios, so they hold on any
machine. Each run starts from a CHECKPOINT after the load has been vacuumed, warms up (default
10 s) and analyzes what the warm-up wrote. It reports the CPU time per request of the app's
workers and of PostgreSQL (the backends connected to the bench database: other databases on
a shared server are not counted), which says where a request's cost lies. Afterwards `points
verify` must pass.

    .venv/bin/python bench/api_bench.py [--members 100000] [--duration 20] [--connections 8]
        [--port 8101]

Needs PostgreSQL (BENCH_DATABASE_URL, default a database memberportal_bench on
127.0.0.1:5432 as postgres) and wrk (installed with apt-get when missing). The database is wiped.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/memberportal_bench"


def sh(args, env, **kw):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, text=True, capture_output=True, **kw)


def reset_database(url: str) -> None:
    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


def load_members(url: str, count: int) -> None:
    """Bulk members with numbers 3000000001.. (what the wrk script asks for)."""
    with psycopg.connect(url, autocommit=True) as conn:
        tier = conn.execute("SELECT id FROM tiers ORDER BY rank LIMIT 1").fetchone()[0]
        columns = conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'members' AND is_nullable = 'NO' AND column_default IS NULL"
        ).fetchall()
        known = {
            "member_no": "'3' || lpad(i::text, 9, '0')",
            "card_code": "'MPBENCH' || i",
            "phone": "'150' || lpad(i::text, 8, '0')",
            "name": "'Bench ' || i",
            "password_hash": "'!'",
            "tier_id": str(tier),
            "joined_at": "now()",
            "is_active_member": "true",
        }
        defaults = {
            "integer": "0",
            "bigint": "0",
            "boolean": "false",
            "timestamp with time zone": "now()",
        }
        names, values = ["phone"], [known["phone"]]
        for name, data_type in columns:
            if name == "id":
                continue
            names.append(name)
            values.append(known.get(name) or defaults[data_type])
        conn.execute(
            f"INSERT INTO members ({', '.join(names)}) "
            f"SELECT {', '.join(values)} FROM generate_series(1, {count}) AS i"
        )
        conn.execute(
            "CREATE TABLE bench_balances AS SELECT id AS member_id, member_no, 0 AS balance "
            "FROM members"
        )
        conn.execute("CREATE UNIQUE INDEX ON bench_balances (member_no)")
        conn.execute(
            "CREATE TABLE bench_ledger (id bigserial PRIMARY KEY, member_id bigint NOT NULL, "
            "points integer NOT NULL, order_ref text NOT NULL, at timestamptz DEFAULT now())"
        )
        conn.execute("VACUUM (ANALYZE)")  # a loaded database, as a live one would be


def analyze(url: str) -> None:
    """Statistics for the rows the warm-up wrote, as a live database has them. Without this,
    plans made while the purchase tables were empty are kept as they grow, and our run's
    PostgreSQL time per purchase doubled from its start to its end (0.9 -> 1.5 ms)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def checkpoint(url: str) -> None:
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
    except psycopg.errors.InsufficientPrivilege:
        pass  # a role without pg_checkpoint: the runs are a little less alike


def serve(target: str, port: int, env, workers: int, threads: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)  # noqa: S310
        except urllib.error.HTTPError:
            return proc  # any HTTP answer means it is up
        except OSError:
            time.sleep(0.2)
            continue
        return proc
    proc.kill()
    raise RuntimeError(f"{target} did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def cpu_seconds(pattern: str) -> float:
    """CPU time (user + system) used so far by the processes whose command line matches."""
    total = 0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if pattern not in (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def load(port: int, env, duration: int, connections: int, run: str) -> dict:
    env = {**env, "BENCH_RUN": run}
    backends = f" {env['BENCH_DATABASE_URL'].rsplit('/', 1)[-1]} "  # "postgres: user db host"
    before = cpu_seconds(f"--bind 127.0.0.1:{port}"), cpu_seconds(backends)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--latency",
            "-s",
            str(ROOT / "bench" / "purchase.lua"),
            f"http://127.0.0.1:{port}",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    app_cpu, db_cpu = (
        (cpu_seconds(f"--bind 127.0.0.1:{port}") - before[0]),
        (cpu_seconds(backends) - before[1]),
    )
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": lat.get("50"),
        "p99": lat.get("99"),
        "non2xx": int(bad.group(1)) if bad else 0,
        "app_ms": app_cpu * 1000 / max(requests, 1),
        "db_ms": db_cpu * 1000 / max(requests, 1),
        "raw": out,
    }


def ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def ensure_wrk() -> None:
    """Install wrk (Debian's package) when the machine lacks it."""
    if shutil.which("wrk"):
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    if not shutil.which("wrk"):
        sys.exit("wrk could not be installed")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=20)
    # Long enough for the first write to most pages of members after the checkpoint (a full
    # page image in the WAL, once per page and checkpoint) to happen before the measured run.
    parser.add_argument("--warmup", type=int, default=10, help="seconds of load before each run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    # Sync workers (1 thread): with gthread, wrk's kept-alive connections can all land on one
    # worker, leaving the other idle; sync workers spread the load over both.
    parser.add_argument("--threads", type=int, default=1, help="per worker (gthread when > 1)")
    parser.add_argument("--port", type=int, default=8101, help="first of three ports")
    args = parser.parse_args()
    ensure_wrk()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    instance = tempfile.mkdtemp(prefix="mp-bench-")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BENCH_DATABASE_URL": url,
        "INSTANCE_PATH": instance,
        "SECRET_KEY": "bench-only-secret",
        "API_RATE_LIMIT": "1000000 per minute",
        "BENCH_MEMBERS": str(args.members),
    }
    flask = [str(BIN / "flask"), "--app", "app"]

    print(f"loading {args.members:,} members into {url.rsplit('@', 1)[-1]} ...", flush=True)
    reset_database(url)
    sh([*flask, "setup"], env)
    sh([*flask, "setup", "--demo"], env)
    load_members(url, args.members)
    token = sh([*flask, "create-api-client", "Bench till"], env).stdout.strip().splitlines()[-1]
    env["BENCH_TOKEN"] = token

    results = {}
    for name, target, port in (
        ("memberportal", "app:app", args.port),
        ("same-rows", "bench.same_rows_app:app", args.port + 1),
        ("minimal", "bench.minimal_app:app", args.port + 2),
    ):
        checkpoint(url)  # start each run with nothing of the previous one left to write
        proc = serve(target, port, env, args.workers, args.threads)
        try:
            load(port, env, args.warmup, args.connections, f"warm-{name}")
            analyze(url)
            results[name] = load(port, env, args.duration, args.connections, f"run-{name}")
        finally:
            stop(proc)

    ours, same, base = results["memberportal"], results["same-rows"], results["minimal"]
    print(
        f"\nPOST /api/v1/purchases, gunicorn {args.workers} workers x {args.threads} threads, "
        f"{args.connections} connections, {args.duration}s, {args.members:,} members, PostgreSQL"
    )
    for name, r in results.items():
        print(
            f"  {name:13} {r['rps']:8.1f} req/s   p50 {r['p50']:>8}   p99 {r['p99']:>8}"
            f"   non-2xx {r['non2xx']}   CPU per request: app {r['app_ms']:.2f} ms,"
            f" PostgreSQL {r['db_ms']:.2f} ms"
        )
    print(
        f"  ratio memberportal / same-rows: {ours['rps'] / same['rps']:.2f}   target >= 0.80\n"
        f"  ratio memberportal / minimal:   {ours['rps'] / base['rps']:.2f}   target >= 0.60\n"
        f"  PostgreSQL CPU per purchase, memberportal / minimal: "
        f"{ours['db_ms'] / max(base['db_ms'], 1e-9):.2f}   target <= 2.00"
    )
    # All runs keep the two cores busy (app workers, PostgreSQL and wrk share them), so the
    # throughput ratio follows the CPU each request costs. The bound: even if our worker cost
    # no more per request than the minimal app's, PostgreSQL's work for the rows a purchase
    # must write would cap the ratio at this.
    base_cpu = base["app_ms"] + base["db_ms"]
    print(
        f"  CPU-cost ratio (minimal / memberportal, app + PostgreSQL): "
        f"{base_cpu / (ours['app_ms'] + ours['db_ms']):.2f}; with our worker as cheap as the "
        f"minimal app's: {base_cpu / (base['app_ms'] + ours['db_ms']):.2f}"
    )
    print(f"  memberportal p99 {ms(ours['p99']):.1f} ms   target < 50 ms")
    verify = subprocess.run(
        [*flask, "points", "verify"], env=env, cwd=ROOT, text=True, capture_output=True
    )
    print(f"  points verify: exit {verify.returncode} {verify.stdout.strip()[-200:]}")
    return 0 if verify.returncode == 0 and ours["non2xx"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
