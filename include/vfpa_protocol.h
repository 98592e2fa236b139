#ifndef VFPA_PROTOCOL_H
#define VFPA_PROTOCOL_H

#include "vfpa_kernel.h"
#include "vfpa_moments.h"

/* Averaging protocols (SPEC section 2): a strength rule for s and an averaging rule for [u], both
   computed from the moments (and from the transported s for the s-model). Protocols and averaging
   rules are registered by name; -protocol picks one, and the s-model's averaging rule is chosen
   with -smodel_average. */
typedef struct _p_VfpaProtocol *VfpaProtocol;

typedef enum {
  VFPA_STRENGTH_CONSTANT,   /* s = lambda */
  VFPA_STRENGTH_DENSITY,    /* s = lambda rho_phi^exponent */
  VFPA_STRENGTH_TRANSPORTED /* s is a state variable (s-model) */
} VfpaStrengthRule;

/* Fills p->avg_u on the ghosted x range. */
typedef PetscErrorCode (*VfpaAverageFn)(VfpaProtocol, VfpaMoments);

struct _p_VfpaProtocol {
  MPI_Comm         comm;
  char             name[64];
  char             average[64]; /* the averaging rule behind [u] */
  char             smodel_average[64]; /* -smodel_average: the s-model's averaging rule */
  VfpaAverageFn    average_fn;
  VfpaStrengthRule strength;
  PetscReal        exponent;    /* VFPA_STRENGTH_DENSITY: 1 (Cucker-Smale) or beta */
  PetscBool        conserves_momentum, symmetric;
  PetscReal        lambda, beta;
  PetscInt         nsegments;   /* segregation: number of neighbourhoods g_l */
  PetscReal        overlap;     /* segregation: width of the transition between neighbourhoods */
  char             w0[16];      /* s-model initial weight: cs, mt or profile */
  PetscReal        w0_amp;      /* profile: w0 = lambda (1 + amp cos(2 pi mode x / L)) */
  PetscInt         w0_mode;
  VfpaGrid         grid;
  VfpaKernel       kernel;
  PetscBool        needs_convolution; /* rho_phi and (rho u)_phi are computed in every evaluation */
  PetscReal       *s, *avg_u, *rho_phi, *rhou_phi, *work; /* ghosted profiles */
  PetscReal       *linear_rhou_phi; /* VfpaProtocolAverageOf: (rho u)_phi of its moments (created on first use) */
  PetscReal       *trial_phi[2]; /* VfpaProtocolFieldsOf: rho_phi, (rho u)_phi of its moments (created on first use) */
  PetscReal       *g;           /* segregation partition g_l(x_i): nsegments ghosted profiles */
  PetscReal       *sums;        /* segregation: 2 nsegments moments */
};

PETSC_EXTERN PetscErrorCode VfpaProtocolCreate(MPI_Comm, VfpaProtocol *);
PETSC_EXTERN PetscErrorCode VfpaProtocolSetFromOptions(VfpaProtocol, VfpaParams);
PETSC_EXTERN PetscErrorCode VfpaProtocolSetUp(VfpaProtocol, VfpaGrid, VfpaKernel);
PETSC_EXTERN PetscErrorCode VfpaProtocolView(VfpaProtocol, PetscViewer);
PETSC_EXTERN PetscErrorCode VfpaProtocolDestroy(VfpaProtocol *);
PETSC_EXTERN PetscErrorCode VfpaProtocolIsTransported(VfpaProtocol, PetscBool *);
PETSC_EXTERN PetscErrorCode VfpaProtocolApply(VfpaProtocol, VfpaMoments, const PetscReal *);
PETSC_EXTERN PetscErrorCode VfpaProtocolAverageOf(VfpaProtocol, VfpaMoments, PetscReal *);
PETSC_EXTERN PetscErrorCode VfpaProtocolFieldsOf(VfpaProtocol, VfpaMoments, const PetscReal *, PetscReal *, PetscReal *);
PETSC_EXTERN PetscErrorCode VfpaProtocolInitialStrength(VfpaProtocol, VfpaMoments, PetscReal *);
PETSC_EXTERN PetscErrorCode VfpaProtocolWeight(VfpaProtocol, VfpaMoments, PetscReal *);

#endif
