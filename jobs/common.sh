# Shared by the vfpa job scripts (sourced, not run). Site settings come from the calling script.

# Load the environment modules the site needs (VFPA_MODULES, space separated; may be empty).
vfpa_load_modules() {
  if [ -n "${VFPA_MODULES:-}" ]; then
    module load $VFPA_MODULES || { echo "vfpa job: 'module load $VFPA_MODULES' failed" >&2; return 1; }
  fi
}

# The output directory vfpa will use: -output_dir among the arguments, else output/<input name>.
vfpa_output_dir() {
  local input="$1" dir
  shift
  dir="output/$(basename "${input%.*}")"
  while [ $# -gt 0 ]; do
    if [ "$1" = "-output_dir" ] && [ $# -gt 1 ]; then dir="$2"; fi
    shift
  done
  echo "$dir"
}

# Run vfpa on SLURM_NTASKS ranks; SIGUSR1/SIGTERM reaching this shell (sbatch --signal=B:USR1@N,
# or the time limit) are passed on to vfpa, which finishes its step, checkpoints and exits with 3.
# Returns vfpa's exit code.
vfpa_launch() {
  local pid rc
  if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
  $VFPA_MPIEXEC -n "${SLURM_NTASKS:-1}" "$VFPA_ROOT/bin/vfpa" "$@" &
  pid=$!
  trap 'kill -USR1 $pid 2>/dev/null' USR1 TERM
  while :; do
    wait "$pid"
    rc=$?
    kill -0 "$pid" 2>/dev/null || break   # wait returned because a signal arrived: keep waiting
  done
  trap - USR1 TERM
  return "$rc"
}
