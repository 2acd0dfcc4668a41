"""Client side of benches/serve.sh; runs as the command of `rswitch exec` (served).

Sends N GET requests to the credential server (one kept-alive connection, then a new
connection per request, as botocore's container fetcher does) and N requests to the demo
IMDS token endpoint (the same HTTP stack with no gate, the baseline), and prints one JSON
object: latency median and p99 per series in microseconds, and the served rswitch
process's RSS (VmRSS of our parent) before and after.
"""
import http.client
import json
import os
import re
import statistics
import sys
import time
import urllib.parse

N = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
url = urllib.parse.urlsplit(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
config = open(os.environ["AWS_CONFIG_FILE"]).read()
imds = urllib.parse.urlsplit(re.search(r"ec2_metadata_service_endpoint = (\S+)", config).group(1))


def rss_kb():
    with open("/proc/%d/status" % os.getppid()) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])


def series(make_conn, method, path, headers, n, keep):
    times = []
    conn = make_conn()
    for _ in range(n):
        if not keep:
            conn = make_conn()
        start = time.perf_counter_ns()
        conn.request(method, path, headers=headers)
        r = conn.getresponse()
        r.read()
        times.append((time.perf_counter_ns() - start) / 1000)
        assert r.status == 200, r.status
        if not keep:
            conn.close()
    times.sort()
    return {"median_us": round(statistics.median(times), 1), "p99_us": round(times[int(len(times) * 0.99)], 1)}


served = lambda: http.client.HTTPConnection(url.hostname, url.port, timeout=5)
baseline = lambda: http.client.HTTPConnection(imds.hostname, imds.port, timeout=5)
auth = {"Authorization": token}
ttl = {"X-aws-ec2-metadata-token-ttl-seconds": "60"}

series(served, "GET", url.path, auth, 200, True)  # warm-up
rss_before = rss_kb()
out = {
    "requests": N,
    "served_keepalive": series(served, "GET", url.path, auth, N, True),
    "served_new_connection": series(served, "GET", url.path, auth, N, False),
    "baseline_imds_keepalive": series(baseline, "PUT", "/latest/api/token", ttl, N, True),
}
out["rss_kb_after_200"] = rss_before
out["rss_kb_after_all"] = rss_kb()
print(json.dumps(out))
