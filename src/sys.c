/* Runtime support: PETSc initialisation with cache-line-aligned allocations, user-facing error reporting,
   exit codes, directories, library versions. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <hdf5.h>
#include <p4est_config.h>
#include "vfpa_sys.h"

static char      first_user_error[4096];
static PetscBool have_user_error = PETSC_FALSE;

static PetscBool IsUserError(PetscErrorCode n)
{
  return (PetscBool)(n == PETSC_ERR_USER_INPUT || n == PETSC_ERR_ARG_UNKNOWN_TYPE || n == PETSC_ERR_FILE_OPEN || n == PETSC_ERR_FILE_READ || n == PETSC_ERR_FILE_UNEXPECTED);
}

static PetscBool user_error_code = PETSC_FALSE;

/* Keep the first message of a user error (an error of the classes above, or a value that PETSc's
   options parser rejected) and stay quiet while it propagates; anything else gets PETSc's usual
   traceback. */
static PetscErrorCode VfpaErrorHandler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  if (p == PETSC_ERROR_INITIAL && fun && !strncmp(fun, "PetscOptions", 12)) user_error_code = PETSC_TRUE;
  if (IsUserError(n) || user_error_code) {
    if (!have_user_error && mess) {
      PetscStrncpy(first_user_error, mess, sizeof(first_user_error));
      have_user_error = PETSC_TRUE;
    }
    return n;
  }
  return PetscTraceBackErrorHandler(comm, line, fun, file, n, p, mess, ctx);
}

PetscErrorCode VfpaErrorHandlerPush(void)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPushErrorHandler(VfpaErrorHandler, NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaErrorHandlerPop(void)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPopErrorHandler());
  PetscFunctionReturn(0);
}

/* PETSc's parser says "Input string VALUE has no ... value": find the option that was given VALUE. */
static void NameRejectedOption(char option[], size_t len)
{
  char value[256], *all = NULL, *tok, *prev = NULL, *save = NULL;

  option[0] = 0;
  if (sscanf(first_user_error, "Input string %255s", value) != 1 || PetscOptionsGetAll(NULL, &all)) return;
  for (tok = strtok_r(all, " ", &save); tok; prev = tok, tok = strtok_r(NULL, " ", &save))
    if (prev && prev[0] == '-' && !strcmp(tok, value)) PetscSNPrintf(option, len, "%s: ", prev);
  PetscFree(all);
}

/* Print the user error (once, from rank 0) and map the error code to the process exit code. */
VfpaExitCode VfpaErrorReport(MPI_Comm comm, PetscErrorCode ierr)
{
  PetscMPIInt rank;
  char        option[256];

  if (!ierr) return VFPA_EXIT_OK;
  if (!(IsUserError(ierr) || user_error_code) || !have_user_error) return VFPA_EXIT_ERROR;
  MPI_Comm_rank(comm, &rank);
  if (!rank) {
    NameRejectedOption(option, sizeof(option));
    fprintf(stderr, "vfpa: error: %s%s\n", option, first_user_error);
    fflush(stderr);
  }
  return VFPA_EXIT_BAD_INPUT;
}

/* mkdir -p on rank 0; every rank learns the outcome. */
PetscErrorCode VfpaMakeDirectory(MPI_Comm comm, const char path[])
{
  PetscMPIInt rank;
  int         failed = 0;
  char        buf[PETSC_MAX_PATH_LEN], why[256] = "";

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank) {
    PetscCall(PetscStrncpy(buf, path, sizeof(buf)));
    for (char *p = buf + 1; *p && !failed; p++) {
      if (*p != '/') continue;
      *p = 0;
      if (mkdir(buf, 0755) && errno != EEXIST) failed = errno;
      *p = '/';
    }
    if (!failed && mkdir(buf, 0755) && errno != EEXIST) failed = errno;
    if (failed) PetscCall(PetscStrncpy(why, strerror(failed), sizeof(why)));
  }
  PetscCallMPI(MPI_Bcast(&failed, 1, MPI_INT, 0, comm));
  PetscCallMPI(MPI_Bcast(why, sizeof(why), MPI_CHAR, 0, comm));
  PetscCheck(!failed, comm, PETSC_ERR_USER_INPUT, "cannot create output directory '%s': %s (check -output_dir)", path, why);
  PetscFunctionReturn(0);
}

/* The run's input name: the basename, without extension, of the last -options_file on the command
   line ("vfpa" when there is none). It names the default output directory. */
