/*
 * Per-GPU queries: identity, PCI, memory, compute capability, MIG mode, topology and NVLink. Identity, memory and
 * compute capability also answer for MIG device handles; every other call here is about a whole GPU and answers a MIG
 * device handle with NOT_SUPPORTED.
 */
#define _GNU_SOURCE
#include <string.h>

#include "fake_nvml.h"

/* Every link counted as an NVSwitch link ends at this one switch (real systems have several; one is enough here). */
static const nvmlPciInfo_t NVSWITCH_PCI = {
    .busIdLegacy = "0000:C1:00.0", .domain = 0, .bus = 0xC1, .device = 0, .pciDeviceId = 0x22A310DE,
    .pciSubSystemId = 0, .busId = "00000000:C1:00.0"};

/* Locks and runs the checks every device call shares; end() unlocks. */
static nvmlReturn_t begin(enum fake_function function, nvmlDevice_t device, struct fake_gpu **gpu) {
  pthread_mutex_lock(&fake.lock);
  return fake_enter_device(function, device, gpu);
}

/* begin() for the calls that also take MIG device handles: *mig is the MIG device or NULL. */
static nvmlReturn_t begin_any(enum fake_function function, nvmlDevice_t device, struct fake_gpu **gpu,
                              struct fake_mig **mig) {
  pthread_mutex_lock(&fake.lock);
  return fake_enter_handle(function, device, gpu, mig);
}

static nvmlReturn_t end(nvmlReturn_t rc) {
  pthread_mutex_unlock(&fake.lock);
  return rc;
}

NVML_API nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
  struct fake_gpu *gpu;
  struct fake_mig *mig;
  nvmlReturn_t rc = begin_any(FN_UUID, device, &gpu, &mig);
  return end(rc == NVML_SUCCESS ? fake_copy_string(mig != NULL ? mig->uuid : gpu->uuid, uuid, length) : rc);
}

/* A MIG device is named after its GPU and profile, e.g. "NVIDIA A100-SXM4-40GB MIG 1g.5gb". */
NVML_API nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
  struct fake_gpu *gpu;
  struct fake_mig *mig;
  nvmlReturn_t rc = begin_any(FN_NAME, device, &gpu, &mig);
  return end(rc == NVML_SUCCESS ? fake_copy_string(mig != NULL ? mig->name : gpu->name, name, length) : rc);
}

NVML_API nvmlReturn_t nvmlDeviceGetMinorNumber(nvmlDevice_t device, unsigned int *minorNumber) {
  struct fake_gpu *gpu;
  nvmlReturn_t rc = begin(FN_MINOR, device, &gpu);
  if (rc == NVML_SUCCESS && minorNumber == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS) {
    *minorNumber = gpu->minor;
  }
  return end(rc);
}

NVML_API nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t *pci) {
  struct fake_gpu *gpu;
  nvmlReturn_t rc = begin(FN_PCI_INFO, device, &gpu);
  if (rc == NVML_SUCCESS && pci == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS) {
    *pci = gpu->pci;
  }
  return end(rc);
}

/* A MIG device reports its own memory (its GPU instance's share of the GPU). */
NVML_API nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
  struct fake_gpu *gpu;
  struct fake_mig *mig;
  nvmlReturn_t rc = begin_any(FN_MEMORY_INFO, device, &gpu, &mig);
  if (rc == NVML_SUCCESS && memory == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS) {
    memory->total = (mig != NULL ? mig->attributes.memorySizeMB : gpu->memory_mib) << 20;
    memory->used = (mig != NULL ? mig->used_mib : gpu->used_mib) << 20;
    memory->free = memory->total - memory->used;
  }
  return end(rc);
}

/* A MIG device has its GPU's compute capability. */
NVML_API nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, int *major, int *minor) {
  struct fake_gpu *gpu;
  struct fake_mig *mig;
  nvmlReturn_t rc = begin_any(FN_COMPUTE_CAPABILITY, device, &gpu, &mig);
  if (rc == NVML_SUCCESS && (major == NULL || minor == NULL)) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS) {
    *major = gpu->cc_major;
    *minor = gpu->cc_minor;
  }
  return end(rc);
}

NVML_API nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int *currentMode, unsigned int *pendingMode) {
  struct fake_gpu *gpu;
  nvmlReturn_t rc = begin(FN_MIG_MODE, device, &gpu);
  if (rc == NVML_SUCCESS && (currentMode == NULL || pendingMode == NULL)) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS && gpu->mig < 0) {
    rc = NVML_ERROR_NOT_SUPPORTED;
  } else if (rc == NVML_SUCCESS) {
    *currentMode = (unsigned int)gpu->mig;
    *pendingMode = (unsigned int)gpu->mig;
  }
  return end(rc);
}

