/* Checkpoint and restart. */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "vfpa_checkpoint.h"
#include "vfpa_h5.h"
#include "vfpa_log.h"
#include "vfpa_sys.h"

/* Parameters a restart may change: when the run ends and how often it writes. */
static const char *const SafeParameters[] = {"ts_max_time", "output_interval", "diagnostics_interval", NULL};

static volatile sig_atomic_t received_signal = 0;

static void OnSignal(int signum) { received_signal = signum; }

/* ---- checksums: sum over elements k of mix(mix(k) xor bits(value_k)) mod 2^64 ---- */

static inline uint64_t Mix64(uint64_t z)
{
  z += 0x9E3779B97F4A7C15ULL; /* splitmix64 */
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* Hash of n consecutive values whose first has the global (file) index first. */
static uint64_t HashRun(const double *values, size_t n, uint64_t first)
{
  uint64_t sum = 0;
  for (size_t k = 0; k < n; k++) {
    uint64_t bits;
    memcpy(&bits, &values[k], sizeof(bits));
    sum += Mix64(Mix64(first + k) ^ bits);
  }
  return sum;
}

/* Checksums of the f rows of U (file order: v slow, x fast) and of the profile s (or 0). */
static PetscErrorCode StateChecksums(VfpaGrid g, Vec U, const PetscReal *s, uint64_t sums[2])
{
  const PetscScalar *const *f;
  uint64_t                  local[2] = {0, 0};

  PetscFunctionBeginUser;
  PetscCall(DMDAVecGetArrayRead(g->da, U, (void *)&f));
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++) local[0] += HashRun(&f[j][g->xs], (size_t)g->xm, (uint64_t)(j * g->nx + g->xs));
  PetscCall(DMDAVecRestoreArrayRead(g->da, U, (void *)&f));
  if (s && g->vs == 0) local[1] = HashRun(&s[g->xs], (size_t)g->xm, (uint64_t)g->xs);
  PetscCallMPI(MPI_Allreduce(local, sums, 2, MPI_UINT64_T, MPI_SUM, g->comm));
  PetscFunctionReturn(0);
}

/* ---- reading a checkpoint that may be broken: every check returns a reason, never an error ---- */

static PetscBool HasAttribute(hid_t file, const char name[]) { return H5Aexists(file, name) > 0 ? PETSC_TRUE : PETSC_FALSE; }

static PetscBool ReadScalarAttribute(hid_t file, const char name[], hid_t type, void *value)
{
  hid_t     attr;
  PetscBool ok;

  if (!HasAttribute(file, name) || (attr = H5Aopen(file, name, H5P_DEFAULT)) < 0) return PETSC_FALSE;
  ok = H5Aread(attr, type, value) >= 0 ? PETSC_TRUE : PETSC_FALSE;
  H5Aclose(attr);
  return ok;
}

/* A variable-length string attribute, copied into *text (PetscFree it); NULL when missing or not
   a variable-length string. */
static PetscErrorCode ReadTextAttribute(hid_t file, const char name[], char **text)
{
  hid_t attr, type;
  char *raw = NULL;

  PetscFunctionBeginUser;
  *text = NULL;
  if (!HasAttribute(file, name) || (attr = H5Aopen(file, name, H5P_DEFAULT)) < 0) PetscFunctionReturn(0);
  VfpaH5Call(type = H5Aget_type(attr));
  if (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0 && H5Aread(attr, type, &raw) >= 0 && raw) {
    PetscCall(PetscStrallocpy(raw, text));
    H5free_memory(raw);
  }
  VfpaH5Call(H5Tclose(type));
  VfpaH5Call(H5Aclose(attr));
  PetscFunctionReturn(0);
}

