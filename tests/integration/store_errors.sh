#!/usr/bin/env bash
# Clear errors and README's exit codes (issue 10, finding 7): each failure of the database
# names its cause and path in words (磁盘已满 (disk full), the LMDB map size and --map-size,
# a missing parent directory, an unwritable directory) instead of "Input/output error",
# and exits as README's table says: 3 for database or local errors, 2 for usage; a
# submission the store could not take is never acked (the collector keeps it: exit 4) and
# goes in once the cause is gone. The disk-full part needs a small tmpfs (mount, as root):
# without one the rest still runs and the test then exits 77 (skipped).
source "$(dirname "$0")/lib.sh.inc"
MNT="$WORK/mnt"
MOUNTED=0
trap 'if [ "$MOUNTED" = 1 ]; then umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true; fi; cleanup' EXIT
FAIL_SHOW="*.out"

# agg_once DB [OPTIONS...]: the aggregator in the foreground; exit code in $rc, output in
# $WORK/agg-once.out (it must not start serving).
agg_once() {
  local db=$1; shift
  rc=0
  "$AGG" --db "$db" --bind "ipc://$WORK/once.sock" --hierarchy "$HIERARCHY" --insecure "$@" \
    >"$WORK/agg-once.out" 2>&1 </dev/null & local pid=$!
  # it must fail at start; if it serves, stop it (the check below then fails)
  wait_for 10 '! kill -0 $pid 2>/dev/null || grep -q "serving " "$WORK/agg-once.out"' || true
  grep -q "serving " "$WORK/agg-once.out" && kill -TERM "$pid"
  wait "$pid" || rc=$?
}
says() { grep -qF -- "$1" "$WORK/agg-once.out" || fail "$2: the message lacks '$1': $(cat "$WORK/agg-once.out")"; }

# 1. A missing parent directory: exit 3, says so, names the path.
agg_once "$WORK/no/such/db"
[ "$rc" -eq 3 ] || fail "missing parent directory: exit $rc, expected 3: $(cat "$WORK/agg-once.out")"
says "上级目录不存在 (parent directory missing): $WORK/no/such/db" "missing parent directory"
rc=0; "$HZ" tree --db "$WORK/no/such/db" --year 2024 >/dev/null 2>"$WORK/tree.out" || rc=$?
[ "$rc" -eq 3 ] || fail "huizong tree on a missing database: exit $rc, expected 3"
echo "ok: missing parent directory: exit 3, named"

# 2. An unwritable database directory: exit 3 (README), not 1. Root writes through any mode
# bits, so as root the directory is a read-only mount; else a mode 0555 directory.
mkdir -p "$WORK/ro"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o ro,size=1m tmpfs "$WORK/ro" 2>/dev/null; then
  RO_MOUNT=1; want="只读文件系统 (read-only file system)"
else
  RO_MOUNT=0; chmod 0555 "$WORK/ro"; want="无写权限 (permission denied)"
fi
agg_once "$WORK/ro"
[ "$RO_MOUNT" = 1 ] && umount "$WORK/ro"
[ "$rc" -eq 3 ] || fail "unwritable database directory: exit $rc, expected 3: $(cat "$WORK/agg-once.out")"
says "$want" "unwritable directory"
says "$WORK/ro" "unwritable directory"
echo "ok: unwritable database directory: exit 3, '$want'"

# 3. Map full: a map ceiling (--map-size) that holds the hierarchy but not the budgets. The
# store says MDB_MAP_FULL with the size and the option, acks nothing, serves on; with a
# larger ceiling the spooled submissions go in.
start_aggregator --map-size 65536
rc=0; submit "$HZ_EXAMPLES/dongxihu-2024.csv" --deadline 2 >"$WORK/mapfull.out" 2>&1 || rc=$?
[ "$rc" -eq 4 ] || fail "submit into a full map: exit $rc, expected 4 (pending): $(cat "$WORK/mapfull.out")"
grep -qF "LMDB 映射区已满 (MDB_MAP_FULL): $DB has used all of its map size of 65536 bytes (--map-size); raise it with --map-size BYTES" "$AGG_LOG" ||
  fail "the log does not explain the full map"
grep -q "Input/output error\|MDB_MAP_FULL: Environment mapsize limit reached" "$AGG_LOG" && fail "a raw error string in the log"
# one spool file: the file's two parts (026, 026001) travel as one (issue 10, one verdict per file)
[ "$(pb_count "$WORK/spool")" -eq 1 ] || fail "the spool should still hold the file (both submissions)"
stop_aggregator
start_aggregator --map-size 8388608
collector flush "$WORK/spool" >"$WORK/flush.out" 2>&1 || fail "flush after raising --map-size: $(cat "$WORK/flush.out")"
[ "$(grep -c ACCEPTED "$WORK/flush.out")" -eq 2 ] || fail "flush: $(cat "$WORK/flush.out")"
stop_aggregator
verify_clean
echo "ok: map full: explained, nothing acked, stored once --map-size is raised"

# 4. Disk full: a 2 MiB tmpfs.
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=2m tmpfs "$MNT" 2>/dev/null; then
  mkdir -p "$MNT"
  if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=2m tmpfs "$MNT" 2>/dev/null; then
    echo "store_errors: SKIP disk full: cannot mount a tmpfs (needs root)"
    exit 77
  fi
fi
MOUNTED=1
# 4a. at start: the file system is full before the database exists.
dd if=/dev/zero of="$MNT/filler" bs=64k 2>/dev/null || true
agg_once "$MNT/db"
[ "$rc" -eq 3 ] || fail "database on a full disk: exit $rc, expected 3: $(cat "$WORK/agg-once.out")"
says "磁盘已满 (disk full)" "full disk at start"
says "$MNT/db" "full disk at start"
rm -rf "$MNT/filler" "$MNT/db"
echo "ok: full disk at start: exit 3, '磁盘已满 (disk full)' and the path"
# 4b. while serving: the disk fills up under a running aggregator.
DB2="$MNT/db2"
launch_aggregator "$DB2" "ipc://$WORK/full.sock" "$WORK/full.log" "$HIERARCHY"
FULL_PID=$LAUNCHED_PID; bg_track "$FULL_PID"
dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null || true
rc=0; TO="ipc://$WORK/full.sock" collector submit "$WORK/spool2" "$HZ_EXAMPLES"/suzhou-2024.csv \
  --deadline 2 >"$WORK/full.out" 2>&1 || rc=$?
[ "$rc" -eq 4 ] || fail "submit to a full disk: exit $rc, expected 4 (pending): $(cat "$WORK/full.out")"
grep -qF "磁盘已满 (disk full): $DB2" "$WORK/full.log" || { tail -5 "$WORK/full.log"; fail "the log does not say disk full with the path"; }
grep -q "Input/output error" "$WORK/full.log" && fail "'Input/output error' in the log"
rm -f "$MNT/filler"
TO="ipc://$WORK/full.sock" collector flush "$WORK/spool2" >"$WORK/flush2.out" 2>&1 ||
  fail "flush after freeing space: $(cat "$WORK/flush2.out")"
grep -q ACCEPTED "$WORK/flush2.out" || fail "nothing accepted after freeing space"
kill -TERM "$FULL_PID"; wait "$FULL_PID" || fail "aggregator on the tmpfs did not stop cleanly"
verify_clean "$DB2"
echo "ok: disk full while serving: explained, nothing acked, stored once space is freed"
echo "store_errors: all good"
