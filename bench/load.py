"""A small closed-loop HTTP load generator (keep-alive connections in threads), loopback only, bounded in time.

Run as a separate process so it does not share the interpreter with anything it measures:
    python -m bench.load <port> <host header> <path> <seconds> <concurrency> [header: value ...]
It prints one JSON line: requests, errors, rps, p50_ms, p99_ms.
"""

import http.client
import json
import sys
import threading
import time


def worker(port, host, path, headers, deadline, latencies, errors):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Host": host, **headers})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(response.status)
        except OSError:
            errors.append(0)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append(time.perf_counter() - started)
    conn.close()


def main(argv):
    port, host, path, seconds, concurrency = int(argv[0]), argv[1], argv[2], float(argv[3]), int(argv[4])
    headers = dict(item.split(": ", 1) for item in argv[5:])
    latencies, errors = [], []
    deadline = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=worker, args=(port, host, path, headers, deadline, latencies, errors))
        for _ in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)

    def pct(q):
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 1) if ordered else None

    print(
        json.dumps(
            {
                "requests": len(latencies),
                "errors": len(errors),
                "error_statuses": sorted(set(errors))[:5],
                "rps": round(len(latencies) / seconds, 1),
                "p50_ms": pct(0.5),
                "p99_ms": pct(0.99),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
