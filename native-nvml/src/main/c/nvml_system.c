/* Initialisation and shutdown, system queries, device handles, and why the last init failed (fake-only). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake_nvml.h"

static pthread_once_t cond_once = PTHREAD_ONCE_INIT;

static void init_condition(void) {
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&fake.changed, &attr);
  pthread_condattr_destroy(&attr);
}

/* inventory.json beside this very library file (found with dladdr), unless the environment names other files. */
static void resolve_paths(void) {
  const char *inventory = getenv("KUBEACCEL_FAKE_NVML_INVENTORY");
  const char *control = getenv("KUBEACCEL_FAKE_NVML_CONTROL");
  Dl_info info;
  if (inventory != NULL && inventory[0] != '\0') {
    snprintf(fake.inventory_path, sizeof fake.inventory_path, "%s", inventory);
  } else if (dladdr((void *)&resolve_paths, &info) != 0 && info.dli_fname != NULL && strchr(info.dli_fname, '/')) {
    int dir_length = (int)(strrchr(info.dli_fname, '/') - info.dli_fname);
    snprintf(fake.inventory_path, sizeof fake.inventory_path, "%.*s/inventory.json", dir_length, info.dli_fname);
  } else {
    snprintf(fake.inventory_path, sizeof fake.inventory_path, "inventory.json");
  }
  if (control != NULL && control[0] != '\0') {
    snprintf(fake.control_path, sizeof fake.control_path, "%s", control);
  } else {
    const char *slash = strrchr(fake.inventory_path, '/');
    int dir_length = slash == NULL ? 1 : (int)(slash - fake.inventory_path);
    snprintf(fake.control_path, sizeof fake.control_path, "%.*s/control", dir_length,
             slash == NULL ? "." : fake.inventory_path);
  }
  /* Beside the control file: both are the node's run-time state, where the inventory may be shared. */
  const char *slash = strrchr(fake.control_path, '/');
  int dir_length = slash == NULL ? 1 : (int)(slash - fake.control_path);
  if (snprintf(fake.compute_mode_path, sizeof fake.compute_mode_path, "%.*s/compute-mode", dir_length,
               slash == NULL ? "." : fake.control_path) >= (int)sizeof fake.compute_mode_path) {
    fake.compute_mode_path[0] = '\0';
  }
}

static void stop(void) {
  fake_events_free_all();
  fake_inventory_free(&fake.inv);
  free(fake.lost);
  free(fake.failures);
  fake.lost = NULL;
  fake.failures = NULL;
  fake.failure_count = fake.failure_capacity = 0;
  fake.init_count = 0;
  fake.compute_mode_dirty = 0;
}

/* First reference: read the inventory, replay the control file's lasting commands, apply nvmlInit_v2 failures. */
static nvmlReturn_t start(void) {
  resolve_paths();
  fake.last_error[0] = '\0';
  int loaded = fake_inventory_load(fake.inventory_path, &fake.inv, fake.last_error, sizeof fake.last_error);
  if (loaded != 0) {
    if (getenv("KUBEACCEL_FAKE_NVML_QUIET") == NULL) { /* set by tests that break inventories on purpose */
      fprintf(stderr, "kubeaccel fake NVML: %s\n", fake.last_error);
    }
    return loaded == -1 ? NVML_ERROR_DRIVER_NOT_LOADED : NVML_ERROR_UNKNOWN;
  }
  fake.lost = calloc((size_t)fake.inv.gpu_count + 1, 1);
  fake.failures = fake.inv.failures; /* the state owns the rules from here: control commands add and clear them */
  fake.failure_count = fake.failure_capacity = (size_t)fake.inv.failure_count;
  fake.inv.failures = NULL;
  fake.inv.failure_count = 0;
  if (fake.lost == NULL) {
    stop();
    return NVML_ERROR_MEMORY;
  }
  for (size_t i = 0; i < fake.failure_count; i++) {
    if (fake.failures[i].function == FN_INIT) {
      fake.failures[i].calls = fake.successful_inits; /* afterCalls counts inits over the process lifetime */
    }
  }
  fake.control_offset = 0;
  fake.control_line = 0;
  fake.control_replaying = 1;
  fake_control_poll();
  fake.control_replaying = 0;
  nvmlReturn_t rc = fake_failure_for(FN_INIT, -1, 0);
  if (rc != NVML_SUCCESS) {
    snprintf(fake.last_error, sizeof fake.last_error, "nvmlInit_v2 fails with %s as %s or its control file says",
             nvmlErrorString(rc), fake.inventory_path);
    stop();
    return rc;
  }
  clock_gettime(CLOCK_MONOTONIC, &fake.init_time);
  fake.init_count = 1;
  fake.successful_inits++;
  fake_compute_mode_publish();
  return NVML_SUCCESS;
}

NVML_API nvmlReturn_t nvmlInit_v2(void) {
  pthread_once(&cond_once, init_condition);
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc;
  if (fake.init_count > 0) {
    rc = fake_enter();
    rc = rc == NVML_SUCCESS ? fake_failure_for(FN_INIT, -1, 1) : rc;
    fake.init_count += rc == NVML_SUCCESS;
  } else {
    rc = start();
  }
  pthread_mutex_unlock(&fake.lock);
  return rc;
}