PetscErrorCode VfpaInputName(int argc, char **argv, char name[], size_t len)
{
  const char *file = NULL, *base;
  char       *dot;

  PetscFunctionBeginUser;
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], "-options_file")) file = argv[i + 1];
  if (!file) {
    PetscCall(PetscStrncpy(name, "vfpa", len));
    PetscFunctionReturn(0);
  }
  base = strrchr(file, '/');
  base = base ? base + 1 : file;
  PetscCall(PetscStrncpy(name, base, len));
  dot = strrchr(name, '.');
  if (dot && dot != name) *dot = 0;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaLibraryVersions(char buf[], size_t len)
{
  char     petsc[128];
  unsigned h5maj, h5min, h5rel;

  PetscFunctionBeginUser;
  PetscCall(PetscGetVersion(petsc, sizeof(petsc)));
  PetscCallExternal(H5get_libversion, &h5maj, &h5min, &h5rel);
  PetscCall(PetscSNPrintf(buf, len, "vfpa %s; %s; HDF5 %u.%u.%u; p4est %s", VFPA_VERSION, petsc, h5maj, h5min, h5rel, P4EST_VERSION));
  PetscFunctionReturn(0);
}

/* Validate a real option: finite, and within [lo, hi] (a bound is open where its flag says so; use
   PETSC_MAX_REAL for "no upper bound"). */
PetscErrorCode VfpaCheckReal(MPI_Comm comm, const char option[], PetscReal value, PetscReal lo, PetscReal hi, PetscBool lo_open, PetscBool hi_open)
{
  PetscBool ok;
  char      range[128];

  PetscFunctionBeginUser;
  PetscCheck(!PetscIsInfOrNanReal(value), comm, PETSC_ERR_USER_INPUT, "%s must be a finite number (got %g)", option, (double)value);
  ok = (PetscBool)((lo_open ? value > lo : value >= lo) && (hi_open ? value < hi : value <= hi));
  if (hi >= PETSC_MAX_REAL) PetscCall(PetscSNPrintf(range, sizeof(range), "%s %g", lo_open ? ">" : ">=", (double)lo));
  else PetscCall(PetscSNPrintf(range, sizeof(range), "in %s%g, %g%s", lo_open ? "(" : "[", (double)lo, (double)hi, hi_open ? ")" : "]"));
  PetscCheck(ok, comm, PETSC_ERR_USER_INPUT, "%s = %g is out of range: it must be %s", option, (double)value, range);
  PetscFunctionReturn(0);
}

/* Look name up in a registry; an unknown name is a user error that lists the valid ones. */
PetscErrorCode VfpaListFind(MPI_Comm comm, PetscFunctionList list, const char option[], const char name[], void (**fn)(void))
{
  const char **names;
  int          n;
  char         valid[1024] = "";

  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListFind(list, name, fn));
  if (*fn) PetscFunctionReturn(0);
  PetscCall(PetscFunctionListGet(list, &names, &n));
  for (int i = 0; i < n; i++) {
    if (!names[i] || !names[i][0]) continue;
    PetscCall(PetscStrlcat(valid, valid[0] ? ", " : "", sizeof(valid)));
    PetscCall(PetscStrlcat(valid, names[i], sizeof(valid)));
  }
  PetscCall(PetscFree(names));
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "unknown %s '%s'; valid choices: %s", option, name, valid);
}

/* Index of name in a NULL-terminated list of choices; an unknown name is a user error. */
PetscErrorCode VfpaChoiceFind(MPI_Comm comm, const char *const choices[], const char option[], const char name[], PetscInt *index)
{
  char valid[1024] = "";

  PetscFunctionBeginUser;
  for (PetscInt i = 0; choices[i]; i++) {
    PetscBool same;
    PetscCall(PetscStrcmp(choices[i], name, &same));
    if (same) {
      *index = i;
      PetscFunctionReturn(0);
    }
    PetscCall(PetscStrlcat(valid, i ? ", " : "", sizeof(valid)));
    PetscCall(PetscStrlcat(valid, choices[i], sizeof(valid)));
  }
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "unknown %s '%s'; valid choices: %s", option, name, valid);
}

/* PETSc's allocations aligned to a cache line of VFPA_ALIGN bytes; PETSc's own alignment,
   PETSC_MEMALIGN, is 16 bytes in the Debian build. Every row of a phase-space vector (and of the
   x profiles, VFPA_PROFILE_STRIDE apart) then starts on a line when xm is a multiple of 8, so that no
   vector load or store of the kernels straddles two lines. Measured (bench rhs, -log_view events,
   4 interleaved runs at 4096 x 2048): 1.75-1.87 against 2.05-2.08 ns per cell.
   Each block is taken from malloc, or calloc where PETSc asks for zeros (so that pages never
   written stay unallocated, as with PETSc's own allocator), ALIGN_SLACK bytes larger, and handed out
   at the first line boundary past a pointer-sized slot that keeps the address malloc returned.
   Peak memory (bench, section 8): 7.4 doubles per cell for the explicit integrator and 36.0 for IMEX,
   against 8.4 and 38.0 with PETSc's allocator; posix_memalign with zeros written by memset had given
   40.0 for IMEX. */
