/* Diagnostics of SPEC section 5: computed by reductions, written as CSV rows and an HDF5 series. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
#include "vfpa_diagnostics.h"
#include "vfpa_h5.h"
#include "vfpa_log.h"

const char *const VfpaDiagnosticNames[] = {"step", "t", "dt", "mass", "momentum", "ubar", "energy", "entropy", "l1", "fmin", "rhomin", "rhomax", "smin", "smax", "wmin", "wmax", "align", "edge_mass", "rejected", NULL};

PetscErrorCode VfpaDiagnosticsCreate(VfpaModel model, VfpaDiagnostics *diag)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(diag));
  (*diag)->comm  = model->comm;
  (*diag)->model = model;
  PetscCall(VfpaGridProfileCreate(model->grid, &(*diag)->w));
  PetscFunctionReturn(0);
}

/* The CSV header line (without the newline). */
static void Header(char header[], size_t len)
{
  header[0] = 0;
  for (int c = 0; c < VFPA_DIAG_COUNT; c++) {
    strncat(header, VfpaDiagnosticNames[c], len - strlen(header) - 1);
    if (c + 1 < VFPA_DIAG_COUNT) strncat(header, ",", len - strlen(header) - 1);
  }
}

/* Start diagnostics.csv in dir with its header. */
PetscErrorCode VfpaDiagnosticsSetUp(VfpaDiagnostics d, const char dir[])
{
  PetscMPIInt rank;
  char        path[PETSC_MAX_PATH_LEN], header[1024];

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(d->dir, dir, sizeof(d->dir)));
  PetscCallMPI(MPI_Comm_rank(d->comm, &rank));
  if (rank) PetscFunctionReturn(0);
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/diagnostics.csv", dir));
  d->csv = fopen(path, "w");
  PetscCheck(d->csv, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot write %s", path);
  Header(header, sizeof(header));
  fprintf(d->csv, "%s\n", header);
  fflush(d->csv);
  PetscFunctionReturn(0);
}

/* Rank 0: copy the header and the rows with t <= tmax of path to tmp, verbatim, and parse them into
   memory; returns 1 when the file is not a vfpa diagnostics.csv. */
static int KeepRowsUpTo(VfpaDiagnostics d, FILE *in, FILE *out, PetscReal tmax, PetscInt *kept, PetscInt *dropped)
{
  char   *line = NULL, header[1024];
  size_t  cap  = 0;
  ssize_t n;

  Header(header, sizeof(header));
  n = getline(&line, &cap, in);
  if (n <= 0 || strncmp(line, header, strlen(header))) {
    free(line);
    return 1;
  }
  fputs(line, out);
  while ((n = getline(&line, &cap, in)) > 0) {
    PetscReal row[VFPA_DIAG_COUNT];
    char     *p = line;
    for (int c = 0; c < VFPA_DIAG_COUNT; c++) {
      row[c] = strtod(p, &p);
      if (*p == ',') p++;
    }
    if (row[VFPA_DIAG_T] > tmax) {
      (*dropped)++;
      continue;
    }
    fputs(line, out);
    (*kept)++;
    if (VfpaDiagnosticsRecord(d, row)) break; /* memory only: d->csv is not open yet */
  }
  free(line);
  return 0;
}

/* After a restart at time t: diagnostics.csv in dir keeps its rows up to t (rows an interrupted run
   wrote after its checkpoint are dropped) and continues from there; those rows also seed the HDF5
   series. Without a diagnostics.csv there, a new one is started. */
