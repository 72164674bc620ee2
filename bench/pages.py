#!/usr/bin/env python3
"""Server time of each page and the first load of `/` (docs/performance.md, "The pages").

Usage: bench/pages.py HUIQI [--requests 60]

Starts HUIQI (a release build) on a free port with a throwaway SQLite ledger and a fixed date,
records one 即申即享 claim (rsj-25, its first eligible golden case) as an enterprise, then asks
every page --requests times as the role that uses it (a bearer token, as a signed-in cookie
would carry). Prints each page's median and p90 server time from the access log (`ms=`), and
the bytes of `/` and its stylesheet as a browser fetches them compressed (Brotli, else gzip).
Needs python3 and curl.
"""

import argparse
import json
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-pages-secret"
TODAY = "2026-11-26"
CODE = "91360702MA35D3E4FG"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def token(huiqi: str, *args: str) -> str:
    out = subprocess.run([huiqi, "token", *args, "--secret", SECRET], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def request(port: int, method: str, path: str, bearer: str | None, body=None):
    headers = {"Content-Type": "application/json", "Idempotency-Key": f"bench-{time.time_ns()}"}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    url = f"http://127.0.0.1:{port}{urllib.parse.quote(path, safe='/?=&')}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req) as r:
        return r.status, r.read()


def eligible_facts() -> dict:
    cases = json.loads((ROOT / "policies/rsj/rsj-25.test.json").read_text())["cases"]
    case = next(c for c in cases if c["expect"]["rsj-25"]["outcome"] == "eligible" and c["as_of"] == TODAY)
    return case["facts"]


def compressed_size(port: int, path: str) -> tuple[int, str]:
    out = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-H", "Accept-Encoding: br, gzip", "-D", "-",
         "-w", "%{size_download}", f"http://127.0.0.1:{port}{path}"],
        check=True, capture_output=True, text=True,
    ).stdout
    encoding = re.search(r"(?im)^content-encoding:\s*(\S+)", out)
    size = int(out.strip().splitlines()[-1].split("\r")[-1].strip() or 0)
    return size, encoding.group(1) if encoding else "identity"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("huiqi")
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        log = Path(tmp) / "serve.log"
        proc = subprocess.Popen(
            [args.huiqi, "serve", "--policies", str(ROOT / "policies"), "--bind", f"127.0.0.1:{port}",
             "--db", f"sqlite://{tmp}/huiqi.db", "--today", TODAY, "--jwt-secret", SECRET],
            stdout=subprocess.DEVNULL, stderr=log.open("w"), cwd=tmp,
        )
        try:
            for _ in range(200):
                if "huiqi serving on" in log.read_text(errors="replace"):
                    break
                time.sleep(0.05)
            enterprise = token(args.huiqi, "--role", "enterprise", "--uscc", CODE, "--name", "示例企业")
            reviewer = token(args.huiqi, "--role", "reviewer", "--department", "区人社局", "--name", "审核员")
            payer = token(args.huiqi, "--role", "payer", "--payer", "区行政审批局", "--name", "付款员")
            supervisor = token(args.huiqi, "--role", "supervisor", "--name", "督查")
            status, body = request(port, "POST", "/v1/claims", enterprise, {
                "policy": "rsj-25", "facts": eligible_facts(),
                "enterprise": {"name": "赣州示例人力资源有限公司", "bank": "中国工商银行赣州分行",
                               "account": "6216000000000001"},
            })
            claim = json.loads(body)["id"]
            pages = [
                ("/", None), ("/?q=研发", None), ("/policies/gxj-02", None),
                ("/policies/gxj-02?try=1", None), ("/calculator", None), ("/apply/rsj-25", enterprise),
                ("/claims", enterprise), (f"/claims/{claim}", enterprise), ("/desk", reviewer),
                (f"/desk/claims/{claim}", reviewer), ("/pay", payer), ("/supervision", supervisor),
                ("/playground", reviewer),
            ]
            rows = []
            for path, bearer in pages:
                before = log.stat().st_size
                failed = 0
                for _ in range(args.requests):
                    try:
                        request(port, "GET", path, bearer)
                    except urllib.error.HTTPError:
                        failed += 1
                time.sleep(0.2)
                with log.open("rb") as f:
                    f.seek(before)
                    times = [float(m) for m in re.findall(rb"method=GET route=\S+ status=\d+ ms=([\d.]+)", f.read())]
                if not times:
                    rows.append((path, None, None, failed))
                    continue
                times.sort()
                rows.append((path, statistics.median(times), times[int(len(times) * 0.9) - 1], failed))
            print(f"{args.huiqi}: {args.requests} requests per page, load before {open('/proc/loadavg').read().split()[0]}")
            for path, median, p90, failed in rows:
                if median is None:
                    print(f"  {path:28} no requests logged ({failed} failed)")
                else:
                    note = f"  ({failed} not 200)" if failed else ""
                    print(f"  {path:28} median {median:6.2f} ms  p90 {p90:6.2f} ms{note}")
            html, enc = compressed_size(port, "/")
            css_path = re.search(rb'href="(/static/huiqi\.css[^"]*)"', request(port, "GET", "/", None)[1])
            css, css_enc = compressed_size(port, css_path.group(1).decode()) if css_path else (0, "-")
            print(f"  first load of /: HTML {html} B ({enc}) + CSS {css} B ({css_enc}) = {html + css} B")
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