/* Checksum of a dataset of the expected shape (rows x cols), read in row blocks across ranks. */
static PetscErrorCode HashDataset(MPI_Comm comm, hid_t file, const char name[], hsize_t rows, hsize_t cols, PetscBool *ok, uint64_t *sum, char reason[], size_t len)
{
  PetscMPIInt rank, size;
  hid_t       dset = -1, space = -1, memspace = -1;
  hsize_t     dims[2] = {0, 0}, r0, r1, start[2], count[2];
  int         ndims = -1, good = 1;
  uint64_t    local = 0;
  double     *buf = NULL;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0) {
    PetscCall(PetscSNPrintf(reason, len, "dataset '%s' is missing", name));
    *ok = PETSC_FALSE;
    PetscFunctionReturn(0);
  }
  dset = H5Dopen2(file, name, H5P_DEFAULT);
  if (dset >= 0) space = H5Dget_space(dset);
  if (space >= 0) ndims = H5Sget_simple_extent_dims(space, dims, NULL);
  if (ndims != (cols ? 2 : 1) || dims[0] != rows || (cols && dims[1] != cols)) {
    PetscCall(PetscSNPrintf(reason, len, "dataset '%s' is unreadable or does not have the grid's shape", name));
    good = 0;
  }
  if (good) {
    hsize_t width = cols ? cols : 1;
    r0 = rows * (hsize_t)rank / (hsize_t)size;
    r1 = rows * (hsize_t)(rank + 1) / (hsize_t)size;
    start[0] = r0, start[1] = 0, count[0] = r1 - r0, count[1] = cols;
    PetscCall(PetscMalloc1((size_t)PetscMax(1, count[0] * width), &buf));
    memspace = H5Screate_simple(cols ? 2 : 1, count, NULL);
    if (!count[0]) {
      H5Sselect_none(memspace);
      H5Sselect_none(space);
    } else H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL);
    if (H5Dread(dset, H5T_NATIVE_DOUBLE, memspace, space, H5P_DEFAULT, buf) < 0) good = 0;
    else local = HashRun(buf, (size_t)(count[0] * width), (uint64_t)(r0 * width));
    PetscCall(PetscFree(buf));
  }
  if (memspace >= 0) H5Sclose(memspace);
  if (space >= 0) H5Sclose(space);
  if (dset >= 0) H5Dclose(dset);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &good, 1, MPI_INT, MPI_MIN, comm));
  PetscCallMPI(MPI_Allreduce(&local, sum, 1, MPI_UINT64_T, MPI_SUM, comm));
  if (!good && !reason[0]) PetscCall(PetscSNPrintf(reason, len, "dataset '%s' cannot be read", name));
  *ok = good ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

/* The dataset's checksum must equal the one stored in attribute checksum_<name>. */
static PetscErrorCode CheckDataset(MPI_Comm comm, hid_t file, const char name[], hsize_t rows, hsize_t cols, PetscBool *ok, char reason[], size_t len)
{
  char     attribute[64];
  uint64_t stored, sum;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(attribute, sizeof(attribute), "checksum_%s", name));
  if (!ReadScalarAttribute(file, attribute, H5T_NATIVE_UINT64, &stored)) {
    PetscCall(PetscSNPrintf(reason, len, "attribute '%s' is missing", attribute));
    *ok = PETSC_FALSE;
    PetscFunctionReturn(0);
  }
  PetscCall(HashDataset(comm, file, name, rows, cols, ok, &sum, reason, len));
  if (*ok && sum != stored) {
    PetscCall(PetscSNPrintf(reason, len, "the checksum of dataset '%s' does not match: the file is corrupt", name));
    *ok = PETSC_FALSE;
  }
  PetscFunctionReturn(0);
}

