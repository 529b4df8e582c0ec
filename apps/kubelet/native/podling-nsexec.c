/*
 * podling-nsexec: the namespace and mount steps of a pod sandbox or a container start, done with syscalls in one
 * short-lived process, then exec of the given command. It replaces chains of util-linux tools (nsenter, unshare,
 * mount -o remount,bind,ro …, umount, rm), each an exec of a dynamically linked binary, and each `mount` parsing
 * /proc/self/mountinfo — which lists every pod's netns pin, so a node with many pods paid that per mount.
 * runc's nsexec (libcontainer/nsenter) is the model: a small C step before the real command, doing what a runtime
 * written in a garbage-collected, multi-threaded language cannot do in its own process (setns of the mount
 * namespace needs a single-threaded caller).
 *
 *   podling-nsexec [--error-env] STEP… [-- FILE ARG…]
 *   podling-nsexec --serve        the same steps for a stream of requests (nsexec-serve.c)
 *
 * Steps run in the order given:
 *   --mkdir DIR            create DIR (one level) unless it exists
 *   --cgroup FILE          write this process's pid to a cgroup.procs file (join that cgroup)
 *   --setns-net PATH       join the network namespace pinned at PATH   (--setns-ipc: the IPC namespace)
 *   --setns-mnt PATH INO   join the mount namespace at PATH (the server's pin-free template, see nsexec-serve.c)
 *                          if it is still the one with inode INO; otherwise stay in this one (no step fails: the
 *                          container's namespace is then copied from the host's, as without a template)
 *   --new-ipc PIN          a new IPC namespace, pinned by a bind mount on PIN (created if missing)
 *   --unshare-uts-mount    new UTS and mount namespaces; every mount made private in the new one
 *   --detach DIR           lazily unmount DIR with everything under it (in this mount namespace); none is fine
 *   --bind SRC DST         bind-mount SRC on DST
 *   --ro-remount PATH      make the mount at PATH read-only, keeping its nosuid/nodev/noexec/atime flags
 *   --umount PIN           lazily unmount PIN and remove the file; already gone is fine
 * and the pod network's (what `ip netns add`, `ip link add … type veth peer …`, `ip addr add`, `ip route add`
 * would do, over rtnetlink, without an exec per step):
 *   --new-net PIN          a new network namespace, pinned on PIN under a shared /run/netns-style directory
 *   --veth NAME PEER       a veth pair: NAME here, PEER in the namespace the program started in
 *   --up DEV               set DEV up                     --addr DEV IP/PREFIX   add an IPv4 address
 *   --route-default GW     default route via GW           --setns-host           back to the starting namespace
 *   --master DEV BRIDGE    attach DEV to BRIDGE           --link-del DEV         delete DEV; already gone is fine
 *   --hairpin DEV          let the bridge send DEV's frames back out of DEV (a pod reaching itself through its
 *                          Service's address, as CNI's bridge plugin does with hairpinMode)
 *   --no-ipv6 DEV          no IPv6 address on DEV (set before it is up): the pod network is IPv4, and each IPv6
 *                          interface's neighbour discovery and MLD reports are flooded by the bridge to every pod's
 *                          port — work that grows with the square of the pods on the node
 * Without a command the program exits 0 once the steps are done.
 * A failing step stops the steps. Without --error-env the program then exits 125 with the reason on stderr. With
 * it, the command is exec'd anyway with PODLING_SETUP_ERROR set to the reason: the container wrapper records that
 * as the container's start error (it runs nothing else), so one place reports why a container did not start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "nsexec.h"

char reason[1200];

static int failed(const char *step, const char *arg) {
  snprintf(reason, sizeof reason, "%s %s: %s", step, arg, strerror(errno));
  return -1;
}

static int join(const char *path, int nstype, const char *step) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failed(step, path);
  int rc = setns(fd, nstype);
  int saved = errno;
  close(fd);
  errno = saved;
  return rc < 0 ? failed(step, path) : 0;
}

/* Joins the template mount namespace if PATH still names it. A holder that died (its /proc entry gone, or its pid
 * reused by another process) must not send the container into some other process's mount namespace. */
static int setns_mnt(const char *path, const char *ino) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  struct stat st;
  if (fstat(fd, &st) == 0 && (unsigned long long)st.st_ino == strtoull(ino, NULL, 10) && setns(fd, CLONE_NEWNS) < 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return failed("--setns-mnt", path);
  }
  close(fd);
  return 0;
}

