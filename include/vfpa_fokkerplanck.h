#ifndef VFPA_FOKKERPLANCK_H
#define VFPA_FOKKERPLANCK_H

#include <petscmat.h>
#include "vfpa_moments.h"

/* The Fokker-Planck-Alignment operator in v, d_v J with J = s [sigma d_v f + (v - [u]) f]
   (SPEC section 1), by conservative Scharfetter-Gummel fluxes with zero flux at +-vmax:

     J_{j+1/2} = (s sigma / dv) [ P_{j+1/2} f_{j+1} - Q_{j+1/2} f_j ],
     P = B(-z), Q = B(z),  z = dv (v_{j+1/2} - c) / sigma,  B(z) = z / (e^z - 1) > 0.

   Every face flux vanishes on the discrete Maxwellian exp(-(v_j - c)^2 / (2 sigma)), and P, Q > 0
   make the operator an M-matrix (f stays >= 0). The drift c is chosen per x cell so that the
   velocity-space momentum change -dv sum J equals s (rho [u] - rho u) exactly: Newton steps on
   R(c) = sigma sum_faces [B(-z) f_{j+1} - B(z) f_j] + rho [u] - rho u from c = [u], and P, Q taken to
   first order in the last Newton step Delta = -R/R'. The momentum identity then holds to
   round-off whatever Delta is, and on a discrete Maxwellian whose discrete mean is [u] (every
   protocol's equilibrium) the drift is its centre and Delta = 0, so it stays exact.
   With -fp_drift average the drift is c = [u] (momentum conserved only to truncation error).

   R(c) = sum_j W_j(c) f_j is linear in f, with weights W_j(c) = sigma [B(-z_{j-1/2}) - B(z_{j+1/2})]
   (no flux through the walls). Away from the walls W_j(c) = sigma g(w_j), w_j = a (v_j - c), with
   g(w) = B(h - w) - B(h + w), h = a dv / 2: odd in w, so g(w) = sum_{odd n} g_n w^n, and every g_n
   beyond g_1 ~ 1 carries a factor h (g_3 ~ h / 90, g_5 ~ -h / 2520). Summed over j, R(c) =
   sum_n sigma g_n a^n mu_n(c) with mu_n(c) = sum_j (v_j - c)^n f_j, which binomial expansion turns
   into the raw moments m_p = sum_j v_j^p f_j, p <= n, plus the wall terms of f_0 and f_{nv-1}.
   Where the terms past degree D <= 9 are below round-off for every c in [-vmax, vmax] (fine
   velocity grids: D = 5 at nv = 2048, 7 at nv = 1024, 9 at nv = 512 with vmax = 8 and sigma = 1;
   7 at nv = 256 with vmax = 4), the moments pass also takes m_2 .. m_D and the edge rows
   (VfpaMomentsSetWeights; m_0 and m_1 are rho and rho u), R and R' = dR/dc at c = [u] follow per x
   cell without touching f, and the corrected fluxes are computed once (one pass over f, no stored
   face terms, no correction pass). Elsewhere (coarser velocity grids, -fp_drift_series false, a
   drift outside [-vmax, vmax] or one that needs a Newton step), the sums are taken in a pass over f
   that stores the face terms F1 and corrects the fluxes in a second pass; the Jacobian, which needs
   F1, always takes that way. The two ways differ by round-off. Each moment costs a multiply-add
   per cell in the moments pass, which is why the expansion stops at 8 of them beyond rho and rho u:
   12 weighted sums (an earlier Chebyshev form of the expansion, at nv = 256 and vmax = 8) were
   slower in cache than the second pass. */
typedef struct _p_VfpaFokkerPlanck *VfpaFokkerPlanck;

/* Sets the owned cells of rows j0 .. j1-1 of rhs to the terms other than d_v J (the explicit
   right-hand side passes VfpaTransportSetRows, the IMEX residual a setter of zeros):
   VfpaFokkerPlanckApply calls it on a block of rows just before adding their fluxes, so that the
   rows are still in cache (one memory pass over rhs instead of two). */
typedef PetscErrorCode (*VfpaRowsSetter)(void *ctx, const PetscScalar *const *f, PetscInt j0, PetscInt j1, PetscScalar **rhs);

