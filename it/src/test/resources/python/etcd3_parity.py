"""What python-etcd3 (0.12, Debian's python3-etcd3) sees from a server: one line per operation, so that the output
against etcd and against etcdj can be compared line by line (it/PythonEtcd3ParityTest).

    /usr/bin/python3 etcd3_parity.py PORT

Revisions print relative to the run's first put; waits are on events with a deadline, never sleeps.
"""
import sys
import threading

import grpc

import etcd3

PORT = int(sys.argv[1])
P = '/py/'
c = etcd3.client(host='127.0.0.1', port=PORT, timeout=10)
R0 = None


def out(name, value):
    print('%-28s %s' % (name, value))
    sys.stdout.flush()


def failure(e):
    if isinstance(e, grpc.RpcError):
        return 'RpcError %s %r' % (e.code().name, e.details())
    return type(e).__name__


def step(name, fn):
    try:
        out(name, fn())
    except Exception as e:  # the error is the result to compare
        out(name, 'EXC ' + failure(e))


def rel(rev):
    return 'R%+d' % (rev - R0)


def kvs(pairs):
    return [(m.key.decode(), v.decode()) for v, m in pairs]


# keys and ranges
R0 = c.put(P + 'a', '1').header.revision
step('put prev_kv', lambda: c.put(P + 'a', '2', prev_kv=True).prev_kv.value.decode())
step('get', lambda: (lambda v, m: (v.decode(), rel(m.create_revision), rel(m.mod_revision), m.version))(
    *c.get(P + 'a')))
for k in 'bcd':
    c.put(P + k, k)
step('get_prefix', lambda: kvs(c.get_prefix(P)))
step('get_prefix desc', lambda: kvs(c.get_prefix(P, sort_order='descend')))
step('get_range', lambda: kvs(c.get_range(P + 'b', P + 'd')))
step('delete', lambda: c.delete(P + 'd'))
step('delete missing', lambda: c.delete(P + 'd'))
step('replace ok', lambda: c.replace(P + 'a', '2', '3'))
step('replace stale', lambda: c.replace(P + 'a', '2', '4'))
step('put_if_not_exists', lambda: (c.put_if_not_exists(P + 'n', 'x'), c.put_if_not_exists(P + 'n', 'y')))

# transactions
step('txn success', lambda: (lambda ok, rs: (ok, len(rs)))(*c.transaction(
    compare=[c.transactions.value(P + 'a') == '3', c.transactions.version(P + 'b') > 0],
    success=[c.transactions.put(P + 't', 'yes'), c.transactions.get(P + 'a')],
    failure=[c.transactions.put(P + 't', 'no')])))
step('txn failure', lambda: c.transaction(
    compare=[c.transactions.create(P + 'missing') > 0], success=[], failure=[])[0])
step('txn duplicate key', lambda: c.transaction(
    compare=[], success=[c.transactions.put(P + 'x', '1'), c.transactions.put(P + 'x', '2')], failure=[]))

# leases: grant, keep-alive (one request then a half-close, 100 times), revoke
lease = c.lease(30)
c.put(P + 'leased', 'v', lease=lease)
step('lease keys', lambda: [k.decode() for k in lease.keys])
step('lease granted ttl', lambda: lease.granted_ttl)
step('refresh x100 answered', lambda: sum(1 for _ in range(100) if lease.refresh()))
step('refresh unknown x20', lambda: sorted(set(r.TTL for _ in range(20) for r in c.refresh_lease(0x5555))))
step('revoke', lambda: (lease.revoke(), c.get(P + 'leased')[0]))
step('revoke again', lambda: lease.revoke())
step('lease ttl too large', lambda: c.lease(9000000001))

# watch: a callback sees three changes in order; a cancelled one sees nothing more
events = []
three = threading.Event()


def on_watch(resp):
    for e in getattr(resp, 'events', []):
        events.append('%s %s=%s' % (type(e).__name__, e.key.decode(), e.value.decode()))
    if len(events) >= 3:
        three.set()


wid = c.add_watch_callback(P + 'w', on_watch)
c.put(P + 'w', 'x')
c.put(P + 'w', 'y')
c.delete(P + 'w')
out('watch events', (three.wait(10), events))
c.cancel_watch(wid)

# locks
lock = c.lock('py-lock', ttl=10)
step('lock acquire', lambda: (lock.acquire(timeout=5), lock.is_acquired()))
step('other lock held', lambda: c.lock('py-lock', ttl=10).is_acquired())
step('lock release', lambda: (lock.release(), lock.is_acquired()))

# cluster and maintenance
step('members', lambda: len(list(c.members)))
step('status', lambda: (lambda s: (s.db_size > 0, s.raft_term > 0, s.version.startswith('3.')))(c.status()))
step('alarms', lambda: list(c.list_alarms()))
step('compact future', lambda: c.compact(R0 + 10 ** 6))
step('empty key', lambda: c.put('', 'x'))
step('oversized put', lambda: c.put(P + 'big', b'x' * (2 * 1024 * 1024)))
step('too large put', lambda: c.put(P + 'big', b'x' * (1600 * 1024)))
c.delete_prefix(P)
out('done', True)
