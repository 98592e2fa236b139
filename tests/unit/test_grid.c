/* Unit test of the halo exchange (VfpaGridHaloBegin/End): on any layout, including a velocity split, the
   owned rows with their x ghosts (strength row included) and the owned x cells of the rows beside
   them are exactly what DMGlobalToLocal puts in the ghosted local vector, and the velocity moments
   summed during the exchange are bitwise the sums over that vector. Also VfpaInitialize's allocator:
   PETSc's blocks, the phase-space vectors among them, start on a 64-byte cache line. */
#include "unit.h"

static PetscErrorCode MakeModel(VfpaModel *m, Vec *U)
{
  VfpaParams    params;
  PetscScalar **u;
  VfpaGrid      g;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsSetValue(NULL, "-nx", "12"));
  PetscCall(PetscOptionsSetValue(NULL, "-nv", "10"));
  PetscCall(PetscOptionsSetValue(NULL, "-protocol", "smodel"));
  PetscCall(VfpaParamsCreate(&params));
  PetscCall(VfpaModelCreate(PETSC_COMM_WORLD, m));
  PetscCall(VfpaModelSetFromOptions(*m, params));
  PetscCall(VfpaModelSetUp(*m));
  PetscCall(VfpaParamsDestroy(&params));
  g = (*m)->grid;
  PetscCheck(g->strength_row, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "the s-model grid has no strength row");
  PetscCall(DMCreateGlobalVector(g->da, U));
  PetscCall(DMDAVecGetArray(g->da, *U, &u));
  for (PetscInt j = g->vs; j < g->vs + g->vm + (g->owns_strength ? 1 : 0); j++)
    for (PetscInt i = g->xs; i < g->xs + g->xm; i++) u[j][i] = 1 + i + 100 * j + 0.001 * i * j;
  PetscCall(DMDAVecRestoreArray(g->da, *U, &u));
  PetscFunctionReturn(0);
}

/* Count the entries of the halo f that differ from the ghosted local array ref of DMGlobalToLocal:
   owned rows on the ghosted x range, the rows beside them on the owned x range. */
static PetscInt HaloDifferences(VfpaGrid g, const PetscScalar *const *f, const PetscScalar *const *ref)
{
  PetscInt   differ = 0;
  PetscReal *p;

  PetscCallAbort(PETSC_COMM_SELF, VfpaGridProfileCreate(g, &p));
  for (PetscInt j = g->ys; j < g->ys + g->ym; j++) {
    PetscCallAbort(PETSC_COMM_SELF, VfpaGridGhostedRow(g, f, j, g->xm, p));
    for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) differ += p[i] != ref[j][i];
  }
  for (PetscInt side = 0; side < 2; side++) {
    const PetscInt j = side ? g->ys + g->ym : g->ys - 1;
    if (!(side ? g->above : g->below)) continue;
    for (PetscInt i = g->xs; i < g->xs + g->xm; i++) differ += f[j][i] != ref[j][i];
  }
  PetscCallAbort(PETSC_COMM_SELF, VfpaGridProfileDestroy(g, &p));
  return differ;
}

/* rho, rho u and u summed over the owned rows of the ghosted local array ref, in the order of the
   fused sums (rows in turn, then dv, then over the column). */