typedef enum {
  VFPA_DRIFT_MOMENTUM,
  VFPA_DRIFT_AVERAGE
} VfpaDriftRule;
PETSC_EXTERN const char *const VfpaDriftRules[];

struct _p_VfpaFokkerPlanck {
  MPI_Comm      comm;
  VfpaGrid      grid;
  PetscReal     sigma;
  PetscReal     a;             /* dv / sigma: z = a (v_{j+1/2} - c) */
  VfpaDriftRule drift_rule;
  PetscBool     series;        /* -fp_drift_series: the Newton sums from the moment expansion where it holds */
  PetscReal    *c, *kappa;     /* per owned x cell: the drift, and kappa = Delta dv / sigma */
  PetscReal    *sums;          /* per owned x cell: R, and R' from sums + ld */
  PetscReal    *efield;        /* e^{a v_{j+1/2}} per face (NULL when it could overflow) */
  PetscReal    *ecol;          /* e^{-a c} per owned x cell */
  PetscReal     cmin, cmax;    /* the range of c over the owned x cells */
  PetscReal    *below, *above; /* F0 on two face rows */
  PetscReal    *ws;            /* per owned x cell, the weight of the pass at hand over the rows */
  PetscReal    *profiles;      /* one block holding c, kappa, sums, ecol, below, above and ws */
  PetscInt      ld;            /* the distance in reals between those profiles (see AllocateProfiles) */
  PetscReal    *F1;            /* F1 of the faces vs-1/2 .. vs+vm-1/2, per owned x cell (one row each) */
  PetscReal    *coef_below, *coef_above; /* P, Q on two face rows */
  PetscReal    *bands;         /* the Jacobian's three bands on one velocity row */
  PetscInt      degree;        /* D, the degree of the moment expansion of R(c) */
  PetscInt      nsums;         /* the sums the moments pass takes for it, m_2 .. m_D padded (0: no expansion) */
  PetscReal    *weights;       /* their weights v_j^p, nsums per owned row (the moments' weights) */
  PetscReal     gcoef[VFPA_MOMENTS_MAX_WEIGHTS + 2]; /* sigma g_n a^n, n <= D: R(c) = sum gcoef_n mu_n(c) + walls */
  PetscBool     F1_current;    /* whether F1 belongs to the last drift computation */
};

PETSC_EXTERN PetscErrorCode VfpaFokkerPlanckCreate(MPI_Comm, VfpaFokkerPlanck *);
PETSC_EXTERN PetscErrorCode VfpaFokkerPlanckSetFromOptions(VfpaFokkerPlanck, VfpaParams);
PETSC_EXTERN PetscErrorCode VfpaFokkerPlanckSetUp(VfpaFokkerPlanck, VfpaGrid, VfpaMoments);
PETSC_EXTERN PetscErrorCode VfpaFokkerPlanckView(VfpaFokkerPlanck, PetscViewer);
PETSC_EXTERN PetscErrorCode VfpaFokkerPlanckDestroy(VfpaFokkerPlanck *);
PETSC_EXTERN PetscErrorCode VfpaFokkerPlanckApply(VfpaFokkerPlanck, const PetscScalar *const *, VfpaMoments, const PetscReal *, const PetscReal *, VfpaRowsSetter, void *, PetscScalar **);
PETSC_EXTERN PetscErrorCode VfpaFokkerPlanckComputeDrift(VfpaFokkerPlanck, const PetscScalar *const *, VfpaMoments, const PetscReal *);
PETSC_EXTERN PetscErrorCode VfpaFokkerPlanckDriftResponse(VfpaFokkerPlanck, const PetscReal *, PetscScalar **);
PETSC_EXTERN PetscErrorCode VfpaFokkerPlanckAssemble(VfpaFokkerPlanck, const PetscReal *, PetscReal, Mat);
PETSC_EXTERN PetscErrorCode VfpaFokkerPlanckMaxRate(VfpaFokkerPlanck, PetscReal, PetscReal *);
PETSC_EXTERN void           VfpaBernoulli(PetscReal, PetscReal *, PetscReal *);

#endif