/* Whether path is a complete, uncorrupted checkpoint this vfpa can read; if not, why. */
static PetscErrorCode Validate(MPI_Comm comm, const char path[], PetscBool *ok, char reason[], size_t len)
{
  static const char *const required[] = {"time", "step", "dt", "rejected", "snapshot_count", "options", "parameters", "nx", "nv", "protocol", NULL};
  hid_t                    fapl, file;
  long long                version = -1, nx = 0, nv = 0;
  char                    *protocol = NULL;

  PetscFunctionBeginUser;
  *ok       = PETSC_FALSE;
  reason[0] = 0;
  VfpaH5Call(H5Eset_auto2(H5E_DEFAULT, NULL, NULL));
  VfpaH5Call(fapl = H5Pcreate(H5P_FILE_ACCESS));
  VfpaH5Call(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL));
  file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
  VfpaH5Call(H5Pclose(fapl));
  if (file < 0) {
    PetscCall(PetscSNPrintf(reason, len, "it is not a readable HDF5 file (missing, truncated or corrupt)"));
    PetscFunctionReturn(0);
  }
  if (!ReadScalarAttribute(file, "format_version", H5T_NATIVE_LLONG, &version)) PetscCall(PetscSNPrintf(reason, len, "it has no format_version: not a vfpa checkpoint"));
  else if (version > VFPA_CHECKPOINT_FORMAT) PetscCall(PetscSNPrintf(reason, len, "its format version %lld is newer than this vfpa reads (%d): use a newer vfpa", version, VFPA_CHECKPOINT_FORMAT));
  for (int k = 0; !reason[0] && required[k]; k++)
    if (!HasAttribute(file, required[k])) PetscCall(PetscSNPrintf(reason, len, "attribute '%s' is missing", required[k]));
  if (!reason[0] && (!ReadScalarAttribute(file, "nx", H5T_NATIVE_LLONG, &nx) || !ReadScalarAttribute(file, "nv", H5T_NATIVE_LLONG, &nv) || nx < 1 || nv < 1)) PetscCall(PetscSNPrintf(reason, len, "its grid attributes nx, nv are unreadable"));
  if (!reason[0]) PetscCall(CheckDataset(comm, file, "f", (hsize_t)nv, (hsize_t)nx, ok, reason, len));
  if (*ok) {
    PetscBool transported;
    PetscCall(ReadTextAttribute(file, "protocol", &protocol));
    PetscCall(PetscStrcmp(protocol, "smodel", &transported));
    if (transported) PetscCall(CheckDataset(comm, file, "s", (hsize_t)nx, 0, ok, reason, len));
    PetscCall(PetscFree(protocol));
  }
  VfpaH5Call(H5Fclose(file));
  PetscFunctionReturn(0);
}

/* ---- finding the checkpoint to restart from ---- */

/* The step numbers of the checkpoint_SSSSSSSS.h5 files in dir, newest first (rank 0 lists, all
   ranks get the list); n is 0 when there are none or dir does not exist. */
static PetscErrorCode ListCheckpoints(MPI_Comm comm, const char dir[], PetscInt *n, PetscInt **steps)
{
  PetscMPIInt rank;
  PetscInt    count = 0, capacity = 0;
  PetscInt   *list  = NULL;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    DIR           *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
      long long step;
      char      tail[8];
      if (sscanf(e->d_name, "checkpoint_%lld.%7s", &step, tail) != 2 || strcmp(tail, "h5")) continue;
      if (count == capacity) {
        capacity = capacity ? 2 * capacity : 16;
        PetscCall(PetscRealloc(capacity * sizeof(PetscInt), &list));
      }
      list[count++] = (PetscInt)step;
    }
    if (d) closedir(d);
    PetscCall(PetscSortInt(count, list));
    for (PetscInt a = 0, b = count - 1; a < b; a++, b--) {
      PetscInt t = list[a];
      list[a]    = list[b];
      list[b]    = t;
    }
  }
  PetscCallMPI(MPI_Bcast(&count, 1, MPIU_INT, 0, comm));
  if (rank) PetscCall(PetscMalloc1(PetscMax(count, 1), &list));
  if (count) PetscCallMPI(MPI_Bcast(list, (PetscMPIInt)count, MPIU_INT, 0, comm));
  *n     = count;
  *steps = list;
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckpointPath(const char dir[], PetscInt step, char path[], size_t len)
{
  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(path, len, "%s/checkpoint_%08" PetscInt_FMT ".h5", dir, step));
  PetscFunctionReturn(0);
}

/* -restart latest: the newest valid checkpoint in dir; invalid ones are skipped with a note. */
static PetscErrorCode FindLatest(VfpaCheckpoint ck, const char dir[])
{
  PetscInt *steps, n;
  char      path[PETSC_MAX_PATH_LEN], reason[512];
  PetscBool ok = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscCall(ListCheckpoints(ck->comm, dir, &n, &steps));
  for (PetscInt k = 0; k < n && !ok; k++) {
    PetscCall(CheckpointPath(dir, steps[k], path, sizeof(path)));
    PetscCall(Validate(ck->comm, path, &ok, reason, sizeof(reason)));
    if (ok) PetscCall(PetscStrncpy(ck->restart, path, sizeof(ck->restart)));
    else PetscCall(PetscPrintf(ck->comm, "vfpa: skipping checkpoint %s: %s\n", path, reason));
  }
  PetscCall(PetscFree(steps));
  PetscCheck(ok, ck->comm, PETSC_ERR_USER_INPUT, "-restart latest: no valid checkpoint in %s%s", dir, n ? " (see the notes above)" : "");
  PetscFunctionReturn(0);
}

