#!/usr/bin/env bash
# Generates the binlog fixtures in test/fixtures/ from a real MariaDB: a throwaway mariadbd
# (own temporary datadir, no network, socket only) with the binlog on in ROW format runs a
# small sysbench oltp_write_only plus some DDL and typed rows, is stopped by its PID, and
# its binlog files are copied here together with expected.json (what the server reported).
#
# Usage: bash packages/binlog/scripts/make-fixtures.sh   (from anywhere)
# Needs the Debian packages mariadb-server, mariadb-client and sysbench (installed through
# scripts/ensure-apt.sh when missing).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pkg="$(dirname "$here")"
root="$(cd "$pkg/../.." && pwd)"
out="$pkg/test/fixtures"

bash "$root/scripts/ensure-apt.sh" mariadb-server mariadb-client sysbench

TRANSACTIONS="${FIXTURE_TRANSACTIONS:-240}"
tmp="$(mktemp -d /tmp/lockstep-binlog-fixtures.XXXXXX)"
sock="$tmp/mariadb.sock"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/data" "$tmp/log"
mariadb-install-db --no-defaults --datadir="$tmp/data" --user="$(id -un)" \
  --auth-root-authentication-method=normal --skip-test-db >"$tmp/install.log" 2>&1

mariadbd --no-defaults --datadir="$tmp/data" --socket="$sock" --pid-file="$tmp/mariadbd.pid" \
  --skip-networking --user="$(id -un)" --log-error="$tmp/error.log" \
  --log-bin="$tmp/log/mariadb-bin" --binlog-format=ROW --server-id=1 --gtid-domain-id=0 \
  --max-binlog-size=131072 --innodb-buffer-pool-size=16M --innodb-log-file-size=16M \
  --binlog-checksum=CRC32 --default-time-zone=+00:00 --sync-binlog=1 \
  --innodb-flush-log-at-trx-commit=1 &
pid=$!

for _ in $(seq 1 300); do
  [ -S "$sock" ] && mariadb --no-defaults -S "$sock" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/error.log" >&2; exit 1; }
  sleep 0.1
done

sql() { mariadb --no-defaults -S "$sock" -uroot -N -B "$@"; }

sql -e "CREATE DATABASE sbtest"
sb=(sysbench oltp_write_only --db-driver=mysql --mysql-socket="$sock" --mysql-user=root
  --mysql-db=sbtest --tables=2 --table-size=20 --rand-seed=7)
"${sb[@]}" prepare >"$tmp/prepare.log"
"${sb[@]}" --threads=4 --events="$TRANSACTIONS" --time=0 --report-interval=0 run >"$tmp/run.log"
sysbench_tps_line="$(grep -E 'transactions:' "$tmp/run.log" | head -1 | sed 's/^ *//')"

# Typed rows and DDL: every column type the codec supports, extremes and NULLs.
sql sbtest <<'SQL'
CREATE TABLE typed (
  id INT NOT NULL PRIMARY KEY,
  ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, su SMALLINT UNSIGNED,
  mi MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED,
  bi BIGINT, bu BIGINT UNSIGNED, c CHAR(10), vc VARCHAR(300), t TEXT, b BLOB,
  d DOUBLE, dt DATETIME, dt6 DATETIME(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO typed VALUES
  (1, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295,
   -9223372036854775808, 18446744073709551615, 'abc', REPEAT('v', 300), 'text é', X'00FF10',
   -1.5, '2024-02-29 23:59:58', '1999-12-31 01:02:03.456789'),
  (2, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0, 9223372036854775807, 0, '', '', '', '',
   1e300, '1000-01-01 00:00:00', '9999-12-31 23:59:59.000001'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL);
UPDATE typed SET ti = ti - 1, vc = 'short' WHERE id = 2;
DELETE FROM typed WHERE id = 3;
ALTER TABLE typed ADD COLUMN extra INT NULL;
SET SESSION gtid_domain_id = 1;
INSERT INTO typed (id, extra) VALUES (10, 42);
SET SESSION gtid_domain_id = 0;
FLUSH BINARY LOGS;
SQL

# The last file without checksums (changing binlog_checksum rotates the log).
sql sbtest -e "SET GLOBAL binlog_checksum = NONE"
sql sbtest -e "INSERT INTO typed (id, ti) VALUES (20, 5); UPDATE typed SET ti = 6 WHERE id = 20"

# What the server says, recorded for the test.
gtid_binlog_pos="$(sql -e 'SELECT @@gtid_binlog_pos')"
sb_state=""
for t in 1 2; do
  line="$(sql sbtest -e "SELECT COUNT(*), COALESCE(SUM(k),0), COALESCE(SUM(id),0) FROM sbtest$t")"
  read -r cnt sumk sumid <<<"$line"
  sb_state="$sb_state\"sbtest$t\":{\"count\":$cnt,\"sumK\":$sumk,\"sumId\":$sumid},"
done
sb_state="{${sb_state%,}}"

# A copy of the active file taken while the server runs: its FDE still has the in-use flag.
active="$(sql -e 'SHOW MASTER STATUS' | cut -f1)"
cp "$tmp/log/$active" "$tmp/in-use-$active"

kill "$pid"
wait "$pid" 2>/dev/null || true
pid=""

rm -f "$out"/mariadb-bin.* "$out"/expected.json
cp "$tmp"/log/mariadb-bin.[0-9]* "$tmp/log/mariadb-bin.index" "$out/"
mkdir -p "$out/in-use"
rm -f "$out"/in-use/*
cp "$tmp/in-use-$active" "$out/in-use/$active"
# The index names files by the server's path; keep only the base names.
sed -i 's#.*/##' "$out/mariadb-bin.index"

# Independent row counts from the reference decoder (mariadb-binlog), per event kind.
decoded="$(cd "$out" && mariadb-binlog --no-defaults --base64-output=decode-rows --verbose mariadb-bin.[0-9]*)"
inserts="$(grep -c '^### INSERT INTO' <<<"$decoded" || true)"
updates="$(grep -c '^### UPDATE' <<<"$decoded" || true)"
deletes="$(grep -c '^### DELETE FROM' <<<"$decoded" || true)"
gtids="$(grep -c 'GTID [0-9]*-[0-9]*-[0-9]*' <<<"$decoded" || true)"

cat >"$out/expected.json" <<JSON
{
  "generatedBy": "packages/binlog/scripts/make-fixtures.sh",
  "server": "$(mariadbd --version | sed 's/  */ /g')",
  "sysbench": "$(sysbench --version) oltp_write_only --tables=2 --table-size=20 --threads=4 --events=$TRANSACTIONS",
  "sysbenchReport": "$sysbench_tps_line",
  "gtidBinlogPos": "$gtid_binlog_pos",
  "inUseCopy": "in-use/$active",
  "tables": $sb_state,
  "mariadbBinlog": { "rowsInserted": $inserts, "rowsUpdated": $updates, "rowsDeleted": $deletes, "gtidEvents": $gtids }
}
JSON
ls -l "$out"
du -sh "$out"
