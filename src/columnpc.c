/* Batched Thomas algorithm for velocity-tridiagonal matrices (see vfpa_columnpc.h). */
#include "vfpa_columnpc.h"

typedef struct {
  VfpaGrid         grid;    /* row r = j * xm + b for velocity row j of owned x cell b */
  PetscInt         n;       /* local rows */
  PetscReal       *mult;    /* elimination multipliers l_r / d'_{r - stride} */
  PetscReal       *dinv;    /* 1 / d'_r, the pivots after elimination */
  PetscReal       *upper;   /* the entries (r, r + stride) */
  PetscBool       *regular; /* per velocity row: its CSR rows hold [r - s,] r[, r + s] in order (SplitBlock) */
  PetscObjectId    checked; /* the matrix whose pattern has been checked and classified (0: none), */
  PetscObjectState pattern; /* at this nonzero state */
} ColumnPC;

/* The sequential block of the local rows (the whole matrix on one rank). */
static PetscErrorCode LocalBlock(Mat P, Mat *local)
{
  PetscBool mpi;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectTypeCompare((PetscObject)P, MATMPIAIJ, &mpi));
  if (mpi) PetscCall(MatMPIAIJGetSeqAIJ(P, local, NULL, NULL));
  else *local = P;
  PetscFunctionReturn(0);
}

/* Every coupling of P stays on this rank (P's off-process block is empty). */
static PetscErrorCode CheckWholeColumns(Mat P)
{
  PetscBool mpi;
  Mat       offdiag;
  MatInfo   info;

  PetscFunctionBeginUser;
  PetscCall(PetscObjectTypeCompare((PetscObject)P, MATMPIAIJ, &mpi));
  if (!mpi) PetscFunctionReturn(0);
  PetscCall(MatMPIAIJGetSeqAIJ(P, NULL, &offdiag, NULL));
  PetscCall(MatGetInfo(offdiag, MAT_LOCAL, &info));
  PetscCheck(info.nz_used == 0, PETSC_COMM_SELF, PETSC_ERR_SUP, "the column preconditioner needs whole velocity columns on each rank; with -da_processors_y > 1 choose another -pc_type");
  PetscFunctionReturn(0);
}

/* The entries of row r (columns cols, sorted) into the lower, diagonal and upper bands. The common
   case, [r - s,] r[, r + s] in this order, is read without a search. */
static inline PetscErrorCode SplitRow(ColumnPC *ctx, PetscInt r, PetscInt s, const PetscInt *cols, const PetscScalar *vals, PetscInt count)
{
  const PetscInt has_lower = count > 0 && cols[0] == r - s, has_upper = count > 1 && cols[count - 1] == r + s;

  PetscFunctionBeginUser;
  ctx->mult[r]  = has_lower ? vals[0] : 0;
  ctx->upper[r] = has_upper ? vals[count - 1] : 0;
  if (count == has_lower + 1 + has_upper && cols[has_lower] == r) {
    ctx->dinv[r] = vals[has_lower];
    PetscFunctionReturn(0);
  }
  ctx->dinv[r] = 0;
  for (PetscInt k = 0; k < count; k++) {
    if (cols[k] == r) ctx->dinv[r] = vals[k];
    else PetscCheck(cols[k] == r - s || cols[k] == r + s || vals[k] == 0, PETSC_COMM_SELF, PETSC_ERR_SUP, "the column preconditioner: row %" PetscInt_FMT " couples to row %" PetscInt_FMT ", which is not a velocity neighbour; choose another -pc_type", r, cols[k]);
  }
  PetscFunctionReturn(0);
}

/* Whether the rows r0 .. r0 + s - 1 (one velocity row of every owned x cell) all hold columns
   [r - s,] r[, r + s], stored one row after the other (the assembled Jacobian's pattern away from
   the s-model's strength row): k entries per row, first r - s or r, last r + s or r, and r in the
   middle when k = 3. */
static PetscBool SplitBlock(PetscInt r0, PetscInt s, PetscInt n, const PetscInt *ia, const PetscInt *ja)
{
  const PetscInt lower = r0 >= s, upper = r0 + s < n, k = lower + 1 + upper, base = ia[r0];
  PetscInt       bad = 0;

  if (ia[r0 + s] - base != k * s) return PETSC_FALSE; /* and so every e + k - 1 below is in the block */
  for (PetscInt b = 0; b < s; b++) {
    const PetscInt r = r0 + b, e = base + k * b, *col = ja + e;
    bad |= (ia[r] != e) | (col[0] != (lower ? r - s : r)) | (col[k - 1] != (upper ? r + s : r)) | (k == 3 ? col[1] != r : 0);
  }
  for (PetscInt r = r0; r < r0 + s; r++) bad |= ia[r + 1] - ia[r] != k;
  return bad ? PETSC_FALSE : PETSC_TRUE;
}

