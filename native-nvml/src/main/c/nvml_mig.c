/*
 * MIG devices: enumeration under a GPU in MIG mode, and the queries only MIG device handles answer. A GPU's MIG
 * devices fill its slots 0.. in inventory order; the remaining slots below FAKE_MAX_MIG_DEVICES answer NOT_FOUND, as
 * slots without a compute instance do on real GPUs.
 */
#define _GNU_SOURCE
#include <string.h>

#include "fake_nvml.h"

static nvmlReturn_t begin_any(enum fake_function function, nvmlDevice_t device, struct fake_gpu **gpu,
                              struct fake_mig **mig) {
  pthread_mutex_lock(&fake.lock);
  return fake_enter_handle(function, device, gpu, mig);
}

static nvmlReturn_t end(nvmlReturn_t rc) {
  pthread_mutex_unlock(&fake.lock);
  return rc;
}

/* Zero unless MIG mode is on, as NVML documents ("Returns zero if MIG is not supported or enabled"). */
static unsigned int max_mig_devices(const struct fake_gpu *gpu) {
  return gpu->mig == NVML_DEVICE_MIG_ENABLE ? FAKE_MAX_MIG_DEVICES : 0;
}

NVML_API nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int *count) {
  struct fake_gpu *gpu;
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter_device(FN_MAX_MIG_DEVICE_COUNT, device, &gpu);
  if (rc == NVML_SUCCESS && count == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS) {
    *count = max_mig_devices(gpu);
  }
  return end(rc);
}

NVML_API nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index,
                                                          nvmlDevice_t *migDevice) {
  struct fake_gpu *gpu;
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter_device(FN_MIG_HANDLE_BY_INDEX, device, &gpu);
  if (rc == NVML_SUCCESS && (migDevice == NULL || index >= max_mig_devices(gpu))) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS && index >= (unsigned int)gpu->mig_count) {
    rc = NVML_ERROR_NOT_FOUND;
  } else if (rc == NVML_SUCCESS) {
    *migDevice = (nvmlDevice_t)&fake.inv.migs[gpu->mig_first + (int)index];
  }
  return end(rc);
}

NVML_API nvmlReturn_t nvmlDeviceIsMigDeviceHandle(nvmlDevice_t device, unsigned int *isMigDevice) {
  struct fake_gpu *gpu;
  struct fake_mig *mig;
  nvmlReturn_t rc = begin_any(FN_IS_MIG_HANDLE, device, &gpu, &mig);
  if (rc == NVML_SUCCESS && isMigDevice == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS) {
    *isMigDevice = mig != NULL;
  }
  return end(rc);
}

/* The remaining calls are about MIG devices only: a whole GPU's handle gets NOT_SUPPORTED. */
static nvmlReturn_t begin_mig(enum fake_function function, nvmlDevice_t device, const void *out,
                              struct fake_mig **mig) {
  struct fake_gpu *gpu;
  nvmlReturn_t rc = begin_any(function, device, &gpu, mig);
  if (rc == NVML_SUCCESS && out == NULL) {
    return NVML_ERROR_INVALID_ARGUMENT;
  }
  return rc == NVML_SUCCESS && *mig == NULL ? NVML_ERROR_NOT_SUPPORTED : rc;
}

NVML_API nvmlReturn_t nvmlDeviceGetDeviceHandleFromMigDeviceHandle(nvmlDevice_t migDevice, nvmlDevice_t *device) {
  struct fake_mig *mig;
  nvmlReturn_t rc = begin_mig(FN_PARENT_OF_MIG, migDevice, device, &mig);
  if (rc == NVML_SUCCESS) {
    *device = (nvmlDevice_t)&fake.inv.gpus[mig->gpu];
  }
  return end(rc);
}

NVML_API nvmlReturn_t nvmlDeviceGetGpuInstanceId(nvmlDevice_t device, unsigned int *id) {
  struct fake_mig *mig;
  nvmlReturn_t rc = begin_mig(FN_GPU_INSTANCE_ID, device, id, &mig);
  if (rc == NVML_SUCCESS) {
    *id = mig->gpu_instance_id;
  }
  return end(rc);
}

NVML_API nvmlReturn_t nvmlDeviceGetComputeInstanceId(nvmlDevice_t device, unsigned int *id) {
  struct fake_mig *mig;
  nvmlReturn_t rc = begin_mig(FN_COMPUTE_INSTANCE_ID, device, id, &mig);
  if (rc == NVML_SUCCESS) {
    *id = mig->compute_instance_id;
  }
  return end(rc);
}

NVML_API nvmlReturn_t nvmlDeviceGetAttributes_v2(nvmlDevice_t device, nvmlDeviceAttributes_t *attributes) {
  struct fake_mig *mig;
  nvmlReturn_t rc = begin_mig(FN_ATTRIBUTES, device, attributes, &mig);
  if (rc == NVML_SUCCESS) {
    *attributes = mig->attributes;
  }
  return end(rc);
}
