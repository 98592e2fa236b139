/* Unit test of the halo exchange (VfpaGridGlobalToLocal): on any layout, including a velocity split,
   it fills the ghosted local vector exactly as DMGlobalToLocal does (ghost corners of the star
   stencil left alone by both), strength row included, and the velocity moments summed during the
   exchange are bitwise those of VfpaMomentsCompute on the ghosted array. */
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

static PetscErrorCode CheckHaloAndMoments(void)
{
  VfpaModel                 m;
  VfpaMoments               fused;
  VfpaGrid                  g;
  Vec                       U, ref, loc;
  const PetscScalar        *a, *b;
  const PetscScalar *const *f;
  PetscInt                  n, differ = 0, moments_differ = 0;

  PetscFunctionBeginUser;
  PetscCall(MakeModel(&m, &U));
  g = m->grid;
  PetscCall(DMCreateLocalVector(g->da, &ref));
  PetscCall(DMCreateLocalVector(g->da, &loc));
  PetscCall(VecSet(ref, -1));
  PetscCall(VecSet(loc, -1));
  PetscCall(DMGlobalToLocal(g->da, U, INSERT_VALUES, ref));
  PetscCall(VfpaMomentsCreate(g, &fused));
  PetscCall(VfpaMomentsBegin(fused));
  PetscCall(VfpaGridGlobalToLocal(g, U, loc, VfpaMomentsAddRow, fused));
  PetscCall(VecGetLocalSize(ref, &n));
  PetscCall(VecGetArrayRead(ref, &a));
  PetscCall(VecGetArrayRead(loc, &b));
  for (PetscInt k = 0; k < n; k++) differ += a[k] != b[k];
  PetscCall(VecRestoreArrayRead(loc, &b));
  PetscCall(VecRestoreArrayRead(ref, &a));
  EXPECT(GlobalMax(differ) == 0, "the halo exchange differs from DMGlobalToLocal in %g local entries", (double)GlobalMax(differ));

  PetscCall(DMDAVecGetArrayRead(g->da, loc, (void *)&f));
  PetscCall(VfpaMomentsEnd(fused, f));
  PetscCall(DMDAVecRestoreArrayRead(g->da, loc, (void *)&f));
  PetscCall(DMDAVecGetArrayRead(g->da, ref, (void *)&f));
  PetscCall(VfpaMomentsCompute(m->moments, f));
  PetscCall(DMDAVecRestoreArrayRead(g->da, ref, (void *)&f));
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) moments_differ += fused->rho[i] != m->moments->rho[i] || fused->rhou[i] != m->moments->rhou[i] || fused->u[i] != m->moments->u[i];
  EXPECT(GlobalMax(moments_differ) == 0, "moments summed during the exchange differ from VfpaMomentsCompute at %g x cells", (double)GlobalMax(moments_differ));
  EXPECT(m->moments->rho[g->xs] > 0, "the test state has no mass");

  PetscCall(VfpaMomentsDestroy(&fused));
  PetscCall(VecDestroy(&loc));
  PetscCall(VecDestroy(&ref));
  PetscCall(VecDestroy(&U));
  PetscCall(VfpaModelDestroy(&m));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(VfpaLogRegister());
  PetscCall(CheckHaloAndMoments());
  PetscCall(UNIT_SUMMARY());
  PetscCall(PetscFinalize());
  return unit_failures ? 1 : 0;
}