static PetscErrorCode ReferenceMoments(VfpaGrid g, const PetscScalar *const *ref, VfpaMoments m)
{
  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(m->buffer, 2 * g->gxm));
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++)
    for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) {
      m->rho[i] += ref[j][i];
      m->rhou[i] += g->v[j] * ref[j][i];
    }
  for (PetscInt i = 0; i < 2 * g->gxm; i++) m->buffer[i] *= g->dv;
  PetscCall(VfpaGridSumOverColumn(g, 2 * g->gxm, m->buffer));
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) m->u[i] = m->rho[i] > 0 ? m->rhou[i] / m->rho[i] : 0;
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckHaloAndMoments(void)
{
  VfpaModel                 m;
  VfpaMoments               fused;
  VfpaGrid                  g;
  Vec                       U, loc;
  const PetscScalar *const *f, *const *ref;
  PetscInt                  differ, moments_differ = 0;

  PetscFunctionBeginUser;
  PetscCall(MakeModel(&m, &U));
  g = m->grid;
  PetscCall(DMCreateLocalVector(g->da, &loc));
  PetscCall(VecSet(loc, -1));
  PetscCall(DMGlobalToLocal(g->da, U, INSERT_VALUES, loc));
  PetscCall(DMDAVecGetArrayRead(g->da, loc, (void *)&ref));
  PetscCall(VfpaMomentsCreate(g, &fused));
  PetscCall(VfpaGridHaloBegin(g, U, &f));
  PetscCall(VfpaMomentsBegin(fused, f));
  PetscCall(VfpaGridHaloEnd(g, U));
  PetscCall(VfpaMomentsEnd(fused));
  differ = HaloDifferences(g, f, ref);
  PetscCall(VfpaGridRestoreHalo(g, U, &f));
  EXPECT(GlobalMax(differ) == 0, "the halo differs from DMGlobalToLocal in %g entries", (double)GlobalMax(differ));
  EXPECT(GlobalMax(g->below + g->above) == PetscMin(g->pv - 1, 2), "%g rows beside the owned ones with %" PetscInt_FMT " ranks in v", (double)GlobalMax(g->below + g->above), g->pv);

  PetscCall(ReferenceMoments(g, ref, m->moments));
  PetscCall(DMDAVecRestoreArrayRead(g->da, loc, (void *)&ref));
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) moments_differ += fused->rho[i] != m->moments->rho[i] || fused->rhou[i] != m->moments->rhou[i] || fused->u[i] != m->moments->u[i];
  EXPECT(GlobalMax(moments_differ) == 0, "moments summed during the exchange differ from the sums over the ghosted vector at %g x cells", (double)GlobalMax(moments_differ));
  EXPECT(m->moments->rho[g->xs] > 0, "the test state has no mass");

  PetscCall(VfpaMomentsDestroy(&fused));
  PetscCall(VecDestroy(&loc));
  PetscCall(VecDestroy(&U));
  PetscCall(VfpaModelDestroy(&m));
  PetscFunctionReturn(0);
}

static PetscBool OnLine(const void *p)
{
  return (PetscBool)((size_t)p % 64 == 0);
}

/* Blocks of odd sizes, a global vector and its duplicate on a 64-byte line; PetscCalloc zeroed;
   PetscRealloc keeps the contents and the alignment. */
static PetscErrorCode CheckAlignedAllocations(void)
{
  VfpaModel          m;
  Vec                U, V;
  const PetscScalar *u, *v;
  PetscReal         *block, *zeros;
  const PetscInt     sizes[] = {1, 3, 1001, 100003};
  PetscInt           misaligned = 0, nonzero = 0, changed = 0;

  PetscFunctionBeginUser;
  for (size_t k = 0; k < PETSC_STATIC_ARRAY_LENGTH(sizes); k++) {
    PetscCall(PetscMalloc1(sizes[k], &block));
    PetscCall(PetscCalloc1(sizes[k], &zeros));
    misaligned += !OnLine(block) + !OnLine(zeros);
    for (PetscInt i = 0; i < sizes[k]; i++) nonzero += zeros[i] != 0;
    for (PetscInt i = 0; i < sizes[k]; i++) block[i] = i;
    PetscCall(PetscRealloc(sizeof(PetscReal) * (3 * sizes[k] + 5), &block));
    misaligned += !OnLine(block);
    for (PetscInt i = 0; i < sizes[k]; i++) changed += block[i] != i;
    PetscCall(PetscFree(block));
    PetscCall(PetscFree(zeros));
  }
  PetscCall(MakeModel(&m, &U));
  PetscCall(VecDuplicate(U, &V));
  PetscCall(VecGetArrayRead(U, &u));
  PetscCall(VecGetArrayRead(V, &v));
  misaligned += !OnLine(u) + !OnLine(v);
  PetscCall(VecRestoreArrayRead(U, &u));
  PetscCall(VecRestoreArrayRead(V, &v));
  EXPECT(GlobalMax(misaligned) == 0, "%g blocks off a 64-byte line", (double)GlobalMax(misaligned));
  EXPECT(GlobalMax(nonzero) == 0, "PetscCalloc left %g nonzero values", (double)GlobalMax(nonzero));
  EXPECT(GlobalMax(changed) == 0, "PetscRealloc changed %g values", (double)GlobalMax(changed));
  PetscCall(VecDestroy(&V));
  PetscCall(VecDestroy(&U));
  PetscCall(VfpaModelDestroy(&m));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscCall(VfpaInitialize(&argc, &argv, NULL));
  PetscCall(VfpaLogRegister());
  PetscCall(CheckAlignedAllocations());
  PetscCall(CheckHaloAndMoments());
  PetscCall(UNIT_SUMMARY());
  PetscCall(PetscFinalize());
  return unit_failures ? 1 : 0;
}
