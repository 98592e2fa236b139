#ifndef VFPA_PARAMS_H
#define VFPA_PARAMS_H

#include <petscsys.h>

/* The record of every run parameter (with its default filled in), kept so that outputs can carry
   them as HDF5 attributes and a run can be described completely. */
typedef enum {
  VFPA_PARAM_REAL,
  VFPA_PARAM_INT,
  VFPA_PARAM_STRING,
  VFPA_PARAM_REALS
} VfpaParamKind;

typedef struct {
  char          name[64];
  VfpaParamKind kind;
  PetscReal     real;       /* VFPA_PARAM_REAL */
  PetscInt      integer;    /* VFPA_PARAM_INT */
  PetscReal    *reals;      /* VFPA_PARAM_REALS */
  PetscInt      nreals;
  char          text[1024]; /* every kind, as text */
} VfpaParam;

typedef struct _p_VfpaParams *VfpaParams;

PETSC_EXTERN PetscErrorCode VfpaParamsCreate(VfpaParams *);
PETSC_EXTERN PetscErrorCode VfpaParamsDestroy(VfpaParams *);
PETSC_EXTERN PetscErrorCode VfpaParamsAddReal(VfpaParams, const char[], PetscReal);
PETSC_EXTERN PetscErrorCode VfpaParamsAddInt(VfpaParams, const char[], PetscInt);
PETSC_EXTERN PetscErrorCode VfpaParamsAddString(VfpaParams, const char[], const char[]);
PETSC_EXTERN PetscErrorCode VfpaParamsAddReals(VfpaParams, const char[], PetscInt, const PetscReal[]);
PETSC_EXTERN PetscErrorCode VfpaParamsGetCount(VfpaParams, PetscInt *);
PETSC_EXTERN PetscErrorCode VfpaParamsGet(VfpaParams, PetscInt, const VfpaParam **);
PETSC_EXTERN PetscErrorCode VfpaParamsToText(VfpaParams, char **);
PETSC_EXTERN PetscErrorCode VfpaParamsFind(VfpaParams, const char[], const VfpaParam **);

#endif