/* ctx->regular from the CSR pattern (ia, ja) of the local block. */
static void ClassifyRows(ColumnPC *ctx, const PetscInt *ia, const PetscInt *ja)
{
  const PetscInt s = ctx->grid->xm;

  for (PetscInt r0 = 0; r0 < ctx->n; r0 += s) ctx->regular[r0 / s] = SplitBlock(r0, s, ctx->n, ia, ja);
}

/* One row's elimination against the row above it, already eliminated: the multiplier
   l_r / d'_{r-s} into mult and 1 / d'_r, with d'_r = d_r - l_r u_{r-s} / d'_{r-s}, into dinv. */
static inline void EliminateRow(PetscReal l, PetscReal d, PetscReal prev_dinv, PetscReal prev_upper, PetscReal *mult, PetscReal *dinv)
{
  *mult = l * prev_dinv;
  *dinv = 1 / (d - *mult * prev_upper);
}

/* EliminateRow on the rows r0 .. r0 + s - 1, their bands already split into mult (l), dinv (d) and
   upper; the first velocity row only inverts its diagonal. */
static void EliminateBlock(ColumnPC *ctx, PetscInt r0, PetscInt s)
{
  PetscReal *restrict       mult = ctx->mult + r0, *restrict dinv = ctx->dinv + r0;
  const PetscReal *restrict prev_dinv = ctx->dinv + r0 - s, *restrict prev_upper = ctx->upper + r0 - s;

  if (r0 == 0)
    for (PetscInt b = 0; b < s; b++) dinv[b] = 1 / dinv[b];
  else
    for (PetscInt b = 0; b < s; b++) EliminateRow(mult[b], dinv[b], prev_dinv[b], prev_upper[b], &mult[b], &dinv[b]);
}

/* SplitBlock's rows (k entries each from val) read and eliminated (EliminateRow) in one loop: the
   same operations as the bands stored by SplitRow and then EliminateBlock. */
static void LoadAndEliminateBlock(ColumnPC *ctx, PetscInt r0, PetscInt s, const PetscScalar *restrict val)
{
  const PetscInt            lower = r0 >= s, upper = r0 + s < ctx->n, k = lower + 1 + upper;
  PetscReal *restrict       mult = ctx->mult + r0, *restrict dinv = ctx->dinv + r0, *restrict up = ctx->upper + r0;
  const PetscReal *restrict prev_dinv = ctx->dinv + r0 - s, *restrict prev_upper = ctx->upper + r0 - s;

  if (!lower)
    for (PetscInt b = 0; b < s; b++) {
      mult[b] = 0;
      dinv[b] = 1 / val[k * b];
      up[b]   = upper ? val[k * b + 1] : 0;
    }
  else
    for (PetscInt b = 0; b < s; b++) {
      EliminateRow(val[k * b], val[k * b + 1], prev_dinv[b], prev_upper[b], &mult[b], &dinv[b]);
      up[b] = upper ? val[k * b + 2] : 0;
    }
}

/* Factor the local block down the columns, a velocity row at a time: regular rows (ClassifyRows)
   read straight from the CSR values and eliminated in the same loop, the others split row by row
   (SplitRow) and then eliminated: d'_r = d_r - l_r u_{r-stride} / d'_{r-stride}. Memory: the
   matrix values read once (the pattern too when it is new), 3 doubles per row written once. */