/* The options of the checkpointed run become the base of this run's options; the ones given now
   (command line, options files) take precedence. */
static PetscErrorCode MergeOptions(const char checkpointed[])
{
  char *current;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetAll(NULL, &current));
  PetscCall(PetscOptionsInsertString(NULL, checkpointed));
  PetscCall(PetscOptionsInsertString(NULL, current));
  PetscCall(PetscFree(current));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaCheckpointCreate(MPI_Comm comm, VfpaCheckpoint *checkpoint)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(checkpoint));
  (*checkpoint)->comm = comm;
  (*checkpoint)->keep = 2;
  PetscCall(PetscTime(&(*checkpoint)->wall_start));
  PetscFunctionReturn(0);
}

/* -restart FILE|latest: find and validate the checkpoint (latest: the newest valid one in dir),
   and take its options as the base of this run's options. */
PetscErrorCode VfpaCheckpointPrepareRestart(VfpaCheckpoint ck, const char dir[])
{
  char      reason[512], *options = NULL;
  PetscBool latest, ok, help;
  hid_t     file;

  PetscFunctionBeginUser;
  PetscOptionsBegin(ck->comm, NULL, "vfpa restart", "VfpaCheckpoint");
  PetscCall(PetscOptionsString("-restart", "continue from a checkpoint file, or 'latest': the newest valid checkpoint in -output_dir", "VfpaCheckpoint", ck->restart, ck->restart, sizeof(ck->restart), NULL));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (!ck->restart[0] || help) PetscFunctionReturn(0);
  PetscCall(PetscStrcmp(ck->restart, "latest", &latest));
  if (latest) PetscCall(FindLatest(ck, dir));
  else {
    PetscCall(Validate(ck->comm, ck->restart, &ok, reason, sizeof(reason)));
    PetscCheck(ok, ck->comm, PETSC_ERR_USER_INPUT, "cannot restart from %s: %s", ck->restart, reason);
  }
  PetscCall(VfpaH5Open(ck->comm, ck->restart, &file));
  PetscCall(ReadTextAttribute(file, "options", &options));
  PetscCall(ReadTextAttribute(file, "parameters", &ck->restart_parameters));
  PetscCall(VfpaH5Close(&file));
  PetscCheck(options && ck->restart_parameters, ck->comm, PETSC_ERR_USER_INPUT, "cannot restart from %s: its options or parameters attribute is unreadable", ck->restart);
  PetscCall(MergeOptions(options));
  PetscCall(PetscFree(options));
  PetscFunctionReturn(0);
}

/* "[D-]HH:MM:SS" in seconds, or -1 when malformed. */
static PetscReal ParseWalltime(const char text[])
{
  int  d = 0, h, m, s, used = 0;
  char rest;

  if (sscanf(text, "%d-%d:%d:%d%n", &d, &h, &m, &s, &used) == 4 && !text[used]) return ((d * 24.0 + h) * 60 + m) * 60 + s;
  if (sscanf(text, "%d:%d:%d%c", &h, &m, &s, &rest) == 3 && h >= 0 && m >= 0 && m < 60 && s >= 0 && s < 60) return (h * 60.0 + m) * 60 + s;
  return -1;
}

