# SPDX-License-Identifier: GPL-2.0-only
"""The demo Smart Dairy target: a WSGI app built the way Odoo is (prefork
workers, one psycopg2 connection each, JSON-RPC next to a REST API) that
serves every endpoint the Smart Dairy scenarios call, with switchable faults
that plant a known bottleneck for loadlens to find.

Configuration comes from the environment, set by start.sh:
  LOADLENS_TARGET_DSN  libpq DSN of the seeded database (required)
  LOADLENS_FAULTS      comma-separated faults: slow_query, leak[=KIB],
                       lock[=MS], cpu, errors=P (see README.md)

Every statement goes through psycopg2's simple query protocol (parameters are
interpolated client-side, no server-side prepared statements), because the
profiler times queries with PostgreSQL's query__start/query__done probes,
which fire only for simple-protocol queries.
"""

import datetime
import decimal
import hashlib
import hmac
import json
import os
import re
import sys
import time
import traceback

import psycopg2
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

HERE = os.path.dirname(os.path.abspath(__file__))

# The seeded data's "today" (schema.sql): order dates and milk records lie
# before it, so "recent" figures are counted back from it and stay the same
# whatever the wall clock says.
DEMO_TODAY = datetime.date(2025, 6, 30)

# Tokens and session ids are signed rather than stored, so any worker accepts
# a token another worker issued. The key is fixed: this is a test target.
TOKEN_KEY = b"loadlens-demo-target-not-a-secret"
TOKEN_TTL_S = 86400

PAYMENT_METHODS = ("cash", "bkash", "nagad")
LEAK_CAP_BYTES = 1024 * 1024 * 1024
CPU_FAULT_ITERATIONS = 150000
MAX_LIMIT = 500
MAX_ORDER_ITEMS = 50


class ConfigError(Exception):
    pass


def parse_faults(text):
    """Parse LOADLENS_FAULTS ("slow_query,errors=5") into a dict; raise
    ConfigError naming the bad entry."""
    faults = {}
    for item in (s.strip() for s in text.split(",")):
        if not item:
            continue
        name, _, value = item.partition("=")
        if name == "slow_query" and not value:
            faults[name] = True
        elif name == "cpu" and not value:
            faults[name] = True
        elif name == "leak":
            kib = int(value) if value.isdigit() else (64 if not value else -1)
            if kib <= 0:
                raise ConfigError("fault %r: leak takes KiB per request, e.g. leak=64" % item)
            faults[name] = kib * 1024
        elif name == "lock":
            ms = int(value) if value.isdigit() else (50 if not value else -1)
            if ms <= 0:
                raise ConfigError("fault %r: lock takes the hold time in ms, e.g. lock=50" % item)
            faults[name] = ms
        elif name == "errors":
            if not value.isdigit() or not 0 <= int(value) <= 100:
                raise ConfigError("fault %r: errors takes a percentage 0..100, e.g. errors=5" % item)
            faults[name] = int(value)
        else:
            raise ConfigError("unknown fault %r (known: slow_query, leak[=KIB], lock[=MS], cpu, errors=P)"
                              % item)
    return faults


DSN = os.environ.get("LOADLENS_TARGET_DSN", "")
def faults_text(faults):
    """The canonical LOADLENS_FAULTS spelling of parsed faults."""
    return ",".join(k if v is True else "%s=%d" % (k, v // 1024 if k == "leak" else v)
                    for k, v in faults.items())


FAULTS = parse_faults(os.environ.get("LOADLENS_FAULTS", ""))
FAULTS_TEXT = faults_text(FAULTS)
_DBNAME_MATCH = re.search(r"dbname=(\S+)", DSN)
DB_NAME = _DBNAME_MATCH.group(1) if _DBNAME_MATCH else ""


class Worker:
    """State of this prefork worker process (each has its own copy)."""
    conn = None
    requests = 0
    started = time.time()
    product_cache = {}
    leaked = []
    leaked_bytes = 0
    error_acc = 0
    errors_injected = 0


# --------------------------------------------------------------------------
# Database


def db():
    """This worker's connection, opened on first use and after a failure."""
    if Worker.conn is None or Worker.conn.closed:
        Worker.conn = psycopg2.connect(DSN, application_name="loadlens-target")
        # Autocommit: a read is one simple query, and order creation sends its
        # own BEGIN/COMMIT, so every statement the probes see is the app's.
        Worker.conn.autocommit = True
    return Worker.conn


def _drop_conn():
    try:
        if Worker.conn is not None:
            Worker.conn.close()
    except psycopg2.Error:
        pass
    Worker.conn = None


def sql_all(sql, params=None):
    """Run one statement; return its rows as dicts (empty for no result)."""
    try:
        with db().cursor() as cur:
            cur.execute(sql, params)
            if cur.description is None:
                return []
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, row)) for row in cur.fetchall()]
    except (psycopg2.OperationalError, psycopg2.InterfaceError):
        _drop_conn()
        raise


def sql_one(sql, params=None):
    rows = sql_all(sql, params)
    return rows[0] if rows else None


# --------------------------------------------------------------------------
# Responses and errors