static PetscErrorCode ColumnPCSetUp(PC pc)
{
  ColumnPC          *ctx;
  Mat                P, A;
  const PetscInt    *ia, *ja;
  const PetscScalar *val;
  PetscInt           n, s, n_restore;
  PetscBool          done;
  PetscObjectId      id;
  PetscObjectState   state;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &ctx));
  PetscCall(PCGetOperators(pc, NULL, &P));
  /* the pattern is read only when it is new: the Jacobian's is fixed when it is created */
  PetscCall(PetscObjectGetId((PetscObject)P, &id));
  PetscCall(MatGetNonzeroState(P, &state));
  if (id != ctx->checked || state != ctx->pattern) {
    PetscCall(CheckWholeColumns(P));
    ctx->checked = 0;
  }
  PetscCall(LocalBlock(P, &A));
  PetscCall(MatGetRowIJ(A, 0, PETSC_FALSE, PETSC_FALSE, &n, &ia, &ja, &done));
  PetscCheck(done, PETSC_COMM_SELF, PETSC_ERR_SUP, "the column preconditioner needs an AIJ matrix");
  s = ctx->grid->xm;
  PetscCheck(s > 0 && n % s == 0, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "the column preconditioner: %" PetscInt_FMT " local rows are not whole columns of %" PetscInt_FMT, n, s);
  if (n != ctx->n) {
    PetscCall(PetscFree4(ctx->mult, ctx->dinv, ctx->upper, ctx->regular));
    PetscCall(PetscMalloc4(n, &ctx->mult, n, &ctx->dinv, n, &ctx->upper, n / s, &ctx->regular));
    ctx->n       = n;
    ctx->checked = 0;
  }
  if (!ctx->checked) {
    ClassifyRows(ctx, ia, ja);
    ctx->checked = id;
    ctx->pattern = state;
  }
  PetscCall(MatSeqAIJGetArrayRead(A, &val));
  for (PetscInt r0 = 0; r0 < n; r0 += s) {
    if (ctx->regular[r0 / s]) LoadAndEliminateBlock(ctx, r0, s, val + ia[r0]);
    else {
      for (PetscInt r = r0; r < r0 + s; r++) PetscCall(SplitRow(ctx, r, s, ja + ia[r], val + ia[r], ia[r + 1] - ia[r]));
      EliminateBlock(ctx, r0, s);
    }
  }
  PetscCall(MatSeqAIJRestoreArrayRead(A, &val));
  PetscCall(MatRestoreRowIJ(A, 0, PETSC_FALSE, PETSC_FALSE, &n_restore, &ia, &ja, &done));
  PetscFunctionReturn(0);
}

/* y = P^{-1} x: forward substitution down the columns, then back substitution up them.
   Memory: x read, y written and reread, 3 doubles per row read. */
static PetscErrorCode ColumnPCApply(PC pc, Vec x, Vec y)
{
  ColumnPC          *ctx;
  const PetscScalar *xa;
  PetscScalar       *ya;
  PetscInt           n, s;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &ctx));
  n = ctx->n, s = ctx->grid->xm;
  PetscCall(VecGetArrayRead(x, &xa));
  PetscCall(VecGetArray(y, &ya));
  for (PetscInt b = 0; b < s; b++) ya[b] = xa[b];
  for (PetscInt r0 = s; r0 < n; r0 += s) {
    const PetscReal *restrict mult = ctx->mult + r0, *restrict in = xa + r0, *restrict prev = ya + r0 - s;
    PetscReal *restrict       out = ya + r0;
    for (PetscInt b = 0; b < s; b++) out[b] = in[b] - mult[b] * prev[b];
  }
  for (PetscInt b = n - s; b < n; b++) ya[b] *= ctx->dinv[b];
  for (PetscInt r0 = n - 2 * s; r0 >= 0; r0 -= s) {
    const PetscReal *restrict dinv = ctx->dinv + r0, *restrict upper = ctx->upper + r0, *restrict next = ya + r0 + s;
    PetscReal *restrict       out = ya + r0;
    for (PetscInt b = 0; b < s; b++) out[b] = (out[b] - upper[b] * next[b]) * dinv[b];
  }
  PetscCall(VecRestoreArray(y, &ya));
  PetscCall(VecRestoreArrayRead(x, &xa));
  PetscFunctionReturn(0);
}

static PetscErrorCode ColumnPCView(PC pc, PetscViewer viewer)
{
  ColumnPC *ctx;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &ctx));
  PetscCall(PetscViewerASCIIPrintf(viewer, "vfpa column preconditioner: Thomas algorithm on %" PetscInt_FMT " velocity columns per rank (exact for the Fokker-Planck Jacobian)\n", ctx->grid->xm));
  PetscFunctionReturn(0);
}

static PetscErrorCode ColumnPCDestroy(PC pc)
{
  ColumnPC *ctx;

  PetscFunctionBeginUser;
  PetscCall(PCShellGetContext(pc, &ctx));
  PetscCall(PetscFree4(ctx->mult, ctx->dinv, ctx->upper, ctx->regular));
  PetscCall(PetscFree(ctx));
  PetscFunctionReturn(0);
}

/* Make pc the column preconditioner for matrices on the grid's DMDA (read when the PC is set up). */
PetscErrorCode VfpaColumnPCSet(PC pc, VfpaGrid grid)
{
  ColumnPC *ctx;

  PetscFunctionBeginUser;
  PetscCall(PetscNew(&ctx));
  ctx->grid = grid;
  PetscCall(PCSetType(pc, PCSHELL));
  PetscCall(PCShellSetContext(pc, ctx));
  PetscCall(PCShellSetName(pc, "vfpa column Thomas solver"));
  PetscCall(PCShellSetSetUp(pc, ColumnPCSetUp));
  PetscCall(PCShellSetApply(pc, ColumnPCApply));
  PetscCall(PCShellSetView(pc, ColumnPCView));
  PetscCall(PCShellSetDestroy(pc, ColumnPCDestroy));
  PetscFunctionReturn(0);
}
