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
   analytic in c (the poles of B lie 2 pi / a off the real axis). Where their Chebyshev series on
   c in [-vmax, vmax] reaches round-off within DRIFT_MAX_TERMS = 8 terms (fine velocity grids: from
   nv = 1024 at vmax = 8 and sigma = 1, from nv = 256 at vmax = 4), the moments pass also takes the
   sums M_k = sum_j C_{j,k} f_j of the series' coefficients (VfpaMomentsSetWeights), R and
   R' = dR/dc at c = [u] follow per x cell without touching f, and the corrected fluxes are computed
   once (one pass over f, no stored face terms, no correction pass). Elsewhere (coarser velocity
   grids, -fp_drift_series false, a drift outside [-vmax, vmax] or one that needs a Newton step),
   the sums are taken in a pass over f that stores the face terms F1 and corrects the fluxes in a
   second pass; the Jacobian, which needs F1, always takes that way. The two ways differ by
   round-off. Each term costs a multiply-add per cell in the moments pass, which is why the series
   stops at 8 terms: with 12 (nv = 256 at vmax = 8) it was slower in cache than the second pass. */
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
  PetscBool     series;        /* -fp_drift_series: the Newton sums from the series where it holds */
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
  PetscInt      nterms;        /* terms of the Chebyshev series of the weights W_j(c) (0: none) */
  PetscReal    *terms;         /* their coefficients C_{j,k}, nterms per owned row (the moments' weights) */
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