class ApiError(Exception):
    def __init__(self, status, message, headers=None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _json_default(obj):
    if isinstance(obj, decimal.Decimal):
        return float(obj)
    if isinstance(obj, (datetime.date, datetime.datetime)):
        return obj.isoformat()
    raise TypeError("not JSON serializable: %r" % type(obj))


def dumps(obj):
    return json.dumps(obj, default=_json_default, separators=(",", ":"))


def json_response(obj, status=200, headers=None):
    resp = Response(dumps(obj), status=status, mimetype="application/json")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def read_json(req):
    """The request body as a JSON object, or a 400."""
    try:
        body = json.loads(req.get_data(cache=False) or b"null")
    except ValueError as e:
        raise ApiError(400, "body is not valid JSON: %s" % e)
    if not isinstance(body, dict):
        raise ApiError(400, "body must be a JSON object")
    return body


def arg_int(req, name, default, lo, hi):
    raw = req.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "%s must be an integer, got %r" % (name, raw))
    if not lo <= value <= hi:
        raise ApiError(400, "%s must be between %d and %d" % (name, lo, hi))
    return value


def to_number(value, what, integer):
    """A JSON number or numeric string as int/Decimal, or a 400 naming it."""
    if isinstance(value, bool):
        raise ApiError(400, "%s must be a number" % what)
    if isinstance(value, (int, float)):
        text = repr(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ApiError(400, "%s must be a number" % what)
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        raise ApiError(400, "%s must be a number, got %r" % (what, value))
    if not number.is_finite() or number <= 0:
        raise ApiError(400, "%s must be positive" % what)
    if integer:
        if number != number.to_integral_value():
            raise ApiError(400, "%s must be an integer" % what)
        return int(number)
    return number


# --------------------------------------------------------------------------
# Authentication: signed tokens "uid.partner_id.issued.signature"


def make_token(uid, partner_id):
    payload = "%d.%d.%d" % (uid, partner_id, int(time.time()))
    sig = hmac.new(TOKEN_KEY, payload.encode(), hashlib.sha256).hexdigest()[:40]
    return payload + "." + sig


def check_token(token):
    """The active user a token names, or None when it is forged, expired or
    the user is gone. Like Odoo's session check, it reads res_users."""
    parts = (token or "").split(".")
    if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]):
        return None
    payload = ".".join(parts[:3])
    sig = hmac.new(TOKEN_KEY, payload.encode(), hashlib.sha256).hexdigest()[:40]
    if not hmac.compare_digest(sig, parts[3]):
        return None
    if time.time() - int(parts[2]) > TOKEN_TTL_S:
        return None
    return sql_one("SELECT u.id, u.login, u.partner_id, p.name FROM res_users u "
                   "JOIN res_partner p ON p.id = u.partner_id "
                   "WHERE u.id = %s AND u.active", (int(parts[0]),))


def require_user(req):
    auth = req.headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    user = check_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise ApiError(401, "missing or invalid bearer token; log in with POST /api/v1/auth/login",
                       {"WWW-Authenticate": 'Bearer realm="smartdairy"'})
    return user


def authenticate(login, password):
    """The user row for valid credentials, else None."""
    if not isinstance(login, str) or not isinstance(password, str) or not login:
        return None
    row = sql_one("SELECT u.id, u.login, u.password, u.partner_id, p.name FROM res_users u "
                  "JOIN res_partner p ON p.id = u.partner_id "
                  "WHERE u.login = %s AND u.active", (login,))
    if row is None or not hmac.compare_digest(row.pop("password").encode(), password.encode()):
        return None
    return row


# --------------------------------------------------------------------------
# Orders (shared by REST and JSON-RPC)


def create_order(user, items, payment_method, address, partner_id=None):
    """Insert a sale_order and its lines in one transaction; return
    (id, name, amount_total). items: [(product_id:int, qty:Decimal)].
    Raises ApiError(400) for unknown products."""
    conn = db()
    product_ids = sorted({pid for pid, _ in items})
    try:
        with conn.cursor() as cur:
            cur.execute("BEGIN")
            cur.execute("SELECT id, name, list_price FROM product_template "
                        "WHERE id IN %s AND active AND sale_ok", (tuple(product_ids),))
            products = {r[0]: r for r in cur.fetchall()}
            missing = [pid for pid in product_ids if pid not in products]
            if missing:
                raise ApiError(400, "unknown or inactive product_id %s" % missing[0])
            if "lock" in FAULTS:
                # Odoo's no_gap sequence: one row every order updates, so
                # concurrent orders queue on its row lock until we commit.
                cur.execute("UPDATE ir_sequence SET number_next = number_next + 1 "
                            "WHERE code = 'sale.order' RETURNING number_next - 1")
            else:
                cur.execute("SELECT nextval('sale_order_name_seq')")
            name = "SO%06d" % cur.fetchone()[0]
            lines = []
            total = decimal.Decimal(0)
            for pid, qty in items:
                price = products[pid][2]
                line_total = (price * qty).quantize(decimal.Decimal("0.01"))
                total += line_total
                lines.append((pid, products[pid][1], qty, price, line_total))
            cur.execute("INSERT INTO sale_order (name, partner_id, user_id, date_order, state, "
                        "amount_total, payment_method, delivery_address) "
                        "VALUES (%s, %s, %s, now(), 'draft', %s, %s, %s) RETURNING id",
                        (name, partner_id or user["partner_id"], user["id"], total,
                         payment_method, address))
            order_id = cur.fetchone()[0]
            values = ",".join(cur.mogrify("(%s,%s,%s,%s,%s,%s)", (order_id,) + line).decode()
                              for line in lines)
            cur.execute("INSERT INTO sale_order_line (order_id, product_id, name, product_uom_qty, "
                        "price_unit, price_total) VALUES " + values)
            if "lock" in FAULTS:
                # App-side work inside the transaction (think: a payment
                # gateway call) while the sequence row stays locked.
                time.sleep(FAULTS["lock"] / 1000.0)
            cur.execute("COMMIT")
        return order_id, name, total
    except BaseException:
        try:
            if not conn.closed:
                with conn.cursor() as cur:
                    cur.execute("ROLLBACK")
        except psycopg2.Error:
            _drop_conn()
        raise