NVML_API nvmlReturn_t nvmlShutdown(void) {
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter();
  rc = rc == NVML_SUCCESS ? fake_failure_for(FN_SHUTDOWN, -1, 1) : rc;
  if (rc == NVML_SUCCESS && --fake.init_count == 0) {
    stop();
  }
  pthread_mutex_unlock(&fake.lock);
  return rc;
}

NVML_API nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter();
  rc = rc == NVML_SUCCESS ? fake_failure_for(FN_DRIVER_VERSION, -1, 1) : rc;
  rc = rc == NVML_SUCCESS ? fake_copy_string(fake.inv.driver_version, version, length) : rc;
  pthread_mutex_unlock(&fake.lock);
  return rc;
}

NVML_API nvmlReturn_t nvmlSystemGetCudaDriverVersion(int *cudaDriverVersion) {
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter();
  rc = rc == NVML_SUCCESS ? fake_failure_for(FN_CUDA_DRIVER_VERSION, -1, 1) : rc;
  if (rc == NVML_SUCCESS && cudaDriverVersion == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS) {
    *cudaDriverVersion = fake.inv.cuda_driver_version;
  }
  pthread_mutex_unlock(&fake.lock);
  return rc;
}

NVML_API nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *cudaDriverVersion) {
  return nvmlSystemGetCudaDriverVersion(cudaDriverVersion);
}

NVML_API nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount) {
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter();
  rc = rc == NVML_SUCCESS ? fake_failure_for(FN_DEVICE_COUNT, -1, 1) : rc;
  if (rc == NVML_SUCCESS && deviceCount == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS) {
    *deviceCount = (unsigned int)fake.inv.gpu_count;
  }
  pthread_mutex_unlock(&fake.lock);
  return rc;
}

/* Shared by both handle look-ups once the index is known: a lost GPU gives no handle, as with the real driver. */
static nvmlReturn_t handle_of(enum fake_function function, int index, nvmlDevice_t *device) {
  if (index < 0 || device == NULL) {
    return index < 0 && function == FN_HANDLE_BY_UUID ? NVML_ERROR_NOT_FOUND : NVML_ERROR_INVALID_ARGUMENT;
  }
  if (fake.lost[index]) {
    return NVML_ERROR_GPU_IS_LOST;
  }
  nvmlReturn_t rc = fake_failure_for(function, index, 1);
  if (rc == NVML_SUCCESS) {
    *device = (nvmlDevice_t)&fake.inv.gpus[index];
  }
  return rc;
}

NVML_API nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter();
  if (rc == NVML_SUCCESS) {
    rc = handle_of(FN_HANDLE_BY_INDEX, index < (unsigned int)fake.inv.gpu_count ? (int)index : -1, device);
  }
  pthread_mutex_unlock(&fake.lock);
  return rc;
}

/* A MIG device by the legacy "MIG-GPU-<uuid>/<gi>/<ci>" form drivers before R470 used (and still accept). */
static int mig_by_legacy_uuid(const char *uuid) {
  char gpu_uuid[NVML_DEVICE_UUID_V2_BUFFER_SIZE];
  unsigned int gi, ci;
  int consumed = 0;
  if (strncasecmp(uuid, "MIG-GPU-", 8) != 0 ||
      sscanf(uuid + 4, "%80[^/]/%u/%u%n", gpu_uuid, &gi, &ci, &consumed) != 3 || uuid[4 + consumed] != '\0') {
    return -1;
  }
  int gpu = fake_gpu_by_uuid(gpu_uuid);
  for (int i = 0; gpu >= 0 && i < fake.inv.gpus[gpu].mig_count; i++) {
    const struct fake_mig *mig = &fake.inv.migs[fake.inv.gpus[gpu].mig_first + i];
    if (mig->gpu_instance_id == gi && mig->compute_instance_id == ci) {
      return fake.inv.gpus[gpu].mig_first + i;
    }
  }
  return -1;
}

/* A GPU's uuid gives its handle, a MIG device's uuid (either form) the MIG device handle. */
NVML_API nvmlReturn_t nvmlDeviceGetHandleByUUID(const char *uuid, nvmlDevice_t *device) {
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter();
  if (rc == NVML_SUCCESS && uuid == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS) {
    int mig = fake_mig_by_uuid(uuid);
    mig = mig >= 0 ? mig : mig_by_legacy_uuid(uuid);
    rc = handle_of(FN_HANDLE_BY_UUID, mig >= 0 ? fake.inv.migs[mig].gpu : fake_gpu_by_uuid(uuid), device);
    if (rc == NVML_SUCCESS && mig >= 0) {
      *device = (nvmlDevice_t)&fake.inv.migs[mig];
    }
  }
  pthread_mutex_unlock(&fake.lock);
  return rc;
}

NVML_API const char *kubeaccelFakeNvmlLastError(void) {
  return fake.last_error;
}
