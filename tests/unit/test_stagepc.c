/* Unit test of the IMEX stage preconditioner (vfpa_stagepc.h) on Newton's method for one implicit
   stage, shift U - d_v J(U) = shift Z, from U = Z (Cucker-Smale: density strength, Favre average
   with a trig kernel, so [u] couples every column to every other):
   - with the stage preconditioner every Newton iterate has the exact momentum balance in every x
     column (the residual's momentum per column is round-off) and mass is kept;
   - Newton (a Jacobian per step) then converges quadratically, where the column Thomas solve
     alone, which freezes [u], contracts by a fixed factor;
   - at a state whose column masses (and s, for the s-model) differ from the stage data's, as at
     a stage's first Newton step, the preconditioner inverts the exact stage Jacobian (applied by
     a difference quotient) to 1e-4 (without the mass-change terms, 2e-2 to 4e-2): it includes how
     s and rho [u] follow the mass change (Motsch-Tadmor: constant s; Cucker-Smale:
     s = lambda rho_phi; s-model: s in the strength row).
   Needs whole velocity columns per rank: on a velocity split it checks nothing and says so. */
#include "unit.h"
#include "vfpa_columnpc.h"
#include "vfpa_stagepc.h"

#define SHIFT  50.0
#define NEWTON 3

/* A lumpy positive state: two beams whose weights and centres vary along x. */
static PetscReal Rough(VfpaGrid g, PetscInt i, PetscInt j)
{
  const PetscReal x = g->x[i], v = g->v[j], w = 1 + 0.6 * PetscSinReal(2 * PETSC_PI * x / g->L);
  return w * PetscExpReal(-PetscSqr(v - 1.5 - 0.5 * PetscCosReal(2 * PETSC_PI * x / g->L)) / 0.6) + (2 - w) * PetscExpReal(-PetscSqr(v + 2) / 1.2) + 1e-3;
}

/* The model for -protocol protocol and the data Z of the stage (the s-model's strength row: a
   profile around lambda). */
static PetscErrorCode MakeModel(const char protocol[], VfpaModel *m, Vec *Z)
{
  VfpaParams    params;
  PetscScalar **z;

  PetscFunctionBeginUser;
  PetscCall(PetscOptionsSetValue(NULL, "-nx", "16"));
  PetscCall(PetscOptionsSetValue(NULL, "-nv", "48"));
  PetscCall(PetscOptionsSetValue(NULL, "-vmax", "6"));
  PetscCall(PetscOptionsSetValue(NULL, "-sigma", "0.7"));
  PetscCall(PetscOptionsSetValue(NULL, "-protocol", protocol));
  PetscCall(PetscOptionsSetValue(NULL, "-lambda", "30"));
  PetscCall(PetscOptionsSetValue(NULL, "-kernel", "trig"));
  PetscCall(VfpaParamsCreate(&params));
  PetscCall(VfpaModelCreate(PETSC_COMM_WORLD, m));
  PetscCall(VfpaModelSetFromOptions(*m, params));
  PetscCall(VfpaModelSetUp(*m));
  PetscCall(VfpaParamsDestroy(&params));
  PetscCall(DMCreateGlobalVector((*m)->grid->da, Z));
  PetscCall(DMDAVecGetArray((*m)->grid->da, *Z, &z));
  for (PetscInt j = (*m)->grid->vs; j < (*m)->grid->vs + (*m)->grid->vm; j++)
    for (PetscInt i = (*m)->grid->xs; i < (*m)->grid->xs + (*m)->grid->xm; i++) z[j][i] = Rough((*m)->grid, i, j);
  if ((*m)->grid->owns_strength)
    for (PetscInt i = (*m)->grid->xs; i < (*m)->grid->xs + (*m)->grid->xm; i++) z[(*m)->grid->nv][i] = 30 * (1 + 0.3 * PetscSinReal(2 * PETSC_PI * (*m)->grid->x[i] / (*m)->grid->L));
  PetscCall(DMDAVecRestoreArray((*m)->grid->da, *Z, &z));
  PetscFunctionReturn(0);
}

/* The largest |mass| and |momentum| of an x column of F over all owned columns. */
static PetscErrorCode ColumnMoments(VfpaGrid g, Vec F, PetscReal *mass, PetscReal *momentum)
{
  const PetscScalar **f;

  PetscFunctionBeginUser;
  *mass = *momentum = 0;
  PetscCall(DMDAVecGetArrayRead(g->da, F, &f));
  for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
    PetscReal m0 = 0, m1 = 0;
    for (PetscInt j = 0; j < g->nv; j++) m0 += f[j][i] * g->dv, m1 += g->v[j] * f[j][i] * g->dv;
    *mass     = MaxKeepNaN(*mass, PetscAbsReal(m0));
    *momentum = MaxKeepNaN(*momentum, PetscAbsReal(m1));
  }
  PetscCall(DMDAVecRestoreArrayRead(g->da, F, &f));
  *mass     = GlobalMax(*mass);
  *momentum = GlobalMax(*momentum);
  PetscFunctionReturn(0);
}