def parse_rest_items(items):
    if not isinstance(items, list) or not items:
        raise ApiError(400, "items must be a non-empty array")
    if len(items) > MAX_ORDER_ITEMS:
        raise ApiError(400, "at most %d items per order" % MAX_ORDER_ITEMS)
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ApiError(400, "items[%d] must be an object" % i)
        pid = to_number(item.get("product_id"), "items[%d].product_id" % i, True)
        qty = to_number(item.get("quantity", 1), "items[%d].quantity" % i, False)
        if qty > 10000:
            raise ApiError(400, "items[%d].quantity must be at most 10000" % i)
        out.append((pid, qty))
    return out


# --------------------------------------------------------------------------
# CPU fault


def price_forecast(product_id, base_price):
    """A deliberately expensive pure-Python computation (the cpu fault):
    a year of daily prices from a fixed recurrence, iterated many times."""
    base = float(base_price)
    x = float(product_id % 97 + 1) / 98.0
    price = low = high = base
    for _ in range(CPU_FAULT_ITERATIONS):
        x = 3.9 * x * (1.0 - x)
        price = 0.98 * price + 0.02 * base * (0.8 + 0.4 * x)
        if price < low:
            low = price
        elif price > high:
            high = price
    return {"low": round(low, 2), "high": round(high, 2), "end": round(price, 2)}


# --------------------------------------------------------------------------
# Handlers: REST API


def h_home(req):
    featured = sql_all("SELECT id, name, list_price FROM product_template "
                       "WHERE active ORDER BY id DESC LIMIT 8")
    items = "\n".join(
        '      <li><a href="/api/v1/products/%d">%s</a> <span>%.2f BDT</span></li>'
        % (p["id"], p["name"].replace("&", "&amp;").replace("<", "&lt;"), p["list_price"])
        for p in featured)
    html = HOME_HTML.replace("{featured}", items)
    return Response(html, mimetype="text/html")


def h_static(req, name):
    asset = STATIC.get(name)
    if asset is None:
        raise NotFound()
    return Response(asset[1], mimetype=asset[0], headers={"Cache-Control": "public, max-age=3600"})


def h_health(req):
    return json_response({"status": "ok"})


def h_health_detailed(req):
    with open("/proc/self/statm") as f:
        rss_pages = int(f.read().split()[1])
    t0 = time.monotonic()
    try:
        sql_one("SELECT 1 AS ok")
        database = "ok"
    except psycopg2.Error as e:
        database = "error: %s" % str(e).strip()
    db_ms = (time.monotonic() - t0) * 1000.0
    return json_response({
        "status": "ok" if database == "ok" else "degraded",
        "pid": os.getpid(),
        "memory_mb": round(rss_pages * os.sysconf("SC_PAGE_SIZE") / 1048576.0, 1),
        "requests": Worker.requests,
        "uptime_s": round(time.time() - Worker.started, 1),
        "database": database,
        "db_latency_ms": round(db_ms, 3),
        "product_cache_entries": len(Worker.product_cache),
        "faults": FAULTS_TEXT,
        "leaked_mb": round(Worker.leaked_bytes / 1048576.0, 1),
    })


def h_products(req):
    limit = arg_int(req, "limit", 20, 1, MAX_LIMIT)
    offset = arg_int(req, "offset", 0, 0, 1000000)
    rows = sql_all("SELECT p.id, p.name, p.default_code, p.list_price, p.categ_id, "
                   "c.name AS category FROM product_template p "
                   "JOIN product_category c ON c.id = p.categ_id "
                   "WHERE p.active ORDER BY p.id LIMIT %s OFFSET %s", (limit, offset))
    return json_response({"data": rows, "count": len(rows), "limit": limit, "offset": offset})


def h_product(req, pid):
    product = Worker.product_cache.get(pid)
    cache = "HIT"
    if product is None:
        cache = "MISS"
        product = sql_one("SELECT p.id, p.name, p.default_code, p.list_price, p.categ_id, "
                          "c.complete_name AS category, p.description, p.sale_ok "
                          "FROM product_template p JOIN product_category c ON c.id = p.categ_id "
                          "WHERE p.id = %s AND p.active", (pid,))
        if product is None:
            raise ApiError(404, "product %d not found" % pid, {"X-Cache": "MISS"})
        Worker.product_cache[pid] = product
    body = {"data": product}
    if "cpu" in FAULTS:
        body["forecast"] = price_forecast(pid, product["list_price"])
    return json_response(body, headers={"X-Cache": cache})