PetscErrorCode VfpaDiagnosticsResume(VfpaDiagnostics d, const char dir[], PetscReal t)
{
  PetscMPIInt rank;
  char        path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN];
  int         status = 0; /* 0 continued, 1 foreign header, 2 I/O failure, 3 no file */
  PetscInt    counts[2] = {0, 0};
  FILE       *in, *out;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(d->comm, &rank));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/diagnostics.csv", dir));
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s/.diagnostics.csv.tmp", dir));
  if (!rank) {
    if (!(in = fopen(path, "r"))) status = 3;
    else if (!(out = fopen(tmp, "w"))) status = 2;
    else {
      status = KeepRowsUpTo(d, in, out, t * (1 + 1e-12) + 1e-300, &counts[0], &counts[1]);
      if (fclose(out) || (!status && rename(tmp, path))) status = 2;
    }
    if (in) fclose(in);
  }
  PetscCallMPI(MPI_Bcast(&status, 1, MPI_INT, 0, d->comm));
  PetscCheck(status != 1, d->comm, PETSC_ERR_USER_INPUT, "cannot continue %s: it does not start with vfpa's header (move it away or use another -output_dir)", path);
  PetscCheck(status != 2, d->comm, PETSC_ERR_FILE_WRITE, "cannot rewrite %s", path);
  if (status == 3) {
    PetscCall(VfpaDiagnosticsSetUp(d, dir));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscStrncpy(d->dir, dir, sizeof(d->dir)));
  PetscCallMPI(MPI_Bcast(counts, 2, MPIU_INT, 0, d->comm));
  if (!rank) {
    d->csv = fopen(path, "a");
    PetscCheck(d->csv, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot append to %s", path);
  }
  PetscCall(PetscPrintf(d->comm, "vfpa: %s continues after t = %.17g (%" PetscInt_FMT " rows kept, %" PetscInt_FMT " later rows dropped)\n", path, (double)t, counts[0], counts[1]));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaDiagnosticsDestroy(VfpaDiagnostics *diag)
{
  PetscFunctionBeginUser;
  if (!*diag) PetscFunctionReturn(0);
  if ((*diag)->csv) fclose((*diag)->csv);
  PetscCall(VfpaGridProfileDestroy((*diag)->model->grid, &(*diag)->w));
  PetscCall(PetscFree((*diag)->rows));
  PetscCall(PetscFree(*diag));
  PetscFunctionReturn(0);
}

/* Sums over phase space: energy, entropy, l1 and edge mass, and the minimum of f, against the
   discrete global Maxwellian mu_j = (M / L) exp(-(v_j - ubar)^2 / (2 sigma)) / Z. */
static PetscErrorCode PhaseSpaceSums(VfpaDiagnostics d, Vec U, PetscReal mass, PetscReal ubar, PetscReal sums[4], PetscReal *fmin)
{
  VfpaGrid                  g     = d->model->grid;
  const PetscReal           sigma = d->model->fp->sigma;
  const PetscScalar *const *f;
  PetscReal                 Z = 0, cell = g->dx * g->dv, local[4] = {0, 0, 0, 0}, lmin = PETSC_MAX_REAL;

  PetscFunctionBeginUser;
  for (PetscInt j = 0; j < g->nv; j++) Z += PetscExpReal(-0.5 * (g->v[j] - ubar) * (g->v[j] - ubar) / sigma) * g->dv;
  PetscCall(DMDAVecGetArrayRead(g->da, U, (void *)&f));
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++) {
    const PetscReal mu = mass / g->L * PetscExpReal(-0.5 * (g->v[j] - ubar) * (g->v[j] - ubar) / sigma) / Z;
    const PetscBool edge = (PetscBool)(j == 0 || j == g->nv - 1);
    for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
      const PetscReal fij = f[j][i];
      local[0] += 0.5 * g->v[j] * g->v[j] * fij * cell;
      if (fij > 0) local[1] += sigma * fij * PetscLogReal(fij / mu) * cell;
      local[2] += PetscAbsReal(fij - mu) * cell;
      if (edge) local[3] += fij * cell;
      lmin = PetscMin(lmin, fij);
    }
  }
  PetscCall(DMDAVecRestoreArrayRead(g->da, U, (void *)&f));
  PetscCall(MPIU_Allreduce(local, sums, 4, MPIU_REAL, MPIU_SUM, d->comm));
  PetscCall(MPIU_Allreduce(&lmin, fmin, 1, MPIU_REAL, MPIU_MIN, d->comm));
  PetscFunctionReturn(0);
}

/* Extremes of rho, s, w and the alignment sum over x, counted once per x slab. */
static PetscErrorCode ProfileReductions(VfpaDiagnostics d, PetscReal ubar, PetscReal ext[6], PetscReal *align)
{
  VfpaModel    m = d->model;
  VfpaGrid     g = m->grid;
  VfpaProtocol p = m->protocol;
  PetscReal    lmax[6], sum = 0;

  PetscFunctionBeginUser;
  PetscCall(VfpaProtocolWeight(p, m->moments, d->w));
  for (int k = 0; k < 6; k++) lmax[k] = -PETSC_MAX_REAL;
  for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
    const PetscReal vals[3] = {m->moments->rho[i], p->s[i], d->w[i]};
    for (int k = 0; k < 3; k++) {
      lmax[2 * k]     = PetscMax(lmax[2 * k], -vals[k]); /* minima as maxima of the negatives */
      lmax[2 * k + 1] = PetscMax(lmax[2 * k + 1], vals[k]);
    }
    if (g->vs == 0) sum += p->s[i] * m->moments->rho[i] * PetscSqr(m->moments->u[i] - ubar) * g->dx;
  }
  PetscCall(MPIU_Allreduce(lmax, ext, 6, MPIU_REAL, MPIU_MAX, d->comm));
  for (int k = 0; k < 3; k++) ext[2 * k] = -ext[2 * k];
  PetscCall(MPIU_Allreduce(&sum, align, 1, MPIU_REAL, MPIU_SUM, d->comm));
  *align = PetscSqrtReal(PetscMax(*align, 0));
  PetscFunctionReturn(0);
}

