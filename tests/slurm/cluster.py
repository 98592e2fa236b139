"""A real one-node SLURM cluster on localhost for the tests (Debian's slurm-wlm and munge): its
configuration, state and logs live in a temporary directory, it listens on its own ports (so a
site's SLURM is never touched), and only the daemons it started are stopped, by PID."""
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

MUNGE_SOCKET = Path("/run/munge/munge.socket.2")
CTLD_PORT, SLURMD_PORT = 16817, 16818


class ClusterError(Exception):
    pass


def _munge_works():
    try:
        cred = subprocess.run(["munge", "-n"], capture_output=True, timeout=10)
        return cred.returncode == 0 and subprocess.run(["unmunge"], input=cred.stdout, capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _memory_mb():
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    return 1024


def _read_pid(path, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if path.exists() and path.read_text().strip():
            return int(path.read_text().split()[0])
        time.sleep(0.1)
    return None


class LocalSlurm:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="vfpa-slurm-"))
        self.conf = self.dir / "slurm.conf"
        self.started = {}  # daemon name -> pid, only those this object started
        self.env = dict(os.environ, SLURM_CONF=str(self.conf))

    def _log_tail(self, name):
        path = self.dir / name
        return path.read_text()[-1500:] if path.exists() else "(no log)"

    def _start_munge(self):
        if _munge_works():
            return  # a munged is already running: use it, do not stop it
        for d in ["/run/munge", "/var/log/munge", "/var/lib/munge", "/etc/munge"]:
            os.makedirs(d, exist_ok=True)
            subprocess.run(["chown", "-R", "munge:munge", d], check=False)
        if not Path("/etc/munge/munge.key").exists():
            raise ClusterError("munge has no key /etc/munge/munge.key (is the munge package installed? run `make deps`)")
        proc = subprocess.run(["su", "-s", "/bin/sh", "munge", "-c", "munged"], capture_output=True, text=True)
        pid = _read_pid(Path("/run/munge/munged.pid"))
        if proc.returncode or pid is None or not _munge_works():
            raise ClusterError(f"munged did not start: {proc.stderr.strip()}")
        self.started["munged"] = pid

    def _write_config(self):
        for sub in ["state", "spool"]:
            (self.dir / sub).mkdir()
        self.conf.write_text(f"""ClusterName=vfpatest
SlurmctldHost=localhost
SlurmctldPort={CTLD_PORT}
SlurmdPort={SLURMD_PORT}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation={self.dir}/state
SlurmdSpoolDir={self.dir}/spool
SlurmctldPidFile={self.dir}/slurmctld.pid
SlurmdPidFile={self.dir}/slurmd.pid
SlurmctldLogFile={self.dir}/ctld.log
SlurmdLogFile={self.dir}/d.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
MinJobAge=3600
NodeName=localhost CPUs={os.cpu_count()} RealMemory={int(_memory_mb() * 0.9)} State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
""")

    def _start_daemon(self, name, pidfile, log):
        proc = subprocess.run([name, "-f", str(self.conf)], capture_output=True, text=True, env=self.env)
        pid = _read_pid(self.dir / pidfile)
        if proc.returncode or pid is None:
            raise ClusterError(f"{name} did not start ({proc.stderr.strip()}); its log:\n{self._log_tail(log)}")
        self.started[name] = pid

    def start(self):
        """Start munged (unless one runs), slurmctld and slurmd; wait until the node is idle."""
        if os.geteuid() != 0:
            raise ClusterError("starting a local SLURM needs root (munged, slurmd)")
        for tool in ["munged", "slurmctld", "slurmd", "sbatch"]:
            if not shutil.which(tool):
                raise ClusterError(f"{tool} is not installed: run `make deps` (Debian packages slurm-wlm and munge)")
        try:
            self._start_munge()
            self._write_config()
            self._start_daemon("slurmctld", "slurmctld.pid", "ctld.log")
            self._start_daemon("slurmd", "slurmd.pid", "d.log")
            deadline = time.time() + 60
            while time.time() < deadline:
                state = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True, env=self.env).stdout.strip()
                if state == "idle":
                    return self
                time.sleep(0.5)
            raise ClusterError(f"the node did not become idle (state '{state}'); slurmd log:\n{self._log_tail('d.log')}")
        except Exception:
            self.stop()
            raise

    def stop(self):
        """Stop the daemons this object started (SIGTERM, then SIGKILL), newest first."""
        for name in ["slurmd", "slurmctld", "munged"]:
            pid = self.started.pop(name, None)
            if pid is None:
                continue
            try:
                os.kill(pid, 15)
                for _ in range(100):
                    os.kill(pid, 0)
                    time.sleep(0.1)
                os.kill(pid, 9)
            except ProcessLookupError:
                pass

    def sbatch(self, *args, cwd, env=None):
        """Submit a job; returns its id."""
        proc = subprocess.run(["sbatch", "--parsable", *map(str, args)], capture_output=True, text=True, cwd=cwd, env={**self.env, **(env or {})})
        if proc.returncode:
            raise ClusterError(f"sbatch failed: {proc.stderr.strip()}")
        return proc.stdout.strip().split(";")[0]

    def wait_idle(self, timeout):
        """Wait until no job is queued or running; False on timeout."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if not subprocess.run(["squeue", "-h"], capture_output=True, text=True, env=self.env).stdout.strip():
                return True
            time.sleep(1)
        return False

    def job(self, job_id):
        """JobState and ExitCode of a job (kept by slurmctld for MinJobAge)."""
        out = subprocess.run(["scontrol", "show", "job", str(job_id)], capture_output=True, text=True, env=self.env).stdout
        fields = dict(item.split("=", 1) for item in out.split() if "=" in item)
        return fields.get("JobState"), fields.get("ExitCode")

    def jobs(self):
        """Ids of every job the controller knows."""
        out = subprocess.run(["squeue", "-h", "--states=all", "-o", "%i"], capture_output=True, text=True, env=self.env).stdout
        return out.split()