NVML_API nvmlReturn_t nvmlDeviceGetTopologyCommonAncestor(nvmlDevice_t device1, nvmlDevice_t device2,
                                                          nvmlGpuTopologyLevel_t *pathInfo) {
  struct fake_gpu *gpu;
  nvmlReturn_t rc = begin(FN_TOPOLOGY, device1, &gpu); /* a failure rule's "gpu" matches the first device */
  struct fake_gpu *other = rc == NVML_SUCCESS ? fake_gpu_of(device2) : NULL;
  if (rc == NVML_SUCCESS && pathInfo != NULL && other == NULL && fake_mig_of(device2) != NULL) {
    rc = NVML_ERROR_NOT_SUPPORTED; /* like a MIG device as device1 */
  } else if (rc == NVML_SUCCESS && (other == NULL || pathInfo == NULL)) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS && fake.lost[other->index]) {
    rc = NVML_ERROR_GPU_IS_LOST;
  } else if (rc == NVML_SUCCESS) {
    *pathInfo = (nvmlGpuTopologyLevel_t)fake.inv.topology[gpu->index * fake.inv.gpu_count + other->index];
  }
  return end(rc);
}

/* Link indexes past NVML_NVLINK_MAX_LINKS are invalid; a link the GPU lacks is "not supported", as NVML says. */
static nvmlReturn_t link_of(const struct fake_gpu *gpu, unsigned int link, const void *out,
                            const struct fake_link **result) {
  if (out == NULL || link >= NVML_NVLINK_MAX_LINKS) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  if (gpu->links[link].kind == LINK_NONE) {
    return NVML_ERROR_NOT_SUPPORTED;
  }
  *result = &gpu->links[link];
  return NVML_SUCCESS;
}

NVML_API nvmlReturn_t nvmlDeviceGetNvLinkState(nvmlDevice_t device, unsigned int link, nvmlEnableState_t *isActive) {
  struct fake_gpu *gpu;
  const struct fake_link *l;
  nvmlReturn_t rc = begin(FN_NVLINK_STATE, device, &gpu);
  rc = rc == NVML_SUCCESS ? link_of(gpu, link, isActive, &l) : rc;
  if (rc == NVML_SUCCESS) {
    *isActive = NVML_FEATURE_ENABLED;
  }
  return end(rc);
}

NVML_API nvmlReturn_t nvmlDeviceGetNvLinkRemotePciInfo_v2(nvmlDevice_t device, unsigned int link, nvmlPciInfo_t *pci) {
  struct fake_gpu *gpu;
  const struct fake_link *l;
  nvmlReturn_t rc = begin(FN_NVLINK_REMOTE_PCI, device, &gpu);
  rc = rc == NVML_SUCCESS ? link_of(gpu, link, pci, &l) : rc;
  if (rc == NVML_SUCCESS) {
    *pci = l->kind == LINK_PEER ? fake.inv.gpus[l->peer].pci : NVSWITCH_PCI;
  }
  return end(rc);
}

NVML_API nvmlReturn_t nvmlDeviceGetNvLinkRemoteDeviceType(nvmlDevice_t device, unsigned int link,
                                                          nvmlIntNvLinkDeviceType_t *pNvLinkDeviceType) {
  struct fake_gpu *gpu;
  const struct fake_link *l;
  nvmlReturn_t rc = begin(FN_NVLINK_REMOTE_TYPE, device, &gpu);
  rc = rc == NVML_SUCCESS ? link_of(gpu, link, pNvLinkDeviceType, &l) : rc;
  if (rc == NVML_SUCCESS) {
    *pNvLinkDeviceType = l->kind == LINK_PEER ? NVML_NVLINK_DEVICE_TYPE_GPU : NVML_NVLINK_DEVICE_TYPE_SWITCH;
  }
  return end(rc);
}

NVML_API nvmlReturn_t nvmlDeviceGetSupportedEventTypes(nvmlDevice_t device, unsigned long long *eventTypes) {
  struct fake_gpu *gpu;
  nvmlReturn_t rc = begin(FN_SUPPORTED_EVENTS, device, &gpu);
  if (rc == NVML_SUCCESS && eventTypes == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS) {
    *eventTypes = FAKE_SUPPORTED_EVENTS;
  }
  return end(rc);
}