static int write_pid(const char *file) {
  char pid[24];
  int n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
  int fd = open(file, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return failed("--cgroup", file);
  ssize_t w = write(fd, pid, (size_t)n);
  int saved = errno;
  close(fd);
  errno = saved;
  return w != n ? failed("--cgroup", file) : 0;
}

static int new_ipc(const char *pin) {
  int fd = open(pin, O_RDONLY | O_CREAT | O_CLOEXEC, 0444);
  if (fd < 0) return failed("--new-ipc", pin);
  close(fd);
  if (unshare(CLONE_NEWIPC) < 0) return failed("--new-ipc", pin);
  if (mount("/proc/self/ns/ipc", pin, NULL, MS_BIND, NULL) < 0) return failed("--new-ipc", pin);
  return 0;
}

static int ro_remount(const char *path) {
  struct statvfs st;
  if (statvfs(path, &st) < 0) return failed("--ro-remount", path);
  /* statvfs's ST_* bits are not the MS_* bits for every flag (ST_RELATIME is not MS_RELATIME): map each. */
  unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  return mount(NULL, path, NULL, flags, NULL) < 0 ? failed("--ro-remount", path) : 0;
}

static int lazy_umount(const char *path) {
  if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) return failed("--umount", path);
  if (unlink(path) < 0 && errno != ENOENT) return failed("--umount", path);
  return 0;
}

/* ---- rtnetlink: one request, one acknowledgement, on a socket of the current network namespace ---- */

struct nlreq { union { struct nlmsghdr h; char raw[1040]; }; };

static struct rtattr *attr(struct nlreq *r, unsigned short type, const void *data, size_t len) {
  struct rtattr *a = (struct rtattr *)(r->raw + NLMSG_ALIGN(r->h.nlmsg_len));
  a->rta_type = type;
  a->rta_len = (unsigned short)RTA_LENGTH(len);
  if (len) memcpy(RTA_DATA(a), data, len);
  r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
  return a;
}

static void nest_end(struct nlreq *r, struct rtattr *a) {
  a->rta_len = (unsigned short)(r->raw + r->h.nlmsg_len - (char *)a);
}

static void nl_init(struct nlreq *r, unsigned short type, unsigned short flags, const void *hdr, size_t len) {
  memset(r, 0, sizeof *r);
  r->h.nlmsg_len = (unsigned)NLMSG_LENGTH(len);
  r->h.nlmsg_type = type;
  r->h.nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
  memcpy(NLMSG_DATA(&r->h), hdr, len);
}

/* One rtnetlink socket for the steps' requests, opened in the namespace it talks to: a step that changes the
 * network namespace closes it (nl_reset), and the next request opens one in the new namespace. */
static int nl_fd = -1;

static void nl_reset(void) {
  if (nl_fd >= 0) close(nl_fd);
  nl_fd = -1;
}

/* Sends the request; 0, or -1 with errno set to the kernel's answer. Each request gets exactly one reply (its ack). */
static int nl_talk(struct nlreq *r) {
  if (nl_fd < 0) nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (nl_fd < 0) return -1;
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  if (sendto(nl_fd, r->raw, r->h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return -1;
  char reply[4096];
  ssize_t n = recv(nl_fd, reply, sizeof reply, 0);
  struct nlmsghdr *h = (struct nlmsghdr *)reply;
  if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) && h->nlmsg_type == NLMSG_ERROR) {
    int err = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
    if (err == 0) return 0;
    errno = -err;
    return -1;
  }
  if (n >= 0) errno = EPROTO;
  nl_reset(); /* out of step with the kernel: start afresh */
  return -1;
}

static int host_netns = -1; /* the namespace the program started in: veth peers go there, --setns-host returns */

static int ifindex(const char *dev, const char *step) {
  unsigned idx = if_nametoindex(dev);
  if (!idx) { failed(step, dev); return -1; }
  return (int)idx;
}

static int veth(const char *name, const char *peer) {
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
  struct nlreq r;
  nl_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
  attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
  struct rtattr *info = attr(&r, IFLA_LINKINFO, NULL, 0);
  attr(&r, IFLA_INFO_KIND, "veth", 4);
  struct rtattr *data = attr(&r, IFLA_INFO_DATA, NULL, 0);
  struct rtattr *p = attr(&r, VETH_INFO_PEER, &ifi, sizeof ifi);
  attr(&r, IFLA_IFNAME, peer, strlen(peer) + 1);
  attr(&r, IFLA_NET_NS_FD, &host_netns, sizeof host_netns);
  nest_end(&r, p);
  nest_end(&r, data);
  nest_end(&r, info);
  return nl_talk(&r) < 0 ? failed("--veth", peer) : 0;
}

/* Sets DEV up, and (master > 0) attaches it to that bridge, in one request. */
static int link_set(const char *dev, int master, const char *step) {
  int idx = ifindex(dev, step);
  if (idx < 0) return -1;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = idx, .ifi_flags = IFF_UP, .ifi_change = IFF_UP };
  struct nlreq r;
  nl_init(&r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
  if (master > 0) attr(&r, IFLA_MASTER, &master, sizeof master);
  return nl_talk(&r) < 0 ? failed(step, dev) : 0;
}

