/* Return codes: their names (for inventory and control files) and nvmlErrorString; the function names rules use. */
#define _GNU_SOURCE
#include <string.h>
#include <strings.h>

#include "fake_nvml.h"

/* Indexed by enum fake_function; the names failure rules use. */
static const char *const FAKE_FUNCTION_NAMES[FN_COUNT] = {
    "nvmlInit_v2", "nvmlShutdown", "nvmlSystemGetDriverVersion", "nvmlSystemGetCudaDriverVersion",
    "nvmlDeviceGetCount_v2", "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByUUID", "nvmlDeviceGetUUID",
    "nvmlDeviceGetName", "nvmlDeviceGetMinorNumber", "nvmlDeviceGetPciInfo_v3", "nvmlDeviceGetMemoryInfo",
    "nvmlDeviceGetCudaComputeCapability", "nvmlDeviceGetMigMode", "nvmlDeviceGetTopologyCommonAncestor",
    "nvmlDeviceGetNvLinkState", "nvmlDeviceGetNvLinkRemotePciInfo_v2", "nvmlDeviceGetNvLinkRemoteDeviceType",
    "nvmlDeviceGetSupportedEventTypes", "nvmlEventSetCreate", "nvmlDeviceRegisterEvents", "nvmlEventSetWait_v2",
    "nvmlEventSetFree"};

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
  if (strcmp(name, "nvmlSystemGetCudaDriverVersion_v2") == 0) {
    return FN_CUDA_DRIVER_VERSION; /* the same function under its versioned name */
  }
  for (int i = 0; i < FN_COUNT; i++) {
    if (strcmp(name, FAKE_FUNCTION_NAMES[i]) == 0) {
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
