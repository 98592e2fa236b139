/* Averaging protocols: strength rules and averaging rules (SPEC section 2). */
#include "vfpa_protocol.h"
#include "vfpa_log.h"
#include "vfpa_sys.h"

static PetscFunctionList ProtocolList = NULL, AverageList = NULL;

static const char *const W0Choices[] = {"cs", "mt", "profile", NULL};

/* ---- averaging rules: [u] from the moments ---- */

/* global: [u] = int rho u / int rho = ubar. */
static PetscErrorCode AverageGlobal(VfpaProtocol p, VfpaMoments m)
{
  PetscReal mass, momentum;

  PetscFunctionBeginUser;
  PetscCall(VfpaMomentsTotals(m, &mass, &momentum));
  for (PetscInt i = p->grid->gxs; i < p->grid->gxs + p->grid->gxm; i++) p->avg_u[i] = mass > 0 ? momentum / mass : 0;
  PetscFunctionReturn(0);
}

/* local: [u] = u. */
static PetscErrorCode AverageLocal(VfpaProtocol p, VfpaMoments m)
{
  PetscFunctionBeginUser;
  for (PetscInt i = p->grid->gxs; i < p->grid->gxs + p->grid->gxm; i++) p->avg_u[i] = m->u[i];
  PetscFunctionReturn(0);
}

/* Favre: u_F = (rho u)_phi / rho_phi. */
static PetscErrorCode AverageFavre(VfpaProtocol p, VfpaMoments m)
{
  const PetscReal *restrict rho_phi = p->rho_phi, *restrict rhou_phi = p->rhou_phi;
  PetscReal *restrict       avg_u = p->avg_u;

  PetscFunctionBeginUser;
  (void)m;
  for (PetscInt i = p->grid->gxs; i < p->grid->gxs + p->grid->gxm; i++) avg_u[i] = rho_phi[i] > 0 ? rhou_phi[i] / rho_phi[i] : 0;
  PetscFunctionReturn(0);
}

/* overmollified: [u] = (u_F)_phi with phi normalised by its discrete integral, so that the
   momentum sum_i rho_i [u]_i equals sum_i (rho u)_i exactly (SPEC section 3). */
static PetscErrorCode AverageOvermollified(VfpaProtocol p, VfpaMoments m)
{
  const PetscReal *in[1];
  PetscReal       *out[1];

  PetscFunctionBeginUser;
  PetscCall(AverageFavre(p, m));
  in[0]  = p->avg_u;
  out[0] = p->work;
  PetscCall(VfpaKernelConvolve(p->kernel, 1, in, out));
  for (PetscInt i = p->grid->gxs; i < p->grid->gxs + p->grid->gxm; i++) p->avg_u[i] = p->work[i] / p->kernel->integral;
  PetscFunctionReturn(0);
}

/* segregation: [u](x) = sum_l g_l(x) int rho u g_l / int rho g_l (2 nsegments allreduced numbers). */
static PetscErrorCode AverageSegregation(VfpaProtocol p, VfpaMoments m)
{
  VfpaGrid g = p->grid;
  PetscInt n = p->nsegments;

  PetscFunctionBeginUser;
  PetscCall(PetscArrayzero(p->sums, 2 * n));
  for (PetscInt l = 0; l < n; l++) {
    const PetscReal *gl = p->g + l * g->gxm - g->gxs;
    for (PetscInt i = g->xs; i < g->xs + g->xm; i++) {
      p->sums[l] += m->rhou[i] * gl[i] * g->dx;
      p->sums[n + l] += m->rho[i] * gl[i] * g->dx;
    }
  }
  PetscCall(VfpaGridSumOverRow(g, 2 * n, p->sums));
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) {
    PetscReal avg = 0;
    for (PetscInt l = 0; l < n; l++)
      if (p->sums[n + l] > 0) avg += p->g[l * g->gxm + i - g->gxs] * p->sums[l] / p->sums[n + l];
    p->avg_u[i] = avg;
  }
  PetscFunctionReturn(0);
}

/* ---- protocols: a strength rule, an averaging rule and the properties of SPEC section 2 ---- */