static int hairpin(const char *dev) {
  int idx = ifindex(dev, "--hairpin");
  if (idx < 0) return -1;
  struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE, .ifi_index = idx };
  struct nlreq r;
  nl_init(&r, RTM_SETLINK, 0, &ifi, sizeof ifi);
  unsigned char on = 1;
  struct rtattr *info = attr(&r, IFLA_PROTINFO | NLA_F_NESTED, NULL, 0);
  attr(&r, IFLA_BRPORT_MODE, &on, sizeof on);
  nest_end(&r, info);
  return nl_talk(&r) < 0 ? failed("--hairpin", dev) : 0;
}

static int link_del(const char *dev) {
  unsigned idx = if_nametoindex(dev);
  if (!idx) return errno == ENODEV || errno == ENXIO ? 0 : failed("--link-del", dev);
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = (int)idx };
  struct nlreq r;
  nl_init(&r, RTM_DELLINK, 0, &ifi, sizeof ifi);
  return nl_talk(&r) < 0 && errno != ENODEV ? failed("--link-del", dev) : 0;
}

static int addr(const char *dev, const char *cidr) {
  char ip[64];
  const char *slash = strchr(cidr, '/');
  struct in_addr a;
  if (!slash || (size_t)(slash - cidr) >= sizeof ip) { errno = EINVAL; return failed("--addr", cidr); }
  memcpy(ip, cidr, (size_t)(slash - cidr));
  ip[slash - cidr] = 0;
  int prefix = atoi(slash + 1);
  if (inet_pton(AF_INET, ip, &a) != 1 || prefix < 0 || prefix > 32) { errno = EINVAL; return failed("--addr", cidr); }
  int idx = ifindex(dev, "--addr");
  if (idx < 0) return -1;
  struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_prefixlen = (unsigned char)prefix, .ifa_index = (unsigned)idx };
  struct nlreq r;
  nl_init(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
  attr(&r, IFA_LOCAL, &a, sizeof a);
  attr(&r, IFA_ADDRESS, &a, sizeof a);
  return nl_talk(&r) < 0 ? failed("--addr", cidr) : 0;
}

static int route_default(const char *gw) {
  struct in_addr g;
  if (inet_pton(AF_INET, gw, &g) != 1) { errno = EINVAL; return failed("--route-default", gw); }
  struct rtmsg rt = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
                      .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST };
  struct nlreq r;
  nl_init(&r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rt, sizeof rt);
  attr(&r, RTA_GATEWAY, &g, sizeof g);
  return nl_talk(&r) < 0 ? failed("--route-default", gw) : 0;
}

/* No IPv6 address on DEV, ever (addr_gen_mode none, set while it is down: no link-local address, so no DAD, router
 * solicitation or MLD report). Over rtnetlink rather than the disable_ipv6 sysctl: that handler only try-locks
 * RTNL and restarts the write while another pod's veth holds it, spinning through /proc/sys path walks. */
static int no_ipv6(const char *dev) {
  int idx = ifindex(dev, "--no-ipv6");
  if (idx < 0) return -1;
  struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = idx };
  struct nlreq r;
  nl_init(&r, RTM_NEWLINK, 0, &ifi, sizeof ifi);
  struct rtattr *spec = attr(&r, IFLA_AF_SPEC | NLA_F_NESTED, NULL, 0);
  struct rtattr *inet6 = attr(&r, AF_INET6 | NLA_F_NESTED, NULL, 0);
  unsigned char none = IN6_ADDR_GEN_MODE_NONE;
  attr(&r, IFLA_INET6_ADDR_GEN_MODE, &none, sizeof none);
  nest_end(&r, inet6);
  nest_end(&r, spec);
  if (nl_talk(&r) == 0 || errno == EAFNOSUPPORT) return 0; /* EAFNOSUPPORT: a kernel without IPv6 */
  return failed("--no-ipv6", dev);
}

/* As `ip netns add`: the pin's directory is a shared mount (so pins reach mount namespaces made later), then a new
 * namespace is bind-mounted on a new file in it. */