/* The options text without -restart (a restart of this checkpoint names its own). */
static PetscErrorCode RecordOptions(VfpaCheckpoint ck)
{
  char  *all, *out, *save = NULL;
  size_t len;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsGetAll(NULL, &all));
  PetscCall(PetscStrlen(all, &len));
  PetscCall(PetscCalloc1(len + 2, &out));
  for (char *tok = strtok_r(all, " ", &save), *next; tok; tok = next) {
    next = strtok_r(NULL, " ", &save);
    if (!strcmp(tok, "-restart")) {
      if (next && next[0] != '-') next = strtok_r(NULL, " ", &save);
      continue;
    }
    PetscCall(PetscStrlcat(out, out[0] ? " " : "", len + 2));
    PetscCall(PetscStrlcat(out, tok, len + 2));
  }
  PetscCall(PetscFree(all));
  PetscCall(PetscFree(ck->options));
  ck->options = out;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaCheckpointSetFromOptions(VfpaCheckpoint ck)
{
  char walltime[64] = "";

  PetscFunctionBeginUser;
  PetscOptionsBegin(ck->comm, NULL, "vfpa checkpoints", "VfpaCheckpoint");
  PetscCall(PetscOptionsInt("-checkpoint_steps", "write a checkpoint every N steps (0: never)", "VfpaCheckpoint", ck->every_steps, &ck->every_steps, NULL));
  PetscCall(PetscOptionsReal("-checkpoint_interval", "write a checkpoint every T of simulated time (0: never)", "VfpaCheckpoint", ck->interval, &ck->interval, NULL));
  PetscCall(PetscOptionsReal("-checkpoint_walltime", "write a checkpoint every S wall-clock seconds (0: never)", "VfpaCheckpoint", ck->wall_interval, &ck->wall_interval, NULL));
  PetscCall(PetscOptionsInt("-checkpoint_keep", "number of newest checkpoints to keep", "VfpaCheckpoint", ck->keep, &ck->keep, NULL));
  PetscCall(PetscOptionsString("-max_walltime", "[D-]HH:MM:SS: checkpoint and stop (exit code 3) before this much wall time has passed", "VfpaCheckpoint", walltime, walltime, sizeof(walltime), NULL));
  PetscCall(PetscOptionsReal("-checkpoint_write_delay", "testing only: pause this many seconds inside each checkpoint write, before the file is complete", "VfpaCheckpoint", ck->write_delay, &ck->write_delay, NULL));
  PetscOptionsEnd();
  PetscCheck(ck->every_steps >= 0, ck->comm, PETSC_ERR_USER_INPUT, "-checkpoint_steps %" PetscInt_FMT " must be >= 0", ck->every_steps);
  PetscCall(VfpaCheckReal(ck->comm, "-checkpoint_interval", ck->interval, 0, PETSC_MAX_REAL, PETSC_FALSE, PETSC_FALSE));
  PetscCall(VfpaCheckReal(ck->comm, "-checkpoint_walltime", ck->wall_interval, 0, PETSC_MAX_REAL, PETSC_FALSE, PETSC_FALSE));
  PetscCall(VfpaCheckReal(ck->comm, "-checkpoint_write_delay", ck->write_delay, 0, PETSC_MAX_REAL, PETSC_FALSE, PETSC_FALSE));
  PetscCheck(ck->keep >= 1, ck->comm, PETSC_ERR_USER_INPUT, "-checkpoint_keep %" PetscInt_FMT " must be >= 1", ck->keep);
  if (walltime[0]) {
    ck->max_walltime = ParseWalltime(walltime);
    PetscCheck(ck->max_walltime > 0, ck->comm, PETSC_ERR_USER_INPUT, "-max_walltime '%s' is not a positive time of the form HH:MM:SS or D-HH:MM:SS", walltime);
  }
  PetscCall(RecordOptions(ck));
  PetscFunctionReturn(0);
}

