"""A slow link between the network namespaces "box" and "far" (see wan-link.ts), in user space:
netem is not in every kernel (this machine's has none), so two TUN devices are joined by this
loop, which holds each packet DELAY ms (+- JITTER, keeping each direction's order) and drops LOSS
percent of them, in each direction. Run inside the lab's namespace, where `ip netns` knows both.
Usage: wan-delay.py DELAY_MS JITTER_MS LOSS_PCT BOX_IP FAR_IP"""
import fcntl, heapq, os, random, select, struct, subprocess, sys, time

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000


def tun(name):
    fd = os.open('/dev/net/tun', os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def sh(*args):
    subprocess.run(args, check=True)


def main():
    delay_ms, jitter_ms, loss_pct = (float(a) for a in sys.argv[1:4])
    box_ip, far_ip = sys.argv[4:6]
    fds = {'box': tun('lsbox'), 'far': tun('lsfar')}
    for ns, dev, me, them in (('box', 'lsbox', box_ip, far_ip), ('far', 'lsfar', far_ip, box_ip)):
        sh('ip', 'link', 'set', dev, 'netns', ns)
        sh('ip', '-n', ns, 'link', 'set', dev, 'name', 'wan0')
        sh('ip', '-n', ns, 'addr', 'add', f'{me}/32', 'peer', f'{them}/32', 'dev', 'wan0')
        sh('ip', '-n', ns, 'link', 'set', 'lo', 'up')
        sh('ip', '-n', ns, 'link', 'set', 'wan0', 'up')
        # a default route, so that WebRTC gathers this address as a host candidate
        sh('ip', '-n', ns, 'route', 'add', 'default', 'dev', 'wan0')
    print('lab-ready', flush=True)
    other = {fds['box']: fds['far'], fds['far']: fds['box']}
    last = {fds['box']: 0.0, fds['far']: 0.0}
    queue = []  # (due, n, out_fd, packet)
    n = 0
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else None
        ready, _, _ = select.select(list(other), [], [], timeout)
        now = time.monotonic()
        for fd in ready:
            while True:
                try:
                    packet = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if random.random() * 100 < loss_pct:
                    continue
                out = other[fd]
                due = max(now + (delay_ms + random.uniform(-jitter_ms, jitter_ms)) / 1000, last[out])
                last[out] = due
                n += 1
                heapq.heappush(queue, (due, n, out, packet))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, packet = heapq.heappop(queue)
            try:
                os.write(out, packet)
            except OSError:
                pass  # the device is down (the lab is ending)


main()