static PetscErrorCode ProtocolSet(VfpaProtocol p, VfpaStrengthRule strength, PetscReal exponent, const char average[], PetscBool conserves, PetscBool symmetric)
{
  PetscFunctionBeginUser;
  p->strength           = strength;
  p->exponent           = exponent;
  p->conserves_momentum = conserves;
  p->symmetric          = symmetric;
  PetscCall(PetscStrncpy(p->average, average, sizeof(p->average)));
  PetscFunctionReturn(0);
}

static PetscErrorCode ProtocolGlobal(VfpaProtocol p) { return ProtocolSet(p, VFPA_STRENGTH_CONSTANT, 0, "global", PETSC_TRUE, PETSC_TRUE); }
static PetscErrorCode ProtocolLocal(VfpaProtocol p) { return ProtocolSet(p, VFPA_STRENGTH_CONSTANT, 0, "local", PETSC_TRUE, PETSC_TRUE); }
static PetscErrorCode ProtocolCuckerSmale(VfpaProtocol p) { return ProtocolSet(p, VFPA_STRENGTH_DENSITY, 1, "favre", PETSC_TRUE, PETSC_TRUE); }
static PetscErrorCode ProtocolMotschTadmor(VfpaProtocol p) { return ProtocolSet(p, VFPA_STRENGTH_CONSTANT, 0, "favre", PETSC_FALSE, PETSC_FALSE); }
static PetscErrorCode ProtocolBeta(VfpaProtocol p) { return ProtocolSet(p, VFPA_STRENGTH_DENSITY, p->beta, "favre", (PetscBool)(p->beta == 1), (PetscBool)(p->beta == 1)); }
static PetscErrorCode ProtocolOvermollified(VfpaProtocol p) { return ProtocolSet(p, VFPA_STRENGTH_CONSTANT, 0, "overmollified", PETSC_TRUE, PETSC_TRUE); }
static PetscErrorCode ProtocolSegregation(VfpaProtocol p) { return ProtocolSet(p, VFPA_STRENGTH_CONSTANT, 0, "segregation", PETSC_TRUE, PETSC_TRUE); }
static PetscErrorCode ProtocolSModel(VfpaProtocol p) { return ProtocolSet(p, VFPA_STRENGTH_TRANSPORTED, 0, p->smodel_average, PETSC_FALSE, PETSC_FALSE); }

static PetscErrorCode ListsDestroy(void)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFunctionListDestroy(&ProtocolList));
  PetscCall(PetscFunctionListDestroy(&AverageList));
  PetscFunctionReturn(0);
}

