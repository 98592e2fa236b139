#ifndef VFPA_H
#define VFPA_H

/* vfpa: a finite-volume solver for the Vlasov / Fokker-Planck-Alignment equation (see SPEC.md). */
#include "vfpa_sys.h"
#include "vfpa_log.h"
#include "vfpa_params.h"
#include "vfpa_grid.h"
#include "vfpa_kernel.h"
#include "vfpa_moments.h"
#include "vfpa_protocol.h"
#include "vfpa_transport.h"
#include "vfpa_fokkerplanck.h"
#include "vfpa_model.h"
#include "vfpa_columnpc.h"
#include "vfpa_init.h"
#include "vfpa_h5.h"
#include "vfpa_diagnostics.h"
#include "vfpa_output.h"
#include "vfpa_checkpoint.h"
#include "vfpa_solver.h"

#endif