/* U = Z with every column's mass changed by up to 10% and, for the s-model, s by up to 5%: a Newton
   start whose moments differ from the solution's, as a stage's first guess does. */
static PetscErrorCode PerturbColumns(VfpaGrid g, Vec U)
{
  PetscScalar **u;

  PetscFunctionBeginUser;
  PetscCall(DMDAVecGetArray(g->da, U, &u));
  for (PetscInt j = g->vs; j < g->vs + g->vm; j++)
    for (PetscInt i = g->xs; i < g->xs + g->xm; i++) u[j][i] *= 1 + 0.1 * PetscCosReal(2 * PETSC_PI * g->x[i] / g->L);
  if (g->owns_strength)
    for (PetscInt i = g->xs; i < g->xs + g->xm; i++) u[g->nv][i] *= 1 + 0.05 * PetscCosReal(2 * PETSC_PI * g->x[i] / g->L);
  PetscCall(DMDAVecRestoreArray(g->da, U, &u));
  PetscFunctionReturn(0);
}

/* One implicit stage: the model, the data Z, the iterate U, the Jacobian J and work vectors. */
typedef struct {
  VfpaModel m;
  Vec       Z, U, Udot, F, y;
  Mat       J;
} Stage;

static PetscErrorCode StageCreate(const char protocol[], Stage *st)
{
  PetscFunctionBeginUser;
  PetscCall(MakeModel(protocol, &st->m, &st->Z));
  PetscCall(VfpaModelCreateJacobian(st->m, &st->J));
  PetscCall(VecDuplicate(st->Z, &st->U));
  PetscCall(VecDuplicate(st->Z, &st->Udot));
  PetscCall(VecDuplicate(st->Z, &st->F));
  PetscCall(VecDuplicate(st->Z, &st->y));
  PetscCall(VecCopy(st->Z, st->U));
  PetscFunctionReturn(0);
}

static PetscErrorCode StageDestroy(Stage *st)
{
  PetscFunctionBeginUser;
  PetscCall(MatDestroy(&st->J));
  PetscCall(VecDestroy(&st->Z));
  PetscCall(VecDestroy(&st->U));
  PetscCall(VecDestroy(&st->Udot));
  PetscCall(VecDestroy(&st->F));
  PetscCall(VecDestroy(&st->y));
  PetscCall(VfpaModelDestroy(&st->m));
  PetscFunctionReturn(0);
}

/* F = shift (U - Z) - d_v J(U), the residual of the stage equation at U (Udot: work space). */
static PetscErrorCode StageResidual(Stage *st, Vec U, Vec F)
{
  PetscFunctionBeginUser;
  PetscCall(VecWAXPY(st->Udot, -1.0, st->Z, U));
  PetscCall(VecScale(st->Udot, SHIFT));
  PetscCall(VfpaModelIFunction(NULL, 0, U, st->Udot, F, st->m));
  PetscFunctionReturn(0);
}

/* NEWTON Newton steps for -protocol protocol from U = Z, the Jacobian of every iterate solved by the
   stage or the column preconditioner. Residual norms in fnorm[0..NEWTON], the largest column mass
   and momentum of the residual after the first step in mass, momentum. */
static PetscErrorCode Newton(const char protocol[], PetscBool stage, PetscReal fnorm[], PetscReal *mass, PetscReal *momentum)
{
  Stage st;
  KSP   ksp;
  PC    pc;

  PetscFunctionBeginUser;
  PetscCall(StageCreate(protocol, &st));
  PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
  PetscCall(KSPSetType(ksp, KSPPREONLY));
  PetscCall(KSPGetPC(ksp, &pc));
  if (stage) PetscCall(VfpaStagePCSet(pc, st.m));
  else PetscCall(VfpaColumnPCSet(pc, st.m->grid));
  *mass = *momentum = 0;
  for (PetscInt k = 0; k <= NEWTON; k++) {
    PetscCall(StageResidual(&st, st.U, st.F));
    PetscCall(VecNorm(st.F, NORM_2, &fnorm[k]));
    if (k >= 1) {
      PetscReal m0, m1;
      PetscCall(ColumnMoments(st.m->grid, st.F, &m0, &m1));
      *mass     = MaxKeepNaN(*mass, m0);
      *momentum = MaxKeepNaN(*momentum, m1);
    }
    if (k == NEWTON) break;
    PetscCall(VfpaModelIJacobian(NULL, 0, st.U, st.Udot, SHIFT, st.J, st.J, st.m));
    PetscCall(KSPSetOperators(ksp, st.J, st.J));
    PetscCall(KSPSolve(ksp, st.F, st.y));
    PetscCall(VecAXPY(st.U, -1.0, st.y));
  }
  PetscCall(KSPDestroy(&ksp));
  PetscCall(StageDestroy(&st));
  PetscFunctionReturn(0);
}