static PetscBool IsSafe(const char name[])
{
  for (PetscInt k = 0; SafeParameters[k]; k++)
    if (!strcmp(SafeParameters[k], name)) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* A restart may change only the SafeParameters; any other difference is refused, naming it. */
PetscErrorCode VfpaCheckpointCheckParams(VfpaCheckpoint ck, VfpaParams params)
{
  char    *text, *save = NULL;
  PetscInt n, count = 0;

  PetscFunctionBeginUser;
  if (!ck->restart[0]) PetscFunctionReturn(0);
  PetscCall(PetscStrallocpy(ck->restart_parameters, &text));
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    char             name[64];
    const char      *was = strstr(line, " = ");
    const VfpaParam *now;
    if (!was || sscanf(line, "%63s", name) != 1) continue;
    was += 3;
    count++;
    PetscCall(VfpaParamsFind(params, name, &now));
    PetscCheck(now, ck->comm, PETSC_ERR_USER_INPUT, "cannot restart from %s: it has parameter '%s', which this vfpa does not know", ck->restart, name);
    PetscCheck(IsSafe(name) || !strcmp(was, now->text), ck->comm, PETSC_ERR_USER_INPUT,
               "cannot restart from %s with -%s %s: it was %s there. A restart may change only -ts_max_time, -ts_max_steps, -output_interval, -diagnostics_interval, -monitor_interval, -output_dir and the checkpoint options", ck->restart, name, now->text, was);
  }
  PetscCall(PetscFree(text));
  PetscCall(VfpaParamsGetCount(params, &n));
  PetscCheck(n == count, ck->comm, PETSC_ERR_USER_INPUT, "cannot restart from %s: it records %" PetscInt_FMT " parameters where this vfpa has %" PetscInt_FMT " (written by another vfpa version)", ck->restart, count, n);
  PetscFunctionReturn(0);
}

/* Rank 0 removes the temporary files of checkpoint writes that were killed before completing. */
static PetscErrorCode RemoveStaleTemporaries(VfpaCheckpoint ck)
{
  PetscMPIInt rank;
  DIR        *d;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(ck->comm, &rank));
  if (rank || !(d = opendir(ck->dir))) PetscFunctionReturn(0);
  for (struct dirent *e; (e = readdir(d));) {
    long long step;
    char      path[PETSC_MAX_PATH_LEN], tail[16];
    if (sscanf(e->d_name, ".checkpoint_%lld.%15s", &step, tail) != 2 || strcmp(tail, "h5.tmp")) continue;
    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s", ck->dir, e->d_name));
    (void)remove(path);
  }
  closedir(d);
  PetscFunctionReturn(0);
}

/* Start of the run: where checkpoints go, the clock, and the signals that stop the run. */
PetscErrorCode VfpaCheckpointSetUp(VfpaCheckpoint ck, const char dir[], PetscReal t0)
{
  struct sigaction action;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(ck->dir, dir, sizeof(ck->dir)));
  PetscCall(RemoveStaleTemporaries(ck));
  if (ck->interval > 0) ck->next_interval = (PetscInt)PetscFloorReal(t0 / ck->interval * (1 + 1e-12)) + 1;
  PetscCall(PetscTime(&ck->wall_last));
  ck->wall_step = ck->wall_last;
  memset(&action, 0, sizeof(action));
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  PetscCheck(!sigaction(SIGTERM, &action, NULL) && !sigaction(SIGUSR1, &action, NULL), PETSC_COMM_SELF, PETSC_ERR_SYS, "cannot install the SIGTERM/SIGUSR1 handlers");
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaCheckpointView(VfpaCheckpoint ck, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  if (ck->restart[0]) PetscCall(PetscViewerASCIIPrintf(viewer, "restart from %s\n", ck->restart));
  PetscCall(PetscViewerASCIIPrintf(viewer, "checkpoints: every %" PetscInt_FMT " steps, every %g time, every %g wall s (0: off), at the end and on SIGTERM/SIGUSR1; keep %" PetscInt_FMT, ck->every_steps, (double)ck->interval, (double)ck->wall_interval, ck->keep));
  if (ck->max_walltime > 0) PetscCall(PetscViewerASCIIPrintf(viewer, "; stop before %g wall s", (double)ck->max_walltime));
  PetscCall(PetscViewerASCIIPrintf(viewer, "\n"));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaCheckpointDestroy(VfpaCheckpoint *checkpoint)
{
  PetscFunctionBeginUser;
  if (!*checkpoint) PetscFunctionReturn(0);
  PetscCall(PetscFree((*checkpoint)->options));
  PetscCall(PetscFree((*checkpoint)->restart_parameters));
  PetscCall(PetscFree(*checkpoint));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaRunStateDestroy(VfpaRunState *state)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(state->snapshot_times));
  state->nsnapshots = 0;
  PetscFunctionReturn(0);
}

