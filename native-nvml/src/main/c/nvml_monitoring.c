/*
 * What metrics read: utilisation, compute processes and their utilisation, temperature and power. Values come from
 * the inventory and change with the util/temp/power/proc/noproc control lines.
 *
 * MIG: device and process utilisation are NOT_SUPPORTED on a GPU in MIG mode and on MIG devices (NVML documents both
 * as unsupported there); processes are listed per MIG device, and a GPU in MIG mode lists all of its MIG devices'
 * processes with their instance ids; temperature and power are the GPU's, so MIG device handles get NOT_SUPPORTED.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake_nvml.h"

/* One process as a handle lists it. */
struct listed {
  const struct fake_process *process;
  unsigned int gpu_instance_id;
  unsigned int compute_instance_id;
};

static nvmlReturn_t end(nvmlReturn_t rc) {
  pthread_mutex_unlock(&fake.lock);
  return rc;
}

static int list_one(const struct fake_process_list *list, const struct fake_mig *mig, int busy_only,
                    struct listed *out, int count) {
  for (int i = 0; i < list->count; i++) {
    const struct fake_process *p = &list->items[i];
    if (busy_only && p->sm_util == 0 && p->mem_util == 0 && p->enc_util == 0 && p->dec_util == 0) {
      continue; /* NVML samples only processes that used the GPU in the last period */
    }
    if (out != NULL) {
      out[count] = (struct listed){p, mig != NULL ? mig->gpu_instance_id : FAKE_NO_INSTANCE,
                                   mig != NULL ? mig->compute_instance_id : FAKE_NO_INSTANCE};
    }
    count++;
  }
  return count;
}

/* The processes a GPU or MIG device handle lists, in order; writes them to out unless it is NULL. */
static int list_processes(const struct fake_gpu *gpu, const struct fake_mig *mig, int busy_only, struct listed *out) {
  if (mig != NULL) {
    return list_one(&mig->processes, mig, busy_only, out, 0);
  }
  int count = list_one(&gpu->processes, NULL, busy_only, out, 0);
  for (int i = 0; i < gpu->mig_count; i++) {
    const struct fake_mig *m = &fake.inv.migs[gpu->mig_first + i];
    count = list_one(&m->processes, m, busy_only, out, count);
  }
  return count;
}

NVML_API nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization) {
  struct fake_gpu *gpu;
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter_device(FN_UTILIZATION, device, &gpu);
  if (rc == NVML_SUCCESS && utilization == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS && gpu->mig == NVML_DEVICE_MIG_ENABLE) {
    rc = NVML_ERROR_NOT_SUPPORTED;
  } else if (rc == NVML_SUCCESS) {
    utilization->gpu = gpu->util_gpu;
    utilization->memory = gpu->util_memory;
  }
  return end(rc);
}

/* list_processes into a fresh array (free it); *count is how many. NULL only when out of memory. */
static struct listed *processes_of(const struct fake_gpu *gpu, const struct fake_mig *mig, int busy_only,
                                   unsigned int *count) {
  *count = (unsigned int)list_processes(gpu, mig, busy_only, NULL);
  struct listed *listed = malloc(((size_t)*count + 1) * sizeof *listed);
  if (listed != NULL) {
    list_processes(gpu, mig, busy_only, listed);
  }
  return listed;
}

/*
 * The three versions of nvmlDeviceGetComputeRunningProcesses, each with its own failure rules (function): _v3 and _v2
 * fill nvmlProcessInfo_t (infos), the unversioned one nvmlProcessInfo_v1_t without instance ids (infos_v1); the caller
 * passes the array of its version and NULL for the other.
 *
 * NVML's sizing protocol: *infoCount in is the room in the array; too little room is INSUFFICIENT_SIZE with *infoCount
 * set to what is needed (so *infoCount = 0 with a NULL array asks how many); no processes is SUCCESS with 0.
 */
static nvmlReturn_t running_processes(enum fake_function function, nvmlDevice_t device, unsigned int *infoCount,
                                      nvmlProcessInfo_t *infos, nvmlProcessInfo_v1_t *infos_v1) {
  struct fake_gpu *gpu;
  struct fake_mig *mig;
  unsigned int count;
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter_handle(function, device, &gpu, &mig);
  if (rc == NVML_SUCCESS && infoCount == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  }
  struct listed *listed = rc == NVML_SUCCESS ? processes_of(gpu, mig, 0, &count) : NULL;
  if (rc == NVML_SUCCESS && listed == NULL) {
    rc = NVML_ERROR_MEMORY;
  } else if (rc == NVML_SUCCESS && count > *infoCount) {
    *infoCount = count;
    rc = NVML_ERROR_INSUFFICIENT_SIZE;
  } else if (rc == NVML_SUCCESS && count > 0 && infos == NULL && infos_v1 == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT; /* room claimed for processes, but nowhere to put them */
  } else if (rc == NVML_SUCCESS) {
    for (unsigned int i = 0; i < count; i++) {
      unsigned long long used_bytes = listed[i].process->used_mib << 20;
      if (infos_v1 != NULL) {
        memset(&infos_v1[i], 0, sizeof infos_v1[i]);
        infos_v1[i].pid = listed[i].process->pid;
        infos_v1[i].usedGpuMemory = used_bytes;
      } else {
        memset(&infos[i], 0, sizeof infos[i]);
        infos[i].pid = listed[i].process->pid;
        infos[i].usedGpuMemory = used_bytes;
        infos[i].gpuInstanceId = listed[i].gpu_instance_id;
        infos[i].computeInstanceId = listed[i].compute_instance_id;
      }
    }
    *infoCount = count;
  }
  free(listed);
  return end(rc);
}