def h_product_categories(req):
    rows = sql_all("SELECT c.id, c.name, c.complete_name, c.parent_id, count(p.id) AS product_count "
                   "FROM product_category c "
                   "LEFT JOIN product_template p ON p.categ_id = c.id AND p.active "
                   "GROUP BY c.id ORDER BY c.complete_name")
    return json_response({"data": rows, "count": len(rows)})


def h_categories(req):
    rows = sql_all("SELECT id, name, parent_id, complete_name FROM product_category "
                   "ORDER BY complete_name")
    children = {}
    for r in rows:
        children.setdefault(r["parent_id"], []).append(r["id"])
    for r in rows:
        r["child_ids"] = children.get(r["id"], [])
    return json_response({"data": rows, "count": len(rows)})


def like_pattern(q):
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# Normal search: names only, served by the btree (ORDER BY name LIMIT walks
# it) or trigram index on product_template.name; about a millisecond.
SEARCH_SQL = ("SELECT id, name, default_code, list_price, categ_id FROM product_template "
              "WHERE active AND name ILIKE %(pattern)s ORDER BY name LIMIT %(limit)s")
# The slow_query fault's search also matches the ~1,200-character descriptions
# and ranks name matches first. No index serves description ILIKE '%q%' and
# the ORDER BY expression defeats the name index, so every call seq-scans
# product_template and lowercases every description: tens of ms.
SEARCH_SLOW_SQL = ("SELECT id, name, default_code, list_price, categ_id FROM product_template "
                   "WHERE active AND (name ILIKE %(pattern)s OR description ILIKE %(pattern)s) "
                   "ORDER BY name ILIKE %(pattern)s DESC, name LIMIT %(limit)s")


def h_search(req):
    q = (req.args.get("q") or "").strip()
    if not q:
        raise ApiError(400, "query parameter q is required, e.g. /api/v1/search?q=milk")
    if len(q) > 100:
        raise ApiError(400, "q must be at most 100 characters")
    limit = arg_int(req, "limit", 20, 1, MAX_LIMIT)
    sql = SEARCH_SLOW_SQL if "slow_query" in FAULTS else SEARCH_SQL
    rows = sql_all(sql, {"pattern": like_pattern(q), "limit": limit})
    return json_response({"query": q, "data": rows, "count": len(rows)})


def h_login(req):
    body = read_json(req)
    user = authenticate(body.get("username"), body.get("password"))
    if user is None:
        raise ApiError(401, "invalid username or password")
    return json_response({
        "token": make_token(user["id"], user["partner_id"]),
        "token_type": "Bearer",
        "expires_in": TOKEN_TTL_S,
        "user": user,
    })


def h_dashboard(req):
    user = require_user(req)
    stats = sql_one("SELECT count(*) AS order_count, "
                    "count(*) FILTER (WHERE state IN ('sale', 'done')) AS confirmed_count, "
                    "coalesce(sum(amount_total) FILTER (WHERE state IN ('sale', 'done')), 0) "
                    "AS total_spent, max(date_order) AS last_order_date "
                    "FROM sale_order WHERE partner_id = %s", (user["partner_id"],))
    recent = sql_all("SELECT id, name, date_order, state, amount_total FROM sale_order "
                     "WHERE partner_id = %s ORDER BY date_order DESC LIMIT 5", (user["partner_id"],))
    return json_response({"user": user, "orders": stats, "recent_orders": recent})


def h_dashboard_summary(req):
    require_user(req)
    since = DEMO_TODAY - datetime.timedelta(days=30)
    sales = sql_one("SELECT count(*) AS orders, "
                    "count(*) FILTER (WHERE state = 'draft') AS draft, "
                    "count(*) FILTER (WHERE state = 'sale') AS pending, "
                    "count(*) FILTER (WHERE state = 'done') AS completed, "
                    "count(*) FILTER (WHERE state = 'cancel') AS cancelled, "
                    "coalesce(sum(amount_total) FILTER (WHERE state IN ('sale', 'done')), 0) "
                    "AS revenue FROM sale_order WHERE date_order >= %s", (since,))
    milk = sql_one("SELECT coalesce(sum(total_yield), 0) AS liters, count(*) AS animals_milked "
                   "FROM farm_milk_record WHERE record_date = %s", (DEMO_TODAY,))
    return json_response({"period": {"from": since, "to": DEMO_TODAY, "days": 30},
                          "sales": sales, "milk_today": milk})