/* Read U and the run state from the (validated) restart checkpoint. */
PetscErrorCode VfpaCheckpointLoad(VfpaCheckpoint ck, VfpaModel m, Vec U, VfpaRunState *state)
{
  hid_t file, attr;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_IO, 0, 0, 0, 0));
  PetscCall(VfpaH5Open(ck->comm, ck->restart, &file));
  PetscCall(VecZeroEntries(U));
  PetscCall(VfpaH5ReadPhaseSpace(m->grid, file, "f", U));
  if (m->transported) {
    PetscCall(VfpaH5ReadProfile(m->grid, file, "s", m->strength));
    PetscCall(VfpaModelSetStrengthRow(m, U, m->strength));
  }
  PetscCall(VfpaH5ReadAttributeReal(ck->comm, file, ck->restart, "time", &state->time));
  PetscCall(VfpaH5ReadAttributeReal(ck->comm, file, ck->restart, "dt", &state->dt));
  PetscCall(VfpaH5ReadAttributeInt(ck->comm, file, ck->restart, "step", &state->step));
  PetscCall(VfpaH5ReadAttributeInt(ck->comm, file, ck->restart, "rejected", &state->rejected));
  PetscCall(VfpaH5ReadAttributeInt(ck->comm, file, ck->restart, "snapshot_count", &state->nsnapshots));
  PetscCall(PetscMalloc1(PetscMax(state->nsnapshots, 1), &state->snapshot_times));
  if (state->nsnapshots) {
    VfpaH5Call(attr = H5Aopen(file, "snapshot_times", H5P_DEFAULT));
    VfpaH5Call(H5Aread(attr, H5T_NATIVE_DOUBLE, state->snapshot_times));
    VfpaH5Call(H5Aclose(attr));
  }
  PetscCall(VfpaH5Close(&file));
  PetscCall(PetscLogEventEnd(VFPA_IO, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* After each step (collective): whether to write a checkpoint now, and whether to stop the run
   early (a signal arrived, or -max_walltime is near: the margin is two of the slowest steps and
   two checkpoint writes, plus 2% of the limit up to a minute). */
PetscErrorCode VfpaCheckpointDecide(VfpaCheckpoint ck, PetscReal t, PetscInt step, PetscBool *write, PetscBool *stop)
{
  PetscLogDouble now;
  int            flags[3] = {0, 0, 0}; /* signal number, wall limit near, wall interval due */

  PetscFunctionBeginUser;
  PetscCall(PetscTime(&now));
  ck->step_seconds = PetscMax(ck->step_seconds, now - ck->wall_step);
  ck->wall_step    = now;
  flags[0]         = (int)received_signal;
  if (ck->max_walltime > 0) flags[1] = now - ck->wall_start + 2 * ck->step_seconds + 2 * ck->write_seconds + PetscMin(60, 0.02 * ck->max_walltime) >= ck->max_walltime;
  if (ck->wall_interval > 0) flags[2] = now - ck->wall_last >= ck->wall_interval;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, flags, 3, MPI_INT, MPI_MAX, ck->comm));
  *stop  = (PetscBool)(flags[0] || flags[1]);
  *write = (PetscBool)(*stop || flags[2] || (ck->every_steps > 0 && step % ck->every_steps == 0));
  while (ck->interval > 0 && t >= ck->next_interval * ck->interval * (1 - 1e-12)) {
    *write = PETSC_TRUE;
    ck->next_interval++;
  }
  if (flags[0]) PetscCall(PetscSNPrintf(ck->stop_reason, sizeof(ck->stop_reason), "signal %s", flags[0] == SIGTERM ? "SIGTERM" : "SIGUSR1"));
  else if (flags[1]) PetscCall(PetscSNPrintf(ck->stop_reason, sizeof(ck->stop_reason), "-max_walltime is near"));
  PetscFunctionReturn(0);
}

