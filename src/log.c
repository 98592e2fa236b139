/* Log events of the solver phases (see -log_view). */
#include "vfpa_log.h"

PetscLogEvent VFPA_Halo, VFPA_Transport, VFPA_FokkerPlanck, VFPA_Moments, VFPA_Averaging, VFPA_Diagnostics, VFPA_IO;

PetscErrorCode VfpaLogRegister(void)
{
  static PetscBool registered = PETSC_FALSE;
  PetscClassId     classid;

  PetscFunctionBeginUser;
  if (registered) PetscFunctionReturn(0);
  registered = PETSC_TRUE;
  PetscCall(PetscClassIdRegister("vfpa", &classid));
  PetscCall(PetscLogEventRegister("VfpaHalo", classid, &VFPA_Halo));
  PetscCall(PetscLogEventRegister("VfpaTransport", classid, &VFPA_Transport));
  PetscCall(PetscLogEventRegister("VfpaFokkerPlanck", classid, &VFPA_FokkerPlanck));
  PetscCall(PetscLogEventRegister("VfpaMoments", classid, &VFPA_Moments));
  PetscCall(PetscLogEventRegister("VfpaAveraging", classid, &VFPA_Averaging));
  PetscCall(PetscLogEventRegister("VfpaDiagnostics", classid, &VFPA_Diagnostics));
  PetscCall(PetscLogEventRegister("VfpaIO", classid, &VFPA_IO));
  PetscFunctionReturn(0);
}