static int new_net(const char *pin) {
  char dir[512];
  const char *slash = strrchr(pin, '/');
  if (!slash || (size_t)(slash - pin) >= sizeof dir || slash == pin) { errno = EINVAL; return failed("--new-net", pin); }
  memcpy(dir, pin, (size_t)(slash - pin));
  dir[slash - pin] = 0;
  if (mkdir(dir, 0755) < 0 && errno != EEXIST) return failed("--new-net", dir);
  if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0) {
    if (errno != EINVAL || mount(dir, dir, "none", MS_BIND | MS_REC, NULL) < 0 ||
        mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0) return failed("--new-net", dir);
  }
  int fd = open(pin, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (fd < 0) return failed("--new-net", pin);
  close(fd);
  if (unshare(CLONE_NEWNET) < 0 || mount("/proc/self/ns/net", pin, "none", MS_BIND, NULL) < 0) {
    int saved = errno;
    unlink(pin);
    errno = saved;
    return failed("--new-net", pin);
  }
  return 0;
}

/* Runs the step at argv[*i], advancing *i past its arguments; 1 at `--`, 0 done, -1 failed (reason set). */
static int step(int argc, char **argv, int *i) {
  const char *s = argv[*i];
  int args = !strcmp(s, "--unshare-uts-mount") || !strcmp(s, "--error-env") || !strcmp(s, "--setns-host") ? 0
    : !strcmp(s, "--bind") || !strcmp(s, "--setns-mnt") || !strcmp(s, "--veth") || !strcmp(s, "--addr") || !strcmp(s, "--master") ? 2 : 1;
  if (!strcmp(s, "--")) return 1;
  if (*i + args >= argc) { snprintf(reason, sizeof reason, "%s: missing argument", s); errno = EINVAL; return -1; }
  const char *a = argv[*i + 1], *b = argv[*i + 2];
  *i += args;
  if (!strcmp(s, "--error-env")) return 0;
  if (!strcmp(s, "--mkdir")) return mkdir(a, 0755) < 0 && errno != EEXIST ? failed(s, a) : 0;
  if (!strcmp(s, "--cgroup")) return write_pid(a);
  if (!strcmp(s, "--setns-net")) { nl_reset(); return join(a, CLONE_NEWNET, s); }
  if (!strcmp(s, "--setns-ipc")) return join(a, CLONE_NEWIPC, s);
  if (!strcmp(s, "--setns-mnt")) return setns_mnt(a, b);
  if (!strcmp(s, "--new-ipc")) return new_ipc(a);
  if (!strcmp(s, "--unshare-uts-mount")) {
    if (unshare(CLONE_NEWUTS | CLONE_NEWNS) < 0) return failed(s, "");
    return mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ? failed(s, "/ private") : 0;
  }
  if (!strcmp(s, "--detach")) return umount2(a, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT ? failed(s, a) : 0;
  if (!strcmp(s, "--bind")) return mount(a, b, NULL, MS_BIND, NULL) < 0 ? failed(s, b) : 0;
  if (!strcmp(s, "--ro-remount")) return ro_remount(a);
  if (!strcmp(s, "--umount")) return lazy_umount(a);
  if (!strcmp(s, "--new-net")) { nl_reset(); return new_net(a); }
  if (!strcmp(s, "--veth")) return veth(a, b);
  if (!strcmp(s, "--up")) return link_set(a, 0, s);
  if (!strcmp(s, "--addr")) return addr(a, b);
  if (!strcmp(s, "--route-default")) return route_default(a);
  if (!strcmp(s, "--setns-host")) { nl_reset(); return setns(host_netns, CLONE_NEWNET) < 0 ? failed(s, "") : 0; }
  if (!strcmp(s, "--master")) { int m = ifindex(b, s); return m < 0 ? -1 : link_set(a, m, s); }
  if (!strcmp(s, "--link-del")) return link_del(a);
  if (!strcmp(s, "--no-ipv6")) return no_ipv6(a);
  if (!strcmp(s, "--hairpin")) return hairpin(a);
  snprintf(reason, sizeof reason, "unknown step %s", s);
  errno = EINVAL;
  return -1;
}

int run_steps(int argc, char **argv, int start, int *end) {
  int i = start, rc = 0;
  for (; i < argc; i++) {
    rc = step(argc, argv, &i);
    if (rc != 0) break;
  }
  *end = i;
  return rc;
}

int main(int argc, char **argv) {
  host_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (argc == 2 && !strcmp(argv[1], "--serve")) return serve();
  int errorEnv = argc > 1 && !strcmp(argv[1], "--error-env");
  int i;
  int rc = run_steps(argc, argv, 1, &i);
  if (rc < 0) {
    if (!errorEnv) { fprintf(stderr, "podling-nsexec: %s\n", reason); return 125; }
    setenv("PODLING_SETUP_ERROR", reason, 1);
    while (i < argc && strcmp(argv[i], "--")) i++;
  }
  if (i >= argc - 1) return rc < 0 ? 125 : 0;
  execvp(argv[i + 1], argv + i + 1);
  fprintf(stderr, "podling-nsexec: exec %s: %s\n", argv[i + 1], strerror(errno));
  return 127;
}
