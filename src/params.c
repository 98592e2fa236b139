/* Run-parameter record: a small typed list, in insertion order. */
#include <string.h>
#include "vfpa_params.h"

struct _p_VfpaParams {
  PetscInt   n, capacity;
  VfpaParam *items;
};

PetscErrorCode VfpaParamsCreate(VfpaParams *params)
{
  PetscFunctionBeginUser;
  PetscCall(PetscNew(params));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaParamsDestroy(VfpaParams *params)
{
  PetscFunctionBeginUser;
  if (!*params) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < (*params)->n; i++) PetscCall(PetscFree((*params)->items[i].reals));
  PetscCall(PetscFree((*params)->items));
  PetscCall(PetscFree(*params));
  PetscFunctionReturn(0);
}

/* The entry called name: the existing one (emptied) or a new one at the end. */
static PetscErrorCode GetSlot(VfpaParams params, const char name[], VfpaParam **slot)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < params->n; i++) {
    PetscBool same;
    PetscCall(PetscStrcmp(params->items[i].name, name, &same));
    if (same) {
      *slot = &params->items[i];
      PetscCall(PetscFree((*slot)->reals));
      PetscFunctionReturn(0);
    }
  }
  if (params->n == params->capacity) {
    PetscInt newcap = params->capacity ? 2 * params->capacity : 32;
    PetscCall(PetscRealloc(newcap * sizeof(VfpaParam), &params->items));
    params->capacity = newcap;
  }
  *slot = &params->items[params->n++];
  PetscCall(PetscMemzero(*slot, sizeof(VfpaParam)));
  PetscCall(PetscStrncpy((*slot)->name, name, sizeof((*slot)->name)));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaParamsAddReal(VfpaParams params, const char name[], PetscReal value)
{
  VfpaParam *p;

  PetscFunctionBeginUser;
  PetscCall(GetSlot(params, name, &p));
  p->kind = VFPA_PARAM_REAL;
  p->real = value;
  PetscCall(PetscSNPrintf(p->text, sizeof(p->text), "%.17g", (double)value));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaParamsAddInt(VfpaParams params, const char name[], PetscInt value)
{
  VfpaParam *p;

  PetscFunctionBeginUser;
  PetscCall(GetSlot(params, name, &p));
  p->kind    = VFPA_PARAM_INT;
  p->integer = value;
  PetscCall(PetscSNPrintf(p->text, sizeof(p->text), "%" PetscInt_FMT, value));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaParamsAddString(VfpaParams params, const char name[], const char value[])
{
  VfpaParam *p;

  PetscFunctionBeginUser;
  PetscCall(GetSlot(params, name, &p));
  p->kind = VFPA_PARAM_STRING;
  PetscCall(PetscStrncpy(p->text, value, sizeof(p->text)));
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaParamsAddReals(VfpaParams params, const char name[], PetscInt n, const PetscReal values[])
{
  VfpaParam *p;
  size_t     used = 0;

  PetscFunctionBeginUser;
  PetscCall(GetSlot(params, name, &p));
  p->kind   = VFPA_PARAM_REALS;
  p->nreals = n;
  PetscCall(PetscMalloc1(PetscMax(n, 1), &p->reals));
  for (PetscInt i = 0; i < n; i++) {
    p->reals[i] = values[i];
    if (used < sizeof(p->text)) {
      PetscCall(PetscSNPrintf(p->text + used, sizeof(p->text) - used, i ? ",%.17g" : "%.17g", (double)values[i]));
      PetscCall(PetscStrlen(p->text, &used));
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaParamsGetCount(VfpaParams params, PetscInt *n)
{
  PetscFunctionBeginUser;
  *n = params->n;
  PetscFunctionReturn(0);
}

PetscErrorCode VfpaParamsGet(VfpaParams params, PetscInt i, const VfpaParam **p)
{
  PetscFunctionBeginUser;
  PetscCheck(i >= 0 && i < params->n, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "parameter index %" PetscInt_FMT " out of range", i);
  *p = &params->items[i];
  PetscFunctionReturn(0);
}

/* Every parameter as a line "name = value" (the caller frees *text with PetscFree). */
PetscErrorCode VfpaParamsToText(VfpaParams params, char **text)
{
  size_t len = 1, used = 0;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < params->n; i++) len += strlen(params->items[i].name) + strlen(params->items[i].text) + 4;
  PetscCall(PetscMalloc1(len, text));
  (*text)[0] = 0;
  for (PetscInt i = 0; i < params->n; i++) {
    PetscCall(PetscSNPrintf(*text + used, len - used, "%s = %s\n", params->items[i].name, params->items[i].text));
    used += strlen(*text + used);
  }
  PetscFunctionReturn(0);
}

/* The text value of the parameter called name, or NULL. */
PetscErrorCode VfpaParamsFind(VfpaParams params, const char name[], const VfpaParam **p)
{
  PetscFunctionBeginUser;
  *p = NULL;
  for (PetscInt i = 0; i < params->n && !*p; i++) {
    PetscBool same;
    PetscCall(PetscStrcmp(params->items[i].name, name, &same));
    if (same) *p = &params->items[i];
  }
  PetscFunctionReturn(0);
}