def h_orders(req):
    user = require_user(req)
    if req.method == "GET":
        limit = arg_int(req, "limit", 20, 1, MAX_LIMIT)
        rows = sql_all("SELECT id, name, date_order, state, amount_total, payment_method "
                       "FROM sale_order WHERE partner_id = %s "
                       "ORDER BY date_order DESC LIMIT %s", (user["partner_id"], limit))
        return json_response({"data": rows, "count": len(rows)})
    body = read_json(req)
    items = parse_rest_items(body.get("items"))
    payment = body.get("payment_method", "cash")
    if payment not in PAYMENT_METHODS:
        raise ApiError(400, "payment_method must be one of %s" % ", ".join(PAYMENT_METHODS))
    address = body.get("delivery_address")
    if address is not None and (not isinstance(address, str) or len(address) > 500):
        raise ApiError(400, "delivery_address must be a string of at most 500 characters")
    order_id, name, total = create_order(user, items, payment, address)
    return json_response({"data": {"id": order_id, "name": name, "state": "draft",
                                   "amount_total": total, "items": len(items)}}, status=201)


def h_farm_summary(req):
    animals = sql_one("SELECT count(*) AS total, "
                      "count(*) FILTER (WHERE status = 'active') AS active, "
                      "count(*) FILTER (WHERE status = 'dry') AS dry, "
                      "count(*) FILTER (WHERE status = 'sick') AS sick, "
                      "count(*) FILTER (WHERE status = 'sold') AS sold FROM farm_animal")
    days = sql_all("SELECT record_date, sum(total_yield) AS liters, "
                   "round(avg(total_yield), 2) AS avg_per_animal, count(*) AS records "
                   "FROM farm_milk_record WHERE record_date > %s "
                   "GROUP BY record_date ORDER BY record_date",
                   (DEMO_TODAY - datetime.timedelta(days=7),))
    return json_response({"date": DEMO_TODAY, "animals": animals,
                          "milk_today_liters": days[-1]["liters"] if days else 0,
                          "milk_last_7_days": days})


def h_farm_animals(req):
    limit = arg_int(req, "limit", 50, 1, MAX_LIMIT)
    offset = arg_int(req, "offset", 0, 0, 1000000)
    status = req.args.get("status")
    where, params = "", []
    if status:
        where, params = "WHERE a.status = %s", [status]
    rows = sql_all("SELECT a.id, a.name, a.tag, a.breed, a.status, a.birth_date, "
                   "r.record_date AS last_record_date, r.total_yield AS last_yield "
                   "FROM farm_animal a LEFT JOIN LATERAL ("
                   "SELECT record_date, total_yield FROM farm_milk_record m "
                   "WHERE m.animal_id = a.id ORDER BY record_date DESC LIMIT 1) r ON true "
                   + where + " ORDER BY a.id LIMIT %s OFFSET %s", params + [limit, offset])
    return json_response({"data": rows, "count": len(rows)})


def h_recommendations(req, pid):
    product = sql_one("SELECT id, categ_id FROM product_template WHERE id = %s", (pid,))
    if product is None:
        raise ApiError(404, "product %d not found" % pid)
    limit = arg_int(req, "limit", 10, 1, 100)
    rows = sql_all("SELECT id, name, default_code, list_price FROM product_template "
                   "WHERE categ_id = %s AND id <> %s AND active "
                   "ORDER BY list_price DESC, id LIMIT %s", (product["categ_id"], pid, limit))
    return json_response({"product_id": pid, "categ_id": product["categ_id"],
                          "data": rows, "count": len(rows)})


# --------------------------------------------------------------------------
# Handlers: Odoo JSON-RPC


class RpcError(Exception):
    """An Odoo exception, answered as a JSON-RPC error inside HTTP 200."""

    def __init__(self, name, message):
        super().__init__(message)
        self.name = name
        self.message = message


def rpc_response(req_id, result=None, error=None, cookie=None):
    body = {"jsonrpc": "2.0", "id": req_id}
    if error is not None:
        body["error"] = {
            "code": 200,
            "message": "Odoo Server Error",
            "data": {"name": error.name, "debug": "", "message": error.message,
                     "arguments": [error.message], "context": {}},
        }
    else:
        body["result"] = result
    resp = json_response(body)
    if cookie is not None:
        resp.set_cookie("session_id", cookie, max_age=TOKEN_TTL_S, path="/", httponly=True,
                        samesite="Lax")
    return resp


def rpc_params(req):
    try:
        body = json.loads(req.get_data(cache=False) or b"null")
    except ValueError as e:
        raise RpcError("werkzeug.exceptions.BadRequest", "Invalid JSON data: %s" % e)
    if not isinstance(body, dict):
        raise RpcError("werkzeug.exceptions.BadRequest", "Invalid JSON-RPC request")
    params = body.get("params", {})
    if not isinstance(params, dict):
        raise RpcError("werkzeug.exceptions.BadRequest", "params must be an object")
    return body.get("id"), params


def h_rpc_authenticate(req):
    req_id = None
    try:
        req_id, params = rpc_params(req)
        db_name = params.get("db")
        if db_name and db_name != DB_NAME:
            raise RpcError("odoo.exceptions.AccessDenied", "Database %r does not exist" % db_name)
        user = authenticate(params.get("login"), params.get("password"))
        if user is None:
            raise RpcError("odoo.exceptions.AccessDenied", "Access Denied")
    except RpcError as e:
        return rpc_response(req_id, error=e)
    session_id = make_token(user["id"], user["partner_id"])
    result = {
        "uid": user["id"],
        "is_system": user["login"] == "admin",
        "is_admin": user["login"] == "admin",
        "name": user["name"],
        "username": user["login"],
        "partner_id": user["partner_id"],
        "db": DB_NAME,
        "session_id": session_id,
        "user_context": {"lang": "en_US", "tz": "Asia/Dhaka", "uid": user["id"]},
        "server_version": "17.0-loadlens-demo",
    }
    return rpc_response(req_id, result=result, cookie=session_id)


