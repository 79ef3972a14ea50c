"""The sandbox's launcher: started by `sandbox.Sandbox` as `python -I -S -B sandbox_launch.py CONFIG`.

Standard library only, and never imported by the app: it runs in the child, where it isolates
itself step by step before the model's program starts, then reports how the program ended
through its exit status (below). On Linux:
  1. joins a pids cgroup made for this run (when the parent, as root, could make one): root is
     exempt from RLIMIT_NPROC, so this is what bounds a fork bomb there;
  2. unshares the network and pid namespaces (as root, or through a user namespace when the
     kernel lets an unprivileged user make one): no network interface but a loopback that is
     down, and every process the program starts dies with the namespace's first process;
  3. forks that first process (a reaper), which forks the program; the program's process sets
     the resource limits, no_new_privs and a Landlock ruleset (writes only in its folder, reads
     only Python's and the system libraries' files, no TCP connect or bind, no signals or
     abstract sockets outside the sandbox) and execs a fresh interpreter on candidate.py.
Elsewhere (macOS, BSD) only the resource limits apply.

Exit status: 0 the program exited 0, 1 it exited otherwise (an exception), 100 + N it died of
signal N, 97 it could not be started, 98 this launcher failed (its reason on stderr). In probe
mode it applies steps 1-2, and 3's limits and ruleset, to itself and prints what took as JSON.
"""

import ctypes
import json
import os
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
CLONE_NEWPID = 0x20000000
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446  # every arch
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1

# Landlock's file-system rights, by the ABI version that brought them.
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_READ = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
FS_WRITE_V1 = sum(1 << bit for bit in (1, 4, 5, 6, 7, 8, 9, 10, 11, 12))  # write, remove, make *
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV  # the rights a file may get
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

_libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


class RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _fail(reason):
    sys.stderr.write("sandbox: " + reason + "\n")
    sys.stderr.flush()
    os._exit(98)


def join_cgroup(path, applied):
    if path:
        with open(os.path.join(path, "cgroup.procs"), "w") as procs:
            procs.write(str(os.getpid()))
        applied.append("pids-cgroup")


def unshare_namespaces(applied):
    if _libc is None:
        return
    if _libc.unshare(CLONE_NEWNET | CLONE_NEWPID) == 0:
        applied += ["net-ns", "pid-ns"]
    elif os.geteuid() != 0 and _libc.unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID) == 0:
        applied += ["user-ns", "net-ns", "pid-ns"]


def set_limits(cfg, applied):
    import resource

    def limit(name, value, hard=None):
        which = getattr(resource, name, None)
        if which is None:
            return
        try:
            resource.setrlimit(which, (value, value if hard is None else hard))
            applied.append(name)
        except (ValueError, OSError):
            pass  # a limit above the hard limit we were given: the stricter existing one stays

    limit("RLIMIT_CPU", cfg["cpu_s"], cfg["cpu_s"] + 1)  # SIGXCPU first, SIGKILL a second later
    limit("RLIMIT_AS", cfg["memory_bytes"])
    limit("RLIMIT_FSIZE", cfg["file_size_bytes"])
    limit("RLIMIT_NOFILE", cfg["open_files"])
    limit("RLIMIT_NPROC", cfg["processes"])
    limit("RLIMIT_CORE", 0)


def landlock(cfg, applied):
    if _libc is None:
        return
    syscall = _libc.syscall
    syscall.restype = ctypes.c_long
    abi = syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    if abi < 1:
        return
    write = FS_WRITE_V1 | (FS_REFER if abi >= 2 else 0) | (FS_TRUNCATE if abi >= 3 else 0) | \
        (FS_IOCTL_DEV if abi >= 5 else 0)
    attr = RulesetAttr(FS_READ | write, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                       SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = ctypes.sizeof(RulesetAttr) if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return

    def allow(path, rights):
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return  # not on this system: nothing to allow
        try:
            if not os.path.isdir(path):
                rights &= FILE_RIGHTS
            rule = PathBeneathAttr(rights & attr.handled_access_fs, fd)
            if syscall(SYS_LANDLOCK_ADD_RULE, ruleset, LANDLOCK_RULE_PATH_BENEATH, ctypes.byref(rule), 0) != 0:
                _fail("landlock rule for %s: errno %d" % (path, ctypes.get_errno()))
        finally:
            os.close(fd)

    allow(cfg["workdir"], FS_READ | write)
    for root in cfg["read_roots"]:
        allow(root, FS_READ)
    for device in ("/dev/null", "/dev/zero", "/dev/urandom"):
        allow(device, FS_READ_FILE | FS_WRITE_FILE)
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        _fail("no_new_privs: errno %d" % ctypes.get_errno())
    if syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0) != 0:
        _fail("landlock_restrict_self: errno %d" % ctypes.get_errno())
    os.close(ruleset)
    applied += ["landlock-fs"] + (["landlock-net"] if abi >= 4 else []) + (["landlock-scope"] if abi >= 6 else [])


def die_with_parent():
    if _libc is not None:
        _libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)  # SIGKILL when the process that forked this one ends


def status_of(wait_status):
    if os.WIFSIGNALED(wait_status):
        return 100 + os.WTERMSIG(wait_status)
    return 0 if os.WEXITSTATUS(wait_status) == 0 else 1


def run_program(cfg):
    """In the namespaces' first process: fork the program, wait for it, report how it ended."""
    die_with_parent()
    pid = os.fork()
    if pid == 0:
        try:
            die_with_parent()
            os.chdir(cfg["workdir"])
            applied = []
            set_limits(cfg, applied)
            landlock(cfg, applied)
            os.execve(cfg["python"], [cfg["python"], "-I", "-S", "-B", "candidate.py"], cfg["env"])
        except BaseException as exc:  # noqa: BLE001 - anything here means the program never started
            sys.stderr.write("sandbox: could not start the program: %r\n" % (exc,))
            sys.stderr.flush()
        os._exit(97)
    while True:
        done, wait_status = os.waitpid(pid, 0)
        if done == pid:
            os._exit(status_of(wait_status))


def main():
    cfg = json.loads(sys.argv[1])
    applied = []
    try:
        join_cgroup(cfg["cgroup"], applied)
        unshare_namespaces(applied)
    except OSError as exc:
        _fail("isolating: %s" % (exc,))
    if cfg.get("probe"):
        pid = os.fork()  # the checks run where the program would: in the new pid namespace
        if pid == 0:
            set_limits(cfg, applied)
            landlock(cfg, applied)
            print(json.dumps({"applied": applied, "root": os.geteuid() == 0}))
            sys.stdout.flush()
            os._exit(0)
        os.waitpid(pid, 0)
        return
    pid = os.fork()
    if pid == 0:
        run_program(cfg)
    while True:
        done, wait_status = os.waitpid(pid, 0)
        if done == pid:
            os._exit(os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else 100 + os.WTERMSIG(wait_status))


if __name__ == "__main__":
    main()
