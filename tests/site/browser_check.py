#!/usr/bin/env python3
"""Opens a results site in headless Chromium through ChromeDriver (WebDriver over HTTP, Python's
standard library only) and checks what a reader sees:
  - the index lists the expected runs;
  - every page reachable from the index loads; every link and image on it resolves (HTTP 200,
    images decode, fragments name an element), nothing comes from another host, the browser
    logs no error (a 404 or a script error would be one);
  - a table sorts when its header is clicked (ascending, then descending);
  - hostile names show as text: no script but the site's own, nothing it would have run;
  - the run page also works from disk (file://): styles, figures and sorting;
and keeps screenshots of the run page, the index and the suite page in --artifacts.
Exit 0 when all hold; otherwise 1, listing every failure."""
import argparse
import base64
import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1400,1000"]
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
failures = []


def fail(message):
    failures.append(message)
    print("FAIL:", message, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebDriver:
    """The few WebDriver commands the checks need."""

    def __init__(self, port, chromium, profile):
        self.base = "http://127.0.0.1:%d" % port
        for _ in range(100):  # ChromeDriver takes a moment to listen
            try:
                if self.call("GET", "/status")["ready"]:
                    break
            except (OSError, RuntimeError):
                pass
            time.sleep(0.2)
        caps = {"browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium,
                                       "args": CHROME_FLAGS + ["--user-data-dir=" + profile]},
                "goog:loggingPrefs": {"browser": "ALL"}}
        self.session = self.call("POST", "/session",
                                 {"capabilities": {"alwaysMatch": caps}})["sessionId"]
        self.cmd("POST", "/timeouts", {"script": 30000, "pageLoad": 60000})

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=90) as r:
                return json.loads(r.read())["value"]
        except urllib.error.HTTPError as e:
            raise RuntimeError("WebDriver %s %s: %s" % (method, path, e.read().decode()[:400]))

    def cmd(self, method, path, body=None):
        return self.call(method, "/session/" + self.session + path, body)

    def get(self, url):
        self.cmd("POST", "/url", {"url": url})

    def js(self, script, *args):
        return self.cmd("POST", "/execute/sync", {"script": script, "args": list(args)})

    def js_async(self, script, *args):
        return self.cmd("POST", "/execute/async", {"script": script, "args": list(args)})

    def click(self, element):
        self.cmd("POST", "/element/%s/click" % element[ELEMENT], {})

    def browser_errors(self):
        try:
            entries = self.cmd("POST", "/se/log", {"type": "browser"})
        except RuntimeError:
            return []
        return [e["message"] for e in entries if e.get("level") == "SEVERE"]

    def screenshot(self, path, max_height=5000):
        height = self.js("return Math.min(document.documentElement.scrollHeight, %d)" % max_height)
        self.cmd("POST", "/window/rect", {"width": 1400, "height": max(height, 600)})
        png = base64.b64decode(self.cmd("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)
        self.cmd("POST", "/window/rect", {"width": 1400, "height": 1000})

    def quit(self):
        try:
            self.call("DELETE", "/session/" + self.session)
        except (OSError, RuntimeError):
            pass


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


# Every link, image, stylesheet and script of the page, resolved by the browser.
COLLECT = """
return {
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
  resources: [].concat(
    Array.from(document.images).map(i => i.src),
    Array.from(document.querySelectorAll('link[href]')).map(l => l.href),
    Array.from(document.scripts).map(s => s.src)),
  scripts: Array.from(document.scripts).map(s => s.src || '(inline) ' + s.text.slice(0, 60)),
  pwned: typeof window.__pwned === 'undefined' ? null : String(window.__pwned),
  ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
  styled: getComputedStyle(document.body).maxWidth,
};
"""

# Waits for every image (lazy ones made eager) and returns those that do not decode.
IMAGES = """
const done = arguments[arguments.length - 1];
const imgs = Array.from(document.images);
imgs.forEach(i => { i.loading = 'eager'; });
Promise.all(imgs.map(i => i.decode().then(() => null, () => i.src)))
  .then(bad => done({count: imgs.length, broken: bad.filter(b => b !== null)}));
"""

# The keys of one column of a table, as sort.js reads them (data-v, else text); cells spanned
# by a note are left out.
COLUMN = """
const [tableSel, col] = arguments;
const rows = Array.from(document.querySelector(tableSel).tBodies[0].rows);
const out = [];
for (const row of rows) {
  let start = 0, cell = null;
  for (const c of row.cells) { if (col < start + c.colSpan) { cell = c.colSpan > 1 ? null : c; break; } start += c.colSpan; }
  if (!cell) continue;
  const v = cell.getAttribute('data-v');
  const t = cell.textContent.trim();
  out.push(v !== null ? Number(v) : (t === '' || t === '\u2014') ? null : t);
}
return out;
"""

HEADER = """
const [tableSel, prefix] = arguments;
const heads = Array.from(document.querySelector(tableSel).tHead.rows[0].cells);
const i = heads.findIndex(th => th.textContent.trim().startsWith(prefix));
return i < 0 ? null : [heads[i], i];
"""


def numeric_order_ok(keys, descending):
    """Numbers in order, blanks (None) after all of them."""
    first_blank = next((i for i, k in enumerate(keys) if k is None), len(keys))
    values = keys[:first_blank]
    if any(k is not None for k in keys[first_blank:]):
        return False
    if not all(isinstance(v, (int, float)) for v in values):
        return False
    return values == sorted(values, reverse=descending)


def check_sort(wd, where, table, header_prefix):
    found = wd.js(HEADER, table, header_prefix)
    if not found:
        fail("%s: no header starting '%s' in %s" % (where, header_prefix, table))
        return
    th, col = found
    if ELEMENT not in th:
        fail("%s: the header came back as %r, not an element" % (where, th))
        return
    before = wd.js(COLUMN, table, col)
    if len([k for k in before if k is not None]) < 2:
        fail("%s: table %s has fewer than 2 values in '%s' to sort" % (where, table, header_prefix))
        return
    for descending in (False, True):
        wd.click(th)
        keys = wd.js(COLUMN, table, col)
        state = wd.js("return arguments[0].getAttribute('aria-sort')", th)
        if sorted(map(str, keys)) != sorted(map(str, before)):
            fail("%s: sorting %s lost or changed rows" % (where, table))
        if not numeric_order_ok(keys, descending):
            fail("%s: after clicking '%s' (%s) the column reads %s" %
                 (where, header_prefix, "descending" if descending else "ascending", keys))
        if state != ("descending" if descending else "ascending"):
            fail("%s: aria-sort is %s after a click" % (where, state))
    print("sorted %s by '%s' both ways (%d rows): %s" % (table, header_prefix, len(keys), where))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", required=True, help="the results folder (holds index.html)")
    ap.add_argument("--runs", type=int, required=True, help="rows the index must list")
    ap.add_argument("--run-page", required=True, help="a run page, relative to --root")
    ap.add_argument("--suite-page", required=True, help="a suite page, relative to --root")
    ap.add_argument("--hostile-page", required=True, help="page whose names are hostile")
    ap.add_argument("--hostile", action="append", default=[], help="a name it must show as text")
    ap.add_argument("--artifacts", required=True, help="folder for the screenshots")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = ap.parse_args()
    for exe in (args.chromium, args.chromedriver):
        if not os.access(exe, os.X_OK):
            print("FAIL: %s not found: scripts/install-deps.sh installs Debian's chromium and "
                  "chromium-driver" % exe)
            return 1
    root = os.path.abspath(args.root)
    os.makedirs(args.artifacts, exist_ok=True)

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=root))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = "http://127.0.0.1:%d/" % server.server_address[1]
    profile = tempfile.mkdtemp(prefix="lazystack-chromium-")
    port = free_port()
    driver = subprocess.Popen([args.chromedriver, "--port=%d" % port],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wd = None
    try:
        wd = WebDriver(port, args.chromium, profile)
        run_checks(wd, site, root, args)
    finally:
        if wd:
            wd.quit()
        driver.terminate()
        try:
            driver.wait(timeout=10)
        except subprocess.TimeoutExpired:
            driver.kill()
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("BROWSER OK")
    return 0


def run_checks(wd, site, root, args):
    status = {}  # url -> HTTP status

    def http_status(url):
        if url not in status:
            try:
                req = urllib.request.Request(url, method="HEAD")
                with urllib.request.urlopen(req, timeout=30) as r:
                    status[url] = r.status
            except urllib.error.HTTPError as e:
                status[url] = e.code
        return status[url]

    # Crawl every page reachable from the index.
    queue, seen, fragments, ids = [site + "index.html"], set(), [], {}
    images = 0
    while queue:
        page = queue.pop(0)
        if page in seen:
            continue
        seen.add(page)
        wd.get(page)
        got = wd.js(COLLECT)
        where = page[len(site):] or "index.html"
        if got["pwned"] is not None:
            fail("%s: a name ran as code (window.__pwned = %s)" % (where, got["pwned"]))
        if len(got["scripts"]) != 1 or not got["scripts"][0].endswith("/_site/sort.js"):
            fail("%s: scripts other than the site's own: %s" % (where, got["scripts"]))
        if got["styled"] != "1320px":
            fail("%s: the stylesheet did not apply (body max-width %s)" % (where, got["styled"]))
        result = wd.js_async(IMAGES)
        images += result["count"]
        for src in result["broken"]:
            fail("%s: broken image %s" % (where, src))
        for url in got["links"] + [r for r in got["resources"] if r]:
            target, _, fragment = url.partition("#")
            if not target.startswith(site):
                fail("%s: links outside the site: %s" % (where, url))
                continue
            code = http_status(target)
            if code != 200:
                fail("%s: %s answers HTTP %d" % (where, target[len(site):], code))
                continue
            if fragment:
                fragments.append((where, target, urllib.parse.unquote(fragment)))
            if target.endswith(".html") and target not in seen:
                queue.append(target)
        for message in wd.browser_errors():
            fail("%s: browser error: %s" % (where, message))
        ids[page] = set(got["ids"])
    for (src, target, fragment) in fragments:
        if target not in ids:
            fail("%s: fragment #%s of a page never visited: %s" % (src, fragment, target))
        elif fragment not in ids[target]:
            fail("%s: link to %s#%s: no such element" % (src, target[len(site):], fragment))
    print("crawled %d pages, %d links and resources checked, %d images decoded"
          % (len(seen), len(status), images))
    for rel in (args.run_page, args.suite_page, args.hostile_page):
        if site + rel not in seen:
            fail("%s is not reachable from the index" % rel)

    # The index lists the runs; its date column sorts.
    wd.get(site + "index.html")
    rows = wd.js("return document.querySelectorAll('#runs-table tbody tr').length")
    if rows != args.runs:
        fail("index lists %s runs, expected %d" % (rows, args.runs))
    check_sort(wd, "index.html", "#runs-table", "date")
    wd.screenshot(os.path.join(args.artifacts, "site_index.png"))

    # The run page: its tables sort; screenshot.
    wd.get(site + args.run_page)
    check_sort(wd, args.run_page, "#table-headline", "acc.")
    check_sort(wd, args.run_page, "#table-zoo", "test acc")
    wd.get(site + args.run_page)  # the screenshot shows the page as it opens
    wd.screenshot(os.path.join(args.artifacts, "site_run_page.png"))
    wd.get(site + args.suite_page)
    wd.screenshot(os.path.join(args.artifacts, "site_suite_page.png"))

    # Hostile names: shown as text, and nothing they spell exists as an element.
    wd.get(site + args.hostile_page)
    text = wd.js("return document.body.innerText")
    for name in args.hostile:
        if name not in text:
            fail("%s: the name %r is not shown as text" % (args.hostile_page, name))
    bad = wd.js("return document.querySelectorAll('img[src=\"x\"], img[onerror], b').length")
    if bad:
        fail("%s: %d elements made from names" % (args.hostile_page, bad))
    print("hostile names shown as text on %s: %d" % (args.hostile_page, len(args.hostile)))

    # From disk, without a server: styles, figures and sorting still work.
    wd.get("file://" + os.path.join(root, args.run_page))
    got = wd.js(COLLECT)
    result = wd.js_async(IMAGES)
    if got["styled"] != "1320px":
        fail("file://%s: the stylesheet did not apply" % args.run_page)
    if result["broken"] or result["count"] == 0:
        fail("file://%s: %d images, broken: %s" % (args.run_page, result["count"], result["broken"]))
    check_sort(wd, "file://" + args.run_page, "#table-headline", "acc.")


if __name__ == "__main__":
    sys.exit(main())