PRODUCT_FIELDS = {
    "id": "p.id", "name": "p.name", "display_name": "p.name", "default_code": "p.default_code",
    "list_price": "p.list_price", "categ_id": "p.categ_id", "active": "p.active",
    "sale_ok": "p.sale_ok", "description": "p.description",
}
BOOLEAN_FIELDS = ("active", "sale_ok")
DOMAIN_OPS = {"=": "=", "!=": "<>", "<>": "<>", "<": "<", ">": ">", "<=": "<=", ">=": ">=",
              "like": "LIKE", "ilike": "ILIKE", "not like": "NOT LIKE", "not ilike": "NOT ILIKE",
              "=like": "LIKE", "=ilike": "ILIKE", "in": "IN", "not in": "NOT IN"}


def compile_leaf(leaf):
    if not isinstance(leaf, (list, tuple)) or len(leaf) != 3:
        raise RpcError("builtins.ValueError", "Invalid leaf %r" % (leaf,))
    field, op, value = leaf
    if field not in PRODUCT_FIELDS or field == "display_name" and op not in ("ilike", "like", "="):
        raise RpcError("builtins.ValueError", "Invalid field %r in leaf %r" % (field, list(leaf)))
    if op not in DOMAIN_OPS:
        raise RpcError("builtins.ValueError", "Invalid operator %r in leaf %r" % (op, list(leaf)))
    col = PRODUCT_FIELDS[field]
    if op in ("in", "not in"):
        if not isinstance(value, (list, tuple)):
            raise RpcError("builtins.ValueError", "Operator %r needs a list, got %r" % (op, value))
        if not value:
            return ("FALSE" if op == "in" else "TRUE"), []
        return "%s %s %%s" % (col, DOMAIN_OPS[op]), [tuple(value)]
    if value is False or value is None:
        if field in BOOLEAN_FIELDS:
            return "%s %s false" % (col, DOMAIN_OPS[op]) if op in ("=", "!=", "<>") else "FALSE", []
        if op == "=":
            return "%s IS NULL" % col, []
        if op in ("!=", "<>"):
            return "%s IS NOT NULL" % col, []
    if isinstance(value, (list, dict)):
        raise RpcError("builtins.ValueError", "Invalid value %r in leaf %r" % (value, list(leaf)))
    if op in ("like", "ilike", "not like", "not ilike"):
        value = like_pattern(str(value))
    return "%s %s %%s" % (col, DOMAIN_OPS[op]), [value]


def compile_domain(domain):
    """An Odoo domain (prefix '&', '|', '!' over [field, op, value] leaves,
    implicit AND at the top) as an SQL condition and its parameters."""
    if domain is None:
        domain = []
    if not isinstance(domain, list):
        raise RpcError("builtins.ValueError", "Invalid domain %r" % (domain,))

    def term(i):
        if i >= len(domain):
            raise RpcError("builtins.ValueError", "Invalid domain %r: missing operand" % (domain,))
        tok = domain[i]
        if tok in ("&", "|"):
            left, lp, j = term(i + 1)
            right, rp, k = term(j)
            return "(%s %s %s)" % (left, "AND" if tok == "&" else "OR", right), lp + rp, k
        if tok == "!":
            inner, ip, j = term(i + 1)
            return "(NOT %s)" % inner, ip, j
        sql, params = compile_leaf(tok)
        return sql, params, i + 1

    parts, params, i = [], [], 0
    while i < len(domain):
        sql, p, i = term(i)
        parts.append(sql)
        params += p
    mentions_active = any(isinstance(t, (list, tuple)) and t and t[0] == "active" for t in domain)
    if not mentions_active:
        parts.append("p.active")
    return " AND ".join(parts) or "TRUE", params