/* How well the stage preconditioner P inverts the exact stage Jacobian J at a state U whose column
   masses (and s, for the s-model) differ from those of Z, as at a stage's first Newton step:
   defect = |J y - x| / |x| for x = F(U) and y = P^{-1} x, J y by a difference quotient of F. */
static PetscErrorCode InverseDefect(const char protocol[], PetscReal *defect)
{
  Stage     st;
  Vec       x, Uy;
  PC        pc;
  PetscReal unorm, ynorm, eps;

  PetscFunctionBeginUser;
  PetscCall(StageCreate(protocol, &st));
  PetscCall(VecDuplicate(st.Z, &x));
  PetscCall(VecDuplicate(st.Z, &Uy));
  PetscCall(PCCreate(PETSC_COMM_WORLD, &pc));
  PetscCall(VfpaStagePCSet(pc, st.m));
  PetscCall(PerturbColumns(st.m->grid, st.U));
  PetscCall(StageResidual(&st, st.U, x)); /* the model's state is now U, for the Jacobian and P */
  PetscCall(VfpaModelIJacobian(NULL, 0, st.U, st.Udot, SHIFT, st.J, st.J, st.m));
  PetscCall(PCSetOperators(pc, st.J, st.J));
  PetscCall(PCSetUp(pc));
  PetscCall(PCApply(pc, x, st.y));
  PetscCall(VecNorm(st.U, NORM_2, &unorm));
  PetscCall(VecNorm(st.y, NORM_2, &ynorm));
  eps = 1e-7 * unorm / ynorm;
  PetscCall(VecWAXPY(Uy, eps, st.y, st.U));
  PetscCall(StageResidual(&st, Uy, st.F));
  PetscCall(VecAXPY(st.F, -1, x));
  PetscCall(VecScale(st.F, 1 / eps));
  PetscCall(VecAXPY(st.F, -1, x));
  PetscCall(VecNorm(st.F, NORM_2, defect));
  PetscCall(VecNorm(x, NORM_2, &unorm));
  *defect /= unorm;
  PetscCall(PCDestroy(&pc));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&Uy));
  PetscCall(StageDestroy(&st));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscReal stage[NEWTON + 1], column[NEWTON + 1], mass, momentum, column_mass, column_momentum;
  PetscInt  pv = 1;

  PetscCall(VfpaInitialize(&argc, &argv, NULL));
  PetscCall(VfpaLogRegister());
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-da_processors_y", &pv, NULL));
  if (pv > 1) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "velocity split: the stage preconditioner needs whole columns, nothing checked\n"));
    PetscCall(PetscFinalize());
    return 0;
  }
  PetscCall(Newton("cucker_smale", PETSC_TRUE, stage, &mass, &momentum));
  PetscCall(Newton("cucker_smale", PETSC_FALSE, column, &column_mass, &column_momentum));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "residual norms, stage PC: %.3e %.3e %.3e %.3e; column PC: %.3e %.3e %.3e %.3e; column momentum %.3e / %.3e\n", (double)stage[0], (double)stage[1], (double)stage[2],
                        (double)stage[3], (double)column[0], (double)column[1], (double)column[2], (double)column[3], (double)momentum, (double)column_momentum));
  EXPECT(mass <= 1e-12 * stage[0], "stage preconditioner: a column of the residual has mass %g (initial residual %g)", (double)mass, (double)stage[0]);
  EXPECT(momentum <= 1e-12 * stage[0], "stage preconditioner: a column of the residual has momentum %g after the first step (initial residual %g)", (double)momentum, (double)stage[0]);
  EXPECT(column_momentum > 1e3 * momentum, "the column preconditioner alone also balances momentum (%g): the test does not exercise the coupling", (double)column_momentum);
  EXPECT(stage[2] <= 1e-3 * stage[1], "stage preconditioner: Newton contracts by only %g", (double)(stage[2] / stage[1]));
  EXPECT(stage[2] / stage[1] <= 1e-2 * (column[2] / column[1]), "stage preconditioner: contraction %g is not 100 times the column preconditioner's %g", (double)(stage[2] / stage[1]), (double)(column[2] / column[1]));
  for (PetscInt k = 0; k < 3; k++) {
    const char *protocol = k == 0 ? "motsch_tadmor" : k == 1 ? "cucker_smale" : "smodel";
    PetscReal   defect;
    PetscCall(InverseDefect(protocol, &defect));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s: |J P^-1 x - x| / |x| = %.3e\n", protocol, (double)defect));
    EXPECT(defect <= 1e-4, "%s: the stage preconditioner inverts the exact stage Jacobian only to %g", protocol, (double)defect);
  }
  PetscCall(UNIT_SUMMARY());
  PetscCall(PetscFinalize());
  return unit_failures ? 1 : 0;
}
