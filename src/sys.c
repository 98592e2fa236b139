/* Runtime support: user-facing error reporting, exit codes, directories, library versions. */
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