def rpc_search_read(args, kwargs):
    names = ("domain", "fields", "offset", "limit", "order")
    if len(args) > len(names):
        raise RpcError("builtins.TypeError", "search_read() takes at most %d positional arguments"
                       % len(names))
    call = dict(zip(names, args))
    for k, v in kwargs.items():
        if k == "context":
            continue
        if k not in names:
            raise RpcError("builtins.TypeError", "search_read() got an unexpected keyword argument %r"
                           % k)
        call[k] = v
    where, params = compile_domain(call.get("domain"))
    fields = call.get("fields") or ["id", "name", "display_name", "default_code", "list_price",
                                    "categ_id", "active", "sale_ok", "description"]
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise RpcError("builtins.ValueError", "fields must be a list of field names")
    for f in fields:
        if f not in PRODUCT_FIELDS:
            raise RpcError("builtins.ValueError", "Invalid field %r on model 'product.template'" % f)
    order = call.get("order") or "id"
    if not isinstance(order, str) or not re.fullmatch(
            r"\s*[a-z_]+(\s+(asc|desc))?\s*(,\s*[a-z_]+(\s+(asc|desc))?\s*)*", order, re.I):
        raise RpcError("builtins.ValueError", "Invalid order %r" % (order,))
    order_sql = []
    for part in order.split(","):
        bits = part.split()
        if bits[0] not in PRODUCT_FIELDS:
            raise RpcError("builtins.ValueError", "Invalid field %r in order %r" % (bits[0], order))
        order_sql.append(PRODUCT_FIELDS[bits[0]] + (" " + bits[1].upper() if len(bits) > 1 else ""))
    offset, limit = call.get("offset") or 0, call.get("limit")
    if not isinstance(offset, int) or offset < 0 or (
            limit is not None and limit is not False and (not isinstance(limit, int) or limit < 0)):
        raise RpcError("builtins.ValueError", "offset and limit must be non-negative integers")
    sql = ("SELECT p.id, p.name, p.default_code, p.list_price, p.categ_id, p.active, p.sale_ok, "
           "p.description, c.complete_name AS categ_name FROM product_template p "
           "JOIN product_category c ON c.id = p.categ_id WHERE " + where
           + " ORDER BY " + ", ".join(order_sql))
    if limit:
        sql += " LIMIT %d" % limit
    if offset:
        sql += " OFFSET %d" % offset
    rows = sql_all(sql, params)
    out = []
    for r in rows:
        rec = {"id": r["id"]}
        for f in fields:
            if f == "categ_id":
                rec[f] = [r["categ_id"], r["categ_name"]]
            elif f == "display_name":
                rec[f] = r["name"]
            elif f != "id":
                value = r[f]
                rec[f] = False if value is None else value
        out.append(rec)
    return out


def rpc_create_order(user, args, kwargs):
    vals_list = args[0] if args else kwargs.get("vals_list", kwargs.get("vals"))
    single = isinstance(vals_list, dict)
    if single:
        vals_list = [vals_list]
    if not isinstance(vals_list, list) or not vals_list or not all(isinstance(v, dict) for v in vals_list):
        raise RpcError("builtins.TypeError", "create() expects a dict or a list of dicts of values")
    ids = []
    for vals in vals_list:
        commands = vals.get("order_line")
        if not isinstance(commands, list) or not commands:
            raise RpcError("odoo.exceptions.ValidationError", "An order needs at least one order_line")
        items = []
        for cmd in commands:
            if (not isinstance(cmd, (list, tuple)) or len(cmd) != 3 or cmd[0] != 0
                    or not isinstance(cmd[2], dict)):
                raise RpcError("builtins.ValueError",
                               "order_line takes create commands [0, 0, {values}], got %r" % (cmd,))
            try:
                items.append((to_number(cmd[2].get("product_id"), "product_id", True),
                              to_number(cmd[2].get("product_uom_qty", 1), "product_uom_qty", False)))
            except ApiError as e:
                raise RpcError("builtins.ValueError", e.message)
        payment = vals.get("payment_method", "cash")
        if payment not in PAYMENT_METHODS:
            raise RpcError("odoo.exceptions.ValidationError",
                           "payment_method must be one of %s" % ", ".join(PAYMENT_METHODS))
        partner_id = vals.get("partner_id") or user["partner_id"]
        if not isinstance(partner_id, int) or not sql_one(
                "SELECT id FROM res_partner WHERE id = %s AND active", (partner_id,)):
            raise RpcError("odoo.exceptions.MissingError", "Record does not exist or has been deleted."
                           " (Record: res.partner(%r,))" % (partner_id,))
        address = vals.get("delivery_address")
        try:
            order_id, _, _ = create_order(user, items, payment,
                                          address if isinstance(address, str) else None, partner_id)
        except ApiError as e:
            raise RpcError("odoo.exceptions.ValidationError", e.message)
        ids.append(order_id)
    return ids[0] if single else ids


def rpc_search_count(args, kwargs):
    where, params = compile_domain(args[0] if args else kwargs.get("domain"))
    return sql_one("SELECT count(*) AS n FROM product_template p WHERE " + where, params)["n"]


RPC_METHODS = {
    ("product.template", "search_read"): lambda user, a, kw: rpc_search_read(a, kw),
    ("product.template", "search_count"): lambda user, a, kw: rpc_search_count(a, kw),
    ("sale.order", "create"): rpc_create_order,
}
RPC_MODELS = {m for m, _ in RPC_METHODS}


def h_rpc_call_kw(req, rest=None):
    req_id = None
    try:
        req_id, params = rpc_params(req)
        session = req.cookies.get("session_id") or req.headers.get("X-Openerp-Session-Id")
        user = check_token(session) if session else None
        if user is None:
            raise RpcError("odoo.exceptions.AccessDenied",
                           "Session expired or invalid: authenticate with /web/session/authenticate")
        model, method = params.get("model"), params.get("method")
        args, kwargs = params.get("args", []), params.get("kwargs", {})
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise RpcError("builtins.TypeError", "args must be a list and kwargs an object")
        if model not in RPC_MODELS:
            raise RpcError("builtins.KeyError", repr(model))
        fn = RPC_METHODS.get((model, method))
        if fn is None:
            raise RpcError("builtins.AttributeError",
                           "The method '%s' does not exist on the model '%s'" % (method, model))
        return rpc_response(req_id, result=fn(user, args, kwargs))
    except RpcError as e:
        return rpc_response(req_id, error=e)