/* Every column but step, t, dt and rejected, which the caller fills. */
PetscErrorCode VfpaDiagnosticsCompute(VfpaDiagnostics d, Vec U, PetscReal row[])
{
  PetscReal mass, momentum, ubar, sums[4], fmin, ext[6], align;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Diagnostics, 0, 0, 0, 0));
  PetscCall(VfpaModelEvaluateFields(d->model, U));
  PetscCall(VfpaMomentsTotals(d->model->moments, &mass, &momentum));
  ubar = momentum / mass;
  PetscCall(PhaseSpaceSums(d, U, mass, ubar, sums, &fmin));
  PetscCall(ProfileReductions(d, ubar, ext, &align));
  row[VFPA_DIAG_MASS]      = mass;
  row[VFPA_DIAG_MOMENTUM]  = momentum;
  row[VFPA_DIAG_UBAR]      = ubar;
  row[VFPA_DIAG_ENERGY]    = sums[0];
  row[VFPA_DIAG_ENTROPY]   = sums[1];
  row[VFPA_DIAG_L1]        = sums[2];
  row[VFPA_DIAG_FMIN]      = fmin;
  row[VFPA_DIAG_RHOMIN]    = ext[0];
  row[VFPA_DIAG_RHOMAX]    = ext[1];
  row[VFPA_DIAG_SMIN]      = ext[2];
  row[VFPA_DIAG_SMAX]      = ext[3];
  row[VFPA_DIAG_WMIN]      = ext[4];
  row[VFPA_DIAG_WMAX]      = ext[5];
  row[VFPA_DIAG_ALIGN]     = align;
  row[VFPA_DIAG_EDGE_MASS] = sums[3] / mass;
  PetscCall(PetscLogEventEnd(VFPA_Diagnostics, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Append a row to the CSV (flushed, so a killed run keeps every row written) and to memory. */
PetscErrorCode VfpaDiagnosticsRecord(VfpaDiagnostics d, const PetscReal row[])
{
  PetscFunctionBeginUser;
  if (d->nrows == d->capacity) {
    d->capacity = d->capacity ? 2 * d->capacity : 256;
    PetscCall(PetscRealloc(d->capacity * VFPA_DIAG_COUNT * sizeof(PetscReal), &d->rows));
  }
  PetscCall(PetscArraycpy(d->rows + d->nrows * VFPA_DIAG_COUNT, row, VFPA_DIAG_COUNT));
  d->nrows++;
  if (!d->csv) PetscFunctionReturn(0);
  for (int c = 0; c < VFPA_DIAG_COUNT; c++) {
    if (c == VFPA_DIAG_STEP || c == VFPA_DIAG_REJECTED) fprintf(d->csv, "%lld", (long long)row[c]);
    else fprintf(d->csv, "%.17g", (double)row[c]);
    fputc(c + 1 < VFPA_DIAG_COUNT ? ',' : '\n', d->csv);
  }
  fflush(d->csv);
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaDiagnosticsLast(VfpaDiagnostics d, const PetscReal **row)
{
  PetscFunctionBeginUser;
  *row = d->nrows ? d->rows + (d->nrows - 1) * VFPA_DIAG_COUNT : NULL;
  PetscFunctionReturn(0);
}

/* diagnostics.h5: one dataset per column, rewritten whole (temporary file, then rename) by rank 0. */
PetscErrorCode VfpaDiagnosticsWriteHDF5(VfpaDiagnostics d)
{
  PetscMPIInt rank;
  char        path[PETSC_MAX_PATH_LEN], tmp[PETSC_MAX_PATH_LEN];
  hid_t       file, space;
  hsize_t     n = (hsize_t)d->nrows;
  PetscReal  *column;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(d->comm, &rank));
  if (rank || !d->nrows) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(VFPA_IO, 0, 0, 0, 0));
  PetscCall(PetscSNPrintf(path, sizeof(path), "%s/diagnostics.h5", d->dir));
  PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s/.diagnostics.h5.tmp", d->dir));
  VfpaH5Call(file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  VfpaH5Call(space = H5Screate_simple(1, &n, NULL));
  PetscCall(PetscMalloc1(d->nrows, &column));
  for (int c = 0; c < VFPA_DIAG_COUNT; c++) {
    hid_t dset;
    for (PetscInt r = 0; r < d->nrows; r++) column[r] = d->rows[r * VFPA_DIAG_COUNT + c];
    VfpaH5Call(dset = H5Dcreate2(file, VfpaDiagnosticNames[c], H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    VfpaH5Call(H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, column));
    VfpaH5Call(H5Dclose(dset));
  }
  PetscCall(PetscFree(column));
  VfpaH5Call(H5Sclose(space));
  VfpaH5Call(H5Fclose(file));
  PetscCheck(!rename(tmp, path), PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "cannot rename %s to %s", tmp, path);
  PetscCall(PetscLogEventEnd(VFPA_IO, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