/* Keep the newest ck->keep checkpoints (rank 0 removes the others). */
static PetscErrorCode Prune(VfpaCheckpoint ck)
{
  PetscInt   *steps, n;
  PetscMPIInt rank;
  char        path[PETSC_MAX_PATH_LEN];

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(ck->comm, &rank));
  PetscCall(ListCheckpoints(ck->comm, ck->dir, &n, &steps));
  for (PetscInt k = ck->keep; k < n && !rank; k++) {
    PetscCall(CheckpointPath(ck->dir, steps[k], path, sizeof(path)));
    (void)remove(path);
  }
  PetscCall(PetscFree(steps));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteContents(VfpaCheckpoint ck, VfpaModel m, VfpaParams params, Vec U, const VfpaRunState *state, hid_t file)
{
  VfpaGrid    g = m->grid;
  uint64_t    sums[2];
  PetscMPIInt size;
  char        versions[512], *text;

  PetscFunctionBeginUser;
  PetscCall(VfpaModelEvaluateFields(m, U)); /* shares the transported s within each column */
  PetscCall(StateChecksums(g, U, m->transported ? m->strength : NULL, sums));
  PetscCall(VfpaH5WritePhaseSpace(g, file, "f", U));
  PetscCall(VfpaH5WriteAttributeUInt64(file, "checksum_f", sums[0]));
  if (m->transported) {
    PetscCall(VfpaH5WriteProfile(g, file, "s", m->strength));
    PetscCall(VfpaH5WriteAttributeUInt64(file, "checksum_s", sums[1]));
  }
  if (ck->write_delay > 0) PetscCall(PetscSleep(ck->write_delay));
  PetscCall(VfpaH5WriteAttributeInt(file, "format_version", VFPA_CHECKPOINT_FORMAT));
  PetscCall(VfpaH5WriteAttributeString(file, "vfpa_version", VFPA_VERSION));
  PetscCall(VfpaLibraryVersions(versions, sizeof(versions)));
  PetscCall(VfpaH5WriteAttributeString(file, "versions", versions));
  PetscCall(VfpaH5WriteAttributeReal(file, "time", state->time));
  PetscCall(VfpaH5WriteAttributeReal(file, "dt", state->dt));
  PetscCall(VfpaH5WriteAttributeInt(file, "step", state->step));
  PetscCall(VfpaH5WriteAttributeInt(file, "rejected", state->rejected));
  PetscCall(VfpaH5WriteAttributeInt(file, "snapshot_count", state->nsnapshots));
  if (state->nsnapshots) PetscCall(VfpaH5WriteAttributeReals(file, "snapshot_times", state->nsnapshots, state->snapshot_times));
  PetscCallMPI(MPI_Comm_size(ck->comm, &size));
  PetscCall(VfpaH5WriteAttributeInt(file, "ranks", size));
  PetscCall(VfpaH5WriteAttributeInt(file, "ranks_x", g->px));
  PetscCall(VfpaH5WriteAttributeInt(file, "ranks_v", g->pv));
  PetscCall(VfpaH5WriteAttributeString(file, "options", ck->options));
  PetscCall(VfpaParamsToText(params, &text));
  PetscCall(VfpaH5WriteAttributeString(file, "parameters", text));
  PetscCall(PetscFree(text));
  PetscCall(VfpaH5WriteParams(file, params));
  PetscFunctionReturn(0);
}

/* Write checkpoint_SSSSSSSS.h5 through a hidden temporary file, then keep the newest ones. */
PetscErrorCode VfpaCheckpointWrite(VfpaCheckpoint ck, VfpaModel m, VfpaParams params, Vec U, const VfpaRunState *state)
{
  char           path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN];
  hid_t          file;
  PetscLogDouble start, end;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_IO, 0, 0, 0, 0));
  PetscCall(PetscTime(&start));
  PetscCall(CheckpointPath(ck->dir, state->step, path, sizeof(path)));
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s/.checkpoint_%08" PetscInt_FMT ".h5.tmp", ck->dir, state->step));
  PetscCall(VfpaH5Create(ck->comm, tmp, &file));
  PetscCall(WriteContents(ck, m, params, U, state, file));
  PetscCall(VfpaH5Close(&file));
  PetscCall(VfpaH5RenameIntoPlace(ck->comm, tmp, path));
  PetscCall(Prune(ck));
  PetscCall(PetscTime(&end));
  ck->write_seconds = end - start;
  ck->wall_last     = end;
  PetscCall(PetscPrintf(ck->comm, "vfpa: checkpoint at t = %.17g, step %" PetscInt_FMT " written to %s (%.2f s)\n", (double)state->time, state->step, path, (double)(end - start)));
  PetscCall(PetscLogEventEnd(VFPA_IO, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