static PetscErrorCode RegisterAll(void)
{
  PetscFunctionBeginUser;
  if (ProtocolList) PetscFunctionReturn(0);
  PetscCall(PetscFunctionListAdd(&ProtocolList, "global", ProtocolGlobal));
  PetscCall(PetscFunctionListAdd(&ProtocolList, "local", ProtocolLocal));
  PetscCall(PetscFunctionListAdd(&ProtocolList, "cucker_smale", ProtocolCuckerSmale));
  PetscCall(PetscFunctionListAdd(&ProtocolList, "motsch_tadmor", ProtocolMotschTadmor));
  PetscCall(PetscFunctionListAdd(&ProtocolList, "beta", ProtocolBeta));
  PetscCall(PetscFunctionListAdd(&ProtocolList, "overmollified", ProtocolOvermollified));
  PetscCall(PetscFunctionListAdd(&ProtocolList, "segregation", ProtocolSegregation));
  PetscCall(PetscFunctionListAdd(&ProtocolList, "smodel", ProtocolSModel));
  PetscCall(PetscFunctionListAdd(&AverageList, "global", AverageGlobal));
  PetscCall(PetscFunctionListAdd(&AverageList, "local", AverageLocal));
  PetscCall(PetscFunctionListAdd(&AverageList, "favre", AverageFavre));
  PetscCall(PetscFunctionListAdd(&AverageList, "overmollified", AverageOvermollified));
  PetscCall(PetscFunctionListAdd(&AverageList, "segregation", AverageSegregation));
  PetscCall(PetscRegisterFinalize(ListsDestroy));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaProtocolCreate(MPI_Comm comm, VfpaProtocol *protocol)
{
  VfpaProtocol p;

  PetscFunctionBeginUser;
  PetscCall(RegisterAll());
  PetscCall(PetscNew(&p));
  p->comm      = comm;
  p->lambda    = 1;
  p->beta      = 0.5;
  p->nsegments = 2;
  p->overlap   = 0.05;
  p->w0_amp    = 0.1;
  p->w0_mode   = 1;
  PetscCall(PetscStrncpy(p->name, "cucker_smale", sizeof(p->name)));
  PetscCall(PetscStrncpy(p->smodel_average, "favre", sizeof(p->smodel_average)));
  PetscCall(PetscStrncpy(p->w0, "cs", sizeof(p->w0)));
  *protocol = p;
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckOptions(VfpaProtocol p)
{
  PetscInt index;

  PetscFunctionBeginUser;
  PetscCall(VfpaCheckReal(p->comm, "-lambda", p->lambda, 0, PETSC_MAX_REAL, PETSC_FALSE, PETSC_FALSE));
  PetscCall(VfpaCheckReal(p->comm, "-beta", p->beta, 0, 1, PETSC_FALSE, PETSC_FALSE));
  PetscCheck(p->nsegments >= 1, p->comm, PETSC_ERR_USER_INPUT, "-segregation_count %" PetscInt_FMT " must be >= 1", p->nsegments);
  PetscCall(VfpaCheckReal(p->comm, "-segregation_overlap", p->overlap, 0, PETSC_MAX_REAL, PETSC_TRUE, PETSC_FALSE));
  PetscCall(VfpaChoiceFind(p->comm, W0Choices, "-w0", p->w0, &index));
  PetscCall(VfpaCheckReal(p->comm, "-w0_amp", p->w0_amp, -1, 1, PETSC_TRUE, PETSC_TRUE));
  PetscCheck(p->w0_mode >= 0, p->comm, PETSC_ERR_USER_INPUT, "-w0_mode %" PetscInt_FMT " must be >= 0", p->w0_mode);
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaProtocolSetFromOptions(VfpaProtocol p, VfpaParams params)
{
  PetscErrorCode (*create)(VfpaProtocol) = NULL;

  PetscFunctionBeginUser;
  PetscOptionsBegin(p->comm, NULL, "vfpa averaging protocol", "VfpaProtocol");
  PetscCall(PetscOptionsFList("-protocol", "averaging protocol", "VfpaProtocol", ProtocolList, p->name, p->name, sizeof(p->name), NULL));
  PetscCall(PetscOptionsReal("-lambda", "global multiplier of every strength, lambda >= 0", "VfpaProtocol", p->lambda, &p->lambda, NULL));
  PetscCall(PetscOptionsReal("-beta", "beta protocol: s = lambda rho_phi^beta, 0 <= beta <= 1", "VfpaProtocol", p->beta, &p->beta, NULL));
  PetscCall(PetscOptionsInt("-segregation_count", "segregation: number of neighbourhoods g_l", "VfpaProtocol", p->nsegments, &p->nsegments, NULL));
  PetscCall(PetscOptionsReal("-segregation_overlap", "segregation: width of the smooth transition between neighbourhoods (> 0)", "VfpaProtocol", p->overlap, &p->overlap, NULL));
  PetscCall(PetscOptionsString("-w0", "smodel initial weight w0 = s0/rho0_phi: cs (lambda), mt (lambda/rho0_phi) or profile", "VfpaProtocol", p->w0, p->w0, sizeof(p->w0), NULL));
  PetscCall(PetscOptionsReal("-w0_amp", "smodel -w0 profile: w0 = lambda (1 + amp cos(2 pi mode x/L)), |amp| < 1", "VfpaProtocol", p->w0_amp, &p->w0_amp, NULL));
  PetscCall(PetscOptionsInt("-w0_mode", "smodel -w0 profile: mode number", "VfpaProtocol", p->w0_mode, &p->w0_mode, NULL));
  PetscCall(PetscOptionsFList("-smodel_average", "smodel: averaging rule for [u]", "VfpaProtocol", AverageList, p->smodel_average, p->smodel_average, sizeof(p->smodel_average), NULL));
  PetscOptionsEnd();
  PetscCall(VfpaListFind(p->comm, ProtocolList, "-protocol", p->name, (void (**)(void))&create));
  PetscCall(VfpaListFind(p->comm, AverageList, "-smodel_average", p->smodel_average, (void (**)(void))&p->average_fn));
  PetscCall(CheckOptions(p));
  PetscCall((*create)(p));
  PetscCall(VfpaListFind(p->comm, AverageList, "averaging rule", p->average, (void (**)(void))&p->average_fn));

  PetscCall(VfpaParamsAddString(params, "protocol", p->name));
  PetscCall(VfpaParamsAddString(params, "average", p->average));
  PetscCall(VfpaParamsAddReal(params, "lambda", p->lambda));
  PetscCall(VfpaParamsAddReal(params, "beta", p->beta));
  PetscCall(VfpaParamsAddInt(params, "segregation_count", p->nsegments));
  PetscCall(VfpaParamsAddReal(params, "segregation_overlap", p->overlap));
  PetscCall(VfpaParamsAddString(params, "w0", p->w0));
  PetscCall(VfpaParamsAddReal(params, "w0_amp", p->w0_amp));
  PetscCall(VfpaParamsAddInt(params, "w0_mode", p->w0_mode));
  PetscFunctionReturn(0);
}

/* A smooth periodic partition of unity: h_l is the window [l L/n, (l+1) L/n] with tanh edges of
   width `overlap`, summed over periodic images, so h_l > 0 everywhere (full support); g_l = h_l /
   sum_m h_m makes sum_l g_l = 1 hold to round-off. */
static PetscErrorCode SetUpPartition(VfpaProtocol p)
{
  VfpaGrid g = p->grid;
  PetscInt n = p->nsegments, images = 2 + (PetscInt)PetscCeilReal(40 * p->overlap / g->L);

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(n * g->gxm, &p->g, 2 * n, &p->sums));
  for (PetscInt i = 0; i < g->gxm; i++) {
    PetscReal x = g->x[g->gxs + i], total = 0;
    for (PetscInt l = 0; l < n; l++) {
      PetscReal a = l * g->L / n, b = (l + 1) * g->L / n, h = 0;
      for (PetscInt k = -images; k <= images; k++) h += 0.5 * (PetscTanhReal((x - a + k * g->L) / p->overlap) - PetscTanhReal((x - b + k * g->L) / p->overlap));
      p->g[l * g->gxm + i] = h;
      total += h;
    }
    for (PetscInt l = 0; l < n; l++) p->g[l * g->gxm + i] /= total;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaProtocolSetUp(VfpaProtocol p, VfpaGrid grid, VfpaKernel kernel)
{
  PetscBool favre, over;

  PetscFunctionBeginUser;
  p->grid   = grid;
  p->kernel = kernel;
  PetscCall(PetscStrcmp(p->average, "favre", &favre));
  PetscCall(PetscStrcmp(p->average, "overmollified", &over));
  p->needs_convolution = (PetscBool)(favre || over || p->strength == VFPA_STRENGTH_DENSITY);
  PetscCall(VfpaGridProfileCreate(grid, &p->s));
  PetscCall(VfpaGridProfileCreate(grid, &p->avg_u));
  PetscCall(VfpaGridProfileCreate(grid, &p->rho_phi));
  PetscCall(VfpaGridProfileCreate(grid, &p->rhou_phi));
  PetscCall(VfpaGridProfileCreate(grid, &p->work));
  if (p->average_fn == AverageSegregation) PetscCall(SetUpPartition(p));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaProtocolView(VfpaProtocol p, PetscViewer viewer)
{
  PetscFunctionBeginUser;
  PetscCall(PetscViewerASCIIPrintf(viewer, "protocol: %s (lambda %g", p->name, (double)p->lambda));
  if (p->strength == VFPA_STRENGTH_DENSITY) PetscCall(PetscViewerASCIIPrintf(viewer, ", s = lambda rho_phi^%g", (double)p->exponent));
  if (p->strength == VFPA_STRENGTH_TRANSPORTED) PetscCall(PetscViewerASCIIPrintf(viewer, ", transported s, w0 = %s", p->w0));
  if (p->average_fn == AverageSegregation) PetscCall(PetscViewerASCIIPrintf(viewer, ", %" PetscInt_FMT " neighbourhoods, overlap %g", p->nsegments, (double)p->overlap));
  PetscCall(PetscViewerASCIIPrintf(viewer, "), [u] by %s averaging; conserves momentum: %s\n", p->average, p->conserves_momentum ? "yes" : "no"));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaProtocolDestroy(VfpaProtocol *protocol)
{
  VfpaProtocol p = *protocol;

  PetscFunctionBeginUser;
  if (!p) PetscFunctionReturn(0);
  if (p->grid) {
    PetscCall(VfpaGridProfileDestroy(p->grid, &p->s));
    PetscCall(VfpaGridProfileDestroy(p->grid, &p->avg_u));
    PetscCall(VfpaGridProfileDestroy(p->grid, &p->rho_phi));
    PetscCall(VfpaGridProfileDestroy(p->grid, &p->rhou_phi));
    PetscCall(VfpaGridProfileDestroy(p->grid, &p->work));
    if (p->linear_rhou_phi) PetscCall(VfpaGridProfileDestroy(p->grid, &p->linear_rhou_phi));
    for (PetscInt k = 0; k < 2; k++)
      if (p->trial_phi[k]) PetscCall(VfpaGridProfileDestroy(p->grid, &p->trial_phi[k]));
  }
  PetscCall(PetscFree2(p->g, p->sums));
  PetscCall(PetscFree(*protocol));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaProtocolIsTransported(VfpaProtocol p, PetscBool *flag)
{
  PetscFunctionBeginUser;
  *flag = (PetscBool)(p->strength == VFPA_STRENGTH_TRANSPORTED);
  PetscFunctionReturn(0);
}

static PetscErrorCode ConvolveDensity(VfpaProtocol p, VfpaMoments m)
{
  const PetscReal *in[2]  = {m->rho, m->rhou};
  PetscReal       *out[2] = {p->rho_phi, p->rhou_phi};

  PetscFunctionBeginUser;
  PetscCall(VfpaKernelConvolve(p->kernel, 2, in, out));
  PetscFunctionReturn(0);
}

/* s on the ghosted x range by the strength rule (SPEC section 2); strength is the transported s. */
static PetscErrorCode SetStrength(VfpaProtocol p, const PetscReal *strength)
{
  const PetscInt            lo = p->grid->gxs, hi = p->grid->gxs + p->grid->gxm;
  const PetscReal           lambda = p->lambda, exponent = p->exponent;
  const PetscReal *restrict rho_phi = p->rho_phi;
  PetscReal *restrict       s = p->s;

  PetscFunctionBeginUser;
  switch (p->strength) {
  case VFPA_STRENGTH_CONSTANT:
    for (PetscInt i = lo; i < hi; i++) s[i] = lambda;
    break;
  case VFPA_STRENGTH_DENSITY:
    if (exponent == 1)
      for (PetscInt i = lo; i < hi; i++) s[i] = lambda * rho_phi[i];
    else
      for (PetscInt i = lo; i < hi; i++) s[i] = lambda * PetscPowReal(PetscMax(rho_phi[i], 0), exponent);
    break;
  case VFPA_STRENGTH_TRANSPORTED:
    PetscCall(PetscArraycpy(s + lo, strength + lo, hi - lo));
    break;
  }
  PetscFunctionReturn(0);
}

/* s and [u] on the ghosted x range. strength is the transported s (ghosted; s-model only). One
   VfpaAveraging event per evaluation: the kernel's own, nested inside, is not counted again. */
PetscErrorCode VfpaProtocolApply(VfpaProtocol p, VfpaMoments m, const PetscReal *strength)
{
  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Averaging, 0, 0, 0, 0));
  if (p->needs_convolution) PetscCall(ConvolveDensity(p, m));
  PetscCall(SetStrength(p, strength));
  PetscCall(p->average_fn(p, m));
  PetscCall(PetscLogEventEnd(VFPA_Averaging, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* [u] of the moments m into the ghosted profile avg (valid on the owned cells), leaving the protocol's
   s and [u] as they are. Every averaging rule is linear in rho u at fixed rho, so with the rho of the
   last VfpaProtocolApply() this is the derivative of [u] in the direction m->rhou (the IMEX stage
   preconditioner's momentum system). */
PetscErrorCode VfpaProtocolAverageOf(VfpaProtocol p, VfpaMoments m, PetscReal *avg)
{
  PetscReal *avg_u = p->avg_u, *rhou_phi = p->rhou_phi;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(VFPA_Averaging, 0, 0, 0, 0));
  if (!p->linear_rhou_phi) PetscCall(VfpaGridProfileCreate(p->grid, &p->linear_rhou_phi));
  p->avg_u    = avg;
  p->rhou_phi = p->linear_rhou_phi;
  if (p->average_fn == AverageFavre || p->average_fn == AverageOvermollified) {
    const PetscReal *in[1]  = {m->rhou};
    PetscReal       *out[1] = {p->rhou_phi};
    PetscCall(VfpaKernelConvolve(p->kernel, 1, in, out));
  }
  PetscCall(p->average_fn(p, m));
  p->avg_u    = avg_u;
  p->rhou_phi = rhou_phi;
  PetscCall(PetscLogEventEnd(VFPA_Averaging, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* s and [u] of the moments m into the ghosted profiles s_out and avg_out (valid on the owned cells;
   strength: the transported s, s-model only), leaving the protocol's own s and [u], those of the
   last VfpaProtocolApply(), as they are. */
PetscErrorCode VfpaProtocolFieldsOf(VfpaProtocol p, VfpaMoments m, const PetscReal *strength, PetscReal *s_out, PetscReal *avg_out)
{
  VfpaGrid   g       = p->grid;
  PetscReal *keep[4] = {p->s, p->avg_u, p->rho_phi, p->rhou_phi};

  PetscFunctionBeginUser;
  if (!p->trial_phi[0])
    for (PetscInt k = 0; k < 2; k++) PetscCall(VfpaGridProfileCreate(g, &p->trial_phi[k]));
  p->s = s_out, p->avg_u = avg_out, p->rho_phi = p->trial_phi[0], p->rhou_phi = p->trial_phi[1];
  PetscCall(VfpaProtocolApply(p, m, strength));
  p->s = keep[0], p->avg_u = keep[1], p->rho_phi = keep[2], p->rhou_phi = keep[3];
  PetscFunctionReturn(0);
}

/* The s-model's initial strength s0 = w0 rho0_phi on the ghosted x range (SPEC section 1). */
PetscErrorCode VfpaProtocolInitialStrength(VfpaProtocol p, VfpaMoments m, PetscReal *s0)
{
  VfpaGrid  g = p->grid;
  PetscBool cs, mt;

  PetscFunctionBeginUser;
  PetscCall(ConvolveDensity(p, m));
  PetscCall(PetscStrcmp(p->w0, "cs", &cs));
  PetscCall(PetscStrcmp(p->w0, "mt", &mt));
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) {
    if (mt) s0[i] = p->lambda;
    else if (cs) s0[i] = p->lambda * p->rho_phi[i];
    else s0[i] = p->lambda * (1 + p->w0_amp * PetscCosReal(2 * PETSC_PI * p->w0_mode * g->x[i] / g->L)) * p->rho_phi[i];
  }
  PetscFunctionReturn(0);
}

/* The weight w = s / rho_phi of the last VfpaProtocolApply() (a derived output field). */
PetscErrorCode VfpaProtocolWeight(VfpaProtocol p, VfpaMoments m, PetscReal *w)
{
  VfpaGrid g = p->grid;

  PetscFunctionBeginUser;
  if (!p->needs_convolution) PetscCall(ConvolveDensity(p, m));
  for (PetscInt i = g->gxs; i < g->gxs + g->gxm; i++) w[i] = p->rho_phi[i] > 0 ? p->s[i] / p->rho_phi[i] : 0;
  PetscFunctionReturn(0);
}