# --------------------------------------------------------------------------
# Dispatch


URL_MAP = Map([
    Rule("/", endpoint=h_home, methods=["GET"]),
    Rule("/static/<name>", endpoint=h_static, methods=["GET"]),
    Rule("/api/v1/health", endpoint=h_health, methods=["GET"]),
    Rule("/api/v1/health/detailed", endpoint=h_health_detailed, methods=["GET"]),
    Rule("/api/v1/products", endpoint=h_products, methods=["GET"]),
    Rule("/api/v1/products/categories", endpoint=h_product_categories, methods=["GET"]),
    Rule("/api/v1/products/<int:pid>", endpoint=h_product, methods=["GET"]),
    Rule("/api/v1/categories", endpoint=h_categories, methods=["GET"]),
    Rule("/api/v1/search", endpoint=h_search, methods=["GET"]),
    Rule("/api/v1/auth/login", endpoint=h_login, methods=["POST"]),
    Rule("/api/v1/dashboard", endpoint=h_dashboard, methods=["GET"]),
    Rule("/api/v1/dashboard/summary", endpoint=h_dashboard_summary, methods=["GET"]),
    Rule("/api/v1/orders", endpoint=h_orders, methods=["GET", "POST"]),
    Rule("/api/v1/farm/summary", endpoint=h_farm_summary, methods=["GET"]),
    Rule("/api/v1/farm/animals", endpoint=h_farm_animals, methods=["GET"]),
    Rule("/api/v1/recommendations/<int:pid>", endpoint=h_recommendations, methods=["GET"]),
    Rule("/web/session/authenticate", endpoint=h_rpc_authenticate, methods=["POST"]),
    Rule("/web/dataset/call_kw", endpoint=h_rpc_call_kw, methods=["POST"]),
    Rule("/web/dataset/call_kw/<path:rest>", endpoint=h_rpc_call_kw, methods=["POST"]),
], strict_slashes=False)

HEALTH_PATHS = ("/api/v1/health", "/api/v1/health/detailed")


def inject_faults(path):
    """Apply the per-request faults; return an error Response or None."""
    if "leak" in FAULTS and Worker.leaked_bytes < LEAK_CAP_BYTES:
        # Written bytes, not a lazily zeroed buffer, so RSS really grows.
        Worker.leaked.append(b"L" * FAULTS["leak"])
        Worker.leaked_bytes += FAULTS["leak"]
    if FAULTS.get("errors") and path not in HEALTH_PATHS:
        # An accumulator, not a coin toss: exactly P of every 100 requests
        # a worker serves fail, spread evenly.
        Worker.error_acc += FAULTS["errors"]
        if Worker.error_acc >= 100:
            Worker.error_acc -= 100
            Worker.errors_injected += 1
            return json_response({"error": "injected fault: errors=%d" % FAULTS["errors"]}, 500)
    return None


def application(environ, start_response):
    Worker.requests += 1
    req = Request(environ)
    try:
        resp = inject_faults(req.path)
        if resp is None:
            endpoint, args = URL_MAP.bind_to_environ(environ).match()
            resp = endpoint(req, **args)
    except ApiError as e:
        resp = json_response({"error": e.message}, e.status, e.headers)
    except MethodNotAllowed as e:
        resp = json_response({"error": "method %s not allowed" % req.method}, 405,
                             {"Allow": ", ".join(e.valid_methods or [])})
    except NotFound:
        resp = json_response({"error": "no such endpoint: %s" % req.path}, 404)
    except HTTPException as e:
        resp = json_response({"error": e.description}, e.code or 500)
    except Exception:
        sys.stderr.write("loadlens-target[%d]: %s %s failed\n%s" % (
            os.getpid(), req.method, req.path, traceback.format_exc()))
        sys.stderr.flush()
        resp = json_response({"error": "internal server error"}, 500)
    resp.headers["X-Worker-Pid"] = str(os.getpid())
    return resp(environ, start_response)


def _load_static():
    types = {".css": "text/css", ".js": "application/javascript", ".svg": "image/svg+xml"}
    assets = {}
    static_dir = os.path.join(HERE, "static")
    for name in os.listdir(static_dir):
        ext = os.path.splitext(name)[1]
        if ext in types:
            with open(os.path.join(static_dir, name), "rb") as f:
                assets[name] = (types[ext], f.read())
    return assets


STATIC = _load_static()
with open(os.path.join(HERE, "static", "index.html"), encoding="utf-8") as _f:
    HOME_HTML = _f.read()

# Connect at import (in each worker, after the fork: gunicorn does not preload)
# so every worker holds its backend from the start; a failure here is retried
# on the first request.
if DSN:
    try:
        db()
    except psycopg2.Error as _e:
        sys.stderr.write("loadlens-target[%d]: database not reachable yet: %s\n" % (os.getpid(), _e))
