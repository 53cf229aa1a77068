# Docker Engine 20.10 (Debian 12 docker.io) started on the gateway with nothing configured:
# its default bridge docker0 (172.17.0.0/16) and the chains it writes (FORWARD policy DROP,
# DOCKER-USER, DOCKER-ISOLATION-STAGE-1/2, nat DOCKER and MASQUERADE of 172.17.0.0/16).
# Run by rulesets.ts inside `ip netns exec GATEWAY`'s own mount namespace; $1 is a scratch dir.
#
# Docker sets the FORWARD policy to DROP only when it turns IPv4 forwarding on itself (it was
# off when dockerd started: Docker's "Packet filtering and firewalls" documentation): that is the
# gateway whose forwarding was not made permanent in sysctl.conf, or a host that becomes a
# gateway after Docker was installed. On a box that already forwards, its chains leave IPsec alone
# (tried here: every probe passed). So forwarding is turned off first, as on such a box at boot.
set -e
dir=$1
sysctl -qw net.ipv4.ip_forward=0
mkdir -p "$dir/data" "$dir/exec"
# `ip netns exec` remounts /sys: dockerd needs the cgroup hierarchy there
mount -t cgroup2 none /sys/fs/cgroup
dockerd --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" -H "unix://$dir/docker.sock" \
  --containerd-namespace ipd-fw --containerd-plugins-namespace ipd-fw-plugins >"$dir/dockerd.log" 2>&1 &
pid=$!
i=0
until iptables -S DOCKER-USER >/dev/null 2>&1 && iptables -t nat -S POSTROUTING 2>/dev/null | grep -q MASQUERADE; do
  i=$((i+1)); [ $i -lt 300 ] || { echo "dockerd wrote no chains: $(tail -3 "$dir/dockerd.log")" >&2; kill $pid; exit 1; }
  kill -0 $pid 2>/dev/null || { echo "dockerd exited: $(tail -3 "$dir/dockerd.log")" >&2; exit 1; }
  sleep 0.2
done
# dockerd leaves its chains in place when it stops (they are rewritten at its next start)
kill $pid; wait $pid || true
