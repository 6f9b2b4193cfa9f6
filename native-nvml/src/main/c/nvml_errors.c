/* Return codes: their names (for inventory and control files) and nvmlErrorString; the function names rules use. */
#define _GNU_SOURCE
#include <string.h>
#include <strings.h>

#include "fake_nvml.h"

/* Indexed by enum fake_function; the names failure rules use (a missing entry would be NULL: keep them paired). */
static const char *const FAKE_FUNCTION_NAMES[FN_COUNT] = {
    [FN_INIT] = "nvmlInit_v2",
    [FN_SHUTDOWN] = "nvmlShutdown",
    [FN_DRIVER_VERSION] = "nvmlSystemGetDriverVersion",
    [FN_CUDA_DRIVER_VERSION] = "nvmlSystemGetCudaDriverVersion",
    [FN_DEVICE_COUNT] = "nvmlDeviceGetCount_v2",
    [FN_HANDLE_BY_INDEX] = "nvmlDeviceGetHandleByIndex_v2",
    [FN_HANDLE_BY_UUID] = "nvmlDeviceGetHandleByUUID",
    [FN_UUID] = "nvmlDeviceGetUUID",
    [FN_NAME] = "nvmlDeviceGetName",
    [FN_MINOR] = "nvmlDeviceGetMinorNumber",
    [FN_PCI_INFO] = "nvmlDeviceGetPciInfo_v3",
    [FN_MEMORY_INFO] = "nvmlDeviceGetMemoryInfo",
    [FN_COMPUTE_CAPABILITY] = "nvmlDeviceGetCudaComputeCapability",
    [FN_MIG_MODE] = "nvmlDeviceGetMigMode",
    [FN_TOPOLOGY] = "nvmlDeviceGetTopologyCommonAncestor",
    [FN_NVLINK_STATE] = "nvmlDeviceGetNvLinkState",
    [FN_NVLINK_REMOTE_PCI] = "nvmlDeviceGetNvLinkRemotePciInfo_v2",
    [FN_NVLINK_REMOTE_TYPE] = "nvmlDeviceGetNvLinkRemoteDeviceType",
    [FN_SUPPORTED_EVENTS] = "nvmlDeviceGetSupportedEventTypes",
    [FN_EVENT_SET_CREATE] = "nvmlEventSetCreate",
    [FN_REGISTER_EVENTS] = "nvmlDeviceRegisterEvents",
    [FN_EVENT_SET_WAIT] = "nvmlEventSetWait_v2",
    [FN_EVENT_SET_FREE] = "nvmlEventSetFree",
    [FN_MAX_MIG_DEVICE_COUNT] = "nvmlDeviceGetMaxMigDeviceCount",
    [FN_MIG_HANDLE_BY_INDEX] = "nvmlDeviceGetMigDeviceHandleByIndex",
    [FN_IS_MIG_HANDLE] = "nvmlDeviceIsMigDeviceHandle",
    [FN_PARENT_OF_MIG] = "nvmlDeviceGetDeviceHandleFromMigDeviceHandle",
    [FN_GPU_INSTANCE_ID] = "nvmlDeviceGetGpuInstanceId",
    [FN_COMPUTE_INSTANCE_ID] = "nvmlDeviceGetComputeInstanceId",
    [FN_ATTRIBUTES] = "nvmlDeviceGetAttributes_v2",
    [FN_GET_COMPUTE_MODE] = "nvmlDeviceGetComputeMode",
    [FN_SET_COMPUTE_MODE] = "nvmlDeviceSetComputeMode",
    [FN_UTILIZATION] = "nvmlDeviceGetUtilizationRates",
    [FN_RUNNING_PROCESSES] = "nvmlDeviceGetComputeRunningProcesses_v3",
    [FN_RUNNING_PROCESSES_V2] = "nvmlDeviceGetComputeRunningProcesses_v2",
    [FN_RUNNING_PROCESSES_V1] = "nvmlDeviceGetComputeRunningProcesses",
    [FN_PROCESS_UTILIZATION] = "nvmlDeviceGetProcessUtilization",
    [FN_TEMPERATURE] = "nvmlDeviceGetTemperature",
    [FN_POWER_USAGE] = "nvmlDeviceGetPowerUsage",
};

/*
 * Unversioned names nvml.h maps to the versions implemented here; a rule may use either. Not
 * nvmlDeviceGetComputeRunningProcesses: the fake exports it as its own (v1) function, so it has its own rules.
 */
static const struct {
  const char *name;
  enum fake_function function;
} FAKE_FUNCTION_ALIASES[] = {
    {"nvmlSystemGetCudaDriverVersion_v2", FN_CUDA_DRIVER_VERSION},
    {"nvmlDeviceGetAttributes", FN_ATTRIBUTES},
};

struct code_entry {
  nvmlReturn_t code;
  const char *name;    /* without the NVML_ERROR_ prefix */
  const char *message; /* what nvmlErrorString returns, worded as the real library words it */
};