NVML_API nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int *infoCount,
                                                              nvmlProcessInfo_t *infos) {
  return running_processes(FN_RUNNING_PROCESSES, device, infoCount, infos, NULL);
}

/* R470's newest: the same struct as _v3 (nvml.h's nvmlProcessInfo_v2_t). */
NVML_API nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v2(nvmlDevice_t device, unsigned int *infoCount,
                                                              nvmlProcessInfo_t *infos) {
  return running_processes(FN_RUNNING_PROCESSES_V2, device, infoCount, infos, NULL);
}

/* Drivers before R470: pid and usedGpuMemory only. */
NVML_API nvmlReturn_t nvmlDeviceGetComputeRunningProcesses(nvmlDevice_t device, unsigned int *infoCount,
                                                           nvmlProcessInfo_v1_t *infos) {
  return running_processes(FN_RUNNING_PROCESSES_V1, device, infoCount, NULL, infos);
}

static unsigned long long now_micros(void) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (unsigned long long)now.tv_sec * 1000000ULL + (unsigned long long)now.tv_nsec / 1000ULL;
}

/*
 * One sample per process with non-zero utilisation, stamped now (the fake samples continuously), and only when now is
 * after lastSeenTimeStamp; none is NOT_FOUND. Sizing as pynvml uses it: a NULL buffer, or *processSamplesCount too
 * small, is INSUFFICIENT_SIZE with the count needed.
 */
NVML_API nvmlReturn_t nvmlDeviceGetProcessUtilization(nvmlDevice_t device, nvmlProcessUtilizationSample_t *utilization,
                                                      unsigned int *processSamplesCount,
                                                      unsigned long long lastSeenTimeStamp) {
  struct fake_gpu *gpu;
  unsigned int count = 0;
  unsigned long long stamp = now_micros();
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter_device(FN_PROCESS_UTILIZATION, device, &gpu);
  if (rc == NVML_SUCCESS && processSamplesCount == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS && gpu->mig == NVML_DEVICE_MIG_ENABLE) {
    rc = NVML_ERROR_NOT_SUPPORTED;
  }
  struct listed *listed = rc == NVML_SUCCESS ? processes_of(gpu, NULL, 1, &count) : NULL;
  if (rc == NVML_SUCCESS && listed == NULL) {
    rc = NVML_ERROR_MEMORY;
  } else if (rc == NVML_SUCCESS && (count == 0 || stamp <= lastSeenTimeStamp)) {
    *processSamplesCount = 0;
    rc = NVML_ERROR_NOT_FOUND;
  } else if (rc == NVML_SUCCESS && (utilization == NULL || *processSamplesCount < count)) {
    *processSamplesCount = count;
    rc = NVML_ERROR_INSUFFICIENT_SIZE;
  } else if (rc == NVML_SUCCESS) {
    for (unsigned int i = 0; i < count; i++) {
      const struct fake_process *p = listed[i].process;
      memset(&utilization[i], 0, sizeof utilization[i]);
      utilization[i].pid = p->pid;
      utilization[i].timeStamp = stamp;
      utilization[i].smUtil = p->sm_util;
      utilization[i].memUtil = p->mem_util;
      utilization[i].encUtil = p->enc_util;
      utilization[i].decUtil = p->dec_util;
    }
    *processSamplesCount = count;
  }
  free(listed);
  return end(rc);
}

NVML_API nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, nvmlTemperatureSensors_t sensorType,
                                               unsigned int *temp) {
  struct fake_gpu *gpu;
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter_device(FN_TEMPERATURE, device, &gpu);
  if (rc == NVML_SUCCESS && (temp == NULL || sensorType != NVML_TEMPERATURE_GPU)) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS) {
    *temp = gpu->temperature_c;
  }
  return end(rc);
}

NVML_API nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power) {
  struct fake_gpu *gpu;
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter_device(FN_POWER_USAGE, device, &gpu);
  if (rc == NVML_SUCCESS && power == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS) {
    *power = gpu->power_mw;
  }
  return end(rc);
}