#define VFPA_ALIGN  64
#define ALIGN_SLACK (VFPA_ALIGN + 2 * sizeof(void *))

/* The aligned block inside the raw one: the first line boundary with room for a pointer below it. */
static void *AlignInside(void *raw)
{
  return (void *)(((size_t)raw + sizeof(void *) + VFPA_ALIGN - 1) / VFPA_ALIGN * VFPA_ALIGN);
}

static PetscErrorCode AlignedMalloc(size_t size, PetscBool clear, int line, const char func[], const char file[], void **result)
{
  void *raw;

  (void)line, (void)func, (void)file;
  *result = NULL;
  if (!size) return 0;
  raw = clear ? calloc(1, size + ALIGN_SLACK) : malloc(size + ALIGN_SLACK);
  if (!raw) return PETSC_ERR_MEM;
  *result                = AlignInside(raw);
  ((void **)*result)[-1] = raw;
  return 0;
}

static PetscErrorCode AlignedFree(void *ptr, int line, const char func[], const char file[])
{
  (void)line, (void)func, (void)file;
  if (ptr) free(((void **)ptr)[-1]);
  return 0;
}

/* realloc of the raw block; the contents move to the new block's line boundary when realloc has
   put the block at another offset from a line. */
static PetscErrorCode AlignedRealloc(size_t size, int line, const char func[], const char file[], void **result)
{
  void  *raw, *moved;
  size_t offset;

  if (!*result) return AlignedMalloc(size, PETSC_FALSE, line, func, file, result);
  if (!size) {
    (void)AlignedFree(*result, line, func, file);
    *result = NULL;
    return 0;
  }
  raw    = ((void **)*result)[-1];
  offset = (size_t)((char *)*result - (char *)raw);
  moved  = realloc(raw, size + ALIGN_SLACK);
  if (!moved) return PETSC_ERR_MEM;
  *result = AlignInside(moved);
  if ((char *)*result != (char *)moved + offset) memmove(*result, (char *)moved + offset, size); /* before the slot below it is written */
  ((void **)*result)[-1] = moved;
  return 0;
}

/* Whether the options file at path has a line, not a comment, that mentions -malloc. */
static PetscBool FileMentionsMalloc(const char path[])
{
  FILE     *fp = fopen(path, "r");
  char      line[4096];
  PetscBool found = PETSC_FALSE;

  if (!fp) return PETSC_FALSE;
  while (!found && fgets(line, sizeof(line), fp)) found = (PetscBool)(line[strspn(line, " \t")] != '#' && strstr(line, "-malloc"));
  (void)fclose(fp);
  return found;
}

/* Whether a PETSc -malloc option (memory debugging: -malloc_debug, -malloc_dump, -malloc_view, ...) is
   given where PetscInitialize will find it: on the command line, in PETSC_OPTIONS, in a file of
   -options_file or in PETSc's default files (~/.petscrc, .petscrc, petscrc). PETSc then installs its
   own allocator, which cannot replace another one. */
static PetscBool MallocOptionGiven(int argc, char **argv)
{
  const char *env = getenv("PETSC_OPTIONS"), *home = getenv("HOME");
  char        path[PETSC_MAX_PATH_LEN];

  if (env && strstr(env, "-malloc")) return PETSC_TRUE;
  for (int k = 1; k < argc; k++) {
    if (!strncmp(argv[k], "-malloc", 7)) return PETSC_TRUE;
    if (!strcmp(argv[k], "-options_file") && k + 1 < argc && FileMentionsMalloc(argv[k + 1])) return PETSC_TRUE;
  }
  if (home && snprintf(path, sizeof(path), "%s/.petscrc", home) < (int)sizeof(path) && FileMentionsMalloc(path)) return PETSC_TRUE;
  return (PetscBool)(FileMentionsMalloc(".petscrc") || FileMentionsMalloc("petscrc"));
}

PetscErrorCode VfpaInitialize(int *argc, char ***argv, const char help[])
{
  const PetscBool aligned = (PetscBool)!MallocOptionGiven(*argc, *argv);
  PetscErrorCode  ierr;

  if (aligned) PetscCall(PetscMallocSet(AlignedMalloc, AlignedFree, AlignedRealloc));
  ierr = PetscInitialize(argc, argv, NULL, help);
  if (ierr == PETSC_ERR_SUP && aligned) (void)fprintf(stderr, "vfpa: give PETSc's -malloc options (memory debugging) on the command line, in PETSC_OPTIONS or in a file of -options_file, not in a nested options file\n");
  return ierr;
}
