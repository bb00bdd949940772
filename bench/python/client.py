"""Benchmark client for Python Apache Libcloud (run with /usr/bin/python3, which has python3-libcloud).

Usage: client.py '<json task>' (the same task object as bench/client.ts). Prints the result as the
last stdout line (JSON), like the Node clients.
"""
import hashlib
import json
import resource
import statistics
import sys
import threading
import time
import xml.etree.ElementTree as ET

from libcloud.common.base import Connection, JsonResponse, XmlResponse

task = json.loads(sys.argv[1])
PORT = task["port"]


def rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class JsonConnection(Connection):
    responseCls = JsonResponse


class XmlConnection(Connection):
    responseCls = XmlResponse


def connect(cls=Connection):
    return cls(secure=False, host="127.0.0.1", port=PORT)


def loop(conns, seconds):
    """Requests per second with one thread per connection for `seconds`."""
    counts = [0] * len(conns)
    end = time.perf_counter() + seconds

    def worker(i):
        conn = conns[i]
        while time.perf_counter() < end:
            doc = conn.request("/json").object
            if doc["id"] != "i-0123456789abcdef0":
                raise RuntimeError("bad JSON answer")
            counts[i] += 1

    cpu = time.process_time()
    start = time.perf_counter()
    if len(conns) == 1:
        worker(0)
    else:
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(conns))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    seconds = time.perf_counter() - start
    used = time.process_time() - cpu
    return sum(counts) / seconds, used * 1e6 / max(1, sum(counts))


def case_a():
    # libcloud's Connection is not thread-safe, so 16 in flight means 16 threads, one connection each.
    ms = task.get("durationMs", 2000) / 1000
    warm = task.get("warmupMs", 500) / 1000
    one = [connect(JsonConnection)]
    loop(one, warm)
    sequential = loop(one, ms)
    many = [connect(JsonConnection) for _ in range(16)]
    loop(many, warm / 2)
    concurrent = loop(many, ms)
    return {"sequentialRps": sequential[0], "concurrentRps": concurrent[0],
            "sequentialCpuUs": sequential[1], "concurrentCpuUs": concurrent[1]}


CHUNK = 1024 * 1024


def case_b():
    total = task.get("bytes", 1024 ** 3)
    tls = task.get("tls")
    if tls is None:
        conn = connect()
    else:
        # Over HTTPS: the test CA's path is the bundle requests verifies the server with (libcloud
        # reads CA_CERTS_PATH when the connection is made).
        import libcloud.security
        libcloud.security.VERIFY_SSL_CERT = True
        libcloud.security.CA_CERTS_PATH = tls["ca"]
        conn = Connection(secure=True, host="127.0.0.1", port=tls["port"])

    def download(path):
        response = conn.request(path, raw=True, stream=True)  # as libcloud's storage drivers do
        n = 0
        for chunk in response.iter_content(CHUNK):
            n += len(chunk)
        return n

    download("/blob/1048576")
    idle = rss_kb()
    start = time.perf_counter()
    received = download("/blob/%d" % total)
    seconds = time.perf_counter() - start
    if received != total:
        raise RuntimeError("received %d of %d bytes" % (received, total))
    return {"mibPerSec": total / 1024 ** 2 / seconds, "idleRssKb": idle, "chunkBytes": CHUNK, "tls": tls is not None}


def case_c():
    conn = connect(XmlConnection)
    body = conn.request("/xml").body  # the same listing as the Node clients parse (str, as libcloud keeps it)
    runs = task.get("parseRuns", 101)
    for _ in range(30):
        ET.XML(body)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        root = ET.XML(body)
        times.append((time.perf_counter() - t0) * 1000)
    if len(root.findall("{*}Blobs/{*}Blob")) != 1000:
        raise RuntimeError("bad listing")
    req_times = []
    for i in range(task.get("pyRequests", 10) + 2):
        t0 = time.perf_counter()
        obj = conn.request("/xml").object
        t = (time.perf_counter() - t0) * 1000
        if len(obj.findall("{*}Blobs/{*}Blob")) != 1000:
            raise RuntimeError("bad listing")
        if i >= 2:
            req_times.append(t)
    return {"etParseMs": statistics.median(times), "requestParseMs": statistics.median(req_times)}


def case_d():
    from libcloud.storage.drivers.azure_blobs import AzureBlobsStorageDriver
    from libcloud.storage.types import ObjectDoesNotExistError  # noqa: F401

    az = task["azure"]
    driver = AzureBlobsStorageDriver(az["account"], az["key"], secure=False, host=az["host"], port=az["port"])
    container = driver.get_container(az["container"])
    name = "py-%d.bin" % int(time.time() * 1000)
    size = az["bytes"]
    block = bytes(range(256)) * 4096  # 1 MiB, the same pattern as the Node clients

    def source():
        left = size
        while left > 0:
            n = min(left, len(block))
            yield block[:n]
            left -= n

    expected = hashlib.sha256()
    for piece in source():
        expected.update(piece)
    # HEADs: get_object on one small blob.
    driver.upload_object_via_stream(iter([b"x" * 1024]), container, "head-target-py")
    for _ in range(10):
        driver.get_object(container.name, "head-target-py")
    idle = rss_kb()
    t0 = time.perf_counter()
    for _ in range(az["heads"]):
        driver.get_object(container.name, "head-target-py")
    heads_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    obj = driver.upload_object_via_stream(source(), container, name)
    got = hashlib.sha256()
    n = 0
    for chunk in driver.download_object_as_stream(obj):
        got.update(chunk)
        n += len(chunk)
    round_ms = (time.perf_counter() - t0) * 1000
    if n != size or got.digest() != expected.digest():
        raise RuntimeError("round trip mismatch")
    driver.delete_object(obj)
    return {"headsMs": heads_ms, "roundTripMs": round_ms, "idleRssKb": idle}


result = {"a": case_a, "b": case_b, "c": case_c, "d": case_d}[task["case"]]()
result["maxRssKb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print()
print(json.dumps(result))