static const struct code_entry CODES[] = {
    {NVML_SUCCESS, "SUCCESS", "Success"},
    {NVML_ERROR_UNINITIALIZED, "UNINITIALIZED", "Uninitialized"},
    {NVML_ERROR_INVALID_ARGUMENT, "INVALID_ARGUMENT", "Invalid Argument"},
    {NVML_ERROR_NOT_SUPPORTED, "NOT_SUPPORTED", "Not Supported"},
    {NVML_ERROR_NO_PERMISSION, "NO_PERMISSION", "Insufficient Permissions"},
    {NVML_ERROR_ALREADY_INITIALIZED, "ALREADY_INITIALIZED", "Already Initialized"},
    {NVML_ERROR_NOT_FOUND, "NOT_FOUND", "Not Found"},
    {NVML_ERROR_INSUFFICIENT_SIZE, "INSUFFICIENT_SIZE", "Insufficient Size"},
    {NVML_ERROR_INSUFFICIENT_POWER, "INSUFFICIENT_POWER", "Insufficient External Power"},
    {NVML_ERROR_DRIVER_NOT_LOADED, "DRIVER_NOT_LOADED", "Driver Not Loaded"},
    {NVML_ERROR_TIMEOUT, "TIMEOUT", "Timeout"},
    {NVML_ERROR_IRQ_ISSUE, "IRQ_ISSUE", "Interrupt Request Issue"},
    {NVML_ERROR_LIBRARY_NOT_FOUND, "LIBRARY_NOT_FOUND", "NVML Shared Library Not Found"},
    {NVML_ERROR_FUNCTION_NOT_FOUND, "FUNCTION_NOT_FOUND", "Function Not Found"},
    {NVML_ERROR_CORRUPTED_INFOROM, "CORRUPTED_INFOROM", "Corrupted infoROM"},
    {NVML_ERROR_GPU_IS_LOST, "GPU_IS_LOST", "GPU is lost"},
    {NVML_ERROR_RESET_REQUIRED, "RESET_REQUIRED", "GPU requires restart"},
    {NVML_ERROR_OPERATING_SYSTEM, "OPERATING_SYSTEM", "The operating system has blocked the request."},
    {NVML_ERROR_LIB_RM_VERSION_MISMATCH, "LIB_RM_VERSION_MISMATCH", "RM has detected an NVML/RM version mismatch."},
    {NVML_ERROR_IN_USE, "IN_USE", "In use by another client"},
    {NVML_ERROR_MEMORY, "MEMORY", "Insufficient Memory"},
    {NVML_ERROR_NO_DATA, "NO_DATA", "No data"},
    {NVML_ERROR_VGPU_ECC_NOT_SUPPORTED, "VGPU_ECC_NOT_SUPPORTED",
     "The requested vgpu operation is not available on target device, because ECC is enabled"},
    {NVML_ERROR_INSUFFICIENT_RESOURCES, "INSUFFICIENT_RESOURCES", "Ran out of critical resources, other than memory"},
    {NVML_ERROR_FREQ_NOT_SUPPORTED, "FREQ_NOT_SUPPORTED", "The requested frequency is not supported"},
    {NVML_ERROR_ARGUMENT_VERSION_MISMATCH, "ARGUMENT_VERSION_MISMATCH", "The provided version is invalid/unsupported"},
    {NVML_ERROR_DEPRECATED, "DEPRECATED", "The requested functionality has been deprecated"},
    {NVML_ERROR_NOT_READY, "NOT_READY", "The system is not ready for the request"},
    {NVML_ERROR_GPU_NOT_FOUND, "GPU_NOT_FOUND", "The GPU was not found"},
    {NVML_ERROR_INVALID_STATE, "INVALID_STATE", "The GPU is in an invalid state"},
    {NVML_ERROR_UNKNOWN, "UNKNOWN", "Unknown Error"},
};

int fake_function_by_name(const char *name) {
  for (size_t i = 0; i < sizeof FAKE_FUNCTION_ALIASES / sizeof FAKE_FUNCTION_ALIASES[0]; i++) {
    if (strcmp(name, FAKE_FUNCTION_ALIASES[i].name) == 0) {
      return FAKE_FUNCTION_ALIASES[i].function;
    }
  }
  for (int i = 0; i < FN_COUNT; i++) {
    if (FAKE_FUNCTION_NAMES[i] != NULL && strcmp(name, FAKE_FUNCTION_NAMES[i]) == 0) {
      return i;
    }
  }
  return -1;
}

int fake_code_by_name(const char *name, nvmlReturn_t *code) {
  if (strncmp(name, "NVML_ERROR_", 11) == 0) {
    name += 11;
  }
  for (size_t i = 1; i < sizeof CODES / sizeof CODES[0]; i++) { /* from 1: SUCCESS is no failure */
    if (strcasecmp(name, CODES[i].name) == 0) {
      *code = CODES[i].code;
      return 1;
    }
  }
  return 0;
}

NVML_API const char *nvmlErrorString(nvmlReturn_t result) {
  for (size_t i = 0; i < sizeof CODES / sizeof CODES[0]; i++) {
    if (CODES[i].code == result) {
      return CODES[i].message;
    }
  }
  return "Unknown Error";
}
