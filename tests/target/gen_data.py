# SPDX-License-Identifier: GPL-2.0-only
"""Regenerate the Smart Dairy scenario data files from a running target:
scenarios/smartdairy/data/users.json (valid logins with a delivery address)
and products.json (active products). The seed is deterministic, so the
output only changes when schema.sql does.

usage: /usr/bin/python3 tests/target/gen_data.py "$TARGET_DB_DSN" [OUT_DIR]
"""

import json
import os
import sys

import psycopg2

USERS = 500
PRODUCTS = 300


def main():
    if len(sys.argv) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    out_dir = sys.argv[2] if len(sys.argv) == 3 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "scenarios", "smartdairy", "data")
    conn = psycopg2.connect(sys.argv[1])
    with conn.cursor() as cur:
        cur.execute("SELECT u.login, u.password, p.street || ', ' || p.city "
                    "FROM res_users u JOIN res_partner p ON p.id = u.partner_id "
                    "WHERE u.active AND u.login LIKE 'user%%' ORDER BY u.id LIMIT %s", (USERS,))
        users = [{"username": r[0], "password": r[1], "address": r[2]} for r in cur.fetchall()]
        # Every 7th active product: a spread over all kinds, sizes and grades.
        cur.execute("SELECT id, name FROM (SELECT id, name, row_number() OVER (ORDER BY id) AS n "
                    "FROM product_template WHERE active AND sale_ok) t "
                    "WHERE n %% 7 = 1 ORDER BY id LIMIT %s", (PRODUCTS,))
        products = [{"id": r[0], "name": r[1]} for r in cur.fetchall()]
    conn.close()
    if len(users) < USERS or len(products) < PRODUCTS:
        sys.stderr.write("gen_data.py: only %d users and %d products found; is the seed complete?\n"
                         % (len(users), len(products)))
        return 1
    for name, rows in (("users.json", users), ("products.json", products)):
        path = os.path.join(out_dir, name)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write("[\n" + ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in rows) + "\n]\n")
        os.replace(path + ".tmp", path)
        sys.stderr.write("gen_data.py: wrote %d entries to %s\n" % (len(rows), os.path.normpath(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
